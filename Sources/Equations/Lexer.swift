/// One token of an equations text.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case name(String)
        case number(Double, text: String)
        /// One of `+ - * / @ ^ ( ) [ ] , ; = : ..` and the typographic ones, normalized:
        /// `−` → `-`, `⊙` `×` → `*`, `·` `⋅` → `@`, `ᵀ` → `ᵀ`.
        case symbol(String)
        /// `$…$` or `$$…$$`: the author's TeX, without the dollars.
        case tex(String)
        /// The end of a statement: a line break outside brackets, or the end of the text.
        case end
    }

    var kind: Kind
    var position: SourcePosition
    /// Offset of the token's first and one-past-last character in its line (for source spans).
    var range: Range<Int>

    var symbol: String? {
        if case .symbol(let s) = kind { return s }
        return nil
    }

    var name: String? {
        if case .name(let s) = kind { return s }
        return nil
    }
}

/// Splits an equations text into statements of tokens. A statement is a line; it goes on over
/// the next lines while a bracket or parenthesis is open, so a matrix can be written row by row.
/// `#` starts a comment to the end of the line (outside TeX).
struct Lexer {
    /// Each statement's tokens, its first line, and each of its lines' characters (for spans).
    struct Statement {
        var tokens: [Token]
        var line: Int
        var lines: [Int: [Character]]
        /// Ended at a bracket never closed (already reported): its other errors would only repeat it.
        var unclosed = false

        /// The source text from `start` to `end` (exclusive), joined across lines by a space.
        func text(from start: Token, to end: Token) -> String {
            if start.position.line == end.position.line, let chars = lines[start.position.line] {
                let upper = min(end.range.upperBound, chars.count)
                return upper > start.range.lowerBound ? String(chars[start.range.lowerBound..<upper]) : ""
            }
            var parts: [String] = []
            for line in start.position.line...max(start.position.line, end.position.line) {
                guard let chars = lines[line] else { continue }
                let from = line == start.position.line ? start.range.lowerBound : 0
                let to = line == end.position.line ? min(end.range.upperBound, chars.count) : chars.count
                if to > from { parts.append(String(chars[from..<to]).trimmingSpaces) }
            }
            return parts.joined(separator: " ")
        }
    }

    private(set) var diagnostics: [EquationDiagnostic] = []

    /// At most this many characters are read: a text longer than any course would write is refused
    /// rather than parsed slowly.
    static let maximumLength = 200_000

