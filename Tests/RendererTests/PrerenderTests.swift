import Testing
@testable import Renderer

/// `MarkdownDocument.prerender`: the page rendered, and its tree freed, before the site knows its
/// links and figures; `render` then fills the holes. Every expected page is written out by hand.
struct PrerenderTests {
    /// A page of every place a hole can be: a link in a heading, an image in a link, a link in a
    /// table cell, a figure's code block in a list item, a code block kept.
    static let page = """
        # See [the cell](cell.md)

        [![LSTM](lstm.png)](lstm.md) and `code`

        | a | b |
        |---|---|
        | [x](x.md) | $y$ |

        - item

          ```unrolled
          model: lstm
          ```

        ```swift
        let x = 1
        ```

        """

    static func rewrite(_ link: LinkReference) -> LinkRewrite? {
        link.destination.hasSuffix(".md") ? LinkRewrite(destination: link.destination.replacingOccurrences(of: ".md", with: ".html")) : nil
    }

    static let expected = """
        <h1 id="see-the-cell"><a class="anchor" href="#see-the-cell" aria-hidden="true" tabindex="-1">#</a>See <a href="cell.html">the cell</a></h1>
        <p><a href="lstm.html"><img src="lstm.png" alt="LSTM" /></a> and <code>code</code></p>
        <table>
        <thead>
        <tr>
        <th>a</th>
        <th>b</th>
        </tr>
        </thead>
        <tbody>
        <tr>
        <td><a href="x.html">x</a></td>
        <td><span class="math inline">y</span></td>
        </tr>
        </tbody>
        </table>
        <ul>
        <li>
        <p>item</p>
        <figure>lstm</figure>
        </li>
        </ul>
        <pre><code class="language-swift">let x = 1
        </code></pre>

        """

    @Test func aPrerenderedPageIsFilledWithItsLinksAndFigures() {
        let document = MarkdownDocument(Self.page)
        document.prerender()
        let html = document.render(
            replacingCodeBlock: { $0.info == "unrolled" ? "<figure>lstm</figure>" : nil },
            rewritingLink: Self.rewrite)
        #expect(html == Self.expected)
    }

    @Test func renderingWithoutPrerenderingFirstIsTheSame() {
        let html = MarkdownDocument(Self.page).render(
            replacingCodeBlock: { $0.info == "unrolled" ? "<figure>lstm</figure>\n" : nil },
            rewritingLink: Self.rewrite)
        #expect(html == Self.expected)
    }

    /// An exercise's HTML around a link in a table cell: a cell may not hold cmark's custom
    /// inline, so the box used to be lost with the link (the tree rewrote the link in place).
    @Test func htmlAroundALinkInATableCellIsKept() {
        let document = MarkdownDocument("| a |\n|---|\n| [answer](#x) |\n")
        document.prerender()
        let html = document.render(rewritingLink: { _ in
            var rewrite = LinkRewrite(destination: "#y")
            rewrite.htmlBefore = "<span class=\"exercise\">"
            rewrite.htmlAfter = "</span>"
            return rewrite
        })
        #expect(html.contains("<td><span class=\"exercise\"><a href=\"#y\">answer</a></span></td>"))
    }

    /// A hole's characters written in the notes are not holes: they become U+FFFD, math included.
    @Test func holeCharactersInTheSourceBecomeReplacementCharacters() {
        let html = MarkdownDocument("a\u{E003}0\u{E004} [l](l.md) `\u{E003}0\u{E004}` $\u{E004}$\n").render(rewritingLink: Self.rewrite)
        #expect(html == "<p>a\u{FFFD}0\u{FFFD} <a href=\"l.html\">l</a> <code>\u{FFFD}0\u{FFFD}</code> <span class=\"math inline\">\u{FFFD}</span></p>\n")
    }
}
