/// Display math over several lines, found while the lines are classified (`classifyLines`):
/// a line that leaves `$$` or `\[` open, or starts with `\begin{align}` (and the other
/// environments of `displayEnvironments`), makes the lines up to the closer text of its paragraph.
/// The closer is the one `scanInline` will find (`displayCloser`), so both agree on the span.
extension MathScanner {
    struct DisplayState {
        /// The last line inside the display math found last (-1: none).
        var lastLine = -1
        /// Where the text after that math's closer starts, on `lastLine`.
        var resume = 0
        /// For each closer, a position before which no opener finds it: the blank line or the
        /// end of input where a search failed (so openers before it need not search again).
        var noCloserBefore: [[UInt8]: Int] = [:]
    }

    /// The environments that stand as a display block when `\begin{…}` starts a line. KaTeX
    /// typesets all but `multline`, which it lacks: its lines are centred as `gather`'s.
    static let displayEnvironments: Set<[UInt8]> = Set([
        "equation", "equation*", "align", "align*", "gather", "gather*", "multline", "multline*",
        "alignat", "alignat*",
    ].map { Array($0.utf8) })

    /// Scans line `line` (`position..<end`, `end` its `\n`) for display math left open at its
    /// end; when the closer is on a later line, records the lines up to it in `state`.
    /// `lineStart`: `position` is where the line's text starts (where an environment may begin).
    mutating func findDisplayMath(from position: Int, line: Int, _ end: Int, lineStart: Bool, _ state: inout DisplayState) {
        var cursor = position
        if lineStart, position < end, let (closer, body) = environmentOpener(at: position, end) {
            var hasContent = true
            guard let close = mathCloser(closer, from: body, end, hasContent: &hasContent) else {
                findCloser(closer, hasContent: true, line: line, end, environment: position, &state)
                return
            }
            environments[position] = close + closer.count
            cursor = close + closer.count
        }
        // Only `$$` and `\[` open display math: a line with neither `$` nor `\` (most) is passed over.
        guard find(0x24, cursor, end) != nil || find(0x5C, cursor, end) != nil else { return }
        var codeRunsWithoutCloser: Set<Int> = []
        while cursor < end {
            let next = cursor + 1 < end ? input[cursor + 1] : 0
            switch input[cursor] {
            case 0x5C where next == 0x5B, 0x24 where next == 0x24:  // '\[' '$$'
                var hasContent = false
                let closer: [UInt8] = next == 0x5B ? [0x5C, 0x5D] : [0x24, 0x24]
                guard let close = mathCloser(closer, from: cursor + 2, end, hasContent: &hasContent) else {
                    findCloser(closer, hasContent: hasContent, line: line, end, environment: nil, &state)
                    return
                }
                cursor = close + 2  // math, or `\[ \]`: text
            case 0x5C:
                cursor += 2
            case 0x60:  // '`': a code span on this line
                cursor = codeSpanEnd(at: cursor, end, &codeRunsWithoutCloser)
            case 0x24:
                cursor = inlineDollarCloser(after: cursor + 1, end).map { $0 + 1 } ?? cursor + 1
            default:
                cursor += 1
            }
        }
    }

    /// `\end{name}` and where the body starts, when `\begin{name}` of a display environment is at `position`.
    private func environmentOpener(at position: Int, _ end: Int) -> (closer: [UInt8], body: Int)? {
        // Most lines do not start with a backslash: no array is made for them.
        guard input[position] == 0x5C else { return nil }
        let begin = Array("\\begin{".utf8)
        guard input[position...].starts(with: begin) else { return nil }
        let nameStart = position + begin.count
        var nameEnd = nameStart
        while nameEnd < end, nameEnd - nameStart < 16, input[nameEnd] != 0x7D { nameEnd += 1 }  // '}'
        guard nameEnd < end, input[nameEnd] == 0x7D, Self.displayEnvironments.contains(Array(input[nameStart..<nameEnd])) else {
            return nil
        }
        return (Array("\\end{".utf8) + input[nameStart...nameEnd], nameEnd + 1)
    }

