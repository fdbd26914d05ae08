import Foundation
import Synchronization
import Testing
@testable import Renderer

/// A build writes nothing outside its output folder: it stages inside it and swaps by renames there.
@Suite struct SiteStagingTests {
    static let neuron = "```unrolled\nmodel: neuron\nx: 1, 2\nw: 0.5, 0.25\nb: -0.5\n```\n"

    /// The names in `folder`, sorted (hidden ones included).
    static func names(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test func nothingAppearsBesideTheOutputFolderDuringOrAfterABuild() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n" + Self.neuron, "notes/b.md": "# B\n"])
        let output = course.root.appendingPathComponent("public/site")
        let parent = output.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        let before = Self.names(parent)
        #expect(before.isEmpty)
        for _ in 0..<2 {  // into a new output folder, then over the site it holds
            var options = course.options(output: output)
            let during = Listing()
            options.progress = { _ in during.record(Self.names(parent), inside: Self.names(output)) }
            _ = try Site.build(options)
            let (beside, inside) = during.seen.withLock { ($0.beside, $0.inside) }
            #expect(!beside.isEmpty)
            #expect(beside.allSatisfy { $0 == [] || $0 == ["site"] })
            // While the build runs, its staging folder is inside the output folder.
            #expect(inside.contains { $0.contains { $0.hasPrefix(".unrolled-staging-") } })
            #expect(Self.names(parent) == ["site"])
            #expect(Self.names(output).allSatisfy { !$0.hasPrefix(".unrolled-") || $0 == ".unrolled-site" })
            #expect(Self.names(output).contains("index.html"))
        }
        // The trace cache is the course's, not the site's, and the second build reused it.
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent(".cache").path))
        #expect(course.cachedTraces().count == 1)
        #expect(try Site.build(course.options(output: output)).tracesFromCache == 1)
    }

    @Test func aFailedBuildLeavesTheOldOutputByteIdenticalAndNothingElse() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n" + Self.neuron, "notes/b.md": "# B\n"])
        try course.build()
        let before = try course.snapshot()
        let names = Self.names(course.output)
        let beside = Self.names(course.course)
        try course.write("notes/a.md", "# A\n\n```unrolled\nmodel: neuronn\n```\n")
        #expect(course.failures().count == 1)
        #expect(try course.snapshot() == before)
        #expect(Self.names(course.output) == names)
        #expect(Self.names(course.course) == beside)
    }

    @Test func aFailedFirstBuildLeavesNoOutputFolder() throws {
        let course = try TestCourse(["notes/a.md": "```unrolled\nmodel: neuronn\n```\n"])
        #expect(course.failures().count == 1)
        #expect(!FileManager.default.fileExists(atPath: course.output.path))
        #expect(Self.names(course.course) == ["notes"])
        // Nor the folders it made on the way to a deeper output folder.
        let before = Self.names(course.root)
        let deep = course.root.appendingPathComponent("public/2026/site")
        #expect(throws: BuildFailure.self) { try Site.build(course.options(output: deep)) }
        #expect(Self.names(course.root) == before)
    }

    @Test func aCrashedBuildsLeftoversAreRemovedByTheNextBuild() throws {
        let course = try TestCourse(["notes/a.md": "# A\n"])
        try course.build()
        // What a build killed mid-way leaves: its staging folder, and (killed during the swap) old entries.
        // Int32.max is no running process.
        let staging = course.output.appendingPathComponent(".unrolled-staging-\(Int32.max)")
        let old = course.output.appendingPathComponent(".unrolled-old-\(Int32.max)")
        for folder in [staging, old] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("notes"), withIntermediateDirectories: true)
            try Data("half a site".utf8).write(to: folder.appendingPathComponent("notes/a.html"))
        }
        try course.build()
        #expect(Self.names(course.output) == [".unrolled-site", "assets", "index.html", "notes"])
    }

    @Test func anOutputFolderHoldingOnlyACrashedFirstBuildIsNotRefused() throws {
        let course = try TestCourse(["notes/a.md": "# A\n"])
        let staging = course.output.appendingPathComponent(".unrolled-staging-\(Int32.max)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: staging.appendingPathComponent("index.html"))
        #expect(Site.refusal(output: course.output, course: course.course) == nil)
        try course.build()
        #expect(Self.names(course.output) == [".unrolled-site", "assets", "index.html", "notes"])
    }

    @Test func aRunningBuildsStagingFolderIsLeftAlone() throws {
        let course = try TestCourse(["notes/a.md": "# A\n"])
        // This process is running: the folder stands for another build into the same output right now.
        let parentID = getppid()
        let other = course.output.appendingPathComponent(".unrolled-staging-\(parentID)")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try course.build()
        #expect(FileManager.default.fileExists(atPath: other.path))
        #expect(try course.snapshot()["notes/a.html"] != nil)
    }
}

/// What a build's progress callback saw, from the build's thread: the names beside the output
/// folder and in it, at each call.
private final class Listing: Sendable {
    let seen = Mutex((beside: [[String]](), inside: [[String]]()))

    func record(_ beside: [String], inside: [String]) {
        seen.withLock {
            $0.beside.append(beside)
            $0.inside.append(inside)
        }
    }
}
