import Foundation
import Testing
@testable import Renderer

@Suite struct SiteBuildTests {
    static let neuron = """
        ```unrolled
        model: neuron
        x: 1, 2
        w: 0.5, 0.25
        b: -0.5
        title: One neuron
        caption: A first look.
        ```
        """

    @Test func aCourseBuildsIntoPagesAnIndexAssetsAndCopiedImages() throws {
        let course = try TestCourse([
            "course.yml": "title: Test course\nauthor: T. Tester\nchapters:\n  - notes/b.md\n  - notes/a.md\n",
            "notes/a.md": "# Alpha\n\nSee [beta](b.md#second) and ![a cell](images/cell.png).\n",
            "notes/b.md": "---\ntitle: Beta page\nsummary: The second.\n---\n\n## First\n\ntext\n\n## Second\n",
            "notes/images/cell.png": "PNG",
        ])
        let summary = try course.build()
        #expect(summary.pages == 2)
        #expect(summary.files == 1)
        #expect(summary.warnings.isEmpty)
        let alpha = try course.page("notes/a.html")
        #expect(alpha.contains(#"<a href="b.html#second">beta</a>"#))
        #expect(alpha.contains(#"<img src="images/cell.png" alt="a cell" />"#))
        #expect(alpha.contains(#"<a class="previous" rel="prev" href="b.html">← Beta page</a>"#))
        #expect(alpha.contains(#"<li class="current"><a href="a.html" aria-current="page">Alpha</a></li>"#))
        let index = try course.page("index.html")
        #expect(index.contains("<title>Test course</title>"))
        #expect(index.contains(#"<li><a href="notes/b.html">Beta page</a><p>The second.</p></li>"#))
        #expect(index.range(of: "notes/b.html")!.lowerBound < index.range(of: "notes/a.html")!.lowerBound)
        let beta = try course.page("notes/b.html")
        #expect(beta.contains(##"<li><a href="#second">Second</a></li>"##))
        #expect(beta.contains(#"<a class="next" rel="next" href="a.html">Alpha →</a>"#))
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("notes/images/cell.png").path))
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("assets/site.css").path))
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("assets/math.js").path))
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("assets/katex/katex.min.js").path))
    }

    /// A rebuild links the old site's files that it would write again byte for byte (no new inode,
    /// nothing written), writes the changed ones, and never takes over what is not a plain file
    /// of the old site (a symbolic link planted there is replaced by the file itself).
    @Test func aRebuildLinksUnchangedFilesAndWritesChangedOnes() throws {
        let course = try TestCourse(["notes/a.md": "# Alpha\n\ntext\n", "notes/b.md": "# Beta\n\ntext\n"])
        try course.build()
        func inode(_ path: String) throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: course.output.appendingPathComponent(path).path)[.systemFileNumber] as? Int) ?? -1
        }
        let before = try ["notes/a.html", "notes/b.html", "assets/site.css", "assets/katex/katex.min.js"].map(inode)
        let site = try course.snapshot()
        try course.build()
        #expect(try course.snapshot() == site)
        let after = try ["notes/a.html", "notes/b.html", "assets/site.css", "assets/katex/katex.min.js"].map(inode)
        #expect(after == before, "\(after) \(before)")

        try course.write("notes/b.md", "# Beta\n\nnew text\n")
        let planted = course.root.appendingPathComponent("elsewhere.css")
        try Data(site["assets/site.css"]!).write(to: planted)
        try FileManager.default.removeItem(at: course.output.appendingPathComponent("assets/site.css"))
        try FileManager.default.createSymbolicLink(at: course.output.appendingPathComponent("assets/site.css"), withDestinationURL: planted)
        try course.build()
        #expect(try inode("notes/a.html") == before[0])
        #expect(try inode("notes/b.html") != before[1])
        #expect(try course.page("notes/b.html").contains("new text"))
        let css = try FileManager.default.attributesOfItem(atPath: course.output.appendingPathComponent("assets/site.css").path)
        #expect(css[.type] as? FileAttributeType == .typeRegular)
        #expect(try Data(contentsOf: course.output.appendingPathComponent("assets/site.css")) == site["assets/site.css"])
    }

    @Test func theSearchIndexHoldsTitlesHeadingsAndTextButNotTraceData() throws {
        let course = try TestCourse([
            "notes/a.md": "# Gates\n\n## The forget gate\n\nIt decides what the cell keeps.\n\n" + Self.neuron + "\n",
        ])
        try course.build()
        let index = try course.page(SearchIndex.path)
        #expect(index.hasPrefix("window.unrolledSearchIndex = [{"))
        #expect(index.contains(#""href":"notes/a.html""#))
        #expect(index.contains(#"{"id":"the-forget-gate","text":"The forget gate"}"#))
        #expect(index.contains("It decides what the cell keeps."))
        #expect(index.contains("One neuron"))
        #expect(!index.contains("sigmoid_backward"))
        #expect(!index.contains("#"))
        #expect(!index.contains("<"))
    }

    @Test func theTableOfContentsNestsLevelThreeAndRendersMath() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n## Gates $f_t$\n\n### Forget\n\n## Cell\n"])
        try course.build()
        let page = try course.page("notes/a.html")
        #expect(page.contains(##"<li><a href="#gates-f_t">Gates <span class="math inline">"##))
        #expect(page.contains(##"<ul><li><a href="#forget">Forget</a></li></ul></li>"##))
        #expect(page.contains(##"<li><a href="#cell">Cell</a></li>"##))
    }

    @Test func withoutCourseYmlEveryMarkdownFileIsAPageOrderedByFrontMatterThenName() throws {
        let course = try TestCourse([
            "zeta.md": "---\norder: 1\n---\n# Zeta first\n",
            "part/alpha.md": "# Alpha\n",
            "_drafts/hidden.md": "# Not a page\n",
        ])
        let summary = try course.build()
        #expect(summary.pages == 2)
        let index = try course.page("index.html")
        #expect(index.contains(#"<a href="zeta.html">Zeta first</a>"#))
        #expect(index.contains(#"<a href="part/alpha.html">Alpha</a>"#))
        #expect(index.range(of: "zeta.html")!.lowerBound < index.range(of: "part/alpha.html")!.lowerBound)
        #expect(!index.contains("Not a page"))
        #expect(try course.page("part/alpha.html").contains(#"href="../assets/site.css""#))
    }

    @Test func aDirectiveBecomesAViewerElementNamingItsTracesScriptAndAStaticSummary() throws {
        let course = try TestCourse(["notes/n.md": "# N\n\n" + Self.neuron + "\n"])
        let summary = try course.build()
        #expect(summary.traces == 1)
        let page = try course.page("notes/n.html")
        #expect(page.contains(#"<figure class="unrolled-figure">"#))
        #expect(page.contains(#"<unrolled-trace id="n-1" trace-id="n-1" data-title="One neuron" data-src="../traces/n-1.js" tabindex="0">"#))
        // The data is not in the page: the script holds it, once for the site.
        #expect(!page.contains("unrolled-trace-data"))
        let trace = try course.siteTrace("n-1")
        #expect(trace.model == "neuron")
        #expect(trace.steps.count == 21)
        #expect(page.contains(#"<p class="trace-title">One neuron</p>"#))
        #expect(page.contains("<code>neuron</code> · 21 steps over"))
        #expect(page.contains("<div><dt>activation</dt><dd>sigmoid</dd></div>"))
        #expect(page.contains(#"<figcaption>A first look. <a class="trace-page-link" href="../traces/n-1.html">Open on its own page</a></figcaption>"#))
        #expect(page.contains(#"<script src="../assets/viewer/viewer.js" defer></script>"#))
        #expect(!page.contains("```"))
    }

    @Test func aCaptionIsMarkdownWithMath() throws {
        let course = try TestCourse(["notes/n.md": "```unrolled\nmodel: neuron\ncaption: The *error signal* $e = y - t$ & more\n```\n"])
        try course.build()
        #expect(try course.page("notes/n.html").contains(
            #"<figcaption>The <em>error signal</em> <span class="math inline">e = y - t</span> &amp; more <a class="trace-page-link""#))
    }

    @Test func theSameDirectiveIsComputedOnceAndLaterBuildsReadTheCache() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n" + Self.neuron + "\n\n" + Self.neuron + "\n",
            "notes/b.md": "# B\n\n" + Self.neuron + "\n",
        ])
        let first = try course.build()
        #expect(first.traces == 3)
        #expect(first.tracesComputed == 1)
        #expect(first.tracesFromCache == 0)
        let second = try course.build()
        #expect(second.tracesComputed == 0)
        #expect(second.tracesFromCache == 1)
        #expect(try course.page("notes/a.html") == (try course.page("notes/a.html")))
        try course.write("notes/b.md", "# B\n\n" + Self.neuron.replacingOccurrences(of: "b: -0.5", with: "b: 0.5") + "\n")
        let third = try course.build()
        #expect(third.tracesComputed == 1)
        #expect(third.tracesFromCache == 1)
    }

    @Test func aTraceFileIsEmbeddedAndABadOneIsAnError() throws {
        let course = try TestCourse(["notes/n.md": "# N\n\n" + Self.neuron + "\n"])
        try course.build()
        #expect(course.cachedTraces().count == 1)
        let original = String(decoding: try course.siteTrace("n-1").jsonData(), as: UTF8.self)
        try course.write("traces/neuron.json", original)
        try course.write("notes/n.md", "# N\n\n```unrolled\nsrc: ../traces/neuron.json\ntitle: From a file\n```\n")
        try course.build()
        #expect(try course.page("notes/n.html").contains(#"<p class="trace-title">From a file</p>"#))
        let edited = original.replacingOccurrences(of: "[0.6224593312018546]", with: "[0.7]")
        #expect(edited.contains("[0.7]"))
        try course.write("traces/neuron.json", edited)
        // The error names the trace's line and column: those of the edited value, after its "[".
        let column = edited[..<edited.range(of: "[0.7]")!.lowerBound].unicodeScalars.count + 2
        #expect(course.failures() == [
            "notes/n.md:3: traces/neuron.json:1:\(column): not a valid Unrolled trace: tensors[6].data[0]: step 2 (sigmoid) gives 0.6224593312018546 at position 0, the trace records 0.7; remake it with `unrolled trace`"
        ])
        try course.write("traces/bad.json", "{\"format\": \"something-else\"}")
        try course.write("notes/n.md", "# N\n\n```unrolled\nsrc: ../traces/bad.json\n```\n\n```unrolled\nsrc: ../traces/none.json\n```\n")
        let failures = course.failures()
        #expect(failures.count == 2)
        #expect(failures.first?.hasPrefix(#"notes/n.md:3: traces/bad.json:1:12: not a valid Unrolled trace: format: expected "unrolled-trace""#) == true)
        #expect(failures.last?.hasPrefix("notes/n.md:7: trace '../traces/none.json' not found") == true)
    }
}
