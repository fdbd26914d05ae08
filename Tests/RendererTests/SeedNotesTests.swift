import Foundation
import Testing
@testable import Renderer

/// The four real sets of course notes in `../shared/seeds/`, when that folder is there.
private let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds")

private let seedFiles = ((try? FileManager.default.contentsOfDirectory(atPath: seeds.path)) ?? [])
    .filter { $0.hasSuffix(".txt") }.sorted()

@Suite struct SeedNotesTests {
    @Test(.enabled(if: !seedFiles.isEmpty, "skipped: ../shared/seeds is absent (the real course notes live beside the repository)"))
    func theRealNotesBuildIntoPages() throws {
        var files: [String: String] = [:]
        for name in seedFiles {
            files["notes/" + name.replacingOccurrences(of: ".txt", with: ".md")] =
                try String(contentsOf: seeds.appendingPathComponent(name), encoding: .utf8)
        }
        let course = try TestCourse(files)
        let summary = try course.build()
        #expect(summary.pages == seedFiles.count)
        for name in seedFiles {
            let page = try course.page("notes/" + name.replacingOccurrences(of: ".txt", with: ".html"))
            #expect(page.contains("</main>"))
            #expect(page.count > 1000)
        }
    }
}
