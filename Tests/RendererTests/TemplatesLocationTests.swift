import Foundation
import Testing
@testable import Renderer

/// An installed `unrolled` finds its templates without --templates.
@Suite struct TemplatesLocationTests {
    /// A folder tree like an installed prefix: bin/unrolled, share/unrolled/Templates, bin/Templates, env/.
    final class Prefix {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-templates-\(UUID().uuidString)")
        var executable: URL { root.appendingPathComponent("bin/unrolled") }
        var shared: URL { root.appendingPathComponent("share/unrolled/Templates") }
        var beside: URL { root.appendingPathComponent("bin/Templates") }
        var named: URL { root.appendingPathComponent("env/Templates") }
        var source: URL { root.appendingPathComponent("src/Templates") }

        init() throws {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
            try Data().write(to: executable)
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func makeTemplates(_ folder: URL) throws {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data("{{title}}".utf8).write(to: folder.appendingPathComponent("page.mustache"))
        }

        func locate(_ environment: [String: String] = [:]) throws(Diagnostic) -> URL {
            try Templates.locate(environment: environment, executable: executable, bundled: source)
        }
    }

    @Test func theEnvironmentThenTheInstalledPrefixThenBesideTheExecutableThenTheSourceTree() throws {
        let prefix = try Prefix()
        for folder in [prefix.named, prefix.shared, prefix.beside, prefix.source] { try prefix.makeTemplates(folder) }
        let environment = ["UNROLLED_TEMPLATES": prefix.named.path]
        #expect(try prefix.locate(environment).path == prefix.named.path)
        #expect(try prefix.locate().path == prefix.shared.path)
        try FileManager.default.removeItem(at: prefix.shared)
        #expect(try prefix.locate().path == prefix.beside.path)
        try FileManager.default.removeItem(at: prefix.beside)
        #expect(try prefix.locate().path == prefix.source.path)
        // A named folder without templates does not stop the search.
        #expect(try prefix.locate(["UNROLLED_TEMPLATES": prefix.root.appendingPathComponent("nowhere").path]).path == prefix.source.path)
    }

    @Test func aSymbolicLinkToTheExecutableLooksBesideTheRealOne() throws {
        let prefix = try Prefix()
        try prefix.makeTemplates(prefix.shared)
        let link = prefix.root.appendingPathComponent("elsewhere/unrolled")
        try FileManager.default.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: prefix.executable)
        let found = try Templates.locate(environment: [:], executable: link, bundled: prefix.source)
        #expect(found.path == prefix.shared.path)
    }

    @Test func noTemplatesAnywhereIsAnErrorNamingEveryPlace() throws {
        let prefix = try Prefix()
        let nowhere = prefix.root.appendingPathComponent("nowhere")
        do {
            _ = try prefix.locate(["UNROLLED_TEMPLATES": nowhere.path])
            Issue.record("found templates where there are none")
        } catch {
            for place in [nowhere, prefix.shared, prefix.beside, prefix.source] {
                #expect(error.message.contains(place.path))
            }
            #expect(error.message.contains("UNROLLED_TEMPLATES"))
        }
    }

    @Test func aFolderWithoutTheFileAskedForDoesNotStopTheSearch() throws {
        let prefix = try Prefix()
        for folder in [prefix.named, prefix.shared] { try prefix.makeTemplates(folder) }
        let starter = prefix.shared.appendingPathComponent("starter/course.yml")
        try FileManager.default.createDirectory(at: starter.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("title: T\n".utf8).write(to: starter)
        let found = try Templates.locate(holding: "starter/course.yml", environment: ["UNROLLED_TEMPLATES": prefix.named.path],
                                         executable: prefix.executable, bundled: prefix.source)
        #expect(found.path == prefix.shared.path)
    }

    @Test func theSourceTreesTemplatesAreFoundByDefault() throws {
        let found = try Templates.locate(environment: [:], executable: nil)
        #expect(FileManager.default.fileExists(atPath: found.appendingPathComponent("page.mustache").path))
    }
}
