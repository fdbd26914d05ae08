import Testing
@testable import Renderer

/// The math scan passes over lines and paragraphs without a `$` or a `\` (most of a page) without
/// reading them byte by byte: what comes out around, between and inside math is unchanged.
@Suite struct MathScanSkipTests {
    func html(_ source: String) -> String { Markdown.html(from: source) }

    func inline(_ tex: String) -> String { "<span class=\"math inline\">\(tex)</span>" }

    func display(_ tex: String) -> String { "<div class=\"math display\">\(tex)</div>\n" }

    @Test func plainParagraphsAroundMathStayAsTheyAre() {
        #expect(html("one\ntwo\nthree $x$\n\nfour\n") == "<p>one\ntwo\nthree \(inline("x"))</p>\n<p>four</p>\n")
        #expect(html("a `code` <b>b</b> [c](d.md)\n") == "<p>a <code>code</code> <b>b</b> <a href=\"d.md\">c</a></p>\n")
        // The placeholder characters are replaced where no math is, too.
        #expect(html("a \u{E000}1\u{E001} b\n") == "<p>a \u{FFFD}1\u{FFFD} b</p>\n")
    }

    @Test func aBackslashOrDollarAloneMakesNoMath() {
        #expect(html("a \\* b\n") == "<p>a * b</p>\n")
        #expect(html("costs $5 and $10\n") == "<p>costs $5 and $10</p>\n")
        #expect(html("`$x$` and text\n") == "<p><code>$x$</code> and text</p>\n")
    }

    @Test func plainLinesInsideDisplayMathStayInIt() {
        #expect(html("$$\n# not a heading\n    not code\n$$\n") == display("\n# not a heading\n    not code\n"))
        #expect(html("Text\n\\[\na + b\n\\]\nmore\n") == "<p>Text</p>\n" + display("\na + b\n") + "<p>more</p>\n")
    }

    @Test func nonASCIITextAroundMath() {
        #expect(html("é $α$ ü\n\nß plain ñ\n") == "<p>é \(inline("α")) ü</p>\n<p>ß plain ñ</p>\n")
    }
}
