import Testing
import Foundation
@testable import Renderer

@Suite struct MarkdownTests {
    @Test func paragraphAndEmphasisBecomeHTML() {
        #expect(Markdown.html(from: "Hello *world*\n") == "<p>Hello <em>world</em></p>\n")
    }

    @Test func extensionsAreOn() {
        let html = Markdown.html(from: "| a | b |\n|---|---|\n| ~~x~~ | www.example.com |\n\n- [x] done\n")
        #expect(html.contains("<table>"))
        #expect(html.contains("<del>x</del>"))
        #expect(html.contains("<a href=\"http://www.example.com\">www.example.com</a>"))
        #expect(html.contains("<input type=\"checkbox\" checked=\"\" disabled=\"\" />"))
    }

    @Test func rawHTMLPassesAndTagfilterEscapesScript() {
        #expect(Markdown.html(from: "<img src=\"a.png\">\n") == "<img src=\"a.png\">\n")
        #expect(Markdown.html(from: "<script>alert(1)</script>\n") == "&lt;script>alert(1)&lt;/script>\n")
    }

    @Test func footnotesAreOn() {
        let html = Markdown.html(from: "Text[^1].\n\n[^1]: Note.\n")
        #expect(html.contains("<section class=\"footnotes\""))
    }

    @Test func headingsHaveIDsAnchorsAndLines() {
        let document = MarkdownDocument("# Forget gate\n\ntext\n\nForget *gate*\n---\n")
        #expect(document.headings == [
            Heading(level: 1, text: "Forget gate", id: "forget-gate", line: 1),
            Heading(level: 2, text: "Forget gate", id: "forget-gate-1", line: 5),
        ])
        #expect(document.render() == """
            <h1 id="forget-gate"><a class="anchor" href="#forget-gate" aria-hidden="true" tabindex="-1">#</a>Forget gate</h1>
            <p>text</p>
            <h2 id="forget-gate-1"><a class="anchor" href="#forget-gate-1" aria-hidden="true" tabindex="-1">#</a>Forget <em>gate</em></h2>

            """)
    }

    @Test func fencedBlocksAreFoundByInfoAndReplaced() {
        let source = "Intro\n\n```unrolled\nmodel: lstm\n```\n\n```swift\nlet x = 1\n```\n"
        let document = MarkdownDocument(source)
        #expect(document.codeBlocks(info: "unrolled") == [
            CodeBlock(info: "unrolled", content: "model: lstm\n", line: 3, endLine: 5)
        ])
        #expect(document.codeBlocks.count == 2)
        let html = document.render(replacingCodeBlock: { $0.info == "unrolled" ? "<figure>lstm</figure>" : nil })
        #expect(html == "<p>Intro</p>\n<figure>lstm</figure>\n<pre><code class=\"language-swift\">let x = 1\n</code></pre>\n")
    }

    @Test func linksAndImagesAreListedAndRewritten() {
        let document = MarkdownDocument("See [LSTM](lstm.md#gates).\n\n![A cell](images/cell.png \"Cell\")\n")
        #expect(document.links == [
            LinkReference(kind: .link, destination: "lstm.md#gates", title: "", text: "LSTM", line: 1),
            LinkReference(kind: .image, destination: "images/cell.png", title: "Cell", text: "A cell", line: 3),
        ])
        let html = document.render(rewritingLink: { link in
            link.kind == .link ? LinkRewrite(destination: link.destination.replacingOccurrences(of: ".md", with: ".html")) : nil
        })
        #expect(html == "<p>See <a href=\"lstm.html#gates\">LSTM</a>.</p>\n<p><img src=\"images/cell.png\" alt=\"A cell\" title=\"Cell\" /></p>\n")
    }

    @Test func aSecondRenderReturnsTheFirstHTML() {
        let document = MarkdownDocument("```unrolled\nmodel: lstm\n```\n\n```swift\nlet x = 1\n```\n")
        let first = document.render(replacingCodeBlock: { $0.info == "unrolled" ? "<figure></figure>" : nil })
        #expect(first == "<figure></figure>\n<pre><code class=\"language-swift\">let x = 1\n</code></pre>\n")
        #expect(document.render(replacingCodeBlock: { _ in "<p>other</p>" }) == first)
    }

    @Test func emptyInputIsEmpty() {
        #expect(Markdown.html(from: "") == "")
    }
}
