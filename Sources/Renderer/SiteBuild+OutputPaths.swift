import Foundation

/// Every file the site will hold is claimed before it is written, with what it comes from, so two
/// sources that would write the same path (a page `traces/x-1.md` and a trace `id: x-1`, a linked
/// `notes/a.html` and the page `notes/a.md`, a file under `assets/` and the viewer's own) are an
/// error naming both, instead of one silently replacing the other.
extension SiteBuild {
    /// Claims `path` (relative to the site) for `source` (`the page notes/a.md`); false, after
    /// reporting the collision, when another source has it, or when it is a folder of another's
    /// files, or one of its folders is another's file.
    @discardableResult
    func claim(_ path: String, for source: String) -> Bool {
        let other = claims[path] ?? claimedFolders[path]
        let parents = sequence(first: path, next: { $0.utf8.contains(UInt8(ascii: "/")) ? ($0 as NSString).deletingLastPathComponent : nil }).dropFirst()
        let clash = other ?? parents.lazy.compactMap { self.claims[$0] }.first
        if let clash {
            report(.error("", "\(clash) and \(source) would both be written to \(path) in the site; rename one of them"))
            return false
        }
        claims[path] = source
        for parent in parents where claimedFolders[parent] == nil { claimedFolders[parent] = source }
        return true
    }

    /// The site's own files, claimed before any page: the index, the search index, the marker,
    /// the trace cache, and every file of the templates' `assets/` and of KaTeX.
    func claimSiteFiles() {
        claim("index.html", for: "the index page")
        claim(SearchIndex.path, for: "the search index")
        claim(SiteBuild.marker, for: "the site's marker")
        claim(TraceCache.folder, for: "the trace cache")
        let assets = options.templates.appendingPathComponent("assets")
        for file in filesBelow(assets) { claim("assets/" + file, for: "the site's assets (\(assets.path))") }
        if FileManager.default.fileExists(atPath: options.katex.appendingPathComponent("katex.min.js").path) {
            for name in ["katex.min.js", "katex.min.css"] { claim("assets/katex/" + name, for: "KaTeX") }
            for file in filesBelow(options.katex.appendingPathComponent("fonts")) { claim("assets/katex/fonts/" + file, for: "KaTeX") }
        }
    }

    /// The relative paths of the files under a folder (the folder's own link followed: Debian's
    /// KaTeX links its fonts folder elsewhere).
    private func filesBelow(_ folder: URL) -> [String] {
        let base = folder.resolvingSymlinksInPath()
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isDirectoryKey]) else { return [] }
        return walker.compactMap { item -> String? in
            guard let url = item as? URL, (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) != true else { return nil }
            return String(url.path.dropFirst(base.path.count + 1))
        }.sorted()
    }
}
