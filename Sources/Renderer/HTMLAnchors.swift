#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The link targets a page's raw HTML makes: the `id` of any tag and the `name` of an `<a>`,
/// however the value is written (`id="x"`, `id='x'`, `id=x`, `ID = "x"`, `<A NAME='x'>`), so that
/// a link to `page.md#x` finds them as browsers do.
///
/// Tags are read by CommonMark's grammar of an open tag (§6.6): `<`, a tag name, then attributes,
/// each a name `[A-Za-z_:][A-Za-z0-9_.:-]*` with an optional value, unquoted
/// (`[^ \t\n"'=<>`]+`), in single or in double quotes. The whole text is read, so an anchor
/// inside a code block counts too: that can only silence a warning, never invent one.
///
/// One pass: a tag that does not parse is left at the byte where it stopped (a `<` inside one of
/// its quoted values is not read again), so a megabyte of `<a x="` costs a megabyte of steps.
func htmlAnchors(in text: String) -> Set<String> {
    var text = text
    return text.withUTF8 { bytes in
        var anchors: Set<String> = []
        guard let base = bytes.baseAddress else { return anchors }
        var at = 0
        // memchr to each `<`: a page is mostly text.
        while at < bytes.count, let found = memchr(base + at, Int32(UInt8(ascii: "<")), bytes.count - at) {
            let open = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            var tag = OpenTag(bytes: bytes, at: open + 1)
            tag.read(into: &anchors)
            at = max(tag.at, open + 1)
        }
        return anchors
    }
}

/// Reads one open tag's attributes, from after its `<`; `at` is where the reading stopped.
private struct OpenTag {
    let bytes: UnsafeBufferPointer<UInt8>
    var at: Int

    init(bytes: UnsafeBufferPointer<UInt8>, at: Int) {
        self.bytes = bytes
        self.at = at
    }

    private var byte: UInt8? { at < bytes.count ? bytes[at] : nil }

    /// Adds the tag's anchors to `anchors` when the tag is complete (up to its `>`).
    mutating func read(into anchors: inout Set<String>) {
        let nameStart = at
        guard let first = byte, isLetter(first) else { return }
        while let next = byte, isLetter(next) || isDigit(next) || next == UInt8(ascii: "-") { at += 1 }
        let isLink = at - nameStart == 1 && bytes[nameStart] | 0x20 == UInt8(ascii: "a")
        var found: [Range<Int>] = []
        while true {
            let spaced = skipSpace()
            guard let next = byte else { return }
            if next == UInt8(ascii: ">") || (next == UInt8(ascii: "/") && at + 1 < bytes.count && bytes[at + 1] == UInt8(ascii: ">")) {
                for value in found { anchors.insert(String(decoding: bytes[value], as: UTF8.self)) }
                return
            }
            guard spaced, let (name, value) = attribute() else { return }
            if let value, !value.isEmpty, isWord("id", name) || (isLink && isWord("name", name)) { found.append(value) }
        }
    }

    /// One attribute at `at`: where its name and its value (if it has one) are; nil when none parses.
    private mutating func attribute() -> (Range<Int>, Range<Int>?)? {
        let start = at
        guard let first = byte, isLetter(first) || first == UInt8(ascii: "_") || first == UInt8(ascii: ":") else { return nil }
        while let next = byte, isNameByte(next) { at += 1 }
        let name = start..<at
        skipSpace()
        guard byte == UInt8(ascii: "=") else {
            at = name.upperBound
            return (name, nil)
        }
        at += 1
        skipSpace()
        guard let quote = byte else { return nil }
        if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            guard let close = bytes[(at + 1)...].firstIndex(of: quote) else { return nil }
            defer { at = close + 1 }
            return (name, (at + 1)..<close)
        }
        let valueStart = at
        while let next = byte, isUnquotedValueByte(next) { at += 1 }
        return at > valueStart ? (name, valueStart..<at) : nil
    }

    /// Whether the bytes in `range` are the lower-case ASCII `word`, in any case.
    private func isWord(_ word: StaticString, _ range: Range<Int>) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        for offset in 0..<range.count where bytes[range.lowerBound + offset] | 0x20 != word.utf8Start[offset] { return false }
        return true
    }

    /// Skips spaces, tabs and line endings (at most one blank line's worth does not matter here);
    /// whether there were any.
    @discardableResult
    private mutating func skipSpace() -> Bool {
        let start = at
        while let next = byte, isSpace(next) { at += 1 }
        return at > start
    }
}

private func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
private func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D }
private func isNameByte(_ byte: UInt8) -> Bool {
    isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
}
private func isUnquotedValueByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x09, 0x0A, 0x0C, 0x0D, 0x20, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "="), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "`"): false
    default: true
    }
}
