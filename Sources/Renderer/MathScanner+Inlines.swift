/// The inline rules within one paragraph-like run of text lines: code spans, raw HTML and link
/// destinations are skipped, and the math delimiters follow pandoc's `tex_math_dollars` and
/// `tex_math_single_backslash` rules (`$…$`, `$$…$$`, `\(…\)`, `\[…\]`).
extension MathScanner {
    /// Scans lines `first...last` (one paragraph-like run of text) for code spans, HTML and math.
    mutating func scanInline(from first: Int, through last: Int) {
        let end = lines[last].end
        // Math starts only at a `$` or a `\`: a run of lines with neither (most) is copied as it is.
        guard find(0x24, lines[first].start, end) != nil || find(0x5C, lines[first].start, end) != nil else {
            copy(lines[first].start, lineEnd(last))
            return
        }
        var noCloser: Set<Int> = []  // code span lengths, and negative keys for math delimiters
        var destinationFailedUntil = -1, htmlFailedUntil = -1
        var position = lines[first].start, copied = position
        func add(_ scanner: inout MathScanner, contentStart: Int, contentEnd: Int, end spanEnd: Int, display: Bool) {
            scanner.copy(copied, position)
            scanner.addSpan(
                position, contentStart: contentStart, contentEnd: contentEnd, end: spanEnd, display: display, lines: first...last)
            position = spanEnd
            copied = position
        }
        while position < end {
            switch input[position] {
            case 0x5C:  // '\'
                let next = position + 1 < end ? input[position + 1] : 0
                if let environmentEnd = environments[position], environmentEnd <= end {
                    add(&self, contentStart: position, contentEnd: environmentEnd, end: environmentEnd, display: true)
                } else if next == 0x28 || next == 0x5B, !noCloser.contains(-Int(next)) {  // '(' '['
                    var hasContent = false
                    if let close = mathCloser([0x5C, next == 0x28 ? 0x29 : 0x5D], from: position + 2, end, hasContent: &hasContent) {
                        if hasContent {
                            add(&self, contentStart: position + 2, contentEnd: close, end: close + 2, display: next == 0x5B)
                        } else {
                            position = close + 2  // `\(\)`, `\[\\\]`: escaped punctuation
                        }
                    } else {
                        noCloser.insert(-Int(next))
                        position += 2
                    }
                } else {
                    position += 2
                }
            case 0x60:  // '`'
                position = codeSpanEnd(at: position, end, &noCloser)
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
            case 0x24 where position + 1 < end && input[position + 1] == 0x24:  // '$$'
                var hasContent = false
                if !noCloser.contains(-2), let close = mathCloser([0x24, 0x24], from: position + 2, end, hasContent: &hasContent) {
                    add(&self, contentStart: position + 2, contentEnd: close, end: close + 2, display: true)
                } else {
                    noCloser.insert(-2)
                    position += 2
                }
            case 0x24:  // '$'
                if let (contentStart, contentEnd) = backtickMath(at: position, end) {
                    let spanEnd = contentEnd + (contentStart - position)  // the closing backticks and `$`
                    add(&self, contentStart: contentStart, contentEnd: contentEnd, end: spanEnd, display: false)
                } else if let close = inlineDollarCloser(after: position + 1, end) {
                    add(&self, contentStart: position + 1, contentEnd: close, end: close + 1, display: false)
                } else {
                    // Not math. The search stopped at the next `$`: each `$` is read from one opener at most.
                    position += 1
                }
            default:
                position += 1
            }
        }
        copy(copied, lineEnd(last))
    }

    /// GitHub's inline math with backticks, `` $`\sqrt{2}`$ ``: the TeX between the backticks,
    /// when a code span starts right after the `$` and a `$` comes right after it.
    private func backtickMath(at position: Int, _ end: Int) -> (Int, Int)? {
        guard position + 1 < end, input[position + 1] == 0x60 else { return nil }
        let length = runLength(of: 0x60, at: position + 1, end)
        let contentStart = position + 1 + length
        guard let close = codeSpanCloser(length, after: contentStart, end), close > contentStart,
              close + length < end, input[close + length] == 0x24 else { return nil }
        return (contentStart, close)
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
}
