import Foundation

/// One Markdown file of the course on its way to an HTML page.
final class Page {
    /// Relative to the course folder: `notes/01-neuron.md`.
    let source: String
    /// Relative to the site folder: `notes/01-neuron.html`.
    let output: String
    var title: String
    var order: Double?
    var summary: String?
    /// The source with its front matter blanked (line numbers unchanged).
    var body = ""
    var document: MarkdownDocument?
    /// The directives' figures (HTML), by the line of their opening fence.
    var figures: [Int: String] = [:]
    /// The rendered body, set by the render step.
    var html = ""

    init(source: String) {
        self.source = source
        var output = String(source.dropLast(URL(fileURLWithPath: source).pathExtension.count)) + "html"
        if output == "index.html" { output = "index-page.html" }
        self.output = output
        title = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
    }

    /// The folder of the source, relative to the course folder (`notes`, or empty).
    var sourceFolder: String { (source as NSString).deletingLastPathComponent }

    /// `../` once per folder the page is in: how the page reaches the site's root.
    var root: String { String(repeating: "../", count: output.split(separator: "/").count - 1) }
}

/// Resolves `path` against a folder (both relative, `/`-separated), folding `.` and `..`.
/// Nil when the result would leave the course folder.
func normalizedPath(_ path: String, relativeTo folder: String) -> String? {
    var parts = path.hasPrefix("/") ? [] : folder.split(separator: "/").map(String.init)
    for piece in path.split(separator: "/") {
        switch piece {
        case ".": continue
        case "..":
            guard !parts.isEmpty else { return nil }
            parts.removeLast()
        default: parts.append(String(piece))
        }
    }
    return parts.joined(separator: "/")
}
