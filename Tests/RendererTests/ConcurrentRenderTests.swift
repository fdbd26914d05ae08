import Foundation
import Testing
@testable import Renderer

/// Pages render on every core; what a build reports and writes is as if one page went at a time.
@Suite struct ConcurrentRenderTests {
    @Test func concurrentMapKeepsTheOrder() {
        let items = Array(0..<1000)
        #expect(concurrentMap(items) { $0 * $0 } == items.map { $0 * $0 })
        #expect(concurrentMap([Int]()) { $0 }.isEmpty)
    }

    @Test func warningsComeInPageOrderLinksThenRawImages() throws {
        func page(_ name: String) -> String {
            "# \(name)\n\n<img src=\"images/\(name)-raw.png\">\n\nSee [gone](\(name)-gone.md) and ![pic](images/\(name).png).\n"
        }
        let course = try TestCourse(["notes/a.md": page("a"), "notes/b.md": page("b"), "notes/c.md": page("c")])
        let warnings = try course.build().warnings.map(\.description)
        var expected: [String] = []
        for name in ["a", "b", "c"] {
            expected += [
                "notes/\(name).md:5: broken link '\(name)-gone.md': no page notes/\(name)-gone.md in the course",
                "notes/\(name).md:5: image 'images/\(name).png' not found (looked for notes/images/\(name).png); the page shows its alt text",
                "notes/\(name).md:3: image 'images/\(name)-raw.png' not found (looked for notes/images/\(name)-raw.png); the page shows its alt text",
            ]
        }
        #expect(warnings == expected)
    }

    /// Pages are parsed on several threads while cmark-gfm switches its inline extensions'
    /// characters in a global table: every page must still get its strikethrough and autolinks.
    @Test func manyPagesBuildTheSameTwice() throws {
        var files: [String: String] = [:]
        for index in 0..<120 {
            files["notes/p\(index).md"] = "# Page \(index)\n\n~~gone~~ www.example.com $x_\(index)$ | a |\n\n| a | b |\n|---|---|\n| \(index) | ~~y~~ |\n"
        }
        let course = try TestCourse(files)
        try course.build()
        let first = try course.snapshot()
        try course.build()
        #expect(try course.snapshot() == first)
        for index in 0..<120 {
            let page = try course.page("notes/p\(index).html")
            #expect(page.contains("<del>gone</del>"))
            #expect(page.contains("<td><del>y</del></td>"))
            #expect(page.contains("<a href=\"http://www.example.com\">www.example.com</a>"))
            #expect(page.contains("<span class=\"math inline\">x_\(index)</span>"))
        }
    }
}
