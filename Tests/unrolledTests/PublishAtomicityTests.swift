import Foundation
import Testing

/// Putting a new site in place is one atomic step: a build killed at any instant of it leaves the
/// output folder holding the whole old site or the whole new one, and the next build tidies up.
@Suite("unrolled build publishes atomically")
struct PublishAtomicityTests {
    static let oldNotes = ["notes/a.md": "# Old A\n", "notes/b.md": "# Old B\n"]
    static let newNotes = ["notes/a.md": "# New A\n", "notes/c.md": "# New C\n"]

    @Test("a build killed before each step of the swap leaves the whole old or the whole new site", arguments: [
        ("move out", false), ("exchange", false), ("delete the old site", true),
    ])
    func killedAtEachStep(step: String, expectNew: Bool) throws {
        let root = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let course = root.appendingPathComponent("course"), output = root.appendingPathComponent("site")
        let newSite = try build(Self.newNotes, course: course, output: output)
        let oldSite = try build(Self.oldNotes, course: course, output: output)
        #expect(oldSite != newSite)

        try write(Self.newNotes, replacing: Self.oldNotes, in: course)
        let killed = try CLI.run(["build", course.path, "--output", output.path], environment: ["UNROLLED_TEST_KILL_BEFORE": step])
        #expect(killed.status == 9, "the build was to die by SIGKILL before '\(step)': \(killed.standardError)")
        #expect(try snapshot(output) == (expectNew ? newSite : oldSite))

        let next = try CLI.run(["build", course.path, "--output", output.path])
        #expect(next.status == 0, "\(next.standardError)")
        #expect(try snapshot(output) == newSite)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["course", "site"])
    }

    private func build(_ notes: [String: String], course: URL, output: URL) throws -> [String: Data] {
        try? FileManager.default.removeItem(at: course.appendingPathComponent("notes"))
        try write(notes, replacing: [:], in: course)
        let result = try CLI.run(["build", course.path, "--output", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        return try snapshot(output)
    }

    private func write(_ notes: [String: String], replacing old: [String: String], in course: URL) throws {
        for path in old.keys { try? FileManager.default.removeItem(at: course.appendingPathComponent(path)) }
        for (path, text) in notes {
            let url = course.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    /// Every file of the site and its bytes, by relative path (a killed build's own folders left out).
    private func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return files }
        for case let path as String in walker where !path.hasPrefix(".unrolled-") {
            let url = folder.appendingPathComponent(path)
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue {
                files[path] = try Data(contentsOf: url)
            }
        }
        return files
    }
}
