/// The reference syntax a page shows as text, `[steps {steps}](#:@scope=net` (see
/// `LinkResolver.checkUnreadReferences`), in order, `&lt;` as `<`: what these regular expressions
/// find, by passes over the bytes instead (through Foundation they were a third of a big build,
/// on one core, as each page's check runs in page order):
///
/// 1. `<pre[\s\S]*?</pre>`, `<code[\s\S]*?</code>`, `<script[\s\S]*?</script>` and then
///    `<[^>]*>` each replaced by a space, one after the other (code, scripts and attributes are
///    not the page's text);
/// 2. `\[[^\[\]&]*\]\((&lt;)?#[a-z0-9-]*:[^\s)&]*` in what is left, each match after the last.
///
/// Every delimiter is ASCII, so a byte match is a character match; `\s` is Unicode's white space.
func unreadReferences(in html: String) -> [String] {
    // A match holds `](#` or `](&lt;#`, and the passes never join two characters (a span becomes
    // a space), so a page without either, as good as every page, has none: no pass is needed.
    guard html.utf8Offset(of: "](#") != nil || html.utf8Offset(of: "](&lt;#") != nil else { return [] }
    var text = Array(html.utf8)
    for (open, close) in [("<pre", "</pre>"), ("<code", "</code>"), ("<script", "</script>"), ("<", ">")] {
        text = replacingSpans(of: text, from: open, to: close)
    }
    return text.withUnsafeBufferPointer { bytes in
        var found: [String] = []
        var at = 0
        while let open = bytes[at...].firstIndex(of: UInt8(ascii: "[")) {
            if let end = referenceEnd(in: bytes, from: open) {
                let snippet = String(decoding: bytes[open..<end], as: UTF8.self)
                found.append(snippet.replacingOccurrences(of: "&lt;", with: "<"))
                at = end
            } else {
                at = open + 1
            }
        }
        return found
    }
}

/// `text` with each span from `open` to the first `close` after it (a lazy `open[\s\S]*?close`)
/// replaced by one space; an `open` with no `close` after it is left, as is everything after it.
private func replacingSpans(of text: [UInt8], from open: String, to close: String) -> [UInt8] {
    var open = open, close = close
    return open.withUTF8 { open in
        close.withUTF8 { close in
            text.withUnsafeBufferPointer { text in
                var result: [UInt8] = []
                result.reserveCapacity(text.count)
                var at = 0
                while let start = firstOffset(of: open, in: text, from: at), let end = firstOffset(of: close, in: text, from: start + open.count) {
                    result += text[at..<start]
                    result.append(UInt8(ascii: " "))
                    at = end + close.count
                }
                result += text[at...]
                return result
            }
        }
    }
}

/// The end of `\[[^\[\]&]*\]\((&lt;)?#[a-z0-9-]*:[^\s)&]*` matched at `open` (a `[`), or nil.
/// No part of it can give back what it took (each run stops at the character the next part
/// needs, which it does not hold), so one pass decides.
private func referenceEnd(in bytes: UnsafeBufferPointer<UInt8>, from open: Int) -> Int? {
    func byte(_ at: Int) -> UInt8? { at < bytes.count ? bytes[at] : nil }
    var at = open + 1
    while let next = byte(at), next != UInt8(ascii: "["), next != UInt8(ascii: "]"), next != UInt8(ascii: "&") { at += 1 }
    guard byte(at) == UInt8(ascii: "]"), byte(at + 1) == UInt8(ascii: "(") else { return nil }
    at += 2
    if bytes[at...].starts(with: "&lt;".utf8) { at += 4 }
    guard byte(at) == UInt8(ascii: "#") else { return nil }
    at += 1
    while let next = byte(at), (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(next)
        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next) || next == UInt8(ascii: "-")
    {
        at += 1
    }
    guard byte(at) == UInt8(ascii: ":") else { return nil }
    at += 1
    while at < bytes.count, bytes[at] != UInt8(ascii: ")"), bytes[at] != UInt8(ascii: "&"),
        let (next, length) = scalar(in: bytes, at: at), !next.properties.isWhitespace
    {
        at += length
    }
    return at
}
