import Foundation

/// The site's search index: every page's title, headings and text, built at build time and
/// delivered as a classic script (`assets/search-index.js` sets `window.unrolledSearchIndex`),
/// because a page opened from `file://` cannot `fetch` a JSON file. `assets/search.js` reads it.
enum SearchIndex {
    static let path = "assets/search-index.js"
    /// Text kept per page: enough to find a page by its words, small enough to load at once.
    static let textLimit = 20_000

    private struct Entry: Encodable {
        var title: String
        var href: String
        var headings: [HeadingEntry]
        var text: String
    }

    /// `href` and `id` are link text (percent-encoded, see `siteLink`): search.js puts them in links as they are.
    private struct HeadingEntry: Encodable {
        var text: String
        var id: String
    }

    /// `bodies`: the pages' HTML bodies.
    static func script(for pages: [ParsedPage], bodies: [String]) -> String {
        let entries = zip(pages, bodies).map { parsed, body in
            Entry(
                title: parsed.page.title, href: siteLink(fromRoot: parsed.page.output),
                headings: parsed.document.headings.map { HeadingEntry(text: $0.text, id: percentEncoded($0.id)) },
                text: plainText(body))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(entries)) ?? Data("[]".utf8)
        // `<` escaped so that no `</script>` in a page's text can end the script early; in bytes,
        // because the index is megabytes and Foundation's replacing bridges through UTF-16.
        var script = Array("window.unrolledSearchIndex = ".utf8)
        script.reserveCapacity(script.count + json.count + json.count / 16 + 2)
        json.withUnsafeBytes { bytes in
            // Copied run by run between the `<`s, not byte by byte.
            var start = 0
            while let less = bytes[start...].firstIndex(of: UInt8(ascii: "<")) {
                script += bytes[start..<less]
                script += "\\u003c".utf8
                start = less + 1
            }
            script += bytes[start...]
        }
        script.append(contentsOf: ";\n".utf8)
        return String(decoding: script, as: UTF8.self)
    }

    /// A page body's words, at most `limit` bytes of them: scripts, heading anchors and the steps
    /// tables of trace figures dropped, tags removed, the common entities decoded, white space
    /// collapsed. One pass over the bytes that stops at the limit (pages can be megabytes).
    static func plainText(_ html: String, limit: Int = textLimit) -> String {
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, bytes.count))
        let skipped: [(open: [UInt8], close: [UInt8])] = [
            (Array("<script".utf8), Array("</script>".utf8)),
            (Array("<details class=\"trace-steps\"".utf8), Array("</details>".utf8)),
            (Array("<a class=\"anchor\"".utf8), Array("</a>".utf8)),
        ]
        let entities: [(name: [UInt8], character: UInt8)] = [
            (Array("&lt;".utf8), UInt8(ascii: "<")), (Array("&gt;".utf8), UInt8(ascii: ">")),
            (Array("&quot;".utf8), UInt8(ascii: "\"")), (Array("&#39;".utf8), UInt8(ascii: "'")),
            (Array("&amp;".utf8), UInt8(ascii: "&")),
        ]
        func starts(_ prefix: [UInt8], at index: Int) -> Bool {
            index + prefix.count <= bytes.count && bytes[index..<index + prefix.count].elementsEqual(prefix)
        }
        func find(_ needle: [UInt8], from index: Int) -> Int? {
            var at = index
            while at + needle.count <= bytes.count {
                if bytes[at] == needle[0] && starts(needle, at: at) { return at }
                at += 1
            }
            return nil
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
                output.append(byte)
                index += 1
            }
        }
        while output.last == UInt8(ascii: " ") { output.removeLast() }
        if output.first == UInt8(ascii: " ") { output.removeFirst() }
        // The limit may fall inside a multi-byte character: decoding replaces the broken tail.
        return String(decoding: output, as: UTF8.self)
    }
}
