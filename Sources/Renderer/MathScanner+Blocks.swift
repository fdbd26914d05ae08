/// The block structure, line by line: which lines are code (fenced or indented) or blank, which
/// start a block (list items, headings, fences, setext underlines and thematic breaks), and which
/// a span may not run past (headings, table rows). An approximation of CommonMark's block
/// parsing, enough to keep math out of code and inside one paragraph.
extension MathScanner {
    func classifyLines() -> [Line] {
        var lines: [Line] = []
        var fence: (character: UInt8, length: Int)?
        var listIndents: [Int] = []
        var paragraphOpen = false
        var previousKind = Line.Kind.blank
        var start = 0
        while start < input.count {
            var end = start
            while end < input.count, input[end] != 0x0A { end += 1 }
            var position = start
            while true {
                var probe = position, spaces = 0
                while probe < end, input[probe] == 0x20, spaces < 3 { probe += 1; spaces += 1 }
                guard probe < end, input[probe] == 0x3E else { break }  // '>'
                position = probe + 1
                if position < end, input[position] == 0x20 { position += 1 }
            }
            var line = Line(start: start, end: end, afterQuotes: position, kind: .text)
            var content = position, indentation = 0
            while content < end, isSpace(input[content]) {
                indentation = input[content] == 0x09 ? (indentation / 4 + 1) * 4 : indentation + 1
                content += 1
            }
            defer {
                previousKind = line.kind
                lines.append(line)
                start = end + 1
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
                    continue
                }
            }
            let hashes = runLength(of: 0x23, at: content, end)  // '#'
            if (1...6).contains(hashes), content + hashes == end || isSpace(input[content + hashes]) {
                line.startsBlock = true
                line.isolated = true
                paragraphOpen = false
                continue
            }
            if input[content..<end].contains(0x7C) { line.isolated = true }  // '|': maybe a table row
            if fenceCharacter == 0x3D || fenceCharacter == 0x2D,  // setext underline or thematic break
               input[content..<end].allSatisfy({ $0 == fenceCharacter || isSpace($0) }) {
                line.startsBlock = true
            }
            paragraphOpen = true
        }
        return lines
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
