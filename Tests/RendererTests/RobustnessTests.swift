import Testing
@testable import Renderer

/// Any input renders: no crash, no hang, nothing lost for the odd cases notes really have.
@Suite struct RobustnessTests {
    @Test func emptyAndBlankInputs() {
        #expect(Markdown.html(from: "") == "")
        #expect(Markdown.html(from: "\n\n   \n") == "")
        #expect(MarkdownDocument("").headings.isEmpty)
    }

    @Test func binaryGarbageRenders() {
        var generator = SplitMix(seed: 42)
        let bytes = (0..<200_000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let html = Markdown.html(from: String(decoding: bytes, as: UTF8.self))
        #expect(!html.isEmpty)
        let nulls = Markdown.html(from: "a\u{0}b $\u{0}$ \u{E000}\n")
        #expect(nulls.hasPrefix("<p>a\u{FFFD}b"))
    }

    @Test func randomMarkdownNeverLeaksPlaceholders() {
        let alphabet = Array("$$\\\\`~<>|\n\n  -#[]()*_>1a2b!\"=:\t").map(String.init) + ["\\(", "\\)", "\\[", "\\]", "```", "$$", "<a href=\"", "-->", "](x.md)"]
        var generator = SplitMix(seed: 7)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 40)
            let source = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }.joined()
            let document = MarkdownDocument(source)
            let html = document.render()
            let leaked = html.unicodeScalars.contains { (0xE000...0xE002).contains($0.value) }
                || document.headings.contains { $0.text.unicodeScalars.contains { (0xE000...0xE002).contains($0.value) } }
                || document.links.contains { $0.destination.unicodeScalars.contains { (0xE000...0xE002).contains($0.value) } }
            #expect(!leaked, "placeholder left in the HTML of \(source.debugDescription)")
            if leaked { return }
        }
    }

    @Test func unterminatedMathAndUnclosedFences() {
        #expect(Markdown.html(from: "$") == "<p>$</p>\n")
        #expect(Markdown.html(from: "$$") == "<p>$$</p>\n")
        #expect(Markdown.html(from: "\\[") == "<p>[</p>\n")
        #expect(Markdown.html(from: "text $x_1\n") == "<p>text $x_1</p>\n")
        #expect(Markdown.html(from: "```unrolled\nmodel: lstm\n") == "<pre><code class=\"language-unrolled\">model: lstm\n</code></pre>\n")
        let document = MarkdownDocument("a\n\n```unrolled\nmodel: lstm\n\n$x$\n")
        #expect(document.codeBlocks(info: "unrolled") == [CodeBlock(info: "unrolled", content: "model: lstm\n\n$x$\n", line: 3, endLine: 6)])
    }

    @Test func tenMegabytePageRendersInLinearTime() {
        let paragraph = "The cell state $c_t = f_t \\odot c_{t-1} + i_t \\odot \\tilde c_t$ `code $x$`, *emphasis*, costs $5 or $10.\n\n"
        let source = String(repeating: paragraph, count: 10_000_000 / paragraph.utf8.count + 1)
        let html = Markdown.html(from: source)
        #expect(html.utf8.count > source.utf8.count)
        #expect(html.components(separatedBy: "<span class=\"math inline\">").count - 1 == 10_000_000 / paragraph.utf8.count + 1)
        // One long paragraph of unclosed delimiters: each is searched for once, not once per opener.
        let unclosed = "$$x " + String(repeating: "$a \\(b ``c ", count: 200_000)
        #expect(Markdown.html(from: unclosed).hasPrefix("<p>$$x $a (b <code>c $a \\(b </code>c"))
    }

    @Test func deeplyNestedListsAndQuotes() {
        let lists = (0..<2_000).map { String(repeating: "  ", count: $0) + "- item $x_\($0)$" }.joined(separator: "\n")
        #expect(Markdown.html(from: lists).contains("<ul>"))
        let quotes = String(repeating: ">", count: 5_000) + " deep $x$\n"
        #expect(Markdown.html(from: quotes).contains("<span class=\"math inline\">x</span>"))
        let displays = String(repeating: "- $$x$$ and $$y$$\n", count: 100_000)
        #expect(Markdown.html(from: displays).hasPrefix("<ul>\n<li><div class=\"math display\">x</div> and"))
        let brackets = String(repeating: "[", count: 50_000) + String(repeating: "](", count: 50_000)
        #expect(!Markdown.html(from: brackets).isEmpty)
        let tags = String(repeating: "<a title=\"$x$ <!-- ", count: 50_000)
        #expect(!Markdown.html(from: tags).isEmpty)
    }
}

/// A tiny deterministic generator for garbage input.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
