import Foundation
import Testing
@testable import Renderer

/// The search index's JSON, written byte by byte, against what `JSONEncoder` writes for the same
/// entries (the encoder the index used to go through), with `<` escaped as it always was.
@Suite struct SearchIndexTests {
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

    /// Text with every control character, the characters JSON escapes, `/` (kept as it is),
    /// `<` (escaped for the script), non-ASCII letters, an emoji, U+2028 and a BOM.
    static let tricky: String = {
        var text = String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) })
        return text + "\u{7F}\"\\/</script>&'\u{2028}\u{2029}é 😀\u{FEFF}"
    }()

    /// What `JSONEncoder` makes of the pages, as the index's script.
    static func encoded(_ pages: [ParsedPage], bodies: [String]) throws -> String {
        let entries = zip(pages, bodies).map { parsed, body in
            Entry(
                title: parsed.page.title, href: siteLink(fromRoot: parsed.page.output),
                headings: parsed.document.headings.map { HeadingEntry(text: $0.text, id: percentEncoded($0.id)) },
                text: SearchIndex.plainText(body))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(entries), as: UTF8.self)
        return "window.unrolledSearchIndex = " + json.replacingOccurrences(of: "<", with: "\\u003c") + ";\n"
    }

    @Test func aStringIsEscapedAsJSONEncoderEscapesIt() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        for text in [Self.tricky, "", "plain", "<", "a\\\"b", "\u{1F}x\u{10}"] {
            var written: [UInt8] = []
            SearchIndex.appendJSONString(text, to: &written)
            let expected = String(decoding: try encoder.encode(text), as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
            #expect(String(decoding: written, as: UTF8.self) == expected, "\(text.debugDescription)")
        }
    }

    @Test func theIndexIsWhatJSONEncoderWrites() throws {
        let sources = [
            ("a.md", "A \"quoted\" </title>", "# One\n\nText with `<code>` and $x<y$.\n\n## Two é\n\nMore \\ text.\n"),
            ("sub/b.md", Self.tricky, "No headings, \(Self.tricky)\n"),
            ("c d.md", "", "## <b>Bold</b> heading\n"),
        ]
        let pages = sources.map { source, title, body in
            var page = PageSource(source: source)
            page.title = title
            page.body = body
            return ParsedPage(page)
        }
        let bodies = pages.map { $0.document.render(links: []) }
        let script = SearchIndex.script(for: pages, bodies: bodies)
        #expect(script == (try Self.encoded(pages, bodies: bodies)))
        #expect(SearchIndex.script(for: [], bodies: []) == "window.unrolledSearchIndex = [];\n")
    }

    /// The limit counts bytes: a character it cuts is one U+FFFD, as decoding the cut bytes makes it.
    @Test func aCharacterTheLimitCutsIsAReplacementCharacter() {
        #expect(SearchIndex.plainText("<p>aé b</p>", limit: 2) == "a\u{FFFD}")
        #expect(SearchIndex.plainText("<p>a😀</p>", limit: 3) == "a\u{FFFD}")
        #expect(SearchIndex.plainText("<p>a😀</p>", limit: 5) == "a😀")
        #expect(SearchIndex.plainText("<p>ab &amp; <b>c</b>d</p>", limit: 100) == "ab & c d")
    }
}
