import Engine
import Foundation
import Models
@testable import Renderer
import Testing

/// The bundled course's directives against the run budget every build applies (`Budget.standard`):
/// none may be refused, and none should come near a limit.
@Suite("The bundled course within the budget")
struct CourseBudgetTests {
    static let notes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Site/notes")

    @Test("every directive in Site/notes runs within a hundredth of each limit")
    func everyDirectiveFits() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.notes.path).filter { $0.hasSuffix(".md") }.sorted()
        var (count, fences) = (0, 0)
        for file in files {
            let text = try String(contentsOf: Self.notes.appendingPathComponent(file), encoding: .utf8)
            fences += Self.directiveFences(in: text)
            for block in MarkdownDocument(text).codeBlocks(info: "unrolled") {
                let place = "\(file):\(block.line)"
                guard case .success(let directive) = Directive.parse(body: block.content, file: file, line: block.line),
                    case .demo(let demo, let config) = directive.source
                else {
                    Issue.record("\(place): not a demo directive")
                    continue
                }
                let meter = Meter()
                _ = try demo.trace(config, progress: nil, meter: meter)
                let projected = meter.projections
                #expect((projected.map(\.traceBytes).max() ?? 0) < Budget.standard.traceBytes / 100, "\(place)")
                #expect((projected.map(\.memoryBytes).max() ?? 0) < Budget.standard.memoryBytes / 100, "\(place)")
                #expect((projected.map(\.work).max() ?? 0) < Budget.standard.work / 100, "\(place)")
                count += 1
            }
        }
        // Counted again from the raw text, without the Markdown parser: a fence the parser missed
        // would be a directive the budget never saw.
        #expect(count == fences, "the Markdown parser found \(count) directives, the text has \(fences) fences")
    }

    /// The lines that open a directive (```` ```unrolled ````), read line by line without the
    /// Markdown parser; one inside a longer fence (a ```` ````markdown ```` block showing a
    /// directive's source, as chapter 21 does) is an example, not a directive.
    static func directiveFences(in text: String) -> Int {
        var count = 0
        var outer: Int?  // the backticks of an enclosing fence of four or more
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            let ticks = trimmed.prefix { $0 == "`" }.count
            if let open = outer {
                if ticks >= open, trimmed.dropFirst(ticks).allSatisfy({ $0 == " " }) { outer = nil }
            } else if ticks >= 4 {
                outer = ticks
            } else if trimmed.hasPrefix("```unrolled") {
                count += 1
            }
        }
        return count
    }

    @Test("a directive's source shown inside a longer fence is not counted as a directive")
    func fencesInsideLongerFencesAreExamples() {
        let text = "````markdown\n```unrolled\nmodel: neuron\n```\n````\n\n```unrolled\nmodel: neuron\n```\n"
        #expect(Self.directiveFences(in: text) == 1)
        #expect(MarkdownDocument(text).codeBlocks(info: "unrolled").count == 1)
    }
}
