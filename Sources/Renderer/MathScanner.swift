/// The scan behind `MathProtection`: finds math spans in Markdown source the way pandoc
/// would after block parsing, with a line-based approximation of the block structure
/// (fenced and indented code, headings, table rows, list and blockquote prefixes).
/// Link destinations `](…)` are skipped: they are URLs, not text.
/// Linear in the input: a delimiter that finds no closer once is not searched for again.
struct MathScanner {
    private let input: [UInt8]
    private(set) var output: [UInt8] = []
    private(set) var spans: [MathSpan] = []

    private struct Line {
        enum Kind { case text, code, blank }
        var start: Int
        /// The index of the line's `\n`, or the end of the input.
        var end: Int
        /// Where the text starts after the blockquote markers.
        var afterQuotes: Int
        var kind: Kind
        /// Starts a new block, so a span may not continue onto it.
        var startsBlock = false
        /// A heading or a table row: a span may not continue past its end.
        var isolated = false
    }

    private var lines: [Line] = []
    /// Set by `htmlEnd` when it failed only at the end of the text (an unclosed comment or tag).
    private var unclosedHTML = false

    init(_ input: [UInt8]) {
        self.input = input
        output.reserveCapacity(input.count + input.count / 16)
    }

    mutating func scan() {
        classifyLines()
        var index = 0
        while index < lines.count {
            guard lines[index].kind == .text else {
                copy(lines[index].start, lineEnd(index))
                index += 1
                continue
            }
            var last = index
            while !lines[last].isolated, last + 1 < lines.count, lines[last + 1].kind == .text, !lines[last + 1].startsBlock {
                last += 1
            }
            scanInline(from: index, through: last)
            index = last + 1
        }
    }

    // MARK: - Blocks

    /// The end of line `index` including its line break.
    private func lineEnd(_ index: Int) -> Int { min(lines[index].end + 1, input.count) }

    private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    private mutating func classifyLines() {
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
    }

