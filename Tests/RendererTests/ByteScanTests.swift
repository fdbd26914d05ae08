import Foundation
import Testing
@testable import Renderer

/// The byte scans that replaced Foundation in the build's hot paths, against Foundation itself.
@Suite struct ByteScanTests {
    /// What `checkRawImages` used before: the regular expression the scan reproduces.
    static func regexSources(_ html: String) -> [String] {
        let pattern = try! NSRegularExpression(
            pattern: "<img\\b[^>]*?\\ssrc\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))", options: [.caseInsensitive])
        return pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)).compactMap { match in
            (1...3).lazy.compactMap { Range(match.range(at: $0), in: html) }.first.map { String(html[$0]) }
        }
    }

    @Test func rawImageSourcesAsTheRegularExpressionFindsThem() {
        let cases = [
            #"<p><img src="a.png" width=3> and <IMG SRC='b c.png'></p>"#,
            #"<img alt="x>" src=c.png><img\nsrc = "d.png"><imgx src="no.png"><img src=>"#,
            #"<img alt="<img src=inner.png>" src=outer.png>"#,
            #"<img data-src="no.png" src="yes.png"><img src="unclosed.png><img src='e.png'>"#,
            "<img\u{00A0}src=nbsp.png><img\u{3000}src=\u{3000}ideographic.png><img é src=é.png>",
            "<imgé src=word.png><img\u{0301} src=mark.png><img src=\"\"><img src=\"multi\nline.png\">",
            "<img ſrc=long-s.png><img sRc=mixed.png><img src=tail.png", "no images <b>here</b>", "",
        ]
        for html in cases {
            #expect(rawImageSources(in: html) == Self.regexSources(html), "\(html)")
        }
    }

    @Test func rawImageSourcesOnRandomTags() {
        let pieces = ["<img", "<IMG", " ", "\n", "src", "SRC", "=", "\"", "'", ">", "a.png", "é", "\u{00A0}", "x", "<p>", "alt=", "<"]
        var random = SplitMix(seed: 7)
        for _ in 0..<3000 {
            let html = (0..<Int(random.next() % 14)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            #expect(rawImageSources(in: html) == Self.regexSources(html), "\(html.debugDescription)")
        }
    }

    /// What `FrontMatter.split` did before it stopped at the closing fence: split every line (at
    /// the byte `\n`, so that `\r\n` ends a line too).
    static func splitByLines(_ source: String) -> (yaml: String, body: String)? {
        var lines = source.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        func isFence(_ line: String, _ fences: [String]) -> Bool {
            fences.contains(String(line.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed()))
        }
        guard let first = lines.first, isFence(first, ["---"]),
            let end = lines.dropFirst().firstIndex(where: { isFence($0, ["---", "..."]) })
        else { return nil }
        let yaml = lines[1..<end].joined(separator: "\n")
        for index in 0...end { lines[index] = "" }
        return (yaml, lines.joined(separator: "\n"))
    }

    @Test func frontMatterBodiesAsSplittingEveryLineGaveThem() {
        let cases = [
            "---\ntitle: A\n---\n# A\n\ntext\n", "---\ntitle: A\n---", "---\ntitle: A\n---\n", "---\n---\nbody",
            "---  \ntitle: A\n...\t\nbody\n", "---\ntitle: A\n", "no front matter\n---\n", "---", "",
            "---\r\ntitle: A\r\n---\r\nbody\r\n", "---\nsummary: x\n\n---\n\n\nbody\n---\nmore\n",
            "---\n\r\n\n---", "---\r\ntitle: A\r\n---",
        ]
        for source in cases {
            let (_, body, _) = FrontMatter.split(source, file: "a.md")
            #expect(body == (Self.splitByLines(source)?.body ?? source), "\(source.debugDescription)")
        }
        let (matter, _, problems) = FrontMatter.split("---\ntitle: A\nsummary: two words\n---\nbody", file: "a.md")
        #expect(matter == FrontMatter(title: "A", order: nil, summary: "two words"))
        #expect(problems.isEmpty)
    }

    /// Found by `make fuzz` (front-matter): a `\r\n` is one `Character`, and the line scan passed over it.
    @Test func aWindowsPagesFrontMatterIsReadAndKeepsItsLines() {
        let (matter, body, problems) = FrontMatter.split("---\r\ntitle: A\r\norder: 2\r\n---\r\n# Body\r\n", file: "a.md")
        #expect(matter == FrontMatter(title: "A", order: 2, summary: nil))
        #expect(problems.isEmpty)
        #expect(body == "\n\n\n\n# Body\r\n")
        let (_, mixed, _) = FrontMatter.split("---\n\r\n\n---", file: "a.md")
        #expect(mixed == "\n\n\n")
    }

    @Test func firstContentLineSkipsBlankAndWhiteSpaceLines() throws {
        var page = PageSource(source: "notes/a.md")
        for (body, line) in [("\n\n# A\n", 3), ("# A", 1), ("", 1), (" \t\n\u{00A0}\n x\n", 3), ("\n\n\n", 1), ("\r\n\r\nx", 1)] {
            page.body = body
            #expect(page.firstContentLine == line, "\(body.debugDescription)")
        }
    }

    @Test func asciiHeadingSlugsAsTheUnicodePathMakesThem() {
        // "é" sends a heading down the Unicode path, which keeps it: what comes before must match.
        for byte in UInt8(0)..<0x80 {
            let text = "a" + String(UnicodeScalar(byte)) + "Z"
            #expect(HeadingIDs.slug(text + "é") == HeadingIDs.slug(text) + "é", "\(text.debugDescription)")
        }
        #expect(HeadingIDs.slug("The Forget-Gate (f_t) & 2 more!") == "the-forget-gate-f_t--2-more")
        #expect(HeadingIDs.slug("?!") == "section")
    }

    @Test func urlSchemesAsTheRegularExpressionFindsThem() {
        let pattern = try! NSRegularExpression(pattern: "^[A-Za-z][A-Za-z0-9+.-]*:")
        let cases = ["https://x", "mailto:a@b", "a:", "C:\\x", "x+y.z-1:rest", "1http:", ":x", "", "ht tp:", "é:", "h@:",
                     "notes/a.md", "a.md#b:c", "#top", "[Za]:", "http", "`a:", "{a:", "Z9:"]
        for text in cases {
            let expected = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(hasURLScheme(text) == expected, "\(text)")
        }
    }

    @Test func htmlEscapingAsTheScalarByScalarVersionEscapedIt() {
        func scalarByScalar(_ text: String) -> String {
            var escaped = ""
            for character in text.unicodeScalars {
                switch character {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&quot;"
                default: escaped.unicodeScalars.append(character)
                }
            }
            return escaped
        }
        #expect(escapeHTML("a<b & \"c\">é") == "a&lt;b &amp; &quot;c&quot;&gt;é")
        let pieces = ["&", "<", ">", "\"", "'", "a", "é", "\u{1F600}", "&amp;", " ", "\n", "e\u{301}"]
        var random = SplitMix(seed: 3)
        for _ in 0..<2000 {
            let text = (0..<Int(random.next() % 10)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            #expect(escapeHTML(text) == scalarByScalar(text), "\(text.debugDescription)")
        }
    }

    @Test func utf8SearchAndLines() {
        let text = "é\nab</h1>\ncd</h1>"
        #expect(text.utf8Offset(of: "</h1>") == 5)
        #expect(text.utf8Offset(of: "</h1>", from: 6) == 13)
        #expect(text.utf8Offset(of: "nothing") == nil)
        #expect(text.utf8Offset(of: "") == nil)
        #expect(text.line(atUTF8Offset: 13) == 3)
        #expect(text.line(atUTF8Offset: 3) == 2)
        #expect(text.line(atUTF8Offset: 100) == 3)
        #expect(text.containsUTF8(UInt8(ascii: "<")) && text.containsUTF8(0xC3) && !text.containsUTF8(UInt8(ascii: "x")) && !"".containsUTF8(0))
        #expect(text.split(atUTF8Offset: 10) == ("é\nab</h1>", "\ncd</h1>"))
    }
}
