import Foundation
import Testing
@testable import Renderer

/// File names at the edges: long ones, and pairs that are one name on other systems.
@Suite struct PageNameTests {
    @Test func aNameOf200CharactersIsAPageLinkedFromEverywhere() throws {
        let stem = String(repeating: "Wk 1: é#", count: 25)
        #expect(stem.count == 200)
        let course = try TestCourse([
            "notes/\(stem).md": "# Long\n\n```unrolled\nmodel: neuron\n```\n",
            // A `#` in a file name is written `%23` in a link, as on GitHub: `#` starts the fragment.
            "notes/b.md": "# B\n\n[long](<\(stem.replacingOccurrences(of: "#", with: "%23")).md>)\n",
        ])
        try course.build(strict: true)
        let encoded = String(repeating: "Wk%201%3A%20%C3%A9%23", count: 25)
        #expect(try course.page("index.html").contains("<a href=\"notes/\(encoded).html\">Long</a>"))
        #expect(try course.page("notes/b.html").contains("<a href=\"\(encoded).html\">long</a>"))
        let traceID = String(repeating: "wk-1-", count: 25) + "1"
        #expect(try course.page("traces/\(traceID).html").contains("href=\"../notes/\(encoded).html#\(traceID)\""))
    }

    @Test func aNameWhosePageWouldBeTooLongIsAnError() throws {
        let stem = String(repeating: "b", count: 251)
        let course = try TestCourse(["notes/\(stem).md": "# B\n", "notes/ok.md": "# Ok\n"])
        #expect(course.failures() == [
            "notes/\(stem).md: its page would be named \(String(repeating: "b", count: 200))… (256 characters), 256 bytes, over the 255 bytes a file name may have; shorten the file name"
        ])
        // One byte shorter, its page fits.
        try FileManager.default.moveItem(at: course.course.appendingPathComponent("notes/\(stem).md"), to: course.course.appendingPathComponent("notes/\(stem.dropLast()).md"))
        try course.build(strict: true)
        #expect(try course.page("notes/\(stem.dropLast()).html").contains("<title>B · "))
    }

    @Test func aTraceOnAPageWithALongNameGetsAnIdThatFitsAFileName() throws {
        let course = try TestCourse(["notes/\(String(repeating: "a", count: 250)).md": "# A\n\n```unrolled\nmodel: neuron\n```\n"])
        try course.build(strict: true)
        #expect(try course.page("traces/\(String(repeating: "a", count: 200))-1.html").contains("<unrolled-trace"))
    }

    @Test func namesDifferingOnlyInCaseAreAWarning() throws {
        let course = try TestCourse(["notes/Intro.md": "# Upper\n", "notes/intro.md": "# Lower\n"])
        #expect(try course.build().warnings.map(\.description) == [
            "notes/intro.md: its name and notes/Intro.md's differ only in case: on macOS and Windows (a site unzipped or served there) one page replaces the other; rename one"
        ])
        #expect(try course.page("notes/Intro.html").contains("<title>Upper · "))
        #expect(try course.page("notes/intro.html").contains("<title>Lower · "))
    }

    @Test func namesDifferingOnlyInNormalizationAreAnError() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
        let course = try TestCourse(["notes/\(composed).md": "# NFC\n"])
        #expect(try course.build(strict: true).pages == 1)
        #expect(try course.page("index.html").contains("href=\"notes/caf%C3%A9.html\""))
        try course.write("notes/\(decomposed).md", "# NFD\n")
        #expect(course.failures() == [
            "notes/\(composed).md: its name and notes/\(decomposed).md's differ only in how accented letters are encoded (one precomposed, NFC, the other decomposed, NFD): they look alike and are one name on macOS; rename one (as NFC: `convmv -f utf8 -t utf8 --nfc`)"
        ])
    }

    /// A page's output and default title split its file name as Foundation's `URL` does.
    @Test func outputAndTitleSplitTheNameAsURLDoes() {
        for source in ["notes/01-neuron.md", "a.md", "notes/a.b.md", "notes/.hidden.md", "sub/dir/é x.md", "index.md", "notes/noext"] {
            let page = PageSource(source: source)
            let url = URL(fileURLWithPath: source)
            let expected = String(source.dropLast(url.pathExtension.count)) + "html"
            #expect(page.output == (expected == "index.html" ? "index-page.html" : expected), "\(source)")
            #expect(page.title == url.deletingPathExtension().lastPathComponent, "\(source)")
        }
    }
}