    mutating func statements(of text: String) -> [Statement] {
        var statements: [Statement] = []
        var current: [Token] = []
        var currentLines: [Int: [Character]] = [:]
        var depth = 0
        var openedAt: SourcePosition?
        var startLine = 1
        // "\r\n" is one Character in Swift, not "\n": both end a line.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (lineIndex, rawLine) in lines.enumerated() {
            let number = lineIndex + 1
            var chars = Array(rawLine)
            if chars.last == "\r" { chars.removeLast() }
            if depth > 0, Self.startsStatement(chars) {
                // A bracket left open on an earlier line: end that statement there rather than
                // reading this line as its continuation.
                diagnostics.append(.error(openedAt ?? current[0].position, "this bracket is never closed; close it on its line with ')' or ']'"))
                let end = Token(kind: .end, position: current.last!.position, range: current.last!.range.upperBound..<current.last!.range.upperBound)
                statements.append(Statement(tokens: current + [end], line: startLine, lines: currentLines, unclosed: true))
                current = []
                currentLines = [:]
                depth = 0
            }
            if current.isEmpty { startLine = number }
            currentLines[number] = chars
            var i = 0
            func at(_ offset: Int) -> SourcePosition { SourcePosition(line: number, column: offset + 1) }
            lineLoop: while i < chars.count {
                let c = chars[i]
                if c == " " || c == "\t" {
                    i += 1
                    continue
                }
                if c == "#" { break lineLoop }
                let start = i
                func push(_ kind: Token.Kind) { current.append(Token(kind: kind, position: at(start), range: start..<i)) }
                if c == "$" {
                    let double = i + 1 < chars.count && chars[i + 1] == "$"
                    let delimiter = double ? 2 : 1
                    var j = i + delimiter
                    var closed: Int?
                    while j < chars.count {
                        if chars[j] == "\\" {
                            j += 2
                            continue
                        }
                        if chars[j] == "$" {
                            if !double || (j + 1 < chars.count && chars[j + 1] == "$") {
                                closed = j
                                break
                            }
                        }
                        j += 1
                    }
                    guard let close = closed else {
                        diagnostics.append(.error(at(start), "this TeX has no closing \(double ? "$$" : "$"); close it on the same line"))
                        break lineLoop
                    }
                    i = close + delimiter
                    push(.tex(String(chars[(start + delimiter)..<close]).trimmingSpaces))
                    continue
                }
                if c.isNumber && c.isASCII || (c == "." && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber) {
                    while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                    if i + 1 < chars.count, chars[i] == ".", chars[i + 1].isASCII, chars[i + 1].isNumber {
                        i += 1
                        while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                    }
                    // An exponent only when digits follow it: `2e3`, `1e-4`; `2x3` stays 2 then x3.
                    if i < chars.count, chars[i] == "e" || chars[i] == "E" {
                        var j = i + 1
                        if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                        if j < chars.count, chars[j].isASCII, chars[j].isNumber {
                            i = j
                            while i < chars.count, chars[i].isASCII, chars[i].isNumber { i += 1 }
                        }
                    }
                    let text = String(chars[start..<i])
                    guard let value = Double(text), value.isFinite else {
                        diagnostics.append(.error(at(start), "'\(text.prefix(40))' is too large for a number (at most about 1.8e308)"))
                        push(.number(0, text: text))  // read on, so the rest of the line reports only its own problems
                        continue
                    }
                    push(.number(value, text: text))
                    continue
                }
                if Self.isNameCharacter(c), !c.isNumber {
                    while i < chars.count, Self.isNameCharacter(chars[i]) { i += 1 }
                    push(.name(String(chars[start..<i])))
                    continue
                }
                if c == ".", i + 1 < chars.count, chars[i + 1] == "." {
                    i += 2
                    push(.symbol(".."))
                    continue
                }
                let symbol: String?
                switch c {
                case "+", "*", "/", "@", "^", ",", ";", "=", ":", "-": symbol = String(c)
                case "(", "[":
                    if depth == 0 { openedAt = at(start) }
                    depth += 1
                    symbol = String(c)
                case ")", "]":
                    depth = max(0, depth - 1)
                    symbol = String(c)
                case "−": symbol = "-"
                case "⊙", "×", "∘": symbol = "*"
                case "·", "⋅": symbol = "@"
                case "ᵀ", "⊤": symbol = "ᵀ"
                default: symbol = nil
                }
                i += 1
                guard let symbol else {
                    diagnostics.append(.error(at(start), "unexpected character \(Self.describe(c))\(Self.hint(for: c))"))
                    continue
                }
                push(.symbol(symbol))
            }
            if depth == 0, !current.isEmpty {
                let end = Token(kind: .end, position: SourcePosition(line: number, column: chars.count + 1), range: chars.count..<chars.count)
                statements.append(Statement(tokens: current + [end], line: startLine, lines: currentLines))
                current = []
                currentLines = [:]
            }
        }
        if !current.isEmpty {
            diagnostics.append(.error(openedAt ?? current[0].position, "this bracket is never closed; close it with ')' or ']'"))
            let end = Token(kind: .end, position: current.last!.position, range: current.last!.range.upperBound..<current.last!.range.upperBound)
            statements.append(Statement(tokens: current + [end], line: startLine, lines: currentLines, unclosed: true))
        }
        return statements
    }

    /// Whether a line reads as a statement of its own: a keyword and a name (`param W`), or a name,
    /// perhaps indexed, then `=` (`y = …`, `h[t] = …`).
    static func startsStatement(_ chars: [Character]) -> Bool {
        var i = 0
        while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 }
        var word = ""
        while i < chars.count, chars[i].isLetter || chars[i] == "_" || (chars[i].isASCII && chars[i].isNumber) {
            word.append(chars[i])
            i += 1
        }
        guard let first = word.first, first.isLetter || first == "_" else { return false }
        if ["input", "param", "const", "loss", "size"].contains(word), i < chars.count, chars[i] == " " { return true }
        while i < chars.count, chars[i] == " " { i += 1 }
        if i < chars.count, chars[i] == "[" {
            while i < chars.count, chars[i] != "]" { i += 1 }
            i += 1
            while i < chars.count, chars[i] == " " { i += 1 }
        }
        return i < chars.count && chars[i] == "=" && (i + 1 >= chars.count || chars[i + 1] != "=")
    }

    /// Letters, `_` and ASCII digits; not `ᵀ`, a letter to Unicode but the transpose here (`Wᵀ x`).
    static func isNameCharacter(_ c: Character) -> Bool {
        (c.isLetter && c != "ᵀ") || c == "_" || (c.isNumber && c.isASCII)
    }

    /// `'!'`, or `U+000D` for a character that would not show as itself in a one-line message
    /// (a control, a line or paragraph break, an invisible format character).
    static func describe(_ c: Character) -> String {
        let invisible: Set<Unicode.GeneralCategory> = [
            .control, .format, .lineSeparator, .paragraphSeparator, .spaceSeparator, .surrogate, .privateUse, .unassigned,
        ]
        guard c.unicodeScalars.contains(where: { invisible.contains($0.properties.generalCategory) }) else { return "'\(c)'" }
        return c.unicodeScalars.map { scalar in
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }.joined(separator: " ")
    }

    private static func hint(for c: Character) -> String {
        switch c {
        case "{", "}": return "; group with ( and )"
        case "'": return "; names are letters, digits and _ (write h_prev for h')"
        case "\\": return "; TeX goes between $ signs at the end of a line"
        case "%": return "; comments start with #"
        default: return ""
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
