import CCmarkGFM

/// A math span of the source: `$…$`, `\(…\)`, `` $`…`$ `` (inline) or `$$…$$`, `\[…\]`,
/// `\begin{align}…\end{align}` (display).
struct MathSpan {
    /// The TeX between the delimiters (blockquote markers of continuation lines removed); an
    /// environment's TeX is the whole environment.
    var tex: String
    var display: Bool
    /// The span as written, delimiters included: what code, raw HTML, URLs and alt text get back.
    var source: String
}

/// Math protected from Markdown: before cmark parses the page, every math span becomes a
/// placeholder cmark leaves alone (U+E000, the span's index in decimal, U+E001; each line
/// break inside the span becomes a line break followed by U+E002, so every line keeps its
/// number). After rendering, placeholders in text become `<span class="math inline">` /
/// `<div class="math display">` with the TeX HTML-escaped, for KaTeX in the browser.
///
/// Pandoc's rules (`tex_math_dollars`, `tex_math_single_backslash`): an opening `$` is not
/// followed by a space and the next `$` closes it, unless a space precedes that `$` or a digit
/// follows it: then that opener is text ("$5 and $10", "$a $b$" has one span, `b`); `\$` is a
/// dollar; `$$…$$` is display; inside math `\x` is TeX. GitHub's `` $`…`$ `` is inline, and a
/// `\begin{align}` (or another of `MathScanner.displayEnvironments`) starting a line is display.
/// Never inside code spans, fenced or indented code, link destinations, autolinks or HTML
/// tags; a span does not cross a blank line, a line starting a new block, nor the end of a
/// heading or table row, except that the lines inside display math are never read as blocks
/// (see `MathScanner+Display.swift`). An unterminated delimiter is text. `\(…\)` and `\[…\]`
/// need more than spaces and backslashes inside (the spec's escaped punctuation stays text).
///
/// Where the scan cannot know the block structure (raw HTML blocks, code in odd
/// containers), cmark's own nodes decide: placeholders in code, raw HTML, URLs, titles and
/// image alt text get the span's source back, so such text comes out exactly as written.
/// U+E000–U+E004 in the source are replaced by U+FFFD (`MathScanner.reservedScalars`).
struct MathProtection {
    /// The text cmark parses, as bytes: it goes to cmark (and `TabTables`) as it is, without
    /// being made a `String` (validated, copied) on the way.
    private(set) var protectedBytes: [UInt8] = []
    private(set) var spans: [MathSpan] = []

    var protectedText: String { String(decoding: protectedBytes, as: UTF8.self) }

    init(_ source: String) {
        (protectedBytes, spans) = MathScanner.scan(source)
    }

    /// `text` with every placeholder (and its continuation markers) replaced by the span's source.
    func sourceText(_ text: String) -> String {
        guard !spans.isEmpty, text.containsUTF8(0xEE) else { return text }
        return replacePlaceholders(in: text) { span in Array(span.source.utf8) }
    }

    /// Gives code, raw HTML, URLs, titles and alt text their math source back (see the type's doc).
    func restoreSource(in node: OpaquePointer, type: cmark_node_type) {
        guard !spans.isEmpty else { return }
        switch type {
        case CMARK_NODE_CODE, CMARK_NODE_CODE_BLOCK, CMARK_NODE_HTML_BLOCK, CMARK_NODE_HTML_INLINE:
            restoreLiteral(node)
        case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
            if let url = cmark_node_get_url(node) { cmark_node_set_url(node, sourceText(String(cString: url))) }
            if let title = cmark_node_get_title(node) { cmark_node_set_title(node, sourceText(String(cString: title))) }
            if type == CMARK_NODE_IMAGE { restoreAltText(node) }
        default:
            break
        }
    }

    /// The rendered page with each remaining placeholder as math HTML. A display span directly
    /// in a paragraph splits it (`<p>a</p><div class="math display">…</div><p>b</p>`, no empty
    /// paragraphs); in a tight list item, table cell or inline element it stays in place.
    func render(_ html: String) -> String {
        guard !spans.isEmpty || html.containsUTF8(0xEE) else { return html }
        var html = html
        return html.withUTF8 { render($0) }
    }

    /// `render` of HTML as UTF-8 (cmark's output, read where cmark wrote it, not copied into a
    /// `String` first).
    func render(_ html: UnsafeBufferPointer<UInt8>) -> String {
        guard !spans.isEmpty || html.contains(0xEE) else { return String(decoding: html, as: UTF8.self) }
        return replacePlaceholders(in: html, unwrapParagraphs: true) { span in
            let tex = escapeHTML(span.tex)
            return Array((span.display
                ? "<div class=\"math display\">\(tex)</div>"
                : "<span class=\"math inline\">\(tex)</span>").utf8)
        }
    }