    private func runLength(of byte: UInt8, at position: Int, _ end: Int) -> Int {
        var cursor = position
        while cursor < end, input[cursor] == byte { cursor += 1 }
        return cursor - position
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

    // MARK: - Inlines

    /// Scans lines `first...last` (one paragraph-like run of text) for code spans, HTML and math.
    private mutating func scanInline(from first: Int, through last: Int) {
        let end = lines[last].end
        var noCloser: Set<Int> = []  // code span lengths, and negative keys for math delimiters
        var destinationFailedUntil = -1, htmlFailedUntil = -1
        var position = lines[first].start, copied = position
        while position < end {
            switch input[position] {
            case 0x5C:  // '\'
                let next = position + 1 < end ? input[position + 1] : 0
                if next == 0x28 || next == 0x5B, !noCloser.contains(-Int(next)),  // '(' '['
                   let close = backslashCloser(after: position + 2, end, closing: next == 0x28 ? 0x29 : 0x5D) {
                    copy(copied, position)
                    addSpan(position, contentStart: position + 2, contentEnd: close, end: close + 2, display: next == 0x5B, lines: first...last)
                    position = close + 2
                    copied = position
                } else {
                    if next == 0x28 || next == 0x5B { noCloser.insert(-Int(next)) }
                    position += 2
                }
            case 0x60:  // '`'
                let length = runLength(of: 0x60, at: position, end)
                if !noCloser.contains(length), let close = codeSpanCloser(length, after: position + length, end) {
                    position = close + length
                } else {
                    noCloser.insert(length)
                    position += length
                }
            case 0x5D where position + 1 < end && input[position + 1] == 0x28 && position > destinationFailedUntil:  // "]("
                if let close = linkDestinationEnd(at: position + 1, end) {
                    position = close
                } else {
                    destinationFailedUntil = end
                    position += 2
                }
            case 0x3C where position > htmlFailedUntil:  // '<'
                if let close = htmlEnd(at: position, end) {
                    position = close
                } else {
                    // An unclosed comment or quote scanned to the end: do not scan again (linear time).
                    htmlFailedUntil = unclosedHTML ? end : htmlFailedUntil
                    position += 1
                }
            case 0x24:  // '$'
                if position + 1 < end, input[position + 1] == 0x24 {
                    if !noCloser.contains(-2), let close = dollarCloser(after: position + 2, end, display: true) {
                        copy(copied, position)
                        addSpan(position, contentStart: position + 2, contentEnd: close, end: close + 2, display: true, lines: first...last)
                        position = close + 2
                        copied = position
                    } else {
                        noCloser.insert(-2)
                        position += 2
                    }
                } else if position + 1 < end, !isSpace(input[position + 1]), input[position + 1] != 0x0A,
                          !noCloser.contains(-1), let close = dollarCloser(after: position + 1, end, display: false) {
                    copy(copied, position)
                    addSpan(position, contentStart: position + 1, contentEnd: close, end: close + 1, display: false, lines: first...last)
                    position = close + 1
                    copied = position
                } else {
                    if position + 1 < end, !isSpace(input[position + 1]), input[position + 1] != 0x0A { noCloser.insert(-1) }
                    position += 1
                }
            default:
                position += 1
            }
        }
        copy(copied, lineEnd(last))
    }

    private func codeSpanCloser(_ length: Int, after start: Int, _ end: Int) -> Int? {
        var cursor = start
        while cursor < end {
            if input[cursor] == 0x60 {
                let run = runLength(of: 0x60, at: cursor, end)
                if run == length { return cursor }
                cursor += run
            } else {
                cursor += 1
            }
        }
        return nil
    }

    /// The closing `$` (or the first `$` of `$$`): inline, not after a space and not before a digit.
    private func dollarCloser(after start: Int, _ end: Int, display: Bool) -> Int? {
        var cursor = start
        var hasContent = false
        while cursor < end {
            let byte = input[cursor]
            if byte == 0x5C {
                cursor += 2
                hasContent = true
                continue
            }
            if byte == 0x24 {
                if display {
                    if cursor + 1 < end, input[cursor + 1] == 0x24, hasContent { return cursor }
                } else {
                    let before = input[cursor - 1]
                    let after: UInt8 = cursor + 1 < end ? input[cursor + 1] : 0
                    if !isSpace(before), before != 0x0A, !(0x30...0x39).contains(after) { return cursor }
                }
            }
            if !isSpace(byte), byte != 0x0A { hasContent = true }
            cursor += 1
        }
        return nil
    }

    /// The `\` of the closing `\)` or `\]`, when the content has more than spaces and backslashes
    /// (so the spec's `\(\)` and `\[\\\]`, escaped punctuation, stay text).
    private func backslashCloser(after start: Int, _ end: Int, closing: UInt8) -> Int? {
        var cursor = start
        var hasContent = false
        while cursor + 1 < end {
            if input[cursor] == 0x5C {
                if input[cursor + 1] == closing { return hasContent ? cursor : nil }
                hasContent = hasContent || !(isSpace(input[cursor + 1]) || input[cursor + 1] == 0x5C || input[cursor + 1] == 0x0A)
                cursor += 2
            } else {
                hasContent = hasContent || !(isSpace(input[cursor]) || input[cursor] == 0x0A)
                cursor += 1
            }
        }
        return nil
    }

    /// The end of a link destination and title `(…)` starting at `position`: parentheses
    /// balanced, `\x` skipped, `<…>` taken whole; `nil` when it does not close.
    private func linkDestinationEnd(at position: Int, _ end: Int) -> Int? {
        var cursor = position + 1, depth = 1
        while cursor < end {
            switch input[cursor] {
            case 0x5C: cursor += 1
            case 0x28: depth += 1
            case 0x29:
                depth -= 1
                if depth == 0 { return cursor + 1 }
            case 0x0A where cursor + 1 < end && input[cursor + 1] == 0x0A: return nil
            default: break
            }
            cursor += 1
        }
        return nil
    }

    /// The end of an HTML tag, comment or autolink starting at `position`, on the same line.
    private mutating func htmlEnd(at position: Int, _ end: Int) -> Int? {
        unclosedHTML = false
        var cursor = position + 1
        func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }
        if cursor < end, input[cursor] == 0x2F { cursor += 1 }  // '/'
        if cursor + 2 < end, input[cursor] == 0x21, input[cursor + 1] == 0x2D, input[cursor + 2] == 0x2D {  // '!--'
            cursor += 3
            while cursor + 2 < end {
                if input[cursor] == 0x2D, input[cursor + 1] == 0x2D, input[cursor + 2] == 0x3E { return cursor + 3 }
                cursor += 1
            }
            unclosedHTML = true
            return nil
        }
        guard cursor < end, isLetter(input[cursor]) else { return nil }
        while cursor < end, isLetter(input[cursor]) || (0x30...0x39).contains(input[cursor]) || input[cursor] == 0x2D
            || input[cursor] == 0x2B || input[cursor] == 0x2E {
            cursor += 1
        }
        guard cursor < end else { return nil }
        if input[cursor] == 0x3A {  // ':' autolink
            while cursor < end, input[cursor] > 0x20, input[cursor] != 0x3C, input[cursor] != 0x3E { cursor += 1 }
            return cursor < end && input[cursor] == 0x3E ? cursor + 1 : nil
        }
        guard isSpace(input[cursor]) || input[cursor] == 0x2F || input[cursor] == 0x3E || input[cursor] == 0x0A else { return nil }
        var quote: UInt8 = 0
        while cursor < end {
            let byte = input[cursor]
            if quote != 0 {
                if byte == quote { quote = 0 }
            } else if byte == 0x22 || byte == 0x27 {
                quote = byte
            } else if byte == 0x3E {
                return cursor + 1
            } else if byte == 0x3C {
                return nil
            }
            cursor += 1
        }
        unclosedHTML = true
        return nil
    }

