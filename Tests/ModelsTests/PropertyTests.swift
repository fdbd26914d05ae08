import Foundation
import Models
import Testing
import Trace

/// Properties stated in the notes' modules chapter, checked on the traces' own numbers.
@Suite("Model properties")
struct PropertyTests {
    static let neuronRuns: [[String: JSONValue]] = ["sigmoid", "tanh", "relu"].flatMap { activation in
        (1...12).map { seed -> [String: JSONValue] in
            ["activation": .string(activation), "seed": .int(seed), "inputs": .int(seed % 4 + 1), "target": .double(Double(seed % 3) - 1)]
        }
    }

    /// φ'(net), computed here from net by formula (not from y).
    static func derivative(_ activation: String, at net: Double) -> Double {
        switch activation {
        case "sigmoid":
            let s = 1 / (1 + exp(-net))
            return s * (1 - s)
        case "tanh":
            let t = tanh(net)
            return 1 - t * t
        default:
            return net > 0 ? 1 : 0
        }
    }

    @Test("Neuron: e = ∂Q/∂y = y − t exactly, and ∂Q/∂w = e·φ'(net)·xᵀ", arguments: neuronRuns)
    func neuronErrorSignal(_ parameters: [String: JSONValue]) throws {
        let trace = try runDemo("neuron", parameters)
        let activation = parameters["activation"]!.stringValue!
        let y = try #require(trace.value(named: "y")).data[0]
        let t = try #require(trace.value(named: "t")).data[0]
        let net = try #require(trace.value(named: "net")).data[0]
        let x = try #require(trace.value(named: "x")).data
        let w = try #require(trace.value(named: "w")).data
        let b = try #require(trace.value(named: "b")).data[0]
        #expect(t == parameters["target"]!.doubleValue!)

        checkGradientRecord(trace, of: "y", named: "dQ/dy", case: "neuron \(parameters)")
        let e = try #require(trace.gradient(of: "y"))
        #expect(e.data == [y - t])

        // Forward by formula.
        let expectedNet = zip(w, x).reduce(0) { $0 + $1.0 * $1.1 } + b
        #expect(Tolerance.accepts(net, expectedNet))
        let delta = (y - t) * Self.derivative(activation, at: net)
        let dw = try #require(trace.gradient(of: "w"))
        #expect(dw.name == "dQ/dw" && dw.shape == [1, x.count] && dw.of == trace.value(named: "w")?.id)
        for (actual, xi) in zip(dw.data, x) {
            #expect(Tolerance.accepts(actual, delta * xi), "∂Q/∂w: \(actual) vs \(delta * xi)")
        }
        let db = try #require(trace.gradient(of: "b"))
        #expect(Tolerance.accepts(db.data[0], delta))
        let dx = try #require(trace.gradient(of: "x"))
        for (actual, wi) in zip(dx.data, w) {
            #expect(Tolerance.accepts(actual, delta * wi))
        }
        // The SGD step.
        let lr = try #require(trace.config["lr"]?.doubleValue)
        let w1 = try #require(trace.value(named: "w", version: 1))
        #expect(w1.data == zip(w, dw.data).map { $0 - lr * $1 })
        #expect(try #require(trace.value(named: "b", version: 1)).data == [b - lr * db.data[0]])
    }

    @Test func neuronTraceStructure() throws {
        let trace = try runDemo("neuron")
        let ids = try ["x", "w", "b"].map { try #require(trace.value(named: $0)).id }
        // Gradients for the parameters and the input, each the gradient of its tensor.
        #expect(Set(trace.gradients.keys) == Set(ids.map(String.init)))
        for (name, id) in zip(["x", "w", "b"], ids) {
            let gradient = trace.tensors[trace.gradients[String(id)]!]
            // ∂Q/∂b too is a tensor of its own, though `add` passes the gradient of net through unchanged.
            #expect(gradient.role == .gradient && gradient.of == id && gradient.name == "dQ/d\(name)")
        }
        #expect(trace.loss == trace.value(named: "Q")?.id)
        #expect(trace.tensors[trace.loss!].role == .loss)
        let updates = trace.steps.filter { $0.phase == .update }
        #expect(updates.map(\.op) == ["sgd", "sgd"])
        #expect(updates.map { trace.tensors[$0.output].name } == ["w", "b"])
        #expect(updates.allSatisfy { trace.tensors[$0.output].version == 1 })
    }

    @Test func mlpTracesOnlyTheFirstIteration() throws {
        let trace = try runDemo("mlp", ["train": 5])
        let history = try #require(trace.history)
        #expect(history.map(\.traced) == [true, false, false, false, false])
        #expect(history[0].loss == trace.tensors[trace.loss!].data[0])
        // One update per parameter; version 1 is the last version in the trace.
        #expect(trace.steps.filter { $0.phase == .update }.count == 4)
        #expect(trace.tensors.compactMap(\.version).max() == 1)
        #expect(history.last?.tensors?.keys.sorted() == ["W_1", "W_2", "b_1", "b_2"])
    }

    @Test("MLP learns XOR: 2000 iterations at lr 0.5 with layers 2,4,1 bring the loss below 0.01")
    func mlpLearnsXOR() throws {
        let trace = try runDemo("mlp", ["train": 2000, "layers": [2, 4, 1], "lr": 0.5])
        let history = try #require(trace.history)
        #expect(history.count == 2000)
        let final = try #require(history.last)
        #expect(final.loss < 0.01)
        #expect(final.loss < history[0].loss)
        // The snapshot after the last iteration holds the trained parameters.
        let snapshot = try #require(final.tensors)
        #expect(snapshot["W_1"]?.shape == [4, 2])
        #expect(snapshot["b_2"]?.shape == [1, 1])
    }

    @Test("Cross-entropy MLP loss starts near log(classes) and its ∂Q/∂y columns sum to 0")
    func crossEntropyGradientColumnsSumToZero() throws {
        let trace = try runDemo("mlp", ["data": "random", "loss": "cross-entropy", "layers": [3, 4, 3], "samples": 5])
        let dy = try #require(trace.gradient(of: "y"))
        #expect(dy.shape == [3, 5])
        for column in 0..<5 {
            let sum = (0..<3).reduce(0.0) { $0 + dy.data[$1 * 5 + column] }
            #expect(abs(sum) < 1e-15)
        }
        let loss = trace.tensors[trace.loss!].data[0]
        #expect(abs(loss - log(3.0)) < 0.5)
    }
}
