/// A page's title when it has neither a front-matter `title` nor a heading: its first line of
/// text, when that line is a title in all but syntax (real notes open with `UNIT FOUR NOTES(PART
/// I)` on a line of its own), else nil and the page keeps its file name.
///
/// The line is one when it is
/// - a paragraph of its own: the first line that is not blank, with a blank line (or the end)
///   after it, indented less than 4 columns (4 make it code);
/// - short: at most `maximumLength` characters, trimmed;
/// - plain: it starts with a letter or a digit but no list marker (`1.`, `2)`) and holds none of
///   the characters Markdown, HTML or math give a meaning (`` *_`[]<>$\|~&{} `` and the tab),
///   nor a URL, so the title shows exactly what the page shows.
///
/// Reads only up to that line's end: a page of megabytes costs its first lines.
func firstLineTitle(of body: String) -> String? {
    let bytes = body.utf8
    var start = bytes.startIndex
    while start < bytes.endIndex, let blankEnd = blankLineEnd(bytes, from: start) { start = blankEnd }
    guard start < bytes.endIndex else { return nil }
    let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
    guard end == bytes.endIndex || blankLineEnd(bytes, from: bytes.index(after: end)) != nil else { return nil }
    let line = bytes[start..<end]
    // A character is at most 4 bytes: a longer line is no title, and is not read further.
    guard line.count <= 4 * maximumTitleLength else { return nil }
    let indent = line.prefix { $0 == UInt8(ascii: " ") }.count
    guard indent < 4, let text = Substring(line).trimmingWhitespace(), text.count <= maximumTitleLength else { return nil }
    guard let first = text.unicodeScalars.first, first.properties.isAlphabetic || first.properties.numericType != nil else { return nil }
    let markers = text.drop { $0.isASCII && $0.isNumber }
    if markers.count < text.count, markers.first == "." || markers.first == ")" { return nil }
    if text.contains(where: { "*_`[]<>$\\|~&{}\t".contains($0) }) || text.contains("://") { return nil }
    return String(text)
}

/// The longest first line taken as a title, in characters: a heading's length, not a sentence's.
let maximumTitleLength = 80

/// Where the next line starts when the line at `start` is blank (spaces and tabs) or the end; nil
/// when it is not blank (read only up to its first other character).
private func blankLineEnd(_ bytes: String.UTF8View, from start: String.Index) -> String.Index? {
    var at = start
    while at < bytes.endIndex {
        switch bytes[at] {
        case UInt8(ascii: "\n"): return bytes.index(after: at)
        case UInt8(ascii: " "), UInt8(ascii: "\t"): at = bytes.index(after: at)
        default: return nil
        }
    }
    return at
}

private extension Substring {
    /// Without white space at either end (Unicode's, so a no-break space too); nil when nothing is left.
    func trimmingWhitespace() -> Substring? {
        guard let start = firstIndex(where: { !$0.isWhitespace }), let end = lastIndex(where: { !$0.isWhitespace }) else { return nil }
        return self[start...end]
    }
}

extension String {
    /// The page's HTML without its first paragraph when that is `title` alone (the page's title,
    /// taken from its first line, shows in its place); unchanged otherwise.
    func droppingFirstParagraph(_ title: String) -> String {
        let start = utf8.firstIndex { $0 != UInt8(ascii: "\n") } ?? utf8.endIndex
        let paragraph = "<p>" + escapeHTML(title) + "</p>\n"
        guard self[start...].utf8.starts(with: paragraph.utf8) else { return self }
        return String(self[..<start]) + self[utf8.index(start, offsetBy: paragraph.utf8.count)...]
    }
}
