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

    private struct HeadingEntry: Encodable {
        var text: String
        var id: String
    }

    static func script(for pages: [Page]) -> String {
        let entries = pages.map { page in
            Entry(
                title: page.title, href: page.output,
                headings: (page.document?.headings ?? []).map { HeadingEntry(text: $0.text, id: $0.id) },
                text: String(plainText(page.html).prefix(textLimit)))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = (try? encoder.encode(entries)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return "window.unrolledSearchIndex = " + json.replacingOccurrences(of: "<", with: "\\u003c") + ";\n"
    }

    /// A page body's words: scripts, heading anchors and the steps tables of trace figures dropped, tags removed,
    /// the common entities decoded, white space collapsed.
    static func plainText(_ html: String) -> String {
        var text = html
        for pattern in ["<script[^>]*>[\\s\\S]*?</script>", "<details class=\"trace-steps\">[\\s\\S]*?</details>", "<a class=\"anchor\"[^>]*>#</a>", "<[^>]+>"] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
