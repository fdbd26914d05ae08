@testable import Equations
import Testing

/// The TeX written from an expression, as a scope's equation and a tensor's symbol: every
/// expected string written by hand the way notes typeset it.
@Suite("Equations: TeX from the expression")
struct TeXTests {
    /// The TeX of the right side of the equation on `line`.
    func tex(_ line: String, names: [String: String] = [:], sizes: [String: Int] = [:], at substitution: (String, Int)? = nil) -> String {
        var parser = Parser()
        let syntax = parser.parse(line)
        #expect(parser.diagnostics.isEmpty, "\(parser.diagnostics)")
        guard let equation = syntax.equations.first else { return "" }
        return TeXWriter(names: names, sizes: sizes, substitution: substitution.map { (variable: $0.0, value: $0.1) }).tex(equation.expression)
    }

    @Test("products, sums and differences: W x + b, ⊙ between tensors, a thin space after a number")
    func arithmetic() {
        #expect(tex("y = W x + b") == "W\\,x + b")
        #expect(tex("y = a * b") == "a \\odot b")
        #expect(tex("y = 2 * a") == "2\\,a")
        #expect(tex("y = a - b + c") == "a - b + c")
        #expect(tex("y = a - (b - c)") == "a - \\left(b - c\\right)")
        #expect(tex("y = (a + b) c") == "\\left(a + b\\right)\\,c")
        #expect(tex("y = -x") == "-x")
        #expect(tex("y = -(a + b)") == "-\\left(a + b\\right)")
        #expect(tex("y = 1.5e-5 x") == "1.5 \\times 10^{-5}\\,x")
    }

    @Test("fractions, powers, transposes")
    func fractionsAndPowers() {
        #expect(tex("Q = 1/2 * (y - t)^2") == "\\frac{1}{2}\\,\\left(y - t\\right)^{2}")
        #expect(tex("y = a / b") == "\\frac{a}{b}")
        #expect(tex("y = (a + b) / (c d)") == "\\frac{a + b}{c\\,d}")
        #expect(tex("y = W^T x") == "W^\\top\\,x")
        #expect(tex("y = Wᵀ x") == "W^\\top\\,x")
        #expect(tex("y = (W x)^T") == "\\left(W\\,x\\right)^\\top")
        #expect(tex("y = (x^T)^2") == "{x^\\top}^{2}")
    }

    @Test("functions: \\sigma, \\tanh, \\sqrt, upright names, sums with and without an axis")
    func functions() {
        #expect(tex("y = sigmoid(net)") == "\\sigma\\left(\\mathrm{net}\\right)")
        #expect(tex("y = σ(net)") == "\\sigma\\left(\\mathrm{net}\\right)")
        #expect(tex("y = tanh(W x + b)") == "\\tanh\\left(W\\,x + b\\right)")
        #expect(tex("y = relu(z)") == "\\operatorname{relu}\\left(z\\right)")
        #expect(tex("y = softmax(z, axis=0)") == "\\operatorname{softmax}_{\\mathrm{axis}=0}\\left(z\\right)")
        #expect(tex("y = sqrt(v)") == "\\sqrt{v}")
        #expect(tex("y = sum(x)") == "\\sum x")
        #expect(tex("y = sum((y - t)^2)") == "\\sum \\left(y - t\\right)^{2}")
        #expect(tex("y = sum(x, axis=1)") == "\\sum_{\\mathrm{axis}=1} x")
        #expect(tex("y = sum(a + b)") == "\\sum \\left(a + b\\right)")
        #expect(tex("y = 1/2 * sum(a)") == "\\frac{1}{2}\\,\\sum a")
        #expect(tex("y = b * sum(a)") == "b \\odot \\left(\\sum a\\right)")
        #expect(tex("y = sum(a, b, c)") == "a + b + c")
        #expect(tex("u = sum(h[0], h[1]) / T", sizes: ["T": 2]) == "\\frac{h_{0} + h_{1}}{T}")
    }

    @Test("names: a subscript after _, Greek letters, words upright, declared TeX first")
    func names() {
        #expect(tex("y = W_1 x") == "W_{1}\\,x")
        #expect(tex("y = W_in x") == "W_{\\mathrm{in}}\\,x")
        #expect(tex("y = alpha x") == "\\alpha\\,x")
        #expect(tex("y = W x", names: ["W": "\\mathbf{W}"]) == "\\mathbf{W}\\,x")
        #expect(tex("y = [x; h]") == "\\begin{bmatrix} x \\\\ h \\end{bmatrix}")
    }

    @Test("indices: substituted in an unrolled equation (h_{1}), kept as written otherwise; a list's terms written out")
    func indices() {
        let line = "h[t] = tanh(W h[t-1] + U x[t] + b) for t = 1..T"
        #expect(tex(line, at: ("t", 2)) == "\\tanh\\left(W\\,h_{1} + U\\,x_{2} + b\\right)")
        #expect(tex(line) == "\\tanh\\left(W\\,h_{t-1} + U\\,x_{t} + b\\right)")
        #expect(tex("y = W h[t-1]", names: ["h": "\\mathbf{h}"], at: ("t", 3)) == "W\\,{\\mathbf{h}}_{2}")
        #expect(tex("loss Q = sum(L[1..T])", sizes: ["T": 3]) == "L_{1} + L_{2} + L_{3}")
        #expect(tex("loss Q = sum(L[1..T])", sizes: ["T": 9]) == "L_{1} + \\dots + L_{9}")
    }

    @Test("in the trace: each unrolled scope's equation, and intermediate tensors' symbols")
    func inTheTrace() throws {
        let trace = try trace(
            """
            input x[1..2] = [1; 0], [0; 1]
            param W = [0.5, 0; 0, 0.5]
            param b_h = [0.1; 0.2] $b$
            const y = [1; 1]
            const h[0] = zeros(2, 1)
            h[t] = tanh(W h[t-1] + x[t] + b_h) for t = 1..2
            loss Q = 1/2 * sum((h[2] - y)^2)
            """)
        #expect(trace.scopes.first { $0.name == "h[2]" }?.equation == "h_{2} = \\tanh\\left(W\\,h_{1} + x_{2} + b\\right)")
        // After a number a sum needs no parentheses; right of a tensor it would (`a \\odot (\\sum x)`).
        #expect(trace.scopes.first { $0.name == "Q" }?.equation == "Q = \\frac{1}{2}\\,\\sum \\left(h_{2} - y\\right)^{2}")
        #expect(trace.tensors.first { $0.name == "(h[2] - y)" }?.tex == "\\left(h_{2} - y\\right)")
        #expect(try trace.tensor("h_2").tex == "h_{2}")
        #expect(try trace.tensor("b_h").tex == "b")
    }
}
