import Testing
@testable import Renderer

/// Pandoc's `tex_math_dollars` rules for a `$` (#15 item 2), and hostile input: Markdown in,
/// exact HTML out.
@Suite struct MathDollarTests {
    func html(_ source: String) -> String { Markdown.html(from: source) }

    func inline(_ tex: String) -> String { "<span class=\"math inline\">\(tex)</span>" }

    @Test func aDollarThatCannotCloseIsNotSkippedToALaterOne() {
        #expect(html("$a + b $ is the sum and $c$ is\n") == "<p>$a + b $ is the sum and \(inline("c")) is</p>\n")
        #expect(html("$a $b$\n") == "<p>$a \(inline("b"))</p>\n")
        #expect(html("From $x$5 to $y$.\n") == "<p>From $x$5 to \(inline("y")).</p>\n")
        #expect(html("$5 and $x$\n") == "<p>$5 and \(inline("x"))</p>\n")
    }

    @Test func inlineMathOverALineBreak() {
        #expect(html("a $x +\ny$ b\n") == "<p>a \(inline("x +\ny")) b</p>\n")
        #expect(html("a $x\n$ b\n") == "<p>a $x\n$ b</p>\n")
        #expect(html("> a $x\n> y$\n") == "<blockquote>\n<p>a \(inline("x\ny"))</p>\n</blockquote>\n")
    }

    @Test func escapedDollarsInsideAndOutsideMath() {
        #expect(html("$\\$5$ and \\$6\n") == "<p>\(inline("\\$5")) and $6</p>\n")
        #expect(html("$$a \\$$ b$$\n") == "<div class=\"math display\">a \\$$ b</div>\n")
    }

    @Test func mathInCodeIsLeftAlone() {
        #expect(html("`$a $b$` and $c$\n") == "<p><code>$a $b$</code> and \(inline("c"))</p>\n")
        #expect(html("```\n$$\n- a\n$$\n```\n") == "<pre><code>$$\n- a\n$$\n</code></pre>\n")
        #expect(html("    $$\n    - a\n    $$\n") == "<pre><code>$$\n- a\n$$\n</code></pre>\n")
    }

    @Test func unclosedDelimitersAreText() {
        #expect(html("$$\n- a\n") == "<p>$$</p>\n<ul>\n<li>a</li>\n</ul>\n")
        #expect(html("\\[\n# a\n") == "<p>[</p>\n<h1 id=\"a\"><a class=\"anchor\" href=\"#a\" aria-hidden=\"true\" tabindex=\"-1\">#</a>a</h1>\n")
        #expect(html("\\begin{align}\n- a\n") == "<p>\\begin{align}</p>\n<ul>\n<li>a</li>\n</ul>\n")
        #expect(html("$`x`\n") == "<p>$<code>x</code></p>\n")
    }

    /// A megabyte of each hostile pattern goes through the math protection and back to HTML,
    /// keeping every line where it was (the scan's speed on it is `make bench`'s to watch: a
    /// scan going back over the text at each delimiter took minutes here).
    @Test(arguments: ["$", "$$\n", "\\[\n", "\\begin{align}\n", "$a ", "$`", "| $x", "a\\(", "$$a $ \n", "$$\na\n"])
    func aMegabyteOfDelimiters(pattern: String) {
        let source = String(repeating: pattern, count: 1_000_000 / pattern.utf8.count)
        let protection = MathProtection(source)
        #expect(protection.protectedText.utf8.count(where: { $0 == 0x0A }) == source.utf8.count(where: { $0 == 0x0A }))
        #expect(!protection.render(protection.protectedText).isEmpty)
        #expect(!html(String(repeating: pattern, count: 20_000 / pattern.utf8.count)).isEmpty)
    }

    @Test func aMegabyteOfDollarsPairsUpAsPandocWould() {
        #expect(html("$$$$$\n") == "<div class=\"math display\">$</div>\n")
        #expect(html(String(repeating: "$a ", count: 3) + "\n") == "<p>$a $a $a</p>\n")
    }
}
