import Foundation
import Testing
@testable import Renderer

/// Tab-separated tables (`TabTables`): Markdown in, exact HTML out.
@Suite struct TabTableTests {
    func html(_ source: String, _ options: MarkdownOptions = MarkdownOptions()) -> String {
        MarkdownDocument(source, options: options).render()
    }

    /// cmark-gfm's HTML for a table of `header` and `rows` (cells as HTML).
    func table(_ header: [String], _ rows: [[String]]) -> String {
        func row(_ cells: [String], _ tag: String) -> String {
            "<tr>\n" + cells.map { "<\(tag)>\($0)</\(tag)>\n" }.joined() + "</tr>\n"
        }
        let body = rows.isEmpty ? "" : "<tbody>\n" + rows.map { row($0, "td") }.joined() + "</tbody>\n"
        return "<table>\n<thead>\n" + row(header, "th") + "</thead>\n" + body + "</table>\n"
    }

    @Test func linesOfTabSeparatedCellsBecomeATableWithTheFirstLineAsHeader() {
        #expect(html("Feature\tLSTM\tRNN\nMemory\tyes\tno\n") == "<table>\n<thead>\n<tr>\n<th>Feature</th>\n<th>LSTM</th>\n<th>RNN</th>\n"
            + "</tr>\n</thead>\n<tbody>\n<tr>\n<td>Memory</td>\n<td>yes</td>\n<td>no</td>\n</tr>\n</tbody>\n</table>\n")
    }

    @Test func leadingAndTrailingTabsAreEmptyCells() {
        #expect(html("a\tb\tc\n\tx\t\nd\te\tf") == table(["a", "b", "c"], [["", "x", ""], ["d", "e", "f"]]))
        // A label row of a pasted matrix: one cell of text, the rest empty.
        #expect(html("weights\t\t\n0.1\t0.2\t0.3\n") == table(["weights", "", ""], [["0.1", "0.2", "0.3"]]))
    }

    @Test func cellsHoldInlineMarkdownAndKeepTheirPipes() {
        #expect(html("a|b\t`c|d`\n$|x|$\t[l](u.md)\n") == table(
            ["a|b", "<code>c|d</code>"], [["<span class=\"math inline\">|x|</span>", "<a href=\"u.md\">l</a>"]]))
        // An escaped pipe reads as in a paragraph; block syntax at a cell's start is text (a line
        // starting with it starts that block, so only a later cell can hold it).
        #expect(html("a\\|b\t**c**\t1.\nx\t- y\t# z\n") == table(["a|b", "<strong>c</strong>", "1."], [["x", "- y", "# z"]]))
        #expect(html("<b>x</b>\t&amp;\n\\\ty\n") == table(["<b>x</b>", "&amp;"], [["\\", "y"]]))
    }

    @Test func aParagraphWithOtherLinesOrUnequalCountsStaysText() {
        #expect(html("text\nA\tB\nC\tD\n") == "<p>text\nA\tB\nC\tD</p>\n")
        #expect(html("A\tB\nC\tD\tE\n") == "<p>A\tB\nC\tD\tE</p>\n")
        #expect(html("one\tline\n") == "<p>one\tline</p>\n")
    }

    @Test func codeQuotesAndListsAreNeverTables() {
        #expect(html("```\na\tb\nc\td\n```\n") == "<pre><code>a\tb\nc\td\n</code></pre>\n")
        #expect(html("    a\tb\n    c\td\n") == "<pre><code>a\tb\nc\td\n</code></pre>\n")
        #expect(html("> a\tb\n> c\td\n") == "<blockquote>\n<p>a\tb\nc\td</p>\n</blockquote>\n")
        #expect(html("- a\tb\n  c\td\n") == "<ul>\n<li>a\tb\nc\td</li>\n</ul>\n")
        #expect(html("<div>\na\tb\nc\td\n</div>\n") == "<div>\na\tb\nc\td\n</div>\n")
    }

    @Test func aTableEndsWhereItsParagraphEnds() {
        #expect(html("a\tb\nc\td\n\nAfter.\n") == table(["a", "b"], [["c", "d"]]) + "<p>After.</p>\n")
        #expect(html("a\tb\nc\td\n# After\n").hasSuffix("</table>\n<h1 id=\"after\"><a class=\"anchor\" href=\"#after\" aria-hidden=\"true\" tabindex=\"-1\">#</a>After</h1>\n"))
        #expect(html("a\tb\r\nc\td\r\n\r\nAfter.\r\n") == table(["a", "b"], [["c", "d"]]) + "<p>After.</p>\n")
    }

    @Test func everyLineNumberAfterATableIsTheSourcesOne() {
        let document = MarkdownDocument("a\tb\nc\td\n\n[x](y.md)\n\ne\tf\ng\th\n\n# H\n\n```python\nx\n```\n")
        #expect(document.links.map(\.line) == [4])
        #expect(document.headings.map(\.line) == [9])
        #expect(document.codeBlocks.map(\.line) == [11])
        #expect(document.codeBlocks.map(\.endLine) == [13])
        // A link inside a table is collected (so checked and rewritten) on its own line.
        #expect(MarkdownDocument("a\tb\nc\t[x](y.md)\n").links.map(\.line) == [2])
        // Further down the page, in the header row and in the rows under it.
        let lower = MarkdownDocument("Intro.\n\n[h](h.md)\tb\nc\td\ne\t[x](y.md)\n\n[z](z.md)\n")
        #expect(lower.links.map(\.destination) == ["h.md", "y.md", "z.md"])
        #expect(lower.links.map(\.line) == [3, 5, 7])
    }

    @Test func aPageWithDefinitionsIsParsedAgainWholeAndReadsTheSame() {
        // A definition elsewhere on the page gives a cell's reference link and footnote their
        // meaning: such a page is rewritten and parsed again whole rather than its tables alone.
        let source = "a\t[b][r]\nc\td[^n]\n\n[x](y.md)\n\n[r]: u.md\n[^n]: A note.\n"
        let document = MarkdownDocument(source)
        #expect(document.links.map(\.destination) == ["u.md", "y.md"])
        #expect(document.links.map(\.line) == [1, 4])
        let html = document.render()
        #expect(html.hasPrefix(table(["a", "<a href=\"u.md\">b</a>"], [["c", "d<sup class=\"footnote-ref\"><a href=\"#fn-n\" id=\"fnref-n\" data-footnote-ref>1</a></sup>"]])))
        // Without definitions the same table is parsed on its own and comes out the same.
        #expect(self.html("a\t[b](u.md)\nc\td\n") == table(["a", "<a href=\"u.md\">b</a>"], [["c", "d"]]))
    }

    @Test func aCourseTurnsThemOff() {
        #expect(html("a\tb\nc\td\n", MarkdownOptions(tabTables: false)) == "<p>a\tb\nc\td</p>\n")
        let (config, problems) = CourseConfig.parse("markdown:\n  tab-tables: false\n")
        #expect(config.markdown == MarkdownOptions(tabTables: false))
        #expect(problems.isEmpty)
    }

    @Test func tooManyColumnsStayText() {
        let wide = String(repeating: "x\t", count: TabTables.maxCells) + "x\n"
        #expect(html(wide + wide).hasPrefix("<p>"))
    }

    /// Hostile input is rendered (how long it takes is `make bench`'s, not a test's: timed tests flake).
    @Test func hostileTabsAndPipesAreRendered() {
        // Two lines of a megabyte of tabs and pipes, a hundred thousand small tables, one of 100,000 rows.
        let sources = [
            String(repeating: "|\t", count: 250_000) + "\n" + String(repeating: "|\t", count: 250_000) + "\n",
            String(repeating: "a\tb\nc\t|\n\n", count: 100_000),
            String(repeating: "a\t|\n", count: 100_000),
        ]
        for source in sources {
            #expect(!html(source).isEmpty, "\(source.utf8.count) bytes")
        }
    }
}

