/// The block structure, line by line: which lines are code (fenced or indented) or blank, which
/// start a block (list items, headings, fences, setext underlines and thematic breaks, tables),
/// and which a span may not run past (headings, table rows). An approximation of CommonMark's
/// block parsing, enough to keep math out of code and inside one paragraph.
///
/// Display math is found here, before the lines inside it are read as blocks (as pandoc and
/// MyST do): the lines after an unclosed `$$` or `\[`, or after `\begin{align}` at a line's
/// start, up to the closer are text of the same paragraph, whatever they look like (`- x`,
/// `=`, `> 0`, four spaces, `| a |`).
extension MathScanner {
    mutating func classifyLines() -> [Line] {
        var lines: [Line] = []
        var fence: (character: UInt8, length: Int)?
        var listIndents: [Int] = []
        var paragraphOpen = false, inTable = false
        var previousKind = Line.Kind.blank
        var display = DisplayState()
        var start = 0
        while start < input.count {
            let end = find(0x0A, start, input.count) ?? input.count
            let quotes = quotePrefix(from: start, end)
            var line = Line(start: start, end: end, quoteDepth: quotes.depth, kind: .text)
            var content = quotes.end, indentation = 0
            while content < end, isSpace(input[content]) {
                indentation = input[content] == 0x09 ? (indentation / 4 + 1) * 4 : indentation + 1
                content += 1
            }
            defer {
                previousKind = line.kind
                lines.append(line)
                start = end + 1
            }
            if lines.count <= display.lastLine {
                // Inside display math: text of the paragraph the math started in.
                paragraphOpen = true
                if lines.count == display.lastLine {
                    findDisplayMath(from: display.resume, line: lines.count, end, lineStart: false, &display)
                }
                continue
            }
            if let open = fence {
                line.kind = .code
                if runLength(of: open.character, at: content, end) >= open.length,
                   input[(content + runLength(of: open.character, at: content, end))..<end].allSatisfy(isSpace) {
                    fence = nil
                }
                continue
            }
            if content == end {
                line.kind = .blank
                paragraphOpen = false
                inTable = false
                continue
            }
            if !paragraphOpen || previousKind == .blank {
                while let last = listIndents.last, last > indentation { listIndents.removeLast() }
            }
            let codeIndentation = (listIndents.last ?? 0) + 4
            if indentation >= codeIndentation, !paragraphOpen {
                line.kind = .code
                continue
            }
            if let width = listMarkerWidth(at: content, end) {
                while let last = listIndents.last, last > indentation { listIndents.removeLast() }
                var after = content + width, spaces = 0
                while after < end, input[after] == 0x20, spaces < 5 { after += 1; spaces += 1 }
                listIndents.append(indentation + width + (spaces == 0 || spaces > 4 ? 1 : spaces))
                line.startsBlock = true
                content = after
            }
            let fenceCharacter = content < end ? input[content] : 0
            if fenceCharacter == 0x60 || fenceCharacter == 0x7E {  // '`' '~'
                let length = runLength(of: fenceCharacter, at: content, end)
                if length >= 3, fenceCharacter == 0x7E || !input[(content + length)..<end].contains(0x60) {
                    fence = (fenceCharacter, length)
                    line.kind = .code
                    line.startsBlock = true
                    paragraphOpen = false
                    inTable = false
                    continue
                }
            }
            let hashes = runLength(of: 0x23, at: content, end)  // '#'
            if (1...6).contains(hashes), content + hashes == end || isSpace(input[content + hashes]) {
                line.startsBlock = true
                line.isolated = true
                paragraphOpen = false
                inTable = false
                continue
            }
            if fenceCharacter == 0x3D || fenceCharacter == 0x2D,  // setext underline or thematic break
               input[content..<end].allSatisfy({ $0 == fenceCharacter || isSpace($0) }) {
                line.startsBlock = true
            }
            if line.startsBlock { inTable = false }
            // A table's rows end at a blank line or another block; its header is the line before
            // a delimiter row (`| --- | :-: |`), and interrupts a paragraph.
            if !inTable, find(0x7C, content, end) != nil, end < input.count, isDelimiterRow(after: end) {
                inTable = true
                line.startsBlock = true
            }
            line.isolated = inTable
            paragraphOpen = true
            if !inTable { findDisplayMath(from: content, line: lines.count, end, lineStart: true, &display) }
        }
        return lines
    }

    /// The end of the blockquote markers (`>`, up to three spaces before each, one space after)
    /// at `start`, at most `maxDepth` of them, and how many.
    func quotePrefix(from start: Int, _ end: Int, maxDepth: Int = .max) -> (end: Int, depth: Int) {
        var position = start, depth = 0
        while depth < maxDepth {
            var probe = position, spaces = 0
            while probe < end, input[probe] == 0x20, spaces < 3 { probe += 1; spaces += 1 }
            guard probe < end, input[probe] == 0x3E else { break }  // '>'
            position = probe + 1
            depth += 1
            if position < end, input[position] == 0x20 { position += 1 }
        }
        return (position, depth)
    }

    /// Whether the line starting after the `\n` at `newline` is a table's delimiter row: cells of
    /// `-` (at least one, `:` at either end) between `|`s, the outer ones optional, with a `|`
    /// somewhere (without one, `---` is a setext underline or a thematic break).
    private func isDelimiterRow(after newline: Int) -> Bool {
        let start = newline + 1
        var end = start
        while end < input.count, input[end] != 0x0A { end += 1 }
        var cursor = quotePrefix(from: start, end).end
        var cells = 0, pipes = 0
        while true {
            while cursor < end, isSpace(input[cursor]) { cursor += 1 }
            if cursor < end, input[cursor] == 0x7C { pipes += 1; cursor += 1; continue }
            guard cursor < end else { break }
            if input[cursor] == 0x3A { cursor += 1 }  // ':'
            let dashes = runLength(of: 0x2D, at: cursor, end)
            guard dashes > 0 else { return false }
            cursor += dashes
            if cursor < end, input[cursor] == 0x3A { cursor += 1 }
            cells += 1
            while cursor < end, isSpace(input[cursor]) { cursor += 1 }
            guard cursor == end || input[cursor] == 0x7C else { return false }
        }
        return cells > 0 && pipes > 0
    }

    /// The width of a list marker (`-`, `+`, `*`, `1.`, `1)`) followed by a space or the line end.
    private func listMarkerWidth(at position: Int, _ end: Int) -> Int? {
        guard position < end else { return nil }
        var width: Int
        switch input[position] {
        case 0x2D, 0x2B, 0x2A: width = 1
        case 0x30...0x39:
            let digits = runLength(ofDigitsAt: position, end)
            guard digits <= 9, position + digits < end, input[position + digits] == 0x2E || input[position + digits] == 0x29 else {
                return nil
            }
            width = digits + 1
        default: return nil
        }
        guard position + width == end || isSpace(input[position + width]) else { return nil }
        return width
    }

    private func runLength(ofDigitsAt position: Int, _ end: Int) -> Int {
        var cursor = position
        while cursor < end, (0x30...0x39).contains(input[cursor]) { cursor += 1 }
        return cursor - position
    }
}
