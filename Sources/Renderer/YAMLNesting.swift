/// An upper bound on how deeply a YAML text nests, read from its bytes before Yams sees them.
///
/// Yams composes nodes recursively: `[[[[…` or `- - - …` some 6,000 levels deep overflows an
/// 8 MB stack (debug build) and kills the process, and libyaml's time per token grows with the
/// number of open `[`/`{`. So the text is measured first, the way libyaml's scanner nests:
///
/// - **block** collections open where indentation increases: libyaml keeps a stack of strictly
///   increasing columns, each holding at most a block mapping and an indentless sequence;
/// - **flow** collections open at `[` and `{` (each at most a sequence and an implicit one-pair mapping).
///
/// The measure, `columns + flow`, is never below libyaml's (the composed depth is at most twice it,
/// plus the document), though it may be above it where the text is ambiguous without a full parse:
///
/// - `columns` holds every column where libyaml may have opened a block collection: the first
///   token of each line and the token after each `- `, `? ` and `: `. Columns deeper than a line's
///   first token are forgotten only when every reading of the text puts that line in block context
///   outside any quoted scalar (libyaml drops them there; a continuation line of a plain or block
///   scalar is more indented than any open collection, so forgetting deeper columns is safe too).
/// - `flow` follows several readings at once, because a quote or `#` may or may not start a quoted
///   scalar or a comment depending on what came before (`it's` is plain text, `'it'` is quoted):
///   each state a reading can be in (plain, comment, single- or double-quoted) keeps the deepest
///   flow level any reading in it has. A `]` or `}` closes a level only in the plain state, and
///   not in a tag (`!<a]>`) or a `%` directive line, where it is text.
enum YAMLNesting {
    /// The 1-based line (of `text`) where the nesting may pass `limit` levels, or nil when it never does.
    static func lineDeeperThan(_ limit: Int, in text: String) -> Int? {
        var text = text
        var scan = Scan(limit: limit)
        return text.withUTF8 { scan.run($0) }
    }
}

private struct Scan {
    let limit: Int
    var paths = Paths()
    /// Columns where a block collection may be open, ascending.
    var columns: [Int] = []
    var line = 1
    var column = 0
    /// No token seen yet on this line.
    var atLineStart = true
    /// A `-`, `?` or `:` followed by a blank came since this line's last token: the next token's
    /// column counts (`- - a` nests).
    var afterIndicator = false
    /// Since a `!` on this line, up to a blank: a tag, whose characters may include `]`.
    var inTag = false
    /// A line starting with `%` (a directive such as `%TAG`): its `]` are text.
    var directiveLine = false

    init(limit: Int) { self.limit = limit }

    mutating func run(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        var previous: UInt8?
        while index < bytes.count {
            let byte = bytes[index]
            let next = index + 1 < bytes.count ? bytes[index + 1] : nil
            // libyaml skips a byte-order mark at the start of a line; it counts as one column.
            if atLineStart, column == 0, byte == 0xEF, next == 0xBB, index + 2 < bytes.count, bytes[index + 2] == 0xBF {
                column = 1
                previous = 0xBF
                index += 3
                continue
            }
            let isBlank = byte == .space || byte == .tab
            let lineBreak = Scan.isLineBreak(at: index, in: bytes)
            if !isBlank && !lineBreak.ends && !lineBreak.starts && (atLineStart || afterIndicator) {
                if token(byte) { return line }
            }
            if isBlank { inTag = false }
            if byte == .bang { inTag = true }
            if (byte == .dash || byte == .question || byte == .colon) && (next == .space || next == .tab) {
                afterIndicator = true
            }
            paths = paths.step(byte, previous: previous, next: next, closes: !inTag && !directiveLine)
            if (byte == .openBracket || byte == .openBrace) && columns.count + paths.deepest > limit { return line }
            if !isContinuationByte(byte) { column += 1 }
            previous = byte
            if lineBreak.ends {
                paths = paths.endingLine()
                line += 1
                column = 0
                atLineStart = true
                afterIndicator = false
                inTag = false
                directiveLine = false
                previous = nil
            }
            index += 1
        }
        return nil
    }

    /// The first non-blank byte of a line, or after an indicator: where libyaml may open a block
    /// collection (and, at the start of a line, closes the deeper ones). True when the limit is passed.
    private mutating func token(_ byte: UInt8) -> Bool {
        defer { atLineStart = false; afterIndicator = false }
        guard byte != .hash else { return false }
        if atLineStart {
            if paths.isPlainOutsideFlow { columns.removeAll { $0 > column } }
            if byte == .percent && column == 0 { directiveLine = true }
        }
        let slot = columns.firstIndex { $0 >= column } ?? columns.count
        if slot == columns.count || columns[slot] != column { columns.insert(column, at: slot) }
        return columns.count + paths.deepest > limit
    }

