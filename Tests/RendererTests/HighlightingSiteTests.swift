import Foundation
import Testing
@testable import Renderer

/// The Markdown extensions in a built site: highlight.js copied (or its absence warned about),
/// the stylesheets and script that show alerts and coloured code, and course.yml's `markdown:`.
@Suite struct HighlightingSiteTests {
    static let code = "# Code\n\n```python\ndef f(x):\n    return 2 * x\n```\n"

    @Test func highlightJSIsCopiedAndEveryPageLoadsTheScriptThatUsesIt() throws {
        let course = try TestCourse(["notes/a.md": Self.code, "notes/b.md": "# Prose\n\n> [!TIP]\n> Text.\n"])
        let summary = try course.build()
        #expect(summary.warnings.isEmpty)
        let files = try course.snapshot()
        #expect(files[Highlighting.sitePath] == Data("/* highlight.js */".utf8))
        for asset in ["assets/code.js", "assets/code.css", "assets/alerts.css"] {
            #expect(files[asset] != nil, "\(asset) is missing")
        }
        let page = try course.page("notes/a.html")
        #expect(page.contains("<link rel=\"stylesheet\" href=\"../assets/alerts.css\">\n<link rel=\"stylesheet\" href=\"../assets/code.css\">"))
        #expect(page.contains("<script src=\"../assets/code.js\" defer></script>"))
        #expect(page.contains("<pre><code class=\"language-python\">def f(x):\n    return 2 * x\n</code></pre>"))
        #expect(try course.page("notes/b.html").contains("<div class=\"markdown-alert markdown-alert-tip\">"))
    }

    @Test func withoutHighlightJSCodeIsPlainAndTheBuildSaysWhy() throws {
        let course = try TestCourse(["notes/a.md": Self.code])
        var options = course.options()
        options.highlight = course.root.appendingPathComponent("no-such-folder")
        let summary = try Site.build(options)
        #expect(summary.warnings.map(\.description) == [
            "highlight.js not found at \(options.highlight.path) (Debian package libjs-highlight.js; "
                + "`bash scripts/setup` installs it): code blocks show without colours",
        ])
        #expect(try course.snapshot()[Highlighting.sitePath] == Data(Highlighting.standIn.utf8))
        #expect(try course.page("notes/a.html").contains("<pre><code class=\"language-python\">"))
        options.strict = true
        #expect(throws: BuildFailure.self) { try Site.build(options) }
    }

    @Test func aCourseWithoutCodeToColourNeedsNoHighlightJS() throws {
        let course = try TestCourse([
            "notes/a.md": "# Plain\n\n```\nno language\n```\n\n```text\nplain text\n```\n\n    indented\n",
        ])
        var options = course.options(strict: true)
        options.highlight = course.root.appendingPathComponent("no-such-folder")
        #expect(try Site.build(options).warnings.isEmpty)
    }

    @Test func courseYmlTurnsTabTablesAndAlertsOff() throws {
        let page = "# Off\n\na\tb\nc\td\n\n> [!NOTE]\n> Text.\n"
        let on = try TestCourse(["notes/a.md": page])
        try on.build()
        #expect(try on.page("notes/a.html").contains("<table>"))
        #expect(try on.page("notes/a.html").contains("markdown-alert-note"))
        let off = try TestCourse(["course.yml": "markdown:\n  tab-tables: false\n  alerts: false\n", "notes/a.md": page])
        #expect(try off.build().warnings.isEmpty)
        let html = try off.page("notes/a.html")
        #expect(html.contains("<p>a\tb\nc\td</p>"))
        #expect(html.contains("<blockquote>\n<p>[!NOTE]\nText.</p>\n</blockquote>"))
    }

    @Test func aBadMarkdownKeyFailsTheBuildAtItsLine() throws {
        let course = try TestCourse(["course.yml": "title: T\nmarkdown:\n  tab-tables: sometimes\n", "notes/a.md": "# A\n"])
        #expect(course.failures() == ["course.yml:3: `markdown: tab-tables:` must be true or false, not 'sometimes'"])
    }

    @Test func linksInsideATabTableAreCheckedAtTheirLine() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\nname\tpage\nLSTM\t[lstm](lstm.md)\n"])
        let summary = try course.build()
        #expect(summary.warnings.map(\.description) == ["notes/a.md:4: broken link 'lstm.md': no page notes/lstm.md in the course"])
    }
}
