import Foundation

/// Every file the site will hold is claimed before it is written, with what it comes from, so two
/// sources that would write the same path (a page `traces/x-1.md` and a trace `id: x-1`, a linked
/// `notes/a.html` and the page `notes/a.md`, a file under `assets/` and the viewer's own) are an
/// error naming both, instead of one silently replacing the other. The claims pass from stage to
/// stage: pages, then traces, then linked files.
struct OutputClaims: Sendable {
    /// Every file of the site, by its path in the site: what it comes from.
    private var files: [String: String] = [:]
    /// The folders holding them, with the first source that needed each.
    private var folders: [String: String] = [:]

    /// Claims `path` (relative to the site) for `source` (`the page notes/a.md`). The error naming
    /// both when another source has it, or when it is a folder of another's files, or one of its
    /// folders is another's file; nil when the path is now `source`'s.
    mutating func claim(_ path: String, for source: String) -> Diagnostic? {
        let other = files[path] ?? folders[path]
        let parents = sequence(first: path, next: { $0.utf8.contains(UInt8(ascii: "/")) ? ($0 as NSString).deletingLastPathComponent : nil }).dropFirst()
        if let clash = other ?? parents.lazy.compactMap({ self.files[$0] }).first {
            return .error("", "\(clash) and \(source) would both be written to \(path) in the site; rename one of them")
        }
        files[path] = source
        for parent in parents where folders[parent] == nil { folders[parent] = source }
        return nil
    }

    /// Whether a file of the site is claimed (a made-up trace id steps around it).
    func isClaimed(_ path: String) -> Bool { files[path] != nil }

    /// The site's own files, claimed before any page: the index, the search index, the marker,
    /// and every file of the templates' `assets/`, of KaTeX and of highlight.js.
    static func siteFiles(templates: URL, katex: URL) -> Staged<OutputClaims> {
        var claims = OutputClaims()
        var clashes: [Diagnostic] = []
        func claim(_ path: String, for source: String) { claims.claim(path, for: source).map { clashes.append($0) } }
        claim("index.html", for: "the index page")
        claim(SearchIndex.path, for: "the search index")
        claim(StagingFolder.marker, for: "the site's marker")
        let assets = templates.appendingPathComponent("assets")
        for file in filesBelow(assets) { claim("assets/" + file, for: "the site's assets (\(assets.path))") }
        claim(Highlighting.sitePath, for: "highlight.js")
        if FileManager.default.fileExists(atPath: katex.appendingPathComponent("katex.min.js").path) {
            for name in ["katex.min.js", "katex.min.css"] { claim("assets/katex/" + name, for: "KaTeX") }
            for file in KaTeXStyles.fontFiles(in: katex) { claim("assets/katex/fonts/" + file, for: "KaTeX") }
        }
        return Staged(claims, clashes)
    }

    /// The relative paths of the files under a folder (the folder's own link followed: Debian's
    /// KaTeX links its fonts folder elsewhere).
    private static func filesBelow(_ folder: URL) -> [String] {
        let base = folder.resolvingSymlinksInPath()
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isDirectoryKey]) else { return [] }
        return walker.compactMap { item -> String? in
            guard let url = item as? URL, (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) != true else { return nil }
            return String(url.path.dropFirst(base.path.count + 1))
        }.sorted()
    }
}
