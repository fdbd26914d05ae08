import Foundation
import Models
import Testing
import Trace

/// The `equations` demo around the language: its text from a file, and its error for a text that
/// does not check.
@Suite("Equations: the demo")
struct EquationsDemoTests {
    let text = """
        input x = [1; 2]
        param w = [0.5, 0.25]
        param b = -0.5
        const t = 1
        y = sigmoid(w x + b)
        loss Q = 1/2 * (y - t)^2
        """

    @Test("equations-file: a file's text traces as the same text given inline, and the trace holds the text that ran")
    func file() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("equations-\(UUID().uuidString).txt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let demo = try Demos.named("equations")
        let fromFile = try demo.trace(["equations-file": .string(url.path)])
        let inline = try trace(text)
        #expect(fromFile.tensors == inline.tensors)
        #expect(fromFile.steps == inline.steps)
        #expect(fromFile.config["equations"] == .string(text))
        do throws(DemoError) {
            _ = try demo.trace(["equations-file": .string(url.path), "equations": "input x = 1"])
            Issue.record("both given: no error")
        } catch {
            #expect(error.message().contains("give equations or equations-file, not both"), "\(error.message())")
        }
    }

    @Test("a text that does not check: the first error's line and column, and how many more there are")
    func error() throws {
        let demo = try Demos.named("equations")
        do throws(DemoError) {
            _ = try demo.trace(["equations": "input x : 2x1\ny = tanhh(x)\nz = foo x"])
            Issue.record("no error")
        } catch {
            let message = error.message()
            #expect(message.contains("equations line 2, column 5: unknown function 'tanhh'"), "\(message)")
            #expect(message.hasSuffix("(and 1 more error)"), "\(message)")
        }
    }
}
