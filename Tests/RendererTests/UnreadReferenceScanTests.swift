import Foundation
import Testing
@testable import Renderer

/// The byte passes of `unreadReferences(in:)` against the regular expressions they replaced
/// (the check's own, through Foundation and ICU), and against answers worked out by hand.
@Suite struct UnreadReferenceScanTests {
    /// What `checkUnreadReferences` did before: strip code, scripts and tags, then search.
    static func regexReferences(_ html: String) -> [String] {
        var text = html
        for pattern in [#"<pre[\s\S]*?</pre>"#, #"<code[\s\S]*?</code>"#, #"<script[\s\S]*?</script>"#, #"<[^>]*>"#] {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var found: [String] = []
        var rest = text[...]
        while let range = rest.range(of: #"\[[^\[\]&]*\]\((&lt;)?#[a-z0-9-]*:[^\s)&]*"#, options: .regularExpression) {
            found.append(String(rest[range]).replacingOccurrences(of: "&lt;", with: "<"))
            rest = rest[range.upperBound...]
        }
        return found
    }

    @Test func referencesLeftAsTextAreFoundUpToTheirFirstSpace() {
        let cases: [(String, [String])] = [
            ("<p>[steps {steps}](#:@scope=net input)</p>", ["[steps {steps}](#:@scope=net"]),
            ("<p>[a](&lt;#lstm-2:c_2 x&gt;)</p>", ["[a](<#lstm-2:c_2"]),
            ("<p>[a](#:x) and [b](#id:y)z)</p>", ["[a](#:x", "[b](#id:y"]),
            // Code, scripts and attributes are not the page's text; a tag between the parts breaks it.
            ("<pre><code>[a](#:x y)</code></pre><code>[b](#:y z)</code><script>[c](#:z)</script>", []),
            ("<a title=\"[a](#:x y)\">t</a> [b]<em>(#:y z)</em>", []),
            ("[a](#Up:x) [b](#:x\u{00A0}y) [c](#:x&amp;y)", ["[b](#:x", "[c](#:x"]),
            ("<pre>[a](#:x) never closed [b](#:y)", ["[a](#:x", "[b](#:y"]),
            ("", []),
        ]
        for (html, expected) in cases {
            #expect(unreadReferences(in: html) == expected, "\(html)")
        }
    }

    @Test func unreadReferencesAsTheRegularExpressionsFindThem() {
        let pieces = ["[", "]", "(", ")", "#", ":", "&lt;", "&amp;", "a", "-", "Z", "9", " ", "\n", "\u{00A0}", "\u{0085}", "\u{000B}",
                      "\u{2028}", "é", "<", ">", "<pre>", "</pre>", "<code>", "</code>", "<script>", "</script>", "<p>", "](#:", "[x](#a:"]
        var random = SplitMix(seed: 19)
        for _ in 0..<4000 {
            let html = (0..<Int(random.next() % 16)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            #expect(unreadReferences(in: html) == Self.regexReferences(html), "\(html.debugDescription)")
        }
    }
}
