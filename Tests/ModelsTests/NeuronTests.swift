import Foundation
import Models
import Testing
import Trace

/// The neurons of the notes' table (`neuron --activation step | softmax | rbf`, `--steepness`,
/// `--update perceptron`, `--data and | or | xor`): against `Tests/Fixtures/neurons`, an
/// independent numpy implementation (`python3 Tests/Fixtures/reference_neurons.py`), and small
/// cases worked out by hand.
@Suite("Neurons of the notes' table")
struct NeuronTests {
    static let fixtures = (try? ModelFixture.all(in: "neurons")) ?? []

    @Test("every tensor, gradient, epoch loss and snapshot matches the numpy reference", arguments: fixtures)
    func matchesReference(_ fixture: ModelFixture) throws {
        let deviation = compare(try runDemo(fixture.demo, fixture.parameters), with: fixture)
        #expect(deviation.values > 0)
    }

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 13)
    }

    /// x = (1, 2), w = (0.5, 0.25), b = −0.5, t = 0: net = 0.5 + 0.5 − 0.5 = 0.5, y = step(0.5) = 1,
    /// e = y − t = 1, and the step's slope 0 makes ∂Q/∂net, ∂Q/∂w and ∂Q/∂b zero: w, b stay.
    @Test("the step neuron by hand: a clear miss, and a gradient of zeros recorded by step_backward")
    func stepNeuronByHand() throws {
        let trace = try runDemo("neuron", ["activation": "step", "x": [1, 2], "w": [0.5, 0.25], "b": -0.5, "target": 0])
        #expect(trace.value(named: "net")?.data == [0.5])
        #expect(trace.value(named: "y")?.data == [1])
        #expect(trace.gradient(of: "y")?.data == [1])
        let local = try #require(trace.steps.first { $0.op == "step_backward" })
        #expect(trace.tensors[local.output].data == [0])
        #expect(trace.gradient(of: "w")?.data == [0, 0])
        #expect(trace.value(named: "w", version: 1)?.data == [0.5, 0.25])
        #expect(trace.value(named: "b", version: 1)?.data == [-0.5])
        // The config lists what a step neuron reads, not a softmax layer's or a sigmoid's parameters.
        #expect(trace.config["classes"] == nil && trace.config["steepness"] == nil && trace.config["width"] == nil)
        #expect(trace.config["update"] == "sgd" && trace.config["target"]?.doubleValue == 0)
    }

    /// The same miss with Rosenblatt's rule, η = 0.5: w + 0.5 · (0 − 1) · (1, 2) = (0, −0.75), b − 0.5 = −1.
    @Test("the perceptron rule moves the weights the gradient leaves alone, by hand")
    func perceptronRuleByHand() throws {
        let trace = try runDemo(
            "neuron", ["activation": "step", "update": "perceptron", "x": [1, 2], "w": [0.5, 0.25], "b": -0.5, "target": 0])
        #expect(trace.steps.filter { $0.phase == .update }.map(\.op) == ["perceptron", "perceptron"])
        #expect(trace.value(named: "w", version: 1)?.data == [0, -0.75])
        #expect(trace.value(named: "b", version: 1)?.data == [-1])
        #expect(trace.gradient(of: "w")?.data == [0, 0])
    }

    /// W = I, b = 0.5, x = (1, −1): net = (1.5, −0.5); y = softmax(net) = (1, e⁻²) / (1 + e⁻²);
    /// class 2: t = (0, 1), Q = −log y₂ = log(1 + e²) and ∂Q/∂net = y − t.
    @Test("a softmax layer of two neurons by hand: y sums to 1, Q = −log y of the class, ∂Q/∂net = y − t")
    func softmaxLayerByHand() throws {
        let trace = try runDemo("neuron", ["activation": "softmax", "classes": 2, "class": 2, "x": [1, -1], "w": [1, 0, 0, 1], "b": 0.5])
        let y1 = 1 / (1 + exp(-2.0))
        let y = try #require(trace.value(named: "y")?.data)
        #expect(abs(y[0] - y1) < 1e-15 && abs(y[1] - (1 - y1)) < 1e-15)
        #expect(try abs(#require(trace.value(named: "Q")?.data[0]) - log(1 + exp(2.0))) < 1e-14)
        let delta = try #require(trace.gradient(of: "net")?.data)
        #expect(abs(delta[0] - y1) < 1e-15 && abs(delta[1] - (1 - y1 - 1)) < 1e-15)
        #expect(trace.value(named: "w")?.shape == [2, 2] && trace.value(named: "b")?.shape == [2, 1])
    }

    /// x = (1, 2), c = (0, 1), σ = 0.5: ‖x − c‖² = 2, y = exp(−2 / 0.5) = e⁻⁴.
    @Test("the RBF neuron by hand: y = exp(−‖x − c‖² / (2σ²)), c and σ learn")
    func rbfByHand() throws {
        let trace = try runDemo("neuron", ["activation": "rbf", "x": [1, 2], "c": [0, 1], "width": 0.5, "target": 0.5])
        #expect(trace.value(named: "‖x−c‖²")?.data == [2])
        #expect(try abs(#require(trace.value(named: "y")?.data[0]) - exp(-4.0)) < 1e-17)
        #expect(trace.value(named: "c", version: 1) != nil && trace.value(named: "sigma", version: 1) != nil)
        #expect(trace.value(named: "w") == nil)
    }

    @Test("on XOR the perceptron never stops making mistakes; on AND it stops")
    func xorNeverConverges() throws {
        let xor = try runDemo("neuron", ["activation": "step", "update": "perceptron", "data": "xor", "train": 50])
        #expect(try #require(xor.history).allSatisfy { $0.loss >= 0.5 })
        let and = try runDemo("neuron", ["activation": "step", "update": "perceptron", "data": "and", "train": 50])
        #expect(try #require(and.history).last?.loss == 0)
        // Only the first epoch is traced: 4 examples, each with its scope.
        #expect(xor.steps.filter { $0.op == "perceptron" }.count == 8)
        #expect(xor.history?.filter(\.traced).map(\.iteration) == [1])
    }

    @Test("parameters of another neuron, rule or data set are refused, naming what to give")
    func conflicts() {
        let cases: [([String: JSONValue], String)] = [
            (["activation": "tanh", "steepness": 5], "{steepness} applies to {activation} sigmoid only"),
            (["classes": 4], "apply to {activation} softmax only"),
            (["activation": "softmax", "target": 1], "give {class} instead of {target}"),
            (["activation": "softmax", "classes": 2, "class": 3], "{class} is 3"),
            (["width": 2], "apply to {activation} rbf only"),
            (["activation": "rbf", "w": [1, 2]], "no weights or bias"),
            (["update": "perceptron"], "add {activation} step"),
            (["activation": "softmax", "data": "xor"], "use {activation} step"),
            (["activation": "step", "data": "and", "x": [1, 0]], "leave out {x}"),
            (["activation": "softmax", "w": [1, 2, 3, 4]], "not 3 rows"),
        ]
        for (parameters, words) in cases {
            let error = demoError { _ = try runDemo("neuron", parameters) }
            guard case .conflict(let message) = error else {
                Issue.record("\(parameters): expected a conflict, got \(String(describing: error))")
                continue
            }
            #expect(message.contains(words), "\(parameters): \(message)")
        }
    }
}
