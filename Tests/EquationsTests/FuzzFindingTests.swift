import Engine
import Equations
import Foundation
import Testing

/// The inputs `make fuzz` found (Tests/Fuzz/equations), each fed to the same checks as the fuzz
/// target: no crash, every diagnostic one line under 1,000 characters inside the text, and a
/// program that checks records forward and backward.
@Suite("Equations: what fuzzing found")
struct FuzzFindingTests {
    func check(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.count
        let found: [EquationDiagnostic]
        var program: EquationProgram?
        do {
            program = try EquationProgram(parsing: text)
            found = program!.warnings
        } catch {
            found = error.diagnostics
        }
        for d in found {
            #expect(d.description.count < 1_000 && !d.description.contains(where: \.isNewline), "\(d)", sourceLocation: sourceLocation)
            #expect((1...lines + 1).contains(d.position.line) && d.position.column >= 1, "\(d)", sourceLocation: sourceLocation)
        }
        if let program {
            var random = SeededGenerator(seed: 1)
            let tape = Tape()
            let computed = program.forward(on: tape, leaves: program.bind(program.values(drawingFrom: &random), on: tape))
            if let loss = program.loss, let Q = computed[loss] { tape.backward(Q) }
        }
    }

    func decoded(_ base64: String) -> String { String(decoding: Data(base64Encoded: base64)!, as: UTF8.self) }

    @Test("a carriage return inside a line and NULs: shown as U+000D and U+0000, not printed raw (crash-4c9917c3)")
    func controlCharacters() {
        let text = decoded(
            "aW5wdXQgeCA6IP///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////zJ4MQ0AAAAAAAAACnkgPSB0YW5oaCh4KQo="
        )
        check(text)
        let messages = diagnostics("input x : 2x1\r\0\ny = x\u{2028}+ 1").map(\.message)
        #expect(messages.contains("unexpected character U+000D"), "\(messages)")
        #expect(messages.contains("unexpected character U+0000"), "\(messages)")
        #expect(messages.contains("unexpected character U+2028"), "\(messages)")
    }

    @Test("CRLF line ends are line ends: a CRLF text reads as its LF twin")
    func crlf() throws {
        let lf = "input x = [1; 2]\nparam W = [1, 2;\n 3, 4]\ny = tanh(W x)\nloss Q = sum(y)\nz = foo(x)"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(diagnostics(crlf) == diagnostics(lf))
        #expect(diagnostics(crlf).map(\.position) == [SourcePosition(line: 6, column: 5)])
    }
}
