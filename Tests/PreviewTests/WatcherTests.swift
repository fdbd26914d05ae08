import Foundation
import Testing
@testable import Preview

/// The watcher: what it leaves alone, and that a save reaches it (inotify, folders made later too).
@Suite("Watcher")
struct WatcherTests {
    @Test("editors' swap files, hidden files, the trace cache and the built site are ignored")
    func filter() {
        let filter = WatchFilter(output: "public")
        for path in ["notes/.01-a.md.swp", "notes/.01-a.md.swx", "notes/4913", "notes/01-a.md~", "notes/#01-a.md#", ".git/index",
            ".unrolled-cache/traces/x.json", "_site/index.html", "public/notes/a.html", "notes/.DS_Store"] {
            #expect(filter.ignores(path), "\(path)")
        }
        for path in ["notes/01-a.md", "course.yml", "index.md", "notes/img/a.png", "public.md", "notes/_site/x.md"] {
            #expect(!filter.ignores(path), "\(path)")
        }
        #expect(!filter.ignores("_site/x", templates: true))
    }

    @Test("a save, a file in a folder made after the start, and a template reach the watcher; a swap file does not")
    func events() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-watch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let course = root.appendingPathComponent("course"), templates = root.appendingPathComponent("templates")
        for folder in [course.appendingPathComponent("notes"), templates] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        // A longer quiet time than the server's 20 ms: on a loaded machine a file's creation and its
        // close can be that far apart, and the close would then come as a batch of its own, read
        // here as the next write's.
        let watcher = try Watcher(course: course, templates: templates, filter: WatchFilter(output: "_site"),
                                  quiet: .milliseconds(300), longest: .seconds(2))
        defer { watcher.stop() }
        var batches = watcher.batches.makeAsyncIterator()
        func next(after write: () throws -> Void) async throws -> ChangeBatch {
            try write()
            return try #require(await batches.next())
        }
        let saved = try await next {
            try Data("x".utf8).write(to: course.appendingPathComponent("notes/.a.md.swp"))
            try Data("# A\n".utf8).write(to: course.appendingPathComponent("notes/a.md"))
        }
        #expect(saved.course == ["notes/a.md"])
        #expect(!saved.templates)
        let made = try await next {
            try FileManager.default.createDirectory(at: course.appendingPathComponent("notes/img"), withIntermediateDirectories: true)
        }
        #expect(made.course.contains("notes/img"))
        let inside = try await next { try Data("png".utf8).write(to: course.appendingPathComponent("notes/img/x.png")) }
        #expect(inside.course == ["notes/img/x.png"])
        let template = try await next { try Data("{{title}}".utf8).write(to: templates.appendingPathComponent("page.mustache")) }
        #expect(template.templates)
        #expect(template.course.isEmpty)
    }
}
