/// The `src` of every `<img>` tag in a page's HTML, in order: what the regular expression
/// `<img\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))` (case-insensitive) matches, found by
/// one pass over the bytes instead (the expression, through Foundation, was a fifth of a big build).
///
/// As the expression: the tag name ends at a non-word character; the first ` src=` inside the
/// tag wins; a quoted value may hold `>` and newlines, and one without its closing quote is read
/// as an unquoted value (quote included); after a match the search goes on after the value.
/// White space is Unicode's; "word" characters are letters, marks, digits, `_` and the joiners.
func rawImageSources(in html: String) -> [String] {
    var html = html
    return html.withUTF8 { bytes in
        var sources: [String] = []
        var index = 0
        while let open = firstOffset(of: UInt8(ascii: "<"), in: bytes, from: index, to: bytes.count) {
            if let (value, end) = imageSource(in: bytes, tagAt: open) {
                sources.append(String(decoding: bytes[value], as: UTF8.self))
                index = end
            } else {
                index = open + 1
            }
        }
        return sources
    }
}

/// The value's byte range and the match's end, for a tag starting at `open` (a `<`).
private func imageSource(in bytes: UnsafeBufferPointer<UInt8>, tagAt open: Int) -> (Range<Int>, Int)? {
    guard asciiLetters("img", in: bytes, at: open + 1) else { return nil }
    var at = open + 4
    if at < bytes.count, let (scalar, _) = scalar(in: bytes, at: at), isWordCharacter(scalar) { return nil }
    while at < bytes.count, bytes[at] != UInt8(ascii: ">") {
        guard let (first, length) = scalar(in: bytes, at: at) else { return nil }
        if first.properties.isWhitespace, let match = sourceAttribute(in: bytes, at: at + length) { return match }
        at += length
    }
    return nil
}

/// `src\s*=\s*value` at `at` (after a white space character): the value's range and its end.
private func sourceAttribute(in bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (Range<Int>, Int)? {
    var at = start
    // `s` also matches the long s `ſ` (U+017F, C5 BF), whose case folding is `s`.
    if at + 1 < bytes.count, bytes[at] == 0xC5, bytes[at + 1] == 0xBF {
        at += 2
    } else if at < bytes.count, bytes[at] | 0x20 == UInt8(ascii: "s") {
        at += 1
    } else {
        return nil
    }
    guard asciiLetters("rc", in: bytes, at: at) else { return nil }
    at = skipWhitespace(in: bytes, from: at + 2)
    guard at < bytes.count, bytes[at] == UInt8(ascii: "=") else { return nil }
    at = skipWhitespace(in: bytes, from: at + 1)
    guard at < bytes.count else { return nil }
    let quote = bytes[at]
    if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"),
        let close = bytes[(at + 1)...].firstIndex(of: quote)
    {
        return ((at + 1)..<close, close + 1)
    }
    var end = at
    while end < bytes.count, bytes[end] != UInt8(ascii: ">"), let (next, length) = scalar(in: bytes, at: end), !next.properties.isWhitespace {
        end += length
    }
    return end > at ? (at..<end, end) : nil
}

/// Whether the ASCII letters of `word` (lowercase) are at `at`, in either case.
private func asciiLetters(_ word: StaticString, in bytes: UnsafeBufferPointer<UInt8>, at: Int) -> Bool {
    guard at + word.utf8CodeUnitCount <= bytes.count else { return false }
    for offset in 0..<word.utf8CodeUnitCount where bytes[at + offset] | 0x20 != word.utf8Start[offset] {
        return false
    }
    return true
}

private func skipWhitespace(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    var at = start
    while at < bytes.count, let (next, length) = scalar(in: bytes, at: at), next.properties.isWhitespace { at += length }
    return at
}

/// The scalar starting at `at` and its length in bytes; nil at a byte that starts none.
func scalar(in bytes: UnsafeBufferPointer<UInt8>, at: Int) -> (Unicode.Scalar, Int)? {
    let lead = bytes[at]
    if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
    let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    guard at + length <= bytes.count else { return nil }
    var decoder = UTF8()
    var iterator = bytes[at..<(at + length)].makeIterator()
    guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return nil }
    return (scalar, length)
}

/// ICU's `\w`: letters, marks, decimal digits, connector punctuation and the zero-width joiners.
private func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
    let properties = scalar.properties
    switch properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
    default: return properties.isAlphabetic || scalar == "\u{200C}" || scalar == "\u{200D}"
    }
}