    // MARK: - Output

    /// Copies `input[from..<to]`, replacing the placeholder characters U+E000–U+E002 by U+FFFD.
    private mutating func copy(_ from: Int, _ to: Int) {
        var cursor = from
        while cursor < to {
            let byte = input[cursor]
            if byte == 0xEE, cursor + 2 < to, input[cursor + 1] == 0x80, (0x80...0x82).contains(input[cursor + 2]) {
                output += [0xEF, 0xBF, 0xBD]
                cursor += 3
            } else {
                let next = input[(cursor + 1)..<to].firstIndex(of: 0xEE) ?? to
                output.append(contentsOf: input[cursor..<next])
                cursor = next
            }
        }
    }

    private mutating func addSpan(
        _ start: Int, contentStart: Int, contentEnd: Int, end: Int, display: Bool, lines range: ClosedRange<Int>
    ) {
        var tex: [UInt8] = []
        var cursor = contentStart
        var lineIndex = range.lowerBound
        while cursor < contentEnd {
            let byte = input[cursor]
            tex.append(byte)
            cursor += 1
            if byte == 0x0A {
                while lineIndex < range.upperBound, lines[lineIndex].start < cursor { lineIndex += 1 }
                if lines[lineIndex].start == cursor { cursor = max(cursor, min(lines[lineIndex].afterQuotes, contentEnd)) }
            }
        }
        let index = spans.count
        spans.append(MathSpan(
            tex: String(decoding: tex, as: UTF8.self),
            display: display,
            source: String(decoding: input[start..<end], as: UTF8.self)))
        output += [0xEE, 0x80, 0x80]
        output += Array(String(index).utf8)
        output += [0xEE, 0x80, 0x81]
        for byte in input[start..<end] where byte == 0x0A {
            output += [0x0A, 0xEE, 0x80, 0x82]
        }
    }
}
