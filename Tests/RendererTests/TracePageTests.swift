import Foundation
import Testing
@testable import Renderer

/// Trace ids (deep links, standalone pages), the standalone pages `traces/<id>.html`, and the
/// course's `index.md` introduction.
@Suite struct TracePageTests {
    static func directive(_ extra: String = "") -> String {
        "```unrolled\nmodel: neuron\nx: 1, 2\nw: 0.5, 0.25\nb: -0.5\n\(extra)```\n"
    }

    @Test(arguments: [
        ("notes/06-lstm.md", 1, "lstm-1"),
        ("notes/06-lstm.md", 3, "lstm-3"),
        ("notes/Word Embeddings.md", 2, "word-embeddings-2"),
        ("intro.md", 1, "intro-1"),
        ("notes/2024.md", 1, "2024-1"),
        ("notes/__.md", 1, "trace-1"),
    ])
    func aTraceIDComesFromThePageNameWithoutItsChapterNumber(source: String, number: Int, expected: String) {
        #expect(TraceFigure.defaultID(pageSource: source, number: number) == expected)
    }

    @Test func everyTraceGetsAStandalonePageThatLinksBackToItsChapter() throws {
        let course = try TestCourse([
            "notes/01-neuron.md": "# The neuron\n\n" + Self.directive("title: First\n") + "\n" + Self.directive("id: second-look\n"),
        ])
        try course.build()
        let page = try course.page("notes/01-neuron.html")
        #expect(page.contains(#"<unrolled-trace id="neuron-1" trace-id="neuron-1" data-title="First""#))
        #expect(page.contains(#"<unrolled-trace id="second-look" trace-id="second-look""#))
        let standalone = try course.page("traces/neuron-1.html")
        #expect(standalone.contains(#"<unrolled-trace id="neuron-1" trace-id="neuron-1" data-title="First""#))
        #expect(standalone.contains(#"<body class="trace-page">"#))
        #expect(standalone.contains(#"From <a href="../notes/01-neuron.html#neuron-1" target="_top">The neuron</a>"#))
        #expect(standalone.contains(#"<script src="../assets/viewer/viewer.js" defer></script>"#))
        // An iframe's page needs neither the sidebar nor the search index, nor a link to itself.
        #expect(!standalone.contains("search-index.js"))
        #expect(!standalone.contains("trace-page-link"))
        #expect(try course.page("traces/second-look.html").contains(#"trace-id="second-look""#))
        // The standalone page and the chapter load one script, written once.
        #expect(page.contains(#"data-src="../traces/neuron-1.js""#))
        #expect(standalone.contains(#"data-src="neuron-1.js""#))
        #expect(try course.siteTrace("neuron-1").title == (try course.siteTrace("second-look").title))
    }

    @Test func aTraceIDUsedTwiceOrUnusableIsAnErrorNamingBothPlaces() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n" + Self.directive("id: shared\n"),
            "notes/b.md": "# B\n\ntext\n\n" + Self.directive("id: shared\n") + "\n" + Self.directive("id: Not OK\n"),
        ])
        #expect(course.failures() == [
            "notes/b.md:5: trace id 'shared' is already used at notes/a.md:3; give this trace another `id:`",
            "notes/b.md:18: id 'Not OK' is not usable in a link or a file name; use lower-case letters, digits and '-' (e.g. `id: forget-gate`)",
        ])
    }

    @Test func madeUpIDsThatCollideGetASuffix() throws {
        let course = try TestCourse([
            "notes/1-lstm.md": "# A\n\n" + Self.directive(),
            "notes/2-lstm.md": "# B\n\n" + Self.directive(),
        ])
        try course.build()
        #expect(try course.page("notes/1-lstm.html").contains(#"trace-id="lstm-1""#))
        #expect(try course.page("notes/2-lstm.html").contains(#"trace-id="lstm-1-2""#))
        #expect(try course.page("traces/lstm-1-2.html").contains("<unrolled-trace"))
    }

    @Test func indexMdIsTheIntroductionOnTheIndexPageNotAChapter() throws {
        let course = try TestCourse([
            "index.md": "# Welcome\n\nStart with [the neuron](notes/01-neuron.md), math $x_1$ too.\n",
            "notes/01-neuron.md": "# The neuron\n",
        ])
        let summary = try course.build()
        #expect(summary.pages == 1)
        let index = try course.page("index.html")
        #expect(index.contains(#"<section class="introduction">"#))
        #expect(index.contains(#"<a href="notes/01-neuron.html">the neuron</a>"#))
        #expect(index.contains(#"<span class="math inline">x_1</span>"#))
        #expect(index.contains(#"<h2 class="chapters-heading">Chapters</h2>"#))
        #expect(!FileManager.default.fileExists(atPath: course.output.appendingPathComponent("index-page.html").path))
    }

    @Test func aBrokenLinkInTheIntroductionIsReportedWithItsLine() throws {
        let course = try TestCourse([
            "index.md": "# Welcome\n\nSee [missing](notes/nope.md).\n",
            "notes/a.md": "# A\n",
        ])
        let failures = course.failures(strict: true)
        #expect(failures.count == 1, "\(failures)")
        #expect(failures.first?.hasPrefix("index.md:3: broken link 'notes/nope.md'") == true)
    }

    /// As on a page: `<img>` written as raw HTML in `index.md` is copied, and one that is missing is a warning.
    @Test func theIntroductionsRawImagesAreCopiedOrReported() throws {
        let course = try TestCourse([
            "index.md": "# Welcome\n\n<img src=\"images/logo.png\" width=\"100\">\n\n<img src=\"images/gone.png\">\n",
            "images/logo.png": "png",
            "notes/a.md": "# A\n",
        ])
        let summary = try course.build()
        #expect(try course.page("images/logo.png") == "png")
        #expect(summary.warnings.map(\.description) == [
            "index.md:5: image 'images/gone.png' not found (looked for images/gone.png); the page shows its alt text"
        ])
    }

    @Test func withoutANotesFolderIndexMdIsStillOnlyTheIntroduction() throws {
        let course = try TestCourse(["index.md": "# Welcome\n", "a.md": "# A\n"])
        let summary = try course.build()
        #expect(summary.pages == 1)
        #expect(try course.page("index.html").contains("Welcome"))
    }
}