    /// Whether the byte at `index` starts or ends a line break as libyaml reads them: `\n`, `\r`,
    /// `\r\n` (ending at the `\n`), NEL (C2 85), LS and PS (E2 80 A8 and E2 80 A9).
    private static func isLineBreak(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (starts: Bool, ends: Bool) {
        func byte(_ offset: Int) -> UInt8? {
            bytes.indices.contains(index + offset) ? bytes[index + offset] : nil
        }
        switch bytes[index] {
        case .newline: return (true, true)
        case .carriageReturn: return (true, byte(1) != .newline)
        case 0xC2: return (byte(1) == 0x85, false)
        case 0xE2: return (byte(1) == 0x80 && (byte(2) == 0xA8 || byte(2) == 0xA9), false)
        case 0x85: return (false, byte(-1) == 0xC2)
        case 0x80: return (byte(-1) == 0xE2 && (byte(1) == 0xA8 || byte(1) == 0xA9), false)
        case 0xA8, 0xA9: return (false, byte(-2) == 0xE2 && byte(-1) == 0x80)
        default: return (false, false)
        }
    }
}

/// The readings of the text so far, by the state they are in, each with the deepest flow level
/// (open `[` and `{`) of any reading in that state; nil when no reading is in it.
private struct Paths {
    var plain: Int? = 0
    /// After a `#` that starts a comment: to the end of the line.
    var comment: Int?
    var single: Int?
    /// On the second `'` of a `''` inside single quotes.
    var singleEscape: Int?
    var double: Int?
    /// On the character after a `\` inside double quotes.
    var doubleEscape: Int?

    var deepest: Int {
        [plain, comment, single, singleEscape, double, doubleEscape].compactMap { $0 }.max() ?? 0
    }

    /// Every reading is outside quotes and flow collections: a line's first token is one for libyaml.
    var isPlainOutsideFlow: Bool {
        plain == 0 && comment == nil && single == nil && singleEscape == nil && double == nil && doubleEscape == nil
    }

    /// The readings after `byte`. `closes`: a `]` or `}` in plain text closes a flow collection.
    func step(_ byte: UInt8, previous: UInt8?, next: UInt8?, closes: Bool) -> Paths {
        var after = Paths(plain: nil)
        if let level = plain {
            // A quote starts a quoted scalar only where a token can start, never inside a word
            // (`it's`); a `#` starts a comment for certain after a blank, and perhaps after an
            // indicator (`[a]#b`). Where unsure, both readings go on.
            let startsToken = previous.map { !$0.isASCIIAlphanumeric } ?? true
            let afterBlank = previous.map { $0 == .space || $0 == .tab } ?? true
            switch byte {
            case .openBracket, .openBrace: after.plain = level + 1
            case .closeBracket, .closeBrace: after.plain = closes ? max(level - 1, 0) : level
            case .hash where afterBlank: after.comment = level
            case .hash where startsToken: after.plain = level; after.comment = level
            case .singleQuote where startsToken: after.plain = level; after.single = level
            case .doubleQuote where startsToken: after.plain = level; after.double = level
            default: after.plain = level
            }
        }
        if let level = comment { after.comment = level }
        if let level = single {
            if byte == .singleQuote {
                if next == .singleQuote { after.singleEscape = level } else { after.merge(plain: level) }
            } else {
                after.single = level
            }
        }
        if let level = singleEscape { after.single = max(after.single ?? 0, level) }
        if let level = double {
            switch byte {
            case .backslash: after.doubleEscape = level
            case .doubleQuote: after.merge(plain: level)
            default: after.double = max(after.double ?? 0, level)
            }
        }
        if let level = doubleEscape { after.double = max(after.double ?? 0, level) }
        return after
    }

    /// A comment ends with its line.
    func endingLine() -> Paths {
        var after = self
        if let level = comment {
            after.comment = nil
            after.merge(plain: level)
        }
        return after
    }

    private mutating func merge(plain level: Int) {
        plain = max(plain ?? 0, level)
    }
}

private func isContinuationByte(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

extension UInt8 {
    fileprivate static let tab = UInt8(ascii: "\t")
    fileprivate static let newline = UInt8(ascii: "\n")
    fileprivate static let carriageReturn = UInt8(ascii: "\r")
    fileprivate static let space = UInt8(ascii: " ")
    fileprivate static let bang = UInt8(ascii: "!")
    fileprivate static let doubleQuote = UInt8(ascii: "\"")
    fileprivate static let hash = UInt8(ascii: "#")
    fileprivate static let percent = UInt8(ascii: "%")
    fileprivate static let singleQuote = UInt8(ascii: "'")
    fileprivate static let dash = UInt8(ascii: "-")
    fileprivate static let colon = UInt8(ascii: ":")
    fileprivate static let question = UInt8(ascii: "?")
    fileprivate static let openBracket = UInt8(ascii: "[")
    fileprivate static let backslash = UInt8(ascii: "\\")
    fileprivate static let closeBracket = UInt8(ascii: "]")
    fileprivate static let openBrace = UInt8(ascii: "{")
    fileprivate static let closeBrace = UInt8(ascii: "}")

    fileprivate var isASCIIAlphanumeric: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
    }
}
