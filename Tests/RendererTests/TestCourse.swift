import Foundation
@testable import Renderer

/// A course folder in a fresh temporary folder, removed when the test's value goes away.
final class TestCourse {
    let root: URL
    var course: URL { root.appendingPathComponent("course") }
    var output: URL { course.appendingPathComponent("_site") }

    init(_ files: [String: String]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-site-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: course, withIntermediateDirectories: true)
        // A stand-in for Debian's KaTeX, so that the tests do not depend on libjs-katex being installed.
        let katex = root.appendingPathComponent("katex")
        try FileManager.default.createDirectory(at: katex, withIntermediateDirectories: true)
        try Data("/* katex */".utf8).write(to: katex.appendingPathComponent("katex.min.js"))
        try Data("/* katex */".utf8).write(to: katex.appendingPathComponent("katex.min.css"))
        // And for Debian's highlight.js.
        let highlight = root.appendingPathComponent("highlight")
        try FileManager.default.createDirectory(at: highlight, withIntermediateDirectories: true)
        try Data("/* highlight.js */".utf8).write(to: highlight.appendingPathComponent("highlight.min.js"))
        for (path, text) in files { try write(path, text) }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ path: String, _ text: String) throws {
        let url = course.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func options(strict: Bool = false, output: URL? = nil) -> SiteOptions {
        var options = SiteOptions(course: course, output: output ?? self.output)
        options.strict = strict
        options.katex = root.appendingPathComponent("katex")
        options.highlight = root.appendingPathComponent("highlight")
        return options
    }

    @discardableResult
    func build(strict: Bool = false) throws -> BuildSummary {
        try Site.build(options(strict: strict))
    }

    /// The messages of a build that must fail (empty when it succeeds).
    func failures(strict: Bool = false) -> [String] {
        do {
            _ = try Site.build(options(strict: strict))
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    func page(_ path: String) throws -> String {
        try String(contentsOf: output.appendingPathComponent(path), encoding: .utf8)
    }

    /// Every file of the site with its bytes, by relative path.
    func snapshot() throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = output.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return files }
        for case let path as String in walker {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isFolder)
            if !isFolder.boolValue { files[path] = FileManager.default.contents(atPath: base + "/" + path) }
        }
        return files
    }
}
