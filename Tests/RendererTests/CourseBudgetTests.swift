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
        var count = 0
        for file in files {
            let text = try String(contentsOf: Self.notes.appendingPathComponent(file), encoding: .utf8)
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
        #expect(count == 42)
    }
}