    /// Whether the end of `html` is directly inside a `<p>`: looking back (at most 64 KiB),
    /// only the inline tags cmark writes, balanced, stand between it and a `<p>`.
    private static func isDirectlyInParagraph(_ html: [UInt8]) -> Bool {
        var depth = 0
        var cursor = html.count - 1
        let limit = max(0, html.count - 65_536)
        while cursor >= limit {
            defer { cursor -= 1 }
            guard html[cursor] == 0x3C else { continue }  // '<'
            let closing = cursor + 1 < html.count && html[cursor + 1] == 0x2F
            var nameEnd = cursor + (closing ? 2 : 1)
            let nameStart = nameEnd
            while nameEnd < html.count, (0x61...0x7A).contains(html[nameEnd]) { nameEnd += 1 }
            let name = Array(html[nameStart..<nameEnd])
            if name == [0x70] { return !closing && depth == 0 }  // p
            if voidInlineTags.contains(name) { continue }
            guard inlineTags.contains(name) else { return false }
            depth += closing ? -1 : 1
        }
        return false
    }

    private static let inlineTags: Set<[UInt8]> = Set(["a", "em", "strong", "code", "del", "span", "sup"].map { Array($0.utf8) })
    private static let voidInlineTags: Set<[UInt8]> = Set(["br", "img"].map { Array($0.utf8) })

    private func restoreLiteral(_ node: OpaquePointer) {
        guard let literal = cmark_node_get_literal(node) else { return }
        let text = String(cString: literal)
        let restored = sourceText(text)
        if restored != text { cmark_node_set_literal(node, restored) }
    }

    private func restoreAltText(_ image: OpaquePointer) {
        var child = cmark_node_first_child(image)
        while let node = child {
            if cmark_node_get_type(node) == CMARK_NODE_TEXT { restoreLiteral(node) }
            if cmark_node_first_child(node) != nil { restoreAltText(node) }
            child = cmark_node_next(node)
        }
    }

    /// Replaces `U+E000 digits U+E001 ([\n ]? U+E002)*` by `replacement`; drops stray markers.
    private func replacePlaceholders(
        in text: String, unwrapParagraphs: Bool = false, _ replacement: (MathSpan) -> [UInt8]
    ) -> String {
        var text = text
        return text.withUTF8 { bytes in
            replacePlaceholders(in: bytes, unwrapParagraphs: unwrapParagraphs, replacement)
        }
    }

    private func replacePlaceholders(
        in bytes: UnsafeBufferPointer<UInt8>, unwrapParagraphs: Bool, _ replacement: (MathSpan) -> [UInt8]
    ) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        var i = 0
        while i < bytes.count {
            guard bytes[i] == 0xEE, i + 2 < bytes.count, bytes[i + 1] == 0x80, (0x80...0x82).contains(bytes[i + 2]) else {
                let next = bytes[(i + 1)...].firstIndex(of: 0xEE) ?? bytes.count
                output.append(contentsOf: bytes[i..<next])
                i = next
                continue
            }
            guard bytes[i + 2] == 0x80 else { i += 3; continue }  // a stray closer or continuation marker
            var j = i + 3
            var index = 0
            while j < bytes.count, (0x30...0x39).contains(bytes[j]), index < 1 << 40 {
                index = index * 10 + Int(bytes[j] - 0x30)
                j += 1
            }
            guard j + 2 < bytes.count, bytes[j] == 0xEE, bytes[j + 1] == 0x80, bytes[j + 2] == 0x81, index < spans.count else {
                i += 3
                continue
            }
            j += 3
            while true {
                var k = j
                if k < bytes.count, bytes[k] == 0x0A || bytes[k] == 0x20 { k += 1 }
                guard k + 2 < bytes.count, bytes[k] == 0xEE, bytes[k + 1] == 0x80, bytes[k + 2] == 0x82 else { break }
                j = k + 3
            }
            let span = spans[index]
            guard unwrapParagraphs, span.display, Self.isDirectlyInParagraph(output) else {
                output += replacement(span)
                i = j
                continue
            }
            // A display span is a block: it closes the paragraph around it and opens another
            // after it, with no empty paragraphs and no line breaks or spaces left at their edges.
            while let last = output.last, last == 0x0A || last == 0x20 { output.removeLast() }
            if output.suffix(3).elementsEqual("<p>".utf8) { output.removeLast(3) } else { output += "</p>\n".utf8 }
            output += replacement(span)
            output.append(0x0A)
            while j < bytes.count, bytes[j] == 0x0A || bytes[j] == 0x20 { j += 1 }
            if bytes[j...].starts(with: "</p>".utf8) {
                j += 4
                if j < bytes.count, bytes[j] == 0x0A { j += 1 }
            } else {
                output += "<p>".utf8
            }
            i = j
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// Fenced display math: GitHub's ```` ```math ```` and MyST's ```` ```{math} ```` (whose
/// `:label:`-style option lines at the top are dropped). The block's HTML, or `nil` for other code.
func fencedMathHTML(_ block: CodeBlock) -> String? {
    let word = block.info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first
    guard word == "math" || word == "{math}" else { return nil }
    var lines = block.content.split(separator: "\n", omittingEmptySubsequences: false)
    if word == "{math}" {
        while let first = lines.first, first.hasPrefix(":") { lines.removeFirst() }
    }
    while let last = lines.last, last.allSatisfy({ $0 == " " || $0 == "\t" }) { lines.removeLast() }
    return "<div class=\"math display\">\(escapeHTML(lines.joined(separator: "\n")))</div>"
}
