import Foundation

/// KaTeX's stylesheet as a site or an embed ships it: each font's `src:` list reduced to its WOFF2
/// file. KaTeX lists WOFF2, WOFF and TrueType for browsers of 2014; every browser that runs the
/// viewer reads WOFF2 (and a browser only downloads the first format it reads), so the other two
/// formats are 0.9 MB of a site that no reader loads.
enum KaTeXStyles {
    /// The stylesheet with every `src:` list that names a `.woff2` file replaced by what `source`
    /// makes of that file's path as written (nil leaves the list as it was).
    static func woff2Only(_ css: String, source: (String) -> String?) -> String {
        var out = ""
        var rest = Substring(css)
        while let start = rest.range(of: "src:") {
            out += rest[..<start.upperBound]
            rest = rest[start.upperBound...]
            let end = rest.firstIndex(where: { $0 == ";" || $0 == "}" }) ?? rest.endIndex
            let sources = rest[..<end]
            if let woff2 = sources.range(of: #"url\(([^)]*\.woff2)\)"#, options: .regularExpression),
                let replaced = source(sources[woff2].dropFirst(4).dropLast().trimmingCharacters(in: CharacterSet(charactersIn: "'\"")))
            {
                out += replaced
            } else {
                out += sources
            }
            rest = rest[end...]
        }
        return out + rest
    }

    /// Writes KaTeX into a site's `assets/katex/`: the script, the stylesheet with WOFF2 sources
    /// only, and the WOFF2 fonts; `previous`, the same folder of the site being replaced (see
    /// `copyFollowingLinks`).
    static func copy(from katex: URL, to folder: URL, previous: URL? = nil) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: folder.appendingPathComponent("fonts"), withIntermediateDirectories: true)
        try copyFollowingLinks(katex.appendingPathComponent("katex.min.js"), to: folder.appendingPathComponent("katex.min.js"),
                               previous: previous?.appendingPathComponent("katex.min.js"))
        let css = try String(contentsOf: katex.appendingPathComponent("katex.min.css").resolvingSymlinksInPath(), encoding: .utf8)
        try Data(woff2Only(css) { "url(\($0)) format(\"woff2\")" }.utf8).write(to: folder.appendingPathComponent("katex.min.css"))
        for name in fontFiles(in: katex) {
            try copyFollowingLinks(katex.appendingPathComponent("fonts/" + name), to: folder.appendingPathComponent("fonts/" + name),
                                   previous: previous?.appendingPathComponent("fonts/" + name))
        }
    }

    /// The WOFF2 fonts of a KaTeX folder, sorted.
    static func fontFiles(in katex: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: katex.appendingPathComponent("fonts").resolvingSymlinksInPath().path)) ?? []
        return names.filter { $0.hasSuffix(".woff2") }.sorted()
    }
}