/// The real notes in `../shared/seeds/` whose tables were pasted with tabs.
@Suite struct SeedTabTableTests {
    static let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds")

    func seed(_ prefix: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Self.seeds.path)) ?? []
        return names.first { $0.hasPrefix(prefix) }.flatMap { try? String(contentsOf: Self.seeds.appendingPathComponent($0), encoding: .utf8) }
    }

    func tables(in html: String) -> Int { html.components(separatedBy: "<table>").count - 1 }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: seeds.path), "skipped: ../shared/seeds is absent"))
    func theSeedsTabSeparatedTablesBecomeTables() throws {
        // Each seed, the tables its tabs make, and some of their rows. Seed 002 has twelve blocks;
        // one's first two lines start with a tab after a blank line, which makes them indented code
        // (CommonMark), and its table starts below them.
        let cases: [(seed: String, tables: Int, rows: [String])] = [
            ("001_", 2, [
                "<th>Feature</th>\n<th>LSTM (Long Short-term Memory)</th>\n<th>RNN (Recurrent Neural Network)</th>",
                "<td></td>\n<td>allows it to learn long-term dependencies in sequential data</td>\n<td></td>",
                "<td>Long-term dependency learning</td>\n<td>Yes</td>\n<td>Limited</td>",
            ]),
            ("002_", 12, [
                "<th>Aspect</th>\n<th>Regular CNN</th>\n<th>U-Net</th>",
                "<td>Skip Connections</td>\n<td><ul style=\"list-style-type: none\"><li>- None.",
                "<th>Input</th>\n<th>Output(Context1)</th>\n<th>Output(Context2)</th>",
                // The worked skip-gram matrices: ten columns, a label row above each.
                "<td>Sum of error</td>\n" + String(repeating: "<td></td>\n", count: 9),
                "<td>-0.93</td>\n<td>0.03089744</td>\n<td>-0.9198514</td>",
            ]),
        ]
        for (prefix, added, rows) in cases {
            let source = try #require(seed(prefix))
            let html = MarkdownDocument(source).render()
            #expect(tables(in: html) == tables(in: MarkdownDocument(source, options: .gfmOnly).render()) + added, "\(prefix)")
            for row in rows {
                #expect(html.contains(row), "\(prefix): \(row)")
            }
        }
    }
}
