@testable import Renderer
import Testing

/// An `equations:` block of a directive reports each problem at its own line and column of the
/// page: the fence's line, plus the body's lines down to the text, plus the text's line; the
/// block's indentation added to the column.
@Suite("Equations: diagnostics at the page's line and column")
struct DirectiveDiagnosticTests {
    /// The directive's errors (or, when it parses, its warnings) for `body` under a fence on line 10.
    func diagnostics(_ body: String) -> [Diagnostic] {
        switch Directive.parse(body: body, file: "notes/neuron.md", line: 10) {
        case .success(let directive): return directive.warnings
        case .failure(let failure): return failure.diagnostics
        }
    }

    @Test("an error in a block indented by two: page line 10 + 1 (model) + 1 (equations:) + its line; column + 2")
    func blockIndentedByTwo() throws {
        // Page lines: 10 the fence, 11 model, 12 equations:, 13 text line 1, 15 text line 3.
        let found = diagnostics(
            """
            model: equations
            equations: |
              input x = [1; 2]
              param W : 2x2
              y = tanh(W z)
              loss Q = sum(y)
            """)
        #expect(found.count == 1)
        let d = try #require(found.first)
        #expect(d.severity == .error && d.file == "notes/neuron.md")
        #expect(d.line == 15 && d.column == 14, "z is column 12 of the text's line 3: \(d)")
        #expect(d.message.hasPrefix("equations: unknown name 'z'"))
        #expect(!d.description.contains("\n"))
    }

    @Test("an error on the text's first line, in a block indented by four, after a caption")
    func firstLineIndentedByFour() throws {
        // Page lines: 10 the fence, 11 model, 12 caption, 13 equations:, 14 text line 1.
        let found = diagnostics(
            """
            model: equations
            caption: A neuron
            equations: |
                y = tanh(W z)
                param W : 2x2
                loss Q = sum(y)
            """)
        let d = try #require(found.first)
        #expect(found.count == 1)
        #expect(d.line == 14 && d.column == 16, "z is column 12 of the text's line 1: \(d)")
    }

    @Test("a warning (a tensor never used) leaves the directive usable, at its page position")
    func warning() throws {
        let result = Directive.parse(
            body: """
                model: equations
                equations: |
                  input x = [1; 2]
                  input u = [3; 4]
                  param W : 2x2
                  loss Q = sum(W x)
                lr: 0.1
                """, file: "notes/neuron.md", line: 10)
        let directive = try result.get()
        #expect(directive.warnings.count == 1)
        let d = try #require(directive.warnings.first)
        #expect(d.severity == .warning && d.line == 14 && d.column == 9, "u is column 7 of the text's line 2: \(d)")
        #expect(d.message.contains("u is declared but never used"))
    }

    @Test("every error of the block is reported, each at its own line")
    func severalErrors() {
        let found = diagnostics(
            """
            model: equations
            equations: |
              input x = [1; 2]
              y = tanhh(x)
              z = x +
            """)
        #expect(found.map { "\($0.line ?? 0):\($0.column ?? 0)" } == ["15:10"], "a syntax error stops before names are looked up")
        let later = diagnostics(
            """
            model: equations
            equations: |
              y = sigmoid(x
              z = y
              param b : H x 1
            """)
        #expect(later.map { "\($0.line ?? 0):\($0.column ?? 0)" } == ["13:14", "15:9"], "\(later)")
    }

    @Test("a quoted one-line value: the column counts from after the quote")
    func quotedOneLine() throws {
        // Page line 12: `equations: "y = foo x"`; y is column 13, foo column 17.
        let found = diagnostics(
            """
            model: equations
            equations: "y = foo x"
            """)
        let d = try #require(found.first)
        #expect(d.line == 12 && d.column == 17, "\(d)")
        #expect(d.message.contains("unknown name 'foo'"))
    }

    @Test("a folded block (>) is refused at its key: it would join the statements into one line")
    func foldedBlock() throws {
        let found = diagnostics(
            """
            model: equations
            equations: >
              input x = [1; 2]
              y = tanh(x)
            """)
        #expect(found.count == 1)
        let d = try #require(found.first)
        #expect(d.severity == .error && d.line == 12)
        #expect(d.message.contains("equations: |"))
    }
}
