/// The scan behind `MathProtection`: finds math spans in Markdown source the way pandoc
/// would after block parsing, with a line-based approximation of the block structure
/// (fenced and indented code, headings, table rows, list and blockquote prefixes).
/// Link destinations `](…)` are skipped: they are URLs, not text.
/// Linear in the input: a delimiter that finds no closer once is not searched for again.
///
/// The scan is in three files: this one (the state, the driver and the output),
/// `MathScanner+Blocks.swift` (which lines are text, code or blank, and where blocks start) and
/// `MathScanner+Inlines.swift` (code spans, HTML, link destinations and the math delimiters).
/// What those extensions share is internal rather than private only so they can reach it.
///
/// The scanner reads the source's bytes in place (`scan(_:)` lends it the string's UTF-8 storage
/// for the scan's duration): reading an `Array` through `self` checked every index, which made
/// the scan cost as much as cmark-gfm's whole parse.
struct MathScanner {
    let input: UnsafeBufferPointer<UInt8>
    private(set) var output: [UInt8] = []
    private(set) var spans: [MathSpan] = []

    struct Line {
        enum Kind { case text, code, blank }
        var start: Int
        /// The index of the line's `\n`, or the end of the input.
        var end: Int
        /// How many blockquote markers the line starts with.
        var quoteDepth: Int
        var kind: Kind
        /// Starts a new block, so a span may not continue onto it.
        var startsBlock = false
        /// A heading or a table row: a span may not continue past its end.
        var isolated = false
    }

    private(set) var lines: [Line] = []
    /// The LaTeX environments standing as a block (`\begin{align}` at a line's start): where
    /// each starts → where its `\end{align}` ends. Found with the block structure.
    var environments: [Int: Int] = [:]
    /// The line of the last span added (`addSpan` looks for the next one's line from there).
    private var spanLine = 0
    /// Set by `htmlEnd` when it failed only at the end of the text (an unclosed comment or tag).
    var unclosedHTML = false

    /// The characters the renderer marks its text with: math placeholders (U+E000–U+E002, see
    /// `MathProtection`) and holes (U+E003, U+E004, see `RenderHoles`). The scan turns each in the
    /// source into U+FFFD, math included, so that every one cmark writes is the renderer's.
    static let reservedScalars: ClosedRange<UInt32> = 0xE000...0xE004

    /// The protected text of `source` and its spans.
    static func scan(_ source: String) -> (output: [UInt8], spans: [MathSpan]) {
        var source = source
        if source.withUTF8(holdsReserved) {
            source = String(String.UnicodeScalarView(source.unicodeScalars.map { reservedScalars.contains($0.value) ? "\u{FFFD}" : $0 }))
        }
        return source.withUTF8 { bytes in
            var scanner = MathScanner(bytes)
            scanner.scan()
            return (scanner.output, scanner.spans)
        }
    }

    /// Whether UTF-8 holds one of `reservedScalars` (`EE 80 80`–`EE 80 84`).
    private static func holdsReserved(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var at = 0
        while let lead = firstOffset(of: 0xEE, in: bytes, from: at, to: bytes.count) {
            if lead + 2 < bytes.count, bytes[lead + 1] == 0x80, (0x80...0x84).contains(bytes[lead + 2]) { return true }
            at = lead + 1
        }
        return false
    }

    /// Only inside `scan(_:)`, which keeps `input` alive.
    private init(_ input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        output.reserveCapacity(input.count + input.count / 16)
    }

    private mutating func scan() {
        lines = classifyLines()
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

    // MARK: - Bytes

    /// The end of line `index` including its line break.
    func lineEnd(_ index: Int) -> Int { min(lines[index].end + 1, input.count) }

    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// Where `byte` first is in `start..<end`, or nil (`memchr`: lines and runs without the
    /// bytes a scan acts on, most of a page, are passed over many bytes at a time).
    func find(_ byte: UInt8, _ start: Int, _ end: Int) -> Int? {
        firstOffset(of: byte, in: input, from: start, to: end)
    }

    func runLength(of byte: UInt8, at position: Int, _ end: Int) -> Int {
        var cursor = position
        while cursor < end, input[cursor] == byte { cursor += 1 }
        return cursor - position
    }

    // MARK: - Output

    /// Copies `input[from..<to]`.
    mutating func copy(_ from: Int, _ to: Int) {
        output.append(contentsOf: input[from..<to])
    }

    /// KaTeX has no `multline`: its lines are centred as `gather`'s rather than shown as an error.
    private static func multlineAsGather(_ tex: [UInt8]) -> [UInt8] {
        let star = tex.starts(with: "\\begin{multline*}".utf8)
        let begin = star ? 17 : 16, end = star ? 15 : 14  // `\begin{multline*}`, `\end{multline*}`
        guard tex.count >= begin + end, tex.suffix(end).elementsEqual((star ? "\\end{multline*}" : "\\end{multline}").utf8) else {
            return tex
        }
        let name = star ? "gather*" : "gather"
        return Array("\\begin{\(name)}".utf8) + tex[begin..<(tex.count - end)] + Array("\\end{\(name)}".utf8)
    }

    mutating func addSpan(
        _ start: Int, contentStart: Int, contentEnd: Int, end: Int, display: Bool, lines range: ClosedRange<Int>
    ) {
        var tex: [UInt8] = []
        var cursor = contentStart
        // Spans come in order: the line of this one is at or after the line of the last one.
        var lineIndex = max(range.lowerBound, spanLine)
        while lineIndex < range.upperBound, lines[lineIndex].end < start { lineIndex += 1 }
        spanLine = lineIndex
        // Continuation lines lose the blockquote markers of the span's own line, no more: in
        // `$$` … `> 0` … `$$` outside a quote, the `>` is TeX.
        let depth = lines[lineIndex].quoteDepth
        while cursor < contentEnd {
            let byte = input[cursor]
            tex.append(byte)
            cursor += 1
            if byte == 0x0A, depth > 0 {
                let lineEnd = input[cursor..<contentEnd].firstIndex(of: 0x0A) ?? contentEnd
                cursor = quotePrefix(from: cursor, lineEnd, maxDepth: depth).end
            }
        }
        let index = spans.count
        if display, tex.starts(with: "\\begin{multline".utf8) { tex = Self.multlineAsGather(tex) }
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
