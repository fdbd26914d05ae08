import Testing
@testable import Renderer

/// Math protection: Markdown in, exact HTML out.
@Suite struct MathTests {
    func html(_ source: String) -> String { Markdown.html(from: source) }

    @Test func dollarsAndParenthesesAreInlineMath() {
        #expect(html("Let $x_1$ and \\(y_2\\) be.\n")
            == "<p>Let <span class=\"math inline\">x_1</span> and <span class=\"math inline\">y_2</span> be.</p>\n")
    }

    @Test func displayMathAloneReplacesItsParagraph() {
        #expect(html("$$a^2 + b^2$$\n") == "<div class=\"math display\">a^2 + b^2</div>\n")
        #expect(html("\\[\\sum_i x_i\\]\n") == "<div class=\"math display\">\\sum_i x_i</div>\n")
    }

    @Test func displayMathOverSeveralLinesKeepsLineNumbers() {
        let document = MarkdownDocument("Text\n\n$$\nW_f \\cdot x\n$$\n\n## After\n")
        #expect(document.headings.map(\.line) == [7])
        #expect(document.render() == """
            <p>Text</p>
            <div class="math display">
            W_f \\cdot x
            </div>
            <h2 id="after"><a class="anchor" href="#after" aria-hidden="true" tabindex="-1">#</a>After</h2>

            """)
    }

    @Test func underscoresAsterisksAndBackslashesSurvive() {
        #expect(html("$a_i * b_i$ and $c_*^*$ and $\\\\ \\{x\\}$\n")
            == "<p><span class=\"math inline\">a_i * b_i</span> and <span class=\"math inline\">c_*^*</span> and "
            + "<span class=\"math inline\">\\\\ \\{x\\}</span></p>\n")
    }

    @Test func texIsHTMLEscaped() {
        #expect(html("$a<b & c>d$\n") == "<p><span class=\"math inline\">a&lt;b &amp; c&gt;d</span></p>\n")
    }

    @Test func codeSpansAndCodeBlocksAreUntouched() {
        #expect(html("`$x_1$` and ``$$y$$``\n") == "<p><code>$x_1$</code> and <code>$$y$$</code></p>\n")
        #expect(html("```\n$x_1$\n```\n") == "<pre><code>$x_1$\n</code></pre>\n")
        #expect(html("    $x_1$ \\(y\\)\n") == "<pre><code>$x_1$ \\(y\\)\n</code></pre>\n")
        #expect(html("- item\n\n  ```tex\n  $$a$$\n  ```\n").contains("<code class=\"language-tex\">$$a$$\n</code>"))
    }

    @Test func escapedDollarAndPricesAreText() {
        #expect(html("It costs \\$5 and \\$10.\n") == "<p>It costs $5 and $10.</p>\n")
        #expect(html("Between $5 and $10 a day.\n") == "<p>Between $5 and $10 a day.</p>\n")
        #expect(html("$ x$ and $x $ are not math\n") == "<p>$ x$ and $x $ are not math</p>\n")
        #expect(html("$x$5\n") == "<p>$x$5</p>\n")
    }

    @Test func pipesInMathStayInTheirTableCell() {
        #expect(html("| norm | value |\n|---|---|\n| $\\|x\\|$ | $a|b$ |\n") == """
            <table>
            <thead>
            <tr>
            <th>norm</th>
            <th>value</th>
            </tr>
            </thead>
            <tbody>
            <tr>
            <td><span class="math inline">\\|x\\|</span></td>
            <td><span class="math inline">a|b</span></td>
            </tr>
            </tbody>
            </table>

            """)
    }

    @Test func linkDestinationsRawHTMLAndAltTextKeepTheirSource() {
        #expect(html("[a]($x$.md)\n") == "<p><a href=\"$x$.md\">a</a></p>\n")
        #expect(html("<span title=\"$x$\">t</span>\n") == "<p><span title=\"$x$\">t</span></p>\n")
        #expect(html("<div>\n$x_1$\n</div>\n") == "<div>\n$x_1$\n</div>\n")
        #expect(html("![$W_f$ cell](cell.png)\n") == "<p><img src=\"cell.png\" alt=\"$W_f$ cell\" /></p>\n")
    }

    @Test func mathInBlockquotesAndListsLosesTheMarkers() {
        #expect(html("> $$\n> a \\\\\n> b\n> $$\n")
            == "<blockquote>\n<div class=\"math display\">\na \\\\\nb\n</div>\n</blockquote>\n")
        #expect(html("- $x_1$\n- $x_2$\n") == "<ul>\n<li><span class=\"math inline\">x_1</span></li>\n<li><span class=\"math inline\">x_2</span></li>\n</ul>\n")
    }

    @Test func escapedBackslashesAndAutolinksAreNotMath() {
        #expect(html("\\\\(x\\\\)\n") == "<p>\\(x\\)</p>\n")
        #expect(html("<https://example.com/$x$>\n") == "<p><a href=\"https://example.com/$x$\">https://example.com/$x$</a></p>\n")
        #expect(html("a $b$ \\$c$\n") == "<p>a <span class=\"math inline\">b</span> $c$</p>\n")
    }

    @Test func unterminatedDelimitersAreText() {
        #expect(html("$x_1 and *y*\n") == "<p>$x_1 and <em>y</em></p>\n")
        #expect(html("$$x_1\n\nmore $$\n") == "<p>$$x_1</p>\n<p>more $$</p>\n")
        #expect(html("\\(x\n") == "<p>(x</p>\n")
    }

    @Test func mathDoesNotCrossHeadingsOrBlankLines() {
        #expect(html("# Cost $x\ny$\n") == "<h1 id=\"cost-x\"><a class=\"anchor\" href=\"#cost-x\" aria-hidden=\"true\" tabindex=\"-1\">#</a>Cost $x</h1>\n<p>y$</p>\n")
        #expect(html("a $x\n\ny$ b\n") == "<p>a $x</p>\n<p>y$ b</p>\n")
    }

    @Test func headingTextAndIDsUseTheMathSource() {
        let document = MarkdownDocument("## The gate $f_t$\n")
        #expect(document.headings == [Heading(level: 2, text: "The gate $f_t$", id: "the-gate-f_t", line: 1)])
        #expect(document.render() == "<h2 id=\"the-gate-f_t\"><a class=\"anchor\" href=\"#the-gate-f_t\" aria-hidden=\"true\" tabindex=\"-1\">#</a>"
            + "The gate <span class=\"math inline\">f_t</span></h2>\n")
    }

    @Test func windowsLineEndingsAndTabs() {
        #expect(html("a $x_1$\r\n\r\n```\r\n$y$\r\n```\r\n") == "<p>a <span class=\"math inline\">x_1</span></p>\n<pre><code>$y$\n</code></pre>\n")
        #expect(html("\t$x_1$\n") == "<pre><code>$x_1$\n</code></pre>\n")
    }

    @Test func displayMathInsideAParagraphSplitsIt() {
        #expect(html("The loss is\n$$L = -\\log p$$\nfor each *word*.\n")
            == "<p>The loss is</p>\n<div class=\"math display\">L = -\\log p</div>\n<p>for each <em>word</em>.</p>\n")
        #expect(html("$$a$$\n$$b$$\n") == "<div class=\"math display\">a</div>\n<div class=\"math display\">b</div>\n")
        #expect(html("*see $$a$$ here*\n") == "<p><em>see <div class=\"math display\">a</div> here</em></p>\n")
        #expect(html("- text\n  $$a$$\n") == "<ul>\n<li>text\n<div class=\"math display\">a</div></li>\n</ul>\n")
    }

    @Test func placeholderCharactersInTheSourceBecomeReplacementCharacters() {
        #expect(html("a\u{E000}0\u{E001} $x$\n") == "<p>a\u{FFFD}0\u{FFFD} <span class=\"math inline\">x</span></p>\n")
    }
}
