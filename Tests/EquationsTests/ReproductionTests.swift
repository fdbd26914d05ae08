import Equations
import Foundation
import Models
import Testing
import Trace

/// The built-in `neuron` and `rnn` demos written as equations give the same numbers (to 1e-12):
/// every forward tensor, the gradient of every parameter and input both have, and the parameters
/// after the SGD step. The equations are generated from the demo's own values; a training run is
/// checked against its closed form, worked out by hand.
@Suite("Equations: the neuron and the RNN reproduced")
struct ReproductionTests {
    /// `[0.8; -0.4]` for a column, `[1, 2; 3, 4]` for a matrix: numbers in their shortest exact form.
    static func matrix(_ tensor: TensorRecord) -> String {
        let columns = tensor.shape.count == 2 ? tensor.shape[1] : 1
        let rows = stride(from: 0, to: tensor.data.count, by: columns).map { start in
            tensor.data[start..<start + columns].map { "\($0)" }.joined(separator: ", ")
        }
        return "[" + rows.joined(separator: "; ") + "]"
    }

    static func column(_ values: [Double]) -> String { "[" + values.map { "\($0)" }.joined(separator: "; ") + "]" }

    /// Compares the tensor `name` of `demo` with the tensor `twin` (default the same name) of `equations`.
    func compare(_ demo: TraceDocument, _ equations: TraceDocument, _ name: String, as twin: String? = nil) throws {
        let (a, b) = (try demo.tensor(name), try equations.tensor(twin ?? name))
        #expect(a.shape == b.shape, "\(name)")
        #expect(close(b.data, a.data), "\(name): \(b.data) ≠ \(a.data)")
    }

    func compareGradients(_ demo: TraceDocument, _ equations: TraceDocument, _ names: [String]) throws {
        for name in names {
            let (a, b) = (try demo.gradient(of: name), try equations.gradient(of: name))
            #expect(a.shape == b.shape && close(b.data, a.data), "∂Q/∂\(name): \(b.data) ≠ \(a.data)")
            let (p, q) = (try demo.tensor(name), try equations.tensor(name))
            if p.role == .parameter {
                let (u, v) = (try demo.updated(name), try equations.updated(name))
                #expect(close(v.data, u.data), "\(name) after the step: \(v.data) ≠ \(u.data)")
            }
            #expect(p.role == q.role, "\(name)")
        }
    }

    @Test("the neuron: net, y, Q, the error signal, ∂Q/∂w, ∂Q/∂b, ∂Q/∂x and w, b after one SGD step")
    func neuron() throws {
        let (x, w, b, target, lr) = ([0.8, -0.4, 0.3], [0.2, -0.5, 0.1], 0.05, 0.7, 0.5)
        let demo = try Demos.named("neuron").trace([
            "x": .array(x.map(JSONValue.double)), "w": .array(w.map(JSONValue.double)), "b": .double(b), "target": .double(target),
            "lr": .double(lr),
        ])
        let text = """
            input x = \(Self.column(x))
            param w = [\(w.map { "\($0)" }.joined(separator: ", "))]
            param b = \(b)
            const t = \(target)
            net = w x + b
            y = sigmoid(net)
            loss Q = 1/2 * sum((y - t)^2)
            """
        let equations = try trace(text, ["lr": .double(lr)])
        for name in ["x", "w", "b", "t", "net", "y", "Q"] { try compare(demo, equations, name) }
        try compareGradients(demo, equations, ["w", "b", "x"])
        let e = { (trace: TraceDocument) throws -> TensorRecord in
            let y = try trace.tensor("y")
            return try #require(trace.tensors.last { $0.role == .gradient && $0.of == y.id })
        }
        #expect(close(try e(equations).data, try e(demo).data), "the error signal e = ∂Q/∂y")
    }

    @Test("the RNN over three steps: a_t, h_t, y_t, each step's loss and Q; ∂Q/∂W_1, b_1, W_2, b_2, h_0; the parameters after BPTT's step")
    func rnn() throws {
        let inputs = [[0.5, -1.0], [0.25, 0.75], [-0.5, 0.1]]
        let targets = [[0.3], [-0.2], [0.6]]
        let demo = try Demos.named("rnn").trace([
            "inputs": .array(inputs.map { .array($0.map(JSONValue.double)) }),
            "targets": .array(targets.map { .array($0.map(JSONValue.double)) }), "hidden": 2, "seed": 3, "lr": 0.1,
        ])
        let parameters = try ["W_1", "b_1", "W_2", "b_2"].map { name in "param \(name) = \(Self.matrix(try demo.tensor(name)))" }
        let text = """
            size T = 3
            input x[1..T] = \(inputs.map(Self.column).joined(separator: ", "))
            const target[1..T] = \(targets.map(Self.column).joined(separator: ", "))
            input h[0] = zeros(2, 1)
            \(parameters.joined(separator: "\n"))
            a[t] = W_1 [x[t]; h[t-1]] + b_1 for t = 1..T
            h[t] = tanh(a[t]) for t = 1..T
            y[t] = W_2 h[t] + b_2 for t = 1..T
            L[t] = 1/2 * sum((y[t] - target[t])^2) for t = 1..T
            loss Q = sum(L[1..T])
            """
        let equations = try trace(text, ["lr": 0.1])
        for t in 1...3 {
            for name in ["x", "target", "a", "h", "y"] { try compare(demo, equations, "\(name)_\(t)") }
            try compare(demo, equations, "Q_\(t)", as: "L_\(t)")
        }
        try compare(demo, equations, "h_0")
        try compare(demo, equations, "Q")
        try compareGradients(demo, equations, ["W_1", "b_1", "W_2", "b_2", "h_0"])
    }

    @Test("training y = w x with ½(y − t)²: w_k = t/x + (w_0 − t/x)(1 − η x²)^k, and each iteration's loss")
    func trainingClosedForm() throws {
        // x = 2, t = 3, w_0 = 0.5, η = 0.1: t/x = 1.5, 1 − η x² = 0.6, so w_k = 1.5 − 0.6^k and the
        // loss before update k is ½ (2 w_{k−1} − 3)² = ½ (2 · 0.6^{k−1})² = 2 · 0.36^{k−1}.
        let trace = try trace(
            """
            input x = 2
            param w = 0.5
            const t = 3
            y = w x
            loss Q = 1/2 * (y - t)^2
            """, ["lr": 0.1, "train": 10])
        let history = try #require(trace.history)
        #expect(history.map(\.iteration) == Array(1...10))
        for entry in history {
            let k = Double(entry.iteration)
            #expect(close([entry.loss], [2 * pow(0.36, k - 1)]), "loss of iteration \(entry.iteration): \(entry.loss)")
            guard let w = entry.tensors?["w"] else { continue }
            #expect(close(w.data, [1.5 - pow(0.6, k)]), "w after iteration \(entry.iteration): \(w.data)")
        }
        // Snapshots after iterations 1, 2, 5, 10, 20, 50, … and the last (docs/trace-format.md, `history`).
        #expect(history.filter { $0.tensors?["w"] != nil }.map(\.iteration) == [1, 2, 5, 10])
        // The traced first iteration: ∂Q/∂w = (w x − t) x = (1 − 3) · 2 = −4, and w becomes 0.5 + 0.4.
        #expect(try trace.gradient(of: "w").data == [-4])
        #expect(close(try trace.updated("w").data, [0.9]))
        #expect(history.map(\.traced) == [true] + Array(repeating: false, count: 9))
    }
}
