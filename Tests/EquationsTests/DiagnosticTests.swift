@testable import Equations
import Testing

/// Bad input: each problem at its line and column (counted here by hand), with the words that
/// tell the author what is wrong and what to write instead, on one line.
@Suite("Equations: diagnostics")
struct DiagnosticTests {
    /// What a diagnostic must be: where, how severe, and words its message contains.
    struct Expected {
        var severity: EquationDiagnostic.Severity = .error
        var line: Int
        var column: Int
        var words: [String]

        static func error(_ line: Int, _ column: Int, _ words: String...) -> Expected { Expected(line: line, column: column, words: words) }
        static func warning(_ line: Int, _ column: Int, _ words: String...) -> Expected {
            Expected(severity: .warning, line: line, column: column, words: words)
        }
    }

    /// `text`'s diagnostics are exactly `expected`, in order, each one line.
    func expect(_ text: String, _ expected: Expected..., sourceLocation: SourceLocation = #_sourceLocation) {
        let found = diagnostics(text)
        #expect(
            found.map { "\($0.severity) \($0.position)" } == expected.map { "\($0.severity) \($0.line):\($0.column)" }, "\(found)",
            sourceLocation: sourceLocation)
        for (diagnostic, expected) in zip(found, expected) {
            for word in expected.words {
                #expect(diagnostic.message.contains(word), "'\(word)' not in: \(diagnostic.message)", sourceLocation: sourceLocation)
            }
            #expect(!diagnostic.description.contains("\n") && diagnostic.description.count < 1_000, sourceLocation: sourceLocation)
        }
    }

    @Test("an unknown name, with the nearest known one (W2 → W_2), or how to declare it")
    func unknownName() {
        expect(
            """
            param W_2 : 2x2
            input x : 2x1
            y = W2 x
            loss Q = sum(y)
            """, .error(3, 5, "unknown name 'W2'", "did you mean 'W_2'?"))
        expect(
            """
            input x : 2x1
            y = foo x
            """, .error(2, 5, "unknown name 'foo'", "declare it (input foo = …"))
    }

    @Test("a shape error is at the operator that fails: the second + of a chain, a product side by side at its right operand")
    func shapeErrorAtItsOperator() {
        // Columns: y 1, = 3, a 5, + 7, b 9, + 11, c 13.
        expect(
            """
            input a : 2x1
            input b : 2x1
            input c : 3x1
            y = a + b + c
            """, .error(4, 11, "`a + b` is 2×1 and `c` is 3×1"))
        // Inside parentheses the error stays at its operator: ( 5, a 6, + 8, c 10.
        expect(
            """
            input a : 2x1
            input c : 3x1
            y = (a + c) * 2
            """, .error(3, 8, "`a` is 2×1 and `c` is 3×1"))
    }

    @Test("a shape mismatch names the op, both shapes and the equation")
    func shapeMismatch() {
        expect(
            """
            param W : 2x3
            input x : 3x1
            param b : 3x1
            net = W x + b
            loss Q = sum(net)
            """, .error(4, 11, "in `net = W x + b`", "`W x` is 2×1 and `b` is 3×1", "add says"))
        expect(
            """
            param W : 2x3
            input x : 3x1
            y = x W
            """, .error(3, 7, "in `y = x W`", "`x` is 3×1 and `W` is 2×3", "matmul says"))
        expect(
            """
            param a = 0.5
            input x : 3x1
            y = a x
            """, .error(3, 7, "`a` is 1×1 and `x` is 3×1", "to scale by a 1×1 tensor write * (a * x)"))
    }

    @Test("an unknown function, with the nearest one; an unknown attribute, with the nearest one and the usage")
    func unknownFunctionAndAttribute() {
        expect(
            """
            input x : 2x1
            y = tanhh(x)
            """, .error(2, 5, "unknown function 'tanhh'", "did you mean tanh?"))
        expect(
            """
            input x : 2x1
            y = sum(x, axiss=1)
            """, .error(2, 12, "sum has no attribute 'axiss'", "did you mean axis?", "sum(x, axis?"))
        expect(
            """
            input x : 2x1
            y = tanh(x, axis=0)
            """, .error(2, 13, "tanh has no attribute 'axis'", "(tanh(x))"))
    }

    @Test("a cycle through two equations, and an equation that reads itself")
    func cycles() {
        expect(
            """
            input x : 2x1
            a = b + x
            b = a * 2
            loss Q = sum(b)
            """, .error(2, 1, "cycle", "a → b → a", "lines 2, 3"))
        expect(
            """
            input x : 2x1
            a = a + x
            """, .error(2, 1, "a is computed from itself", "h[t-1]"))
    }

    @Test("a tensor never used is a warning, and the program still runs; so is a parameter the loss does not reach")
    func unusedTensors() throws {
        let text = """
            input x : 2x1
            input z : 2x1
            param W : 2x2
            param V : 2x2
            u = V x
            loss Q = sum(W x)
            """
        expect(text, .warning(2, 7, "z is declared but never used"), .warning(4, 7, "the loss Q does not depend on V", "no gradient"))
        let trace = try trace(text)
        #expect(trace.loss != nil)
        #expect(trace.tensors.contains { $0.name == "z" })
        expect(
            """
            param W : 2x2
            input x : 2x1
            y = W x
            """, .warning(1, 7, "no loss is named", "loss Q = …"))
    }

    @Test("a recurrence without its start value, an index out of its range, an index variable outside a range")
    func recurrenceIndices() {
        expect(
            """
            param W : 2x2
            input x[1..3] : 2x1
            h[t] = tanh(W h[t-1] + x[t]) for t = 1..3
            loss Q = sum(h[3])
            """, .error(3, 15, "h[0] is not defined", "h is defined for 1..3", "const h[0] = zeros(…)"))
        expect(
            """
            input x[1..3] : 2x1
            y[t] = 2 x[t+1] for t = 1..3
            """, .error(2, 10, "x[4] is not defined", "x is defined for 1..3", "check the index"))
        expect(
            """
            input x[1..3] : 2x1
            y = 2 x[t]
            """, .error(2, 7, "uses t outside a range", "for t = 1..T"))
    }

    @Test("a sequence used without its index, and a single tensor with one")
    func sequenceOrSingle() {
        expect(
            """
            param W : 2x2
            input x[1..3] : 2x1
            y = W x
            loss Q = sum(y)
            """, .error(3, 7, "x is a sequence (line 2)", "write x[t]"))
        expect(
            """
            param W : 2x2
            input x : 2x1
            y = W[1] x
            """, .error(3, 5, "W is a single tensor (line 1)", "without an index"))
    }

    @Test("two tensors the trace would name alike: x_1 and x[1]")
    func traceNames() {
        expect(
            """
            input x[1..2] = [1], [2]
            param x_1 = 3
            loss Q = sum(x[1] * x_1)
            """, .error(2, 7, "x_1 and x[1] would both be named x_1 in the trace", "rename one"))
    }

    @Test("two losses, and a loss that is not one number")
    func losses() {
        expect(
            """
            input x : 2x1
            loss Q = sum(x)
            loss R = sum(x^2)
            """, .error(3, 6, "a second loss", "loss Q = …"))
        expect(
            """
            input x : 2x1
            loss Q = x^2
            """, .error(2, 6, "the loss Q is 2×1", "a loss is one number", "sum(…)"))
    }

    @Test("an unclosed bracket ends at the next statement, whose line is still read")
    func unclosedBracket() {
        let text = """
            input x : 2x1
            y = sigmoid(x
            z = y +
            w = tanh(x)
            loss Q = sum(w)
            """
        expect(text, .error(2, 12, "this bracket is never closed"), .error(3, 8, "found the end of the line"))
        var parser = Parser()
        #expect(parser.parse(text).equations.map(\.line) == [4, 5], "the lines after are read")
        expect(
            """
            input x : 2x1
            y = [x, x
            """, .error(2, 5, "this bracket is never closed"))
    }

    @Test("an equation that only renames a tensor")
    func renaming() {
        expect(
            """
            input x : 2x1
            y = x
            """, .error(2, 5, "x alone only renames it"))
        expect(
            """
            input x : 2x1
            y = (x)
            """, .error(2, 5, "(x) alone only renames it"))
    }

    @Test("division by zero: by a number, and by a product of numbers folded as written")
    func divisionByZero() {
        expect(
            """
            input x : 2x1
            y = x / 0
            """, .error(2, 9, "in `y = x / 0`", "division by zero"))
        expect(
            """
            input x : 2x1
            y = x * (1/0)
            """, .error(2, 12, "division by zero"))
    }

    @Test("one pass reports every line that is wrong, each error on one line, in the text's order")
    func everyError() {
        expect(
            """
            param W : H x 2
            input for : 2x1
            y = x ! 2
            param b = [1, 2; 3]
            size T = 2.5
            """,
            .error(1, 7, "unknown size 'H'", "size H = 3"),
            .error(2, 7, "'for' is a keyword"),
            .error(3, 7, "unexpected character '!'"),
            .error(4, 19, "row 2 of this matrix has 1 number but row 1 has 2"),
            .error(5, 10, "a size is a whole number"))
    }

    @Test("a dimension of 0, written whole or inside 2x0, is refused where it is written")
    func zeroDimension() {
        expect("param Z : 2x0", .error(1, 12, "a dimension is a whole number from 1 to 1000000, not 0"))
        expect("param Z : 2 * 0", .error(1, 15, "a dimension is a whole number from 1 to 1000000, not 0"))
    }
}
