import Foundation
import Testing
@testable import Renderer

@Suite struct SiteSafetyTests {
    @Test func warningsNameFileAndLineAndFailTheBuildWithStrict() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n![missing](images/none.png)\n\nSee [the other page](nowhere.md).\n"
        ])
        let summary = try course.build()
        #expect(summary.warnings.map(\.description) == [
            "notes/a.md:3: image 'images/none.png' not found (looked for notes/images/none.png); the page shows its alt text",
            "notes/a.md:5: broken link 'nowhere.md': no page notes/nowhere.md in the course",
        ])
        #expect(try course.page("notes/a.html").contains(#"alt="missing""#))
        let strict = course.failures(strict: true)
        #expect(strict.count == 2)
        #expect(strict.allSatisfy { $0.hasSuffix("(an error with --strict)") })
    }

    @Test func linksToMissingHeadingsAreWarnings() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n## Gates\n\n[ok](#gates) [here](#gatez) [there](b.md#cell) [gone](b.md#cel) [nowhere](#)\n",
            "notes/b.md": "# B\n\n## Cell\n\n<a id=\"raw\"></a>[raw anchor](#raw)\n",
        ])
        let summary = try course.build()
        #expect(summary.warnings.map(\.description) == [
            "notes/a.md:5: broken link '#gatez': this page has no heading #gatez (its headings are #a, #gates)",
            "notes/a.md:5: broken link 'b.md#cel': notes/b.md has no heading or HTML anchor #cel (its headings are #b, #cell)",
        ])
    }

    @Test func imagesInRawHTMLAreCopiedOrReported() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n<img src=\"images/here.png\" width=300>\n\n| x |\n|---|\n| <img src='images/gone.png'> |\n",
            "notes/images/here.png": "PNG",
        ])
        let summary = try course.build()
        #expect(summary.warnings.map(\.description) == [
            "notes/a.md:7: image 'images/gone.png' not found (looked for notes/images/gone.png); the page shows its alt text"
        ])
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("notes/images/here.png").path))
    }

    @Test func aFailingBuildLeavesThePreviousSiteByteIdentical() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n```unrolled\nmodel: neuron\n```\n",
            "notes/b.md": "# B\n",
        ])
        try course.build()
        let before = try course.snapshot()
        #expect(before["notes/a.html"] != nil)
        try course.write("notes/a.md", "# A changed\n\n```unrolled\nmodel: neuronn\n```\n")
        try course.write("notes/c.md", "# C new\n")
        #expect(course.failures().count == 1)
        #expect(try course.snapshot() == before)
        // Nothing of the build is left in the course folder but its trace cache.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: course.course.path).filter { $0.hasPrefix(".") }
        #expect(leftovers == [SiteOptions.cacheFolderName])
    }

    @Test func aSuccessfulRebuildReplacesTheWholeSite() throws {
        let course = try TestCourse(["notes/a.md": "# A\n", "notes/b.md": "# B\n"])
        try course.build()
        try FileManager.default.removeItem(at: course.course.appendingPathComponent("notes/b.md"))
        try course.build()
        #expect(try course.snapshot()["notes/b.html"] == nil)
        #expect(try course.snapshot()["notes/a.html"] != nil)
    }

    @Test func outputFoldersThatWouldDestroyOtherFilesAreRefused() throws {
        let course = try TestCourse(["notes/a.md": "# A\n"])
        func refusal(_ output: URL) -> String? { Site.refusal(output: output, course: course.course) }
        #expect(refusal(course.course)?.contains("the course folder itself") == true)
        #expect(refusal(course.root)?.contains("contains the course folder") == true)
        #expect(refusal(URL(fileURLWithPath: "/"))?.contains("refusing to write the site to /") == true)
        #expect(refusal(FileManager.default.homeDirectoryForCurrentUser)?.contains("home folder") == true)
        let foreign = course.root.appendingPathComponent("documents")
        try FileManager.default.createDirectory(at: foreign, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: foreign.appendingPathComponent("letter.txt"))
        #expect(refusal(foreign)?.contains("was not made by `unrolled build`") == true)
        #expect(throws: BuildFailure.self) { try Site.build(course.options(output: foreign)) }
        #expect(FileManager.default.contents(atPath: foreign.appendingPathComponent("letter.txt").path) == Data("keep me".utf8))
        #expect(refusal(course.output) == nil)
        try course.build()
        #expect(refusal(course.output) == nil)
    }
}
