import Foundation
import Testing
@testable import Renderer

/// Anchors written in a page's raw HTML are link targets, however their attribute is quoted.
@Suite struct HTMLAnchorTests {
    @Test func everyWayOfWritingAnIdOrAnAnchorNameCounts() {
        let html = """
            <a name='single'></a> <a name="double"> <A NAME=bare> <span id=unquoted>x</span>
            <div id='sq' class=x> <p ID = "spaced"> <img src=x id=self-closed/> <h2 class="c" id="last">
            <section
              id="multi-line"
            > <a href=#x name=after-href>
            """
        #expect(htmlAnchors(in: html) == [
            "single", "double", "bare", "unquoted", "sq", "spaced", "self-closed/", "last", "multi-line", "after-href",
        ])
    }

    @Test func whatIsNotAnAnchorIsLeftOut() {
        // `name` names a link target only on `<a>`; `data-id`, `grid` and text are not ids; an empty
        // id is none; a tag without its `>` is text in CommonMark and in the browser alike.
        let html = """
            <input name="field"> <div data-id="d" grid="g"> id="text" <abbr name=n>
            <p id=""> <span id="unclosed" <b id='broken
            """
        #expect(htmlAnchors(in: html) == [])
        #expect(htmlAnchors(in: "<span id=\"a\">b</span> <q id=c>") == ["a", "c"])
    }

    /// A megabyte of unfinished tags finds nothing and ends (its speed is `make bench`'s to measure).
    @Test func hostileTextIsRead() {
        for unit in ["<a x=\"", "<a x='", "<", "<a id=", "<a "] {
            let text = String(repeating: unit, count: (1 << 20) / unit.utf8.count)
            #expect(htmlAnchors(in: text).isEmpty, "\(unit)")
        }
        #expect(htmlAnchors(in: String(repeating: "<a id=\"1\" ", count: 1 << 16)).isSubset(of: ["1"]))
    }

    @Test func linksToRawHTMLAnchorsAreNotBroken() throws {
        let course = try TestCourse([
            "notes/a.md": """
                # A

                <a name='single'></a>Text.

                <span id=bare>x</span> and <div id='quoted'>y</div>

                """,
            "notes/b.md": "# B\n\n[1](a.md#single) [2](a.md#bare) [3](a.md#quoted) [4](#here) <a id=here></a>\n\n[5](a.md#nowhere)\n",
        ])
        let warnings = try course.build().warnings.map(\.description)
        #expect(warnings == [
            "notes/b.md:5: broken link 'a.md#nowhere': notes/a.md has no heading or HTML anchor #nowhere (its headings are #a)",
        ])
        #expect(try course.page("notes/b.html").contains("<a href=\"a.html#single\">1</a> <a href=\"a.html#bare\">2</a>"))
    }
}
