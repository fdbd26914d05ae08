import Testing
@testable import Renderer

@Suite struct HeadingTests {
    @Test func slugsAreGitHubStyle() {
        #expect(HeadingIDs.slug("Forget Gate") == "forget-gate")
        #expect(HeadingIDs.slug("What's a *gate*? (LSTM, 1997)") == "whats-a-gate-lstm-1997")
        #expect(HeadingIDs.slug("Back-propagation  through time") == "back-propagation--through-time")
        #expect(HeadingIDs.slug("snake_case & Ünïcödé") == "snake_case--ünïcödé")
        #expect(HeadingIDs.slug("?!") == "section")
    }

    @Test func repeatsGetNumberedSuffixesSkippingTakenIDs() {
        var ids = HeadingIDs()
        #expect(["Example", "Example", "Example 1", "Example"].map { ids.id(for: $0) }
            == ["example", "example-1", "example-1-1", "example-2"])
    }

    @Test func pageHeadingsGetUniqueIDsAndAnchors() {
        let html = Markdown.html(from: "# Gates\n## Gates\n### `code` and **bold**\n")
        #expect(html == """
            <h1 id="gates"><a class="anchor" href="#gates" aria-hidden="true" tabindex="-1">#</a>Gates</h1>
            <h2 id="gates-1"><a class="anchor" href="#gates-1" aria-hidden="true" tabindex="-1">#</a>Gates</h2>
            <h3 id="code-and-bold"><a class="anchor" href="#code-and-bold" aria-hidden="true" tabindex="-1">#</a><code>code</code> and <strong>bold</strong></h3>

            """)
    }

    @Test func headingHTMLEscapesTextAndRendersMath() {
        let heading = MarkdownDocument("## $W_f$ &lt;and&gt; b\n").headings[0]
        #expect(heading.text == "$W_f$ <and> b")
        #expect(heading.html == "<span class=\"math inline\">W_f</span> &lt;and&gt; b")
    }

    @Test func tableOfContentsNestsLevelsTwoAndThree() {
        let document = MarkdownDocument("# Title\n## A\n### A.1\n#### deep\n### A.2\n## B\n### B.1\n")
        let toc = document.tableOfContents()
        #expect(toc.map(\.heading.text) == ["A", "B"])
        #expect(toc[0].children.map(\.heading.text) == ["A.1", "A.2"])
        #expect(toc[1].children.map(\.heading.id) == ["b1"])
        #expect(MarkdownDocument("### Only three\n").tableOfContents().map(\.heading.text) == ["Only three"])
    }

    @Test func theTableOfContentsListsItsItemsAsPageMustacheDidWithItsSections() {
        // page.mustache wrote, for each item: `<li><a href="#{{id}}">{{{html}}}</a>{{#hasChildren}}<ul>
        // {{#children}}<li><a href="#{{id}}">{{{html}}}</a></li>{{/children}}</ul>{{/hasChildren}}</li>`
        // and a line break; ids escaped, a heading's HTML (its text, its math as spans) as it is.
        let toc = MarkdownDocument("## A *b*\n### A.1\n### A.2\n## $x$\n").tableOfContents().map(TableOfContentsItem.init)
        #expect(TableOfContentsItem.listItems(toc) == """
            <li><a href="#a-b">A b</a><ul><li><a href="#a1">A.1</a></li><li><a href="#a2">A.2</a></li></ul></li>
            <li><a href="#x"><span class="math inline">x</span></a></li>

            """)
        var quoted = toc[1]
        quoted.id = "it's<1>"
        #expect(TableOfContentsItem.listItems([quoted]) == "<li><a href=\"#it&#39;s&lt;1&gt;\"><span class=\"math inline\">x</span></a></li>\n")
        #expect(TableOfContentsItem.listItems([]) == "")
    }

    @Test func replacedBlocksKeepScriptsThatTagfilterWouldEscape() {
        let document = MarkdownDocument("```unrolled\nmodel: lstm\n```\n")
        #expect(document.render(replacingCodeBlock: { _ in "<script>var a = 1</script>" }) == "<script>var a = 1</script>\n")
    }
}
