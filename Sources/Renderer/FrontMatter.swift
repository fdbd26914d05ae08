import Models
import Yams

/// A page's optional front matter: YAML between a first line `---` and the next `---` (or `...`).
///
/// ```markdown
/// ---
/// title: The artificial neuron
/// order: 1
/// summary: Weighted sum, bias, activation.
/// ---
/// ```
struct FrontMatter: Equatable, Sendable {
    /// Keys that notes written for Jekyll, Jupyter Book (MyST), pandoc or Quarto carry in their
    /// front matter: read as theirs and left alone, so such notes build without false warnings.
    /// Any other unknown key is a warning, since it is more likely a typo of one of ours.
    static let otherToolchainKeys: Set<String> = [
        "layout", "permalink", "date", "categories", "category", "tags", "author", "authors", "excerpt", "published",
        "description", "image", "last_modified_at", "toc", "math", "mathjax", "katex", "sidebar", "nav_order", "parent",
        "kernelspec", "jupytext", "myst", "kernel_info", "substitutions", "exports", "short_title", "subtitle",
        "numbering", "downloads", "license", "keywords", "abstract", "lang", "bibliography", "format", "execute", "jupyter",
    ]

    var title: String?
    var order: Double?
    var summary: String?

    /// Splits `source` into its front matter and the Markdown body. The front matter's lines are
    /// blanked, not removed, so that line numbers in the body are those of the file.
    static func split(_ source: String, file: String) -> (FrontMatter, body: String, diagnostics: [Diagnostic]) {
        guard let fence = closingFence(in: source) else { return (FrontMatter(), source, []) }
        let yaml = String(decoding: source.utf8[fence.yaml], as: UTF8.self)
        let blanked = String(repeating: "\n", count: fence.after == nil ? fence.line : fence.line + 1)
        let body = fence.after.map { blanked + source[$0...] } ?? blanked
        do {
            guard let node = try BoundedYAML.compose(yaml, firstLine: 2) else { return (FrontMatter(), body, []) }
            guard let mapping = node.mapping else {
                return (FrontMatter(), body, [.warning(file, line: 2, "front matter is not a list of `key: value` lines; ignored")])
            }
            var matter = FrontMatter()
            var diagnostics: [Diagnostic] = []
            for (key, value) in mapping {
                let line = key.mark.map { $0.line + 1 }
                switch key.string {
                case "title": matter.title = value.string
                case "summary": matter.summary = value.string
                case "order":
                    if let order = value.float { matter.order = order } else {
                        diagnostics.append(.warning(file, line: line, "front matter `order` must be a number, not '\((value.string ?? "").excerpt)'"))
                    }
                case let other? where Self.otherToolchainKeys.contains(other):
                    continue  // another toolchain's (Jekyll, Jupyter Book, pandoc, Quarto): not a typo
                default:
                    diagnostics.append(.warning(file, line: line, "unknown front matter key '\((key.string ?? "").excerpt)' (known: title, order, summary)"))
                }
            }
            return (matter, body, diagnostics)
        } catch {
            return (FrontMatter(), body, [error.diagnostic(file: file, subject: "front matter")])
        }
    }
}

/// Where the front matter ends: the index of the closing `---` (or `...`) line, the YAML between
/// the fences, and where the line after the closing fence starts (nil when it is the last line).
/// Nil without front matter. Lines are read one by one up to the closing fence, so a page of
/// megabytes costs only its first lines. They end at the byte `\n`, as cmark's and the body's
/// line numbers count them: a `\r\n` is one `Character` and `firstIndex(of: "\n")` on the text
/// would pass over it (a Windows page's front matter went unseen). A trailing `\r` is space.
private func closingFence(in source: String) -> (line: Int, yaml: Range<String.Index>, after: String.Index?)? {
    let bytes = source.utf8
    var start = bytes.startIndex
    var line = 0
    var yamlStart = bytes.startIndex
    var previousNewline = bytes.startIndex
    while true {
        let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n"))
        var end = newline ?? bytes.endIndex
        while end > start, [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r")].contains(bytes[bytes.index(before: end)]) {
            end = bytes.index(before: end)
        }
        let text = bytes[start..<end]
        if line == 0 {
            guard text.elementsEqual("---".utf8) else { return nil }
        } else if text.elementsEqual("---".utf8) || text.elementsEqual("...".utf8) {
            let yamlEnd = line == 1 ? yamlStart : previousNewline
            // After a `\n` is always a Character boundary (nothing joins a line feed to what follows).
            return (line, yamlStart..<yamlEnd, newline.map { bytes.index(after: $0) })
        }
        guard let newline else { return nil }
        previousNewline = newline
        start = bytes.index(after: newline)
        line += 1
        if line == 1 { yamlStart = start }
    }
}
