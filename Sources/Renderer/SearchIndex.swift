import Foundation

/// The site's search index: every page's title, headings and text, built at build time and
/// delivered as a classic script (`assets/search-index.js` sets `window.unrolledSearchIndex`),
/// because a page opened from `file://` cannot `fetch` a JSON file. `assets/search.js` reads it.
enum SearchIndex {
    static let path = "assets/search-index.js"
    /// Text kept per page: enough to find a page by its words, small enough to load at once.
    static let textLimit = 20_000

    /// `bodies`: the pages' HTML bodies.
    ///
    /// The JSON is written here, bytes appended to one buffer, rather than by `JSONEncoder`: the
    /// index is megabytes, and encoding it as `Encodable` values cost a big course's build more
    /// than its templates. The output is what `JSONEncoder` with `.sortedKeys` and
    /// `.withoutEscapingSlashes` writes (`SearchIndexTests` holds it to that), an array of
    /// `{"headings":[{"id":…,"text":…}],"href":…,"text":…,"title":…}`, except that every `<`
    /// is `\u003c`, so that no `</script>` in a page's text can end the script early.
    /// `href` and `id` are link text (percent-encoded, see `siteLink`): search.js puts them in links as they are.
    static func script(for pages: [ParsedPage], bodies: [String]) -> String {
        script(entries: zip(pages, bodies).map { entry(for: $0, body: $1) })
    }

    /// The script of the pages' `entry`s, in order.
    static func script(entries: [String]) -> String {
        "window.unrolledSearchIndex = [" + entries.joined(separator: ",") + "];\n"
    }

    /// A page's object in the index. A build makes each on the core that rendered the page, where
    /// its body is fresh (made as one script, the index took longer than the rest of the pages).
    static func entry(for parsed: ParsedPage, body: String) -> String {
        var entry = Array(#"{"headings":["#.utf8)
        for (index, heading) in parsed.document.headings.enumerated() {
            if index > 0 { entry.append(UInt8(ascii: ",")) }
            entry += #"{"id":"#.utf8
            appendJSONString(percentEncoded(heading.id), to: &entry)
            entry += #","text":"#.utf8
            appendJSONString(heading.text, to: &entry)
            entry.append(UInt8(ascii: "}"))
        }
        entry += #"],"href":"#.utf8
        appendJSONString(siteLink(fromRoot: parsed.page.output), to: &entry)
        entry += #","text":"#.utf8
        var html = body
        html.withUTF8 { plainText($0, limit: textLimit) }.withUnsafeBufferPointer { appendJSONString($0, to: &entry) }
        entry += #","title":"#.utf8
        appendJSONString(parsed.page.title, to: &entry)
        entry.append(UInt8(ascii: "}"))
        return String(decoding: entry, as: UTF8.self)
    }

    /// `text` as a JSON string, quoted and escaped as `JSONEncoder` escapes it (`"`, `\\`, and
    /// the control characters, `\b` `\t` `\n` `\f` `\r` short), and `<` as `\u003c`. Runs
    /// without any of those are copied whole.
    static func appendJSONString(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendJSONString($0, to: &output) }
    }

    /// `appendJSONString` of UTF-8.
    static func appendJSONString(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var copied = 0
        for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x3C {
            output += bytes[copied..<index]
            copied = index + 1
            switch byte {
            case 0x22: output += #"\""#.utf8
            case 0x5C: output += #"\\"#.utf8
            case 0x3C: output += #"\u003c"#.utf8
            case 0x08: output += #"\b"#.utf8
            case 0x09: output += #"\t"#.utf8
            case 0x0A: output += #"\n"#.utf8
            case 0x0C: output += #"\f"#.utf8
            case 0x0D: output += #"\r"#.utf8
            default:
                let hex = Array("0123456789abcdef".utf8)
                output += #"\u00"#.utf8
                output += [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        output += bytes[copied...]
        output.append(UInt8(ascii: "\""))
    }

    /// A page body's words, at most `limit` bytes of them: scripts, heading anchors and the steps
    /// tables of trace figures dropped, tags removed, the common entities decoded, white space
    /// collapsed. One pass over the bytes that stops at the limit (pages can be megabytes).
    static func plainText(_ html: String, limit: Int = textLimit) -> String {
        var html = html
        // The page's bytes read in place: a copy of each page cost as much as the scan.
        return String(decoding: html.withUTF8 { plainText($0, limit: limit) }, as: UTF8.self)
    }

    /// What `plainText` drops whole: from the opening to the closing text.
    private static let skipped: [(open: [UInt8], close: [UInt8])] = [
        (Array("<script".utf8), Array("</script>".utf8)),
        (Array("<details class=\"trace-steps\"".utf8), Array("</details>".utf8)),
        (Array("<a class=\"anchor\"".utf8), Array("</a>".utf8)),
    ]
    private static let entities: [(name: [UInt8], character: UInt8)] = [
        (Array("&lt;".utf8), UInt8(ascii: "<")), (Array("&gt;".utf8), UInt8(ascii: ">")),
        (Array("&quot;".utf8), UInt8(ascii: "\"")), (Array("&#39;".utf8), UInt8(ascii: "'")),
        (Array("&amp;".utf8), UInt8(ascii: "&")),
    ]

    /// `plainText` as UTF-8, kept valid: a character the limit cut is U+FFFD, as decoding it makes it.
    private static func plainText(_ bytes: UnsafeBufferPointer<UInt8>, limit: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, bytes.count))
        func starts(_ prefix: [UInt8], at index: Int) -> Bool {
            index + prefix.count <= bytes.count && bytes[index..<index + prefix.count].elementsEqual(prefix)
        }
        func find(_ needle: [UInt8], from index: Int) -> Int? {
            needle.withUnsafeBufferPointer { firstOffset(of: $0, in: bytes, from: index) }
        }
        func space() {
            if let last = output.last, last != UInt8(ascii: " ") { output.append(UInt8(ascii: " ")) }
        }
        var index = 0
        while index < bytes.count && output.count < limit {
            let byte = bytes[index]
            if byte == UInt8(ascii: "<") {
                if let skip = skipped.first(where: { starts($0.open, at: index) }) {
                    index = find(skip.close, from: index).map { $0 + skip.close.count } ?? bytes.count
                } else {
                    index = find([UInt8(ascii: ">")], from: index).map { $0 + 1 } ?? bytes.count
                }
                space()
            } else if byte == UInt8(ascii: "&"), let entity = entities.first(where: { starts($0.name, at: index) }) {
                output.append(entity.character)
                index += entity.name.count
            } else if byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D {
                space()
                index += 1
            } else {
                // A run of such bytes at once, as far as the limit.
                let stop = min(bytes.count, index + limit - output.count)
                var end = index + 1
                while end < stop {
                    let next = bytes[end]
                    if next == 0x3C || next == 0x26 || next == 0x20 || next == 0x0A || next == 0x09 || next == 0x0D { break }
                    end += 1
                }
                output.append(contentsOf: bytes[index..<end])
                index = end
            }
        }
        while output.last == UInt8(ascii: " ") { output.removeLast() }
        if output.first == UInt8(ascii: " ") { output.removeFirst() }
        // The limit may fall inside a multi-byte character: its lead byte and those after it go.
        if let lead = output.lastIndex(where: { $0 & 0xC0 != 0x80 }), output[lead] >= 0xC0 {
            let length = output[lead] >= 0xF0 ? 4 : output[lead] >= 0xE0 ? 3 : 2
            if output.count - lead < length {
                output.removeSubrange(lead...)
                output += [0xEF, 0xBF, 0xBD]
            }
        }
        return output
    }
}
