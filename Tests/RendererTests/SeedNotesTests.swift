import Foundation
import Testing
@testable import Renderer

/// The four real sets of course notes in `../shared/seeds/`, when that folder is there.
private let seeds = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/seeds")

private let seedFiles = ((try? FileManager.default.contentsOfDirectory(atPath: seeds.path)) ?? [])
    .filter { $0.hasSuffix(".txt") }.sorted()

private func count(_ pattern: String, in text: String) -> Int {
    (try? NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines]))?
        .numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) ?? 0
}

@Suite struct SeedNotesTests {
    @Test(.enabled(if: !seedFiles.isEmpty, "skipped: ../shared/seeds is absent (the real course notes live beside the repository)"))
    func theRealNotesBuildIntoPagesWithoutLosingContent() throws {
        var files: [String: String] = [:]
        for name in seedFiles {
            files["notes/" + name.replacingOccurrences(of: ".txt", with: ".md")] =
                try String(contentsOf: seeds.appendingPathComponent(name), encoding: .utf8)
        }
        let course = try TestCourse(files)
        let summary = try course.build()
        #expect(summary.pages == seedFiles.count)
        for name in seedFiles {
            let source = files["notes/" + name.replacingOccurrences(of: ".txt", with: ".md")]!
            // The page without its navigation (sidebar, table of contents, pager): the note's own content.
            let page = try course.page("notes/" + name.replacingOccurrences(of: ".txt", with: ".html"))
                .replacingOccurrences(of: "<nav[\\s\\S]*?</nav>", with: "", options: .regularExpression)
            let document = MarkdownDocument(source)
            for heading in document.headings {
                #expect(page.contains("id=\"\(heading.id)\""), "\(name): heading '\(heading.text)' (line \(heading.line)) is missing")
            }
            for image in document.links where image.kind == .image {
                #expect(page.contains("src=\"\(escapeHTML(image.destination))\""), "\(name): image \(image.destination) is missing")
            }
            #expect(count("<img\\b", in: page) >= count("<img\\b", in: source), "\(name): raw <img> tags lost")
            let gfmTables = count("^\\s*\\|?\\s*:?-{3,}:?\\s*\\|", in: source)
            #expect(count("<table\\b", in: page) >= gfmTables + count("<table\\b", in: source), "\(name): tables lost")
            for span in MathProtection(source).spans {
                #expect(page.contains(escapeHTML(span.tex)) || page.contains(span.source), "\(name): math \(span.source) is missing")
            }
            let listItems = count("^\\s*(?:[-*+]|\\d+[.)])\\s+\\S", in: source)
            #expect(count("<li\\b", in: page) >= listItems, "\(name): list items lost")
        }
    }
}
