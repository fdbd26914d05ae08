import Foundation

/// Syntax highlighting of fenced code: Debian's highlight.js (`libjs-highlight.js`) is copied into
/// the site as `assets/highlight/highlight.min.js`, and the site's `assets/code.js` loads it in the
/// reader's browser on the pages that have code in a language it knows (the script is 850 KB:
/// pages without code never load it), then colours those blocks with the site's own theme
/// (`assets/code.css`, light and dark). Without the package the build warns and code stays plain.
///
/// In the browser rather than at build time: like KaTeX, it needs nothing but the files of the
/// site, and a build needs no JavaScript runtime.
enum Highlighting {
    /// Where the script lands in the site.
    static let sitePath = "assets/highlight/highlight.min.js"

    /// Info strings whose blocks are never coloured: plain text, and blocks the build replaces.
    static let plainLanguages: Set<String> = ["", "text", "txt", "plain", "plaintext", "nohighlight", "unrolled", "math"]

    /// Whether a reader's browser would colour one of these blocks: a fenced block with a language.
    static func isWanted(_ documents: [ParsedDocument]) -> Bool {
        documents.contains { document in
            document.codeBlocks.contains { block in
                let language = block.info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) ?? ""
                return !plainLanguages.contains(language.lowercased())
            }
        }
    }

    /// Copies `highlight.min.js` from Debian's folder into the staging site. When it is missing
    /// and a page has code to colour, the warning that says so (a course without such code needs
    /// no warning, so `--strict` does not fail it on a machine without the package).
    ///
    /// Without it, a stand-in takes its place, so that a page with code loads a script that is
    /// there (no failed request in the reader's console) and finds no `hljs`: the code stays plain.
    static func copy(from folder: URL, wanted: Bool, into staging: StagingFolder) throws(Diagnostic) -> [Diagnostic] {
        let script = folder.appendingPathComponent("highlight.min.js")
        let found = FileManager.default.fileExists(atPath: script.path)
        let to = staging.url.appendingPathComponent(sitePath)
        do {
            try FileManager.default.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            if found {
                try copyFollowingLinks(script, to: to)
            } else {
                try Data(standIn.utf8).write(to: to)
            }
        } catch {
            throw .error("", "cannot copy highlight.js: \(error.localizedDescription)")
        }
        guard !found, wanted else { return [] }
        return [.warning("", "highlight.js not found at \(folder.path) (Debian package libjs-highlight.js; "
            + "`bash scripts/setup` installs it): code blocks show without colours")]
    }

    /// What a site built without highlight.js has in its place.
    static let standIn = "// Debian's libjs-highlight.js was not installed when this site was built: code stays plain.\n"

}
