import Engine
@testable import Equations
import Testing
import Trace

/// Good input: what each declaration declares, how each expression groups, and the program the
/// resolver makes of them (every tensor's shape, the order of computation, the loss). Every
/// expected value is written here by hand from the text.
@Suite("Equations: reading good input")
struct ParserTests {
    func leaf(_ program: EquationProgram, _ key: TensorKey) throws -> EquationProgram.Leaf {
        try #require(program.leaves.first { $0.key == key }, "no leaf \(key)")
    }

    func given(_ program: EquationProgram, _ key: TensorKey) throws -> Tensor {
        guard case .given(let tensor) = try leaf(program, key).value else { throw Failure("\(key) is drawn") }
        return tensor
    }

    func drawn(_ program: EquationProgram, _ key: TensorKey) throws -> [Int] {
        guard case .drawn(let shape) = try leaf(program, key).value else { throw Failure("\(key) is given") }
        return shape
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("declarations: values, matrices, zeros and ones, shapes to draw in every spelling, sizes, sequences")
    func declarations() throws {
        let p = try program(
            """
            size T = 3
            size H = 2
            input x = [1; 2]
            param W = [1, 2; 3, 4]
            param b = -0.5
            const h[0] = zeros(H, 1)
            param A : 2×3
            param B : 2x3
            param C : (2, 3)
            param D : H x T
            param v : 3
            input s[1..T] = [1; 0], [0; 1], [1; 1]
            const o = ones(2, T)
            const n = [1 -2; 3 4]
            const c = 1e-3
            const d = .5
            const e = 2.5E2
            input image : 1x1x4x4
            param K : 2 x 1 x H x 2
            param S : 2xH
            """)
        #expect(p.sizes == ["T": 3, "H": 2])
        #expect(try given(p, TensorKey("x")) == Tensor(shape: [2, 1], scalars: [1, 2]))
        #expect(try given(p, TensorKey("W")) == Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]))
        #expect(try given(p, TensorKey("b")) == Tensor(shape: [1, 1], scalars: [-0.5]))
        #expect(try given(p, TensorKey("h", 0)) == Tensor(shape: [2, 1], scalars: [0, 0]))
        for name in ["A", "B", "C", "D"] { #expect(try drawn(p, TensorKey(name)) == [2, 3], "\(name)") }
        #expect(try drawn(p, TensorKey("v")) == [3, 1], "a shape of one dimension is a column")
        #expect(try drawn(p, "image") == [1, 1, 4, 4], "1x1x4x4: the lexer's 1 and x1x4x4")
        #expect(try drawn(p, "K") == [2, 1, 2, 2])
        #expect(try drawn(p, "S") == [2, 2])
        #expect(try given(p, TensorKey("s", 1)) == Tensor(shape: [2, 1], scalars: [1, 0]))
        #expect(try given(p, TensorKey("s", 2)) == Tensor(shape: [2, 1], scalars: [0, 1]))
        #expect(try given(p, TensorKey("s", 3)) == Tensor(shape: [2, 1], scalars: [1, 1]))
        #expect(try given(p, TensorKey("o")) == Tensor(shape: [2, 3], scalars: [1, 1, 1, 1, 1, 1]))
        #expect(try given(p, TensorKey("n")) == Tensor(shape: [2, 2], scalars: [1, -2, 3, 4]), "numbers apart by spaces")
        #expect(try given(p, TensorKey("c")).scalars == [0.001])
        #expect(try given(p, TensorKey("d")).scalars == [0.5])
        #expect(try given(p, TensorKey("e")).scalars == [250])
        #expect(try leaf(p, TensorKey("x")).role == .input)
        #expect(try leaf(p, TensorKey("h", 0)).role == .const)
        #expect(p.parameters == ["W", "b", "A", "B", "C", "D", "v", "K", "S"].map { TensorKey($0) })
    }

    @Test("expressions group as the notes read them: juxtaposition and @ bind tighter than + and −, powers and ᵀ tightest")
    func grouping() {
        let cases: [(String, String)] = [
            ("y = W x + b", "(+ (@ W x) b)"),
            ("y = W @ x + b", "(+ (@ W x) b)"),
            ("y = w · x", "(@ w x)"),
            ("y = a * b ⊙ c", "(* (* a b) c)"),
            ("y = W x × 3", "(* (@ W x) 3)"),
            ("y = a / b * c", "(* (/ a b) c)"),
            ("y = a - b - c", "(- (- a b) c)"),
            ("y = a − -b", "(- a (neg b))"),
            ("y = W^T x", "(@ (T W) x)"),
            ("y = Wᵀ x", "(@ (T W) x)"),
            ("y = W^top x", "(@ (T W) x)"),
            ("y = -x^2", "(neg (^2 x))"),
            ("y = x^(2) + x^0.5", "(+ (^2 x) (^0.5 x))"),
            ("y = -W x", "(@ (neg W) x)"),
            ("y = 1/2 * (y - t)^2", "(* (/ 1 2) (^2 (- y t)))"),
            ("y = 2 x", "(@ 2 x)"),
            ("y = W (x + b)", "(@ W (+ x b))"),
            ("y = W(x + b)", "(W (+ x b))"),
            ("y = sigmoid(W x + b)", "(sigmoid (+ (@ W x) b))"),
            ("y = σ(z)", "(σ z)"),
            ("y = sum(x, axis=1)", "(sum x axis=1)"),
            ("y = softmax(z, 0)", "(softmax z 0)"),
            ("y = sum(x, axes=[0, 1], keepdims=true)", "(sum x axes=[0, 1] keepdims=true)"),
            ("y = [a; b]", "[a; b]"),
            ("y = [a, b; c, d]", "[a, b; c, d]"),
            ("h[t] = tanh(W h[t-1] + U x[t] + b) for t = 1..T", "(tanh (+ (+ (@ W h[t-1]) (@ U x[t])) b))"),
            ("y[t] = V h[t+1] for t in 1..T", "(@ V h[t+1])"),
            ("y[2] = x[1] + x[-1]", "(+ x[1] x[-1])"),
            ("loss Q = sum(L[1..T])", "(sum L[1..T])"),
        ]
        for (line, expected) in cases {
            #expect(parsedExpressions(line) == [expected], "\(line)")
        }
    }

    @Test("the resolved neuron: each tensor's shape, the order of computation, the loss and the parameters")
    func neuron() throws {
        let p = try program(
            """
            input x = [1; 2; 3]
            param w = [0.5, 0.25, -1]
            param b = 0.1
            const t = 0
            net = w x + b
            y = sigmoid(net)
            loss Q = 1/2 * (y - t)^2
            """)
        #expect(p.computed == ["net", "y", "Q"].map { TensorKey($0) })
        let shapes: [String: [Int]] = ["x": [3, 1], "w": [1, 3], "b": [1, 1], "t": [1, 1], "net": [1, 1], "y": [1, 1], "Q": [1, 1]]
        for (name, shape) in shapes { #expect(p.shape(of: TensorKey(name)) == shape, "\(name)") }
        #expect(p.loss == TensorKey("Q"))
        #expect(p.parameters == [TensorKey("w"), TensorKey("b")])
        #expect(p.warnings.isEmpty)
    }

    @Test("the order follows what each equation reads, not the order written")
    func orderByDependencies() throws {
        let p = try program(
            """
            loss Q = 1/2 * sum((y - t)^2)
            y = sigmoid(net)
            net = w x + b
            input x = [1; 2]
            param w = [0.5, 0.25]
            param b = -0.5
            const t = 1
            """)
        #expect(p.computed == ["net", "y", "Q"].map { TensorKey($0) })
        #expect(p.shape(of: "Q") == [], "sum without an axis is one number of rank 0")
    }

    @Test("a recurrence unrolls one index at a time: h[1], y[1], h[2], y[2], …, then what reads them all")
    func recurrence() throws {
        let p = try program(
            """
            size T = 3
            input x[1..T] : 2x1
            param W : 2x2
            param U : 2x2
            param b : 2x1
            param V : 1x2
            const h[0] = zeros(2, 1)
            h[t] = tanh(W h[t-1] + U x[t] + b) for t = 1..T
            y[t] = V h[t] for t in 1..T
            loss Q = sum(y[1..T])
            """)
        let expected = [TensorKey("h", 1), TensorKey("y", 1), TensorKey("h", 2), TensorKey("y", 2), TensorKey("h", 3), TensorKey("y", 3), TensorKey("Q")]
        #expect(p.computed == expected)
        for t in 1...3 {
            #expect(p.shape(of: TensorKey("h", t)) == [2, 1])
            #expect(p.shape(of: TensorKey("y", t)) == [1, 1])
            #expect(p.shape(of: TensorKey("x", t)) == [2, 1])
        }
        #expect(p.shape(of: "Q") == [1, 1])
        #expect(p.loss == "Q")
        #expect(p.parameters == ["W", "U", "b", "V"].map { TensorKey($0) })
    }

    @Test("an equation without an index that reads h[2] comes after step 2's own equations, which stay together")
    func unindexedAfterItsStep() throws {
        let p = try program(
            """
            input x[1..3] : 2x1
            param W : 2x2
            const h[0] = zeros(2, 1)
            h[t] = tanh(W h[t-1] + x[t]) for t = 1..3
            s = [h[1]; h[2]]
            p[t] = sum(h[t]) for t = 1..3
            loss Q = sum(s) + sum(p[1..3])
            """)
        let expected: [TensorKey] = [.init("h", 1), .init("p", 1), .init("h", 2), .init("p", 2), .init("s"), .init("h", 3), .init("p", 3), .init("Q")]
        #expect(p.computed == expected)
    }

    @Test("an equation for one index (h[1] = …) and a recurrence from there")
    func fixedIndex() throws {
        let p = try program(
            """
            input x[1..3] = [1], [2], [3]
            param a = 0.5
            s[1] = a x[1]
            s[t] = a s[t-1] + x[t], for t = 2..3
            loss Q = sum(s[3])
            """)
        #expect(p.computed == [TensorKey("s", 1), TensorKey("s", 2), TensorKey("s", 3), TensorKey("Q")])
    }

    @Test("calls take their attributes by position or by name; each result has the op's shape")
    func calls() throws {
        let p = try program(
            """
            input X = [1, 2, 3; 4, 5, 6]
            a = sum(X, 1)
            b = sum(X, axis=0, keepdims=true)
            c = mean(X)
            d = softmax(X, 0)
            e = log_softmax(X, axis=1)
            f = slice(X, 1, 0, 2)
            g = slice(X, axis=0, start=1, end=2)
            k = concat(X, X, axis=0)
            m = [X; X]
            n = [X, X]
            p = X^T
            q = reshape(X, [3, 2])
            r = rows(X, [1, 1, 0])
            s = sum(X, axes=[0, 1], keepdims=true)
            u = sum(X, X, X)
            v = 3 X
            """)
        let shapes: [String: [Int]] = [
            "a": [2], "b": [1, 3], "c": [], "d": [2, 3], "e": [2, 3], "f": [2, 2], "g": [1, 3], "k": [4, 3], "m": [4, 3], "n": [2, 6],
            "p": [3, 2], "q": [3, 2], "r": [3, 3], "s": [1, 1], "u": [2, 3], "v": [2, 3],
        ]
        for (name, shape) in shapes { #expect(p.shape(of: TensorKey(name)) == shape, "\(name)") }
    }

    @Test("a bias declared as a column (param b : 2) is conv2d's bias: its C values, with the gradient back to the column")
    func convolutionBias() throws {
        let text = """
            input x = [1, 2; 3, 4]
            param K : 2x1x2x2
            param b = [0.5; -0.5]
            c = conv2d(reshape(x, [1, 1, 2, 2]), K, b)
            loss Q = sum(c)
            """
        #expect(try program(text).shape(of: "c") == [1, 2, 1, 1])
        let trace = try trace(text)
        // Q = Σ_o (Σ K_o ⊙ x + b_o), so ∂Q/∂b = [1; 1], shaped as b was declared.
        #expect(try trace.gradient(of: "b").shape == [2, 1])
        #expect(try trace.gradient(of: "b").data == [1, 1])
    }

    @Test("TeX at the line's end, comments, a matrix over several lines, CRLF line ends")
    func layout() throws {
        let text = [
            "# The neuron, with a matrix over two lines",
            "input x = [1; 2]      # two inputs",
            "param W = [0.5, 0.25;",
            "           -1, 2]",
            "y = sigmoid(W x) $y = \\sigma(W x)$",
            "loss Q = sum(y) $$Q = \\sum_i y_i$$ # one number",
        ].joined(separator: "\r\n")
        let p = try program(text)
        #expect(try given(p, "W") == Tensor(shape: [2, 2], scalars: [0.5, 0.25, -1, 2]))
        let equations = p.syntax.equations
        #expect(equations.map(\.tex) == ["y = \\sigma(W x)", "Q = \\sum_i y_i"])
        #expect(equations.map(\.text) == ["y = sigmoid(W x)", "loss Q = sum(y)"])
        #expect(equations.map(\.line) == [5, 6])
        let trace = try trace(text)
        #expect(trace.scopes.first { $0.name == "y" }?.equation == "y = \\sigma(W x)")
        #expect(trace.scopes.first { $0.name == "Q" }?.equation == "Q = \\sum_i y_i")
    }
}