    /// Looks for `closer` on the lines after line `line` (whose `\n` is at `end`), up to a blank line.
    private mutating func findCloser(
        _ closer: [UInt8], hasContent: Bool, line: Int, _ end: Int, environment: Int?, _ state: inout DisplayState
    ) {
        if let limit = state.noCloserBefore[closer], end < limit { return }
        var hasContent = hasContent
        var start = end + 1, index = line
        while start < input.count {
            index += 1
            let lineEnd = find(0x0A, start, input.count) ?? input.count
            let content = quotePrefix(from: start, lineEnd).end
            guard input[content..<lineEnd].contains(where: { !isSpace($0) }) else { break }  // a blank line
            if let close = mathCloser(closer, from: content, lineEnd, hasContent: &hasContent) {
                guard hasContent else { break }
                state.lastLine = index
                state.resume = close + closer.count
                if let environment { environments[environment] = close + closer.count }
                return
            }
            start = lineEnd + 1
        }
        state.noCloserBefore[closer] = start
    }

    /// Where `closer` (`$$`, `\]` or `\end{name}`) starts in `start..<end`: `$$` after some TeX
    /// (`hasContent`, carried from line to line), the others wherever they come first (the caller
    /// reads `hasContent`: `\[ \]` is escaped punctuation, not math); `\x` is TeX, so `\$$` does
    /// not close.
    func mathCloser(_ closer: [UInt8], from start: Int, _ end: Int, hasContent: inout Bool) -> Int? {
        var cursor = start
        while cursor < end {
            let byte = input[cursor]
            if byte == 0x5C {
                if closer[0] == 0x5C, cursor + closer.count <= end, input[cursor..<(cursor + closer.count)].elementsEqual(closer) {
                    return cursor
                }
                if cursor + 1 < end, !isSpace(input[cursor + 1]), input[cursor + 1] != 0x5C, input[cursor + 1] != 0x0A {
                    hasContent = true
                }
                cursor += 2
                continue
            }
            if byte == 0x24, closer[0] == 0x24, hasContent, cursor + 1 < end, input[cursor + 1] == 0x24 { return cursor }
            if !isSpace(byte), byte != 0x0A { hasContent = true }
            cursor += 1
        }
        return nil
    }

    /// The closing `$` of inline math opened just before `start`, by pandoc's rules: the opener is
    /// not followed by a space; the first `$` closes, unless a space comes before it (then
    /// there is no math) or a digit after it (`$5 and $10`: no math either); `\x` is TeX.
    func inlineDollarCloser(after start: Int, _ end: Int) -> Int? {
        guard start < end, !isSpace(input[start]), input[start] != 0x0A else { return nil }
        var cursor = start
        while cursor < end {
            switch input[cursor] {
            case 0x5C:
                cursor += 2
            case 0x24:
                return cursor + 1 < end && (0x30...0x39).contains(input[cursor + 1]) ? nil : cursor
            case 0x20, 0x09, 0x0D, 0x0A:
                // Spaces, or a line break and the next line's blockquote markers and indentation.
                while cursor < end, isSpace(input[cursor]) || input[cursor] == 0x0A
                    || (input[cursor] == 0x3E && input[cursor - 1] == 0x0A) {
                    cursor += 1
                }
                if cursor < end, input[cursor] == 0x24 { return nil }
            default:
                cursor += 1
            }
        }
        return nil
    }

    /// Where the code span starting at `position` ends, or the end of its backtick run when it
    /// does not close (then that run length joins `lengthsWithoutCloser`: no need to look again).
    func codeSpanEnd(at position: Int, _ end: Int, _ lengthsWithoutCloser: inout Set<Int>) -> Int {
        let length = runLength(of: 0x60, at: position, end)
        if !lengthsWithoutCloser.contains(length), let close = codeSpanCloser(length, after: position + length, end) {
            return close + length
        }
        lengthsWithoutCloser.insert(length)
        return position + length
    }

    func codeSpanCloser(_ length: Int, after start: Int, _ end: Int) -> Int? {
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
}
