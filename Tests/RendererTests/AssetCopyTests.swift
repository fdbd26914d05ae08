import Foundation
import Testing
@testable import Renderer

/// The assets are copied on a thread of their own while the build runs (`AssetCopy`): what that
/// copy reports still reaches the build's log, and no way out of a build leaves it writing.
@Suite("Assets copied beside the build")
struct AssetCopyTests {
    /// The source tree's templates copied into the course's temporary folder, to be changed.
    func templates(in course: TestCourse) throws -> URL {
        let copy = course.root.appendingPathComponent("templates")
        try FileManager.default.copyItem(at: Templates.locate(), to: copy)
        return copy
    }

    @Test func everyAssetOfTheTemplatesIsInTheSite() throws {
        let course = try TestCourse(["notes/a.md": "# A\n"])
        try course.build()
        let assets = try Templates.locate().appendingPathComponent("assets")
        for case let path as String in FileManager.default.enumerator(atPath: assets.path)! {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: assets.appendingPathComponent(path).path, isDirectory: &isFolder)
            guard !isFolder.boolValue else { continue }
            #expect(FileManager.default.contents(atPath: course.output.appendingPathComponent("assets/" + path).path)
                == FileManager.default.contents(atPath: assets.appendingPathComponent(path).path), "\(path)")
        }
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("assets/katex/katex.min.js").path))
    }

    @Test func theCopysWarningReachesTheBuild() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n$x$\n"])
        var options = course.options()
        options.katex = course.root.appendingPathComponent("no-katex-here")
        let summary = try Site.build(options)
        #expect(summary.warnings.map(\.message).contains { $0.hasPrefix("KaTeX not found at ") })
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("assets/viewer/viewer.js").path))
    }

    @Test func aCopyThatFailsFailsTheBuildAndLeavesTheOldSite() throws {
        let course = try TestCourse(["notes/a.md": "# A\n"])
        try course.build()
        let before = try course.snapshot()
        // `assets` a file where a folder must be: the copy cannot put it in place.
        let templates = try templates(in: course)
        try FileManager.default.removeItem(at: templates.appendingPathComponent("assets"))
        try Data("not a folder".utf8).write(to: templates.appendingPathComponent("assets"))
        var options = course.options()
        options.templates = templates
        let failure = try #require(throws: BuildFailure.self) { try Site.build(options) }
        #expect(failure.errors.map(\.message).contains { $0.hasPrefix("cannot copy the assets: ") })
        #expect(try course.snapshot() == before)
        #expect(SiteStagingTests.names(course.course) == ["_site", "notes"])
    }

    @Test func aBuildThatFailsWhileTheAssetsAreCopiedLeavesNothingBehind() throws {
        // The course's error is found long before the copy of 60 files is done.
        let course = try TestCourse(["notes/a.md": "```unrolled\nmodel: neuronn\n```\n"])
        for _ in 0..<5 {
            #expect(course.failures().count == 1)
            #expect(SiteStagingTests.names(course.course) == ["notes"])
        }
    }
}
