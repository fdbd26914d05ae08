import Foundation
import Testing
@testable import Renderer

/// A page's title: its front matter's, else its first heading's, else its first line's when that
/// reads as a title, else its file name.
@Suite struct PageTitleTests {
    private func title(_ body: String, file: String = "notes/001_e4142a37d4ba843c.md") -> String {
        var source = PageSource(source: file)
        source.body = body
        return ParsedPage(source).page.title
    }

    @Test func aShortPlainFirstLineIsTheTitle() {
        #expect(title("\n\n \nUNIT FOUR NOTES(PART I)\n\n- RECURRENT NEURAL NETWORK\n") == "UNIT FOUR NOTES(PART I)")
        #expect(title("Week 3: gradients, again\n") == "Week 3: gradients, again")
        #expect(title("   Ünïcödé 日本語 notes   \n\ntext") == "Ünïcödé 日本語 notes")
        #expect(title("2024 lecture notes\n\ntext") == "2024 lecture notes")
        #expect(title("Notes \"quoted\" and (parenthesised): fine!\n") == "Notes \"quoted\" and (parenthesised): fine!")
        #expect(title(String(repeating: "a", count: maximumTitleLength) + "\n") == String(repeating: "a", count: maximumTitleLength))
    }

    @Test func aFirstLineThatIsNotPlainLeavesTheFileName() {
        let name = "001_e4142a37d4ba843c"
        for body in [
            "", "\n\n  \n", String(repeating: "a", count: maximumTitleLength + 1),
            "First line of a paragraph\nthat goes on.", "**Bold** notes", "Notes on `code`", "A [link](x.md)",
            "- a list item", "* item", "+ item", "1. First", "2) Second", "> quoted", "    indented code",
            "<div>notes</div>", "The $x$ notes", "a\tb", "See https://example.org", "Tom & Jerry", "x_1 notes",
            "~~struck~~", "| a | b |", "Trailing backslash\\", "=== ", "```", ":::", "[!NOTE]", "{step}",
        ] {
            #expect(title(body) == name, "\(body.debugDescription)")
        }
    }

    @Test func frontMatterAndHeadingsComeFirst() {
        var source = PageSource(source: "notes/a.md")
        source.title = "From the front matter"
        source.body = "Plain first line\n\n# Heading\n"
        #expect(ParsedPage(source).page.title == "From the front matter")
        #expect(title("Plain first line\n\n## A heading further down\n") == "A heading further down")
    }

    @Test func aMegabyteOfBlankLinesOrOfOneLine() {
        #expect(firstLineTitle(of: String(repeating: "\n", count: 1 << 20) + "Title\n") == "Title")
        #expect(firstLineTitle(of: "Title\n\n" + String(repeating: "x", count: 1 << 20)) == "Title")
        #expect(firstLineTitle(of: String(repeating: "x", count: 1 << 20)) == nil)
    }

    @Test func theFirstLineShowsOnceAsThePageTitle() throws {
        let course = try TestCourse([
            "notes/001.md": "\n\n \nUNIT FOUR NOTES(PART I)\n\n- RNN\n- LSTM\n\nBody \"text\".\n",
            "notes/002.md": "Not a title because\nthe paragraph goes on.\n",
        ])
        try course.build(strict: true)
        let page = try course.page("notes/001.html")
        #expect(page.contains("<title>UNIT FOUR NOTES(PART I) · Course notes</title>"))
        #expect(article(page) == """
            <h1 class="page-title">UNIT FOUR NOTES(PART I)</h1>


            <ul>
            <li>RNN</li>
            <li>LSTM</li>
            </ul>
            <p>Body &quot;text&quot;.</p>


            """)
        #expect(try course.page("index.html").contains(">UNIT FOUR NOTES(PART I)</a>"))
        let other = try course.page("notes/002.html")
        #expect(other.contains("<title>002 · Course notes</title>"))
        #expect(article(other) == "<h1 class=\"page-title\">002</h1>\n\n\n<p>Not a title because\nthe paragraph goes on.</p>\n\n")
    }

    /// The real notes this rule is for (when `../shared/seeds` is beside the repository).
    @Test func theSeedNoteWithoutAHeadingIsTitledByItsFirstLine() throws {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds/001_e4142a37d4ba843c.txt")
        guard let text = try? String(contentsOf: seed, encoding: .utf8) else { return }
        #expect(title(text) == "UNIT FOUR NOTES(PART I)")
    }
}
