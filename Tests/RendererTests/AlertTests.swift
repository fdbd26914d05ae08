import Foundation
import Testing
@testable import Renderer

/// GitHub's alerts (`Alerts`) and footnotes: Markdown in, exact HTML out.
@Suite struct AlertTests {
    func html(_ source: String, _ options: MarkdownOptions = MarkdownOptions()) -> String {
        MarkdownDocument(source, options: options).render()
    }

    /// The opening of an alert of `kind` (`NOTE`) as `Alerts` writes it, up to its title's end.
    func opening(_ kind: String) -> String {
        let (title, icon) = Alerts.kinds[kind]!
        return "<div class=\"markdown-alert markdown-alert-\(kind.lowercased())\">\n"
            + "<p class=\"markdown-alert-title\"><svg class=\"markdown-alert-icon\" viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" "
            + "aria-hidden=\"true\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.5\" stroke-linecap=\"round\" "
            + "stroke-linejoin=\"round\">\(icon)</svg>\(title)</p>\n"
    }

    @Test func aNoteIsGitHubsAlertWithItsTitleAndIcon() {
        #expect(html("> [!NOTE]\n> The gate is *open*.\n") == """
            <div class="markdown-alert markdown-alert-note">
            <p class="markdown-alert-title"><svg class="markdown-alert-icon" viewBox="0 0 16 16" width="16" height="16" \
            aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">\
            <circle cx="8" cy="8" r="6.25"/><path d="M8 7.25v4M8 4.75v.01"/></svg>Note</p>
            <p>The gate is <em>open</em>.</p>
            </div>

            """)
    }

    @Test func everyKindHasItsTitle() {
        for (kind, title) in [("NOTE", "Note"), ("TIP", "Tip"), ("IMPORTANT", "Important"), ("WARNING", "Warning"), ("CAUTION", "Caution")] {
            #expect(html("> [!\(kind)]\n> Text.\n") == opening(kind) + "<p>Text.</p>\n</div>\n")
            #expect(Alerts.kinds[kind]?.title == title)
        }
    }

    @Test func anyCaseAndAHardBreakAfterTheMarker() {
        #expect(html("> [!tip]\n> Text.\n") == opening("TIP") + "<p>Text.</p>\n</div>\n")
        #expect(html("> [!Warning]  \n> Text.\n") == opening("WARNING") + "<p>Text.</p>\n</div>\n")
        #expect(html("> [!CAUTION]\\\n> Text.\n") == opening("CAUTION") + "<p>Text.</p>\n</div>\n")
    }

    @Test func anAlertHoldsBlocks() {
        #expect(html("> [!IMPORTANT]\n> One.\n>\n> - a\n> - b\n>\n> $$x$$\n") == opening("IMPORTANT")
            + "<p>One.</p>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n<div class=\"math display\">x</div>\n</div>\n")
        // The marker alone in its paragraph: the blocks after it are the alert.
        #expect(html("> [!NOTE]\n>\n> ```python\n> x = 1\n> ```\n") == opening("NOTE")
            + "<pre><code class=\"language-python\">x = 1\n</code></pre>\n</div>\n")
        let withHeading = MarkdownDocument("> [!NOTE]\n> ## Inside\n")
        #expect(withHeading.headings.map(\.id) == ["inside"])
        #expect(withHeading.render() == opening("NOTE")
            + "<h2 id=\"inside\"><a class=\"anchor\" href=\"#inside\" aria-hidden=\"true\" tabindex=\"-1\">#</a>Inside</h2>\n</div>\n")
    }

    @Test func otherBlockquotesStayBlockquotes() {
        // Nothing after the marker, text on its line, an unknown kind, an escaped or spaced marker.
        #expect(html("> [!WARNING]\n") == "<blockquote>\n<p>[!WARNING]</p>\n</blockquote>\n")
        #expect(html("> [!NOTE] Text.\n") == "<blockquote>\n<p>[!NOTE] Text.</p>\n</blockquote>\n")
        #expect(html("> [!HINT]\n> Text.\n") == "<blockquote>\n<p>[!HINT]\nText.</p>\n</blockquote>\n")
        #expect(html("> \\[!NOTE]\n> Text.\n") == "<blockquote>\n<p>[!NOTE]\nText.</p>\n</blockquote>\n")
        #expect(html("> [! NOTE]\n> Text.\n") == "<blockquote>\n<p>[! NOTE]\nText.</p>\n</blockquote>\n")
        #expect(html("> [!NOTE]\n\n> Text.\n") == "<blockquote>\n<p>[!NOTE]</p>\n</blockquote>\n<blockquote>\n<p>Text.</p>\n</blockquote>\n")
        // As on GitHub, not inside a list or another blockquote.
        #expect(html("- > [!NOTE]\n  > Text.\n") == "<ul>\n<li>\n<blockquote>\n<p>[!NOTE]\nText.</p>\n</blockquote>\n</li>\n</ul>\n")
        #expect(html("> > [!NOTE]\n> > Text.\n") == "<blockquote>\n<blockquote>\n<p>[!NOTE]\nText.</p>\n</blockquote>\n</blockquote>\n")
    }

    @Test func aCourseTurnsThemOff() {
        #expect(html("> [!NOTE]\n> Text.\n", MarkdownOptions(alerts: false)) == "<blockquote>\n<p>[!NOTE]\nText.</p>\n</blockquote>\n")
        #expect(CourseConfig.parse("markdown:\n  alerts: false\n").0.markdown == MarkdownOptions(alerts: false))
    }

    @Test func footnotesAreLinkedBothWays() {
        #expect(html("A gate[^g] and a cell[^2].\n\n[^g]: Sigmoid, $\\sigma$.\n[^2]: Memory.\n") == """
            <p>A gate<sup class="footnote-ref"><a href="#fn-g" id="fnref-g" data-footnote-ref>1</a></sup> and a cell\
            <sup class="footnote-ref"><a href="#fn-2" id="fnref-2" data-footnote-ref>2</a></sup>.</p>
            <section class="footnotes" data-footnotes>
            <ol>
            <li id="fn-g">
            <p>Sigmoid, <span class="math inline">\\sigma</span>. <a href="#fnref-g" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩</a></p>
            </li>
            <li id="fn-2">
            <p>Memory. <a href="#fnref-2" class="footnote-backref" data-footnote-backref aria-label="Back to content">↩</a></p>
            </li>
            </ol>
            </section>

            """)
        // A reference without a definition is text.
        #expect(html("A[^x].\n") == "<p>A[^x].</p>\n")
    }

    @Test func unknownOrWrongMarkdownKeysAreReported() {
        let (config, problems) = CourseConfig.parse("markdown:\n  tab-tables: no\n  tables: false\n  alerts: maybe\n")
        #expect(config.markdown == MarkdownOptions(tabTables: false))
        #expect(problems.map(\.description) == [
            "course.yml:3: unknown Markdown extension 'tables' under `markdown` (known: tab-tables, alerts)",
            "course.yml:4: `markdown: alerts:` must be true or false, not 'maybe'",
        ])
        #expect(CourseConfig.parse("markdown: off\n").1.map(\.description) == [
            "course.yml:1: `markdown` must be a mapping of extensions to true or false (tab-tables, alerts), e.g. `markdown: {tab-tables: false}`",
        ])
    }

    /// Hostile input is rendered (how long it takes is `make bench`'s, not a test's: timed tests flake).
    @Test func hostileAlertsAreRendered() {
        for source in [String(repeating: "> [!NOTE]\n> x\n\n", count: 50_000), String(repeating: ">", count: 100_000) + " [!NOTE]\n> x\n"] {
            #expect(!html(source).isEmpty, "\(source.utf8.count) bytes")
        }
    }
}
