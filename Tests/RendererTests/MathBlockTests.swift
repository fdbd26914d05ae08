import Testing
@testable import Renderer

/// Display math over several lines (#15 items 1, 3, 7): Markdown in, exact HTML out.
@Suite struct MathBlockTests {
    func html(_ source: String) -> String { Markdown.html(from: source) }

    func display(_ tex: String) -> String { "<div class=\"math display\">\(tex)</div>\n" }

    @Test func pipesAndNormsInsideMultiLineDisplayMath() {
        #expect(html("$$\n\\|x - y\\|_2 = \\sqrt{\\textstyle\\sum_i |x_i - y_i|^2}\n$$\n")
            == display("\n\\|x - y\\|_2 = \\sqrt{\\textstyle\\sum_i |x_i - y_i|^2}\n"))
        #expect(html("$$\np(a | b) = \\frac{p(b | a)\\, p(a)}{p(b)}\n$$\n")
            == display("\np(a | b) = \\frac{p(b | a)\\, p(a)}{p(b)}\n"))
        #expect(html("$$\n\\begin{array}{c|cc}\n & a & b \\\\ \\hline\nx & 1 & 2\n\\end{array}\n$$\n")
            == display("\n\\begin{array}{c|cc}\n &amp; a &amp; b \\\\ \\hline\nx &amp; 1 &amp; 2\n\\end{array}\n"))
    }

    @Test func linesThatLookLikeBlocksStayInTheMath() {
        #expect(html("$$\nL = a\n- b\n+ c\n$$\n") == display("\nL = a\n- b\n+ c\n"))
        #expect(html("$$\na\n=\nb\n$$\n") == display("\na\n=\nb\n"))
        #expect(html("$$\na\n---\n$$\n") == display("\na\n---\n"))
        #expect(html("$$\n    x_1\n> 0\n1. y\n# z\n$$\n") == display("\n    x_1\n&gt; 0\n1. y\n# z\n"))
        #expect(html("$$\n```\na\n$$\n\nafter\n") == display("\n```\na\n") + "<p>after</p>\n")
    }

    @Test func aTableRowInsideMathIsNotATable() {
        #expect(html("$$\na | b\n--|--\n$$\n") == display("\na | b\n--|--\n"))
    }

    @Test func textAroundMultiLineDisplayMath() {
        #expect(html("The norm\n$$\n\\|x\\|\n$$\nis positive.\n")
            == "<p>The norm</p>\n" + display("\n\\|x\\|\n") + "<p>is positive.</p>\n")
        #expect(html("Where $$\n- x\n$$ and $y$.\n")
            == "<p>Where</p>\n" + display("\n- x\n") + "<p>and <span class=\"math inline\">y</span>.</p>\n")
        #expect(html("$$\na\n$$ $$\nb\n- c\n$$\n") == display("\na\n") + display("\nb\n- c\n"))
    }

    @Test func displayMathInContainers() {
        #expect(html("> $$\n> a\n> - b\n> $$\n") == "<blockquote>\n" + display("\na\n- b\n") + "</blockquote>\n")
        #expect(html("- item\n\n  $$\n  a\n  - b\n  $$\n- next\n")
            == "<ul>\n<li>\n<p>item</p>\n" + display("\n  a\n  - b\n  ") + "</li>\n<li>\n<p>next</p>\n</li>\n</ul>\n")
    }

    @Test func windowsLineEndingsAndNoFinalLineBreak() {
        #expect(html("$$\r\n- a\r\n$$\r\n") == display("\r\n- a\r\n"))
        #expect(html("$$\n- a\n$$") == display("\n- a\n"))
        #expect(html("text\n    $$\n    - a\n    $$\n") == "<p>text</p>\n" + display("\n    - a\n    "))
    }

    @Test func rawHTMLBlocksKeepTheirText() {
        #expect(html("<div>\n$$\n- a\n$$\n</div>\n") == "<div>\n$$\n- a\n$$\n</div>\n")
    }

    @Test func displayMathStopsAtABlankLine() {
        #expect(html("$$\na\n\n- b\n$$\n") == "<p>$$\na</p>\n<ul>\n<li>b\n$$</li>\n</ul>\n")
    }

    @Test func lineNumbersAfterBlockMathAreKept() {
        let document = MarkdownDocument("$$\n- a\n=\n$$\n\n## After\n")
        #expect(document.headings.map(\.line) == [6])
    }

    @Test func tablesStillEndAtTheirRows() {
        #expect(html("| a | b |\n|---|---|\n| $x | y |\n| z$ | w |\n").contains("<td>$x</td>"))
        #expect(html("a | b\n--|--\nc $x\nd y$\n").contains("<td>c $x</td>"))
    }

    @Test func bracketDisplayMathOverSeveralLines() {
        #expect(html("\\[\n- x\n=\n\\]\n") == display("\n- x\n=\n"))
        #expect(html("\\[\\]\n\n\\[ \\]\n") == "<p>[]</p>\n<p>[ ]</p>\n")
    }

    @Test func latexEnvironmentsStandingAsABlock() {
        #expect(html("\\begin{align}\na &= b \\\\\n- c &= d\n\\end{align}\n")
            == display("\\begin{align}\na &amp;= b \\\\\n- c &amp;= d\n\\end{align}"))
        #expect(html("We have\n\\begin{equation*}\nx = 1\n\\end{equation*}\nso *y*.\n")
            == "<p>We have</p>\n" + display("\\begin{equation*}\nx = 1\n\\end{equation*}") + "<p>so <em>y</em>.</p>\n")
        #expect(html("\\begin{gather} a \\end{gather}\n") == display("\\begin{gather} a \\end{gather}"))
        #expect(html("\\begin{multline*}\na\n\\end{multline*}\n") == display("\\begin{gather*}\na\n\\end{gather*}"))
    }

    @Test func environmentsThatAreNotDisplayBlocksStayText() {
        #expect(html("The \\begin{align} environment.\n") == "<p>The \\begin{align} environment.</p>\n")
        #expect(html("\\begin{itemize}\n\\end{itemize}\n") == "<p>\\begin{itemize}\n\\end{itemize}</p>\n")
        #expect(html("\\begin{align}\na\n\nb\n\\end{align}\n") == "<p>\\begin{align}\na</p>\n<p>b\n\\end{align}</p>\n")
        #expect(html("`\\begin{align}`\n\n```\n\\begin{align}\n\\end{align}\n```\n")
            == "<p><code>\\begin{align}</code></p>\n<pre><code>\\begin{align}\n\\end{align}\n</code></pre>\n")
    }

    @Test func fencedMathBlocks() {
        #expect(html("```math\n\\|x\\|_2\n- y\n```\n") == display("\\|x\\|_2\n- y"))
        #expect(html("```{math}\n:label: eq-norm\n\na < b\n```\n") == display("\na &lt; b"))
        #expect(html("~~~ math\n$x$\n~~~\n") == display("$x$"))
        #expect(html("```mathematica\nx\n```\n") == "<pre><code class=\"language-mathematica\">x\n</code></pre>\n")
    }

    @Test func gitHubBacktickInlineMath() {
        #expect(html("Here $`\\sqrt{3}`$ and $`a$b`$.\n")
            == "<p>Here <span class=\"math inline\">\\sqrt{3}</span> and <span class=\"math inline\">a$b</span>.</p>\n")
        #expect(html("A `$` sign and `$`.\n") == "<p>A <code>$</code> sign and <code>$</code>.</p>\n")
    }
}
