import Engine
import Foundation
import Models
import Testing
import Trace

/// Every demo's trace re-executes step by step, and the same parameters give the same bytes.
@Suite("Replay and determinism")
struct ReplayTests {
    static let demoNames = Demos.all.map(\.name)

    /// Demo parameters beyond the defaults that exercise other branches.
    static let variants: [(String, [String: JSONValue])] = [
        ("neuron", [:]),
        ("neuron", ["activation": "tanh", "inputs": 5, "seed": 9]),
        ("neuron", ["activation": "relu", "x": [1, 2], "w": [0.5, -0.3], "b": 0.1]),
        ("mlp", [:]),
        ("equations", ["train": 3, "lr": 0.5]),
        (
            "equations",
            [
                "equations": .string(
                    "size T = 3\ninput x[1..T] : 2×1\nparam W : 3×3\nparam U : 3×2\nparam b : 3\nconst h[0] = zeros(3, 1)\nconst d = [1; 0; -1]\nh[t] = tanh(W h[t-1] + U x[t] + b) for t = 1..T\nq[t] = 1/2 * sum((h[t] - d)^2) for t = 1..T\nloss Q = sum(q[1..T])"),
                "seed": 4,
            ]
        ),
        ("mlp", ["loss": "cross-entropy", "layers": [2, 4, 2], "activation": "relu", "train": 3]),
        ("mlp", ["data": "random", "layers": [3, 5, 4, 2], "loss": "cross-entropy", "samples": 6, "activation": "sigmoid", "init": "xavier"]),
        ("mlp", ["data": "random", "layers": [4, 3, 2], "samples": 5, "train": 4, "lr": 0.1]),
        ("rnn", [:]),
        ("rnn", ["text": "hello", "hidden": 3, "train": 2]),
        ("rnn", ["inputs": [[0.5, -1], [1, 0], [0, 2]], "targets": [[1, 0], [0, 1], [1, 0]], "loss": "cross-entropy"]),
        ("lstm", [:]),
        ("lstm", ["text": "hello", "hidden": 3, "train": 2]),
        ("peephole-lstm", [:]),
        ("peephole-lstm", ["inputs": [[0.5, -1], [1, 0], [0, 2]], "hidden": 3, "output-size": 3, "loss": "cross-entropy", "train": 2]),
        ("gru", [:]),
        ("gru", ["text": "hello", "hidden": 3, "train": 2]),
        ("birnn", [:]),
        ("birnn", ["inputs": [[0.5, -1], [1, 0], [0, 2], [-1, 1]], "targets": [[1], [0], [-1], [0.5]], "hidden": 3]),
        ("bilstm", [:]),
        ("bilstm", ["text": "hello", "hidden": 3, "train": 2]),
        ("bigru", [:]),
        ("bigru", ["steps": 4, "input": 3, "output-size": 3, "loss": "cross-entropy", "seed": 5]),
        ("tdl", [:]),
        ("tdl", ["tap-kind": "vector", "taps": 4, "steps": 5, "input": 3, "train": 2]),
        ("tdl", ["tap-kind": "matrix", "taps": 2, "text": "hello"]),
        ("gradient-flow", ["steps": 8, "hidden": 4, "weight-scale": 2]),
        ("gradient-flow", ["network": "lstm", "steps": 6, "hidden": 3, "clip": 0.1, "train": 2]),
        ("cbow", [:]),
        ("cbow", ["weights": "example", "context": "this,corpus,context", "target": "sample", "seed": 3]),
        ("cbow", ["corpus": "the cat sat on the mat and the dog sat on the log", "window": 2, "dimensions": 3, "train": 2, "neighbours": "cat,dog"]),
        ("skipgram", [:]),
        ("skipgram", ["weights": "example", "word": "corpus", "seed": 3]),
        ("skipgram", ["corpus": "the cat sat on the mat and the dog sat on the log", "window": 2, "word": "the", "train": 2, "neighbours": "mat"]),
        ("skipgram-ns", [:]),
        ("skipgram-ns", ["negatives": 1, "word": "corpus", "context": "using", "lr": 0.5, "seed": 3]),
        ("skipgram-ns", ["corpus": "the cat sat on the mat and the dog sat on the log", "window": 2, "negatives": 8, "word": "sat", "train": 2, "neighbours": "cat,dog"]),
        ("cnn", ["train": 2]),
        ("cnn", ["channels": [2, 3], "kernel": 5, "classes": 2, "samples": 10, "batch": 4, "noise": 0, "train": 1]),
        ("attention", [:]),
        ("attention", ["queries": [[1, 0], [0, 1]], "keys": [[1, 1], [0, -1], [2, 0]], "values": [[1], [2], [3]], "train": 2]),
        ("attention", ["tokens": 4, "key-size": 3, "value-size": 2, "causal": "true", "seed": 5]),
        ("self-attention", [:]),
        ("self-attention", ["causal": true, "train": 2]),
        ("self-attention", ["incremental": "true", "sentence": "the cat sat on the mat", "dimension": 3, "key-size": 2, "value-size": 2]),
        ("attention-vs-tdl", [:]),
        ("attention-vs-tdl", ["inputs": [[0.5, -1], [1, 0], [0, 2], [-1, 1], [0.25, 0.5]], "taps": 2, "key-size": 3, "train": 2]),
        ("multi-head-attention", [:]),
        ("multi-head-attention", ["sentence": "the cat sat on the mat", "d-model": 6, "heads": 3, "train": 2, "seed": 4]),
        ("transformer-encoder", [:]),
        ("transformer-encoder", ["sentence": "the cat sat on the mat", "d-model": 5, "heads": 1, "d-ff": 3, "train": 2, "seed": 6]),
        ("multi-head-attention", ["causal": "true", "d-model": 6, "heads": 3, "train": 2]),
        ("transformer-encoder", ["causal": "true", "heads": 4, "seed": 3]),
        ("transformer-encoder", ["loss": "next-token", "causal": "true", "sentence": "the cat sat on the mat", "train": 2]),
        ("encoder-decoder", [:]),
        ("encoder-decoder", ["source": "the black cat sleeps", "target": "le chat noir dort", "d-model": 6, "heads": 3, "d-ff": 5, "train": 2, "seed": 3]),
        ("residual", [:]),
        ("residual", ["layers": 3, "channels": 2, "size": 3, "activation": "relu", "train": 2, "seed": 5]),
        ("dropout", ["layers": [3, 6, 5, 1], "samples": 8, "train": 12, "patience": 3]),
        ("dropout", ["p": 0, "samples": 6, "train": 4, "patience": 0]),

        ("segmentation", ["train": 2]),
        ("segmentation", ["upsampling": "transposed", "classes": 3, "dilation": 1, "size": 6, "train": 2]),
        ("conv", ["image": "seeded", "size": 7, "channels-in": 2, "stride": 2, "padding": 2, "dilation": 2, "pool": "avg", "relu": "false"]),
        ("conv", ["image": "cross", "kernel": 1, "padding": 0, "channels-in": 3, "channels-out": 3, "groups": 3, "pool": "none"]),
        ("transfer", ["samples-a": 8, "pretrain-epochs": 2, "samples-b": 5, "batch": 3, "test-b": 4, "head-epochs": 2, "fine-tune-epochs": 1]),
        ("inception", ["mode": "reduced", "channels-in": 3, "size": 3, "c5-reduce": 2, "seed": 5]),
        ("normalization", ["mode": "group", "groups": 2, "channels": 4, "seed": 3]),
        ("normalization", ["mode": "instance", "height": 3, "width": 1]),
    ]

    @Test func everyDemoIsCovered() {
        #expect(Set(Self.variants.map(\.0)) == Set(Self.demoNames))
    }

    @Test("Every step of every demo's default trace replays to exactly its recorded output", arguments: demoNames)
    func defaultTraceReplays(_ name: String) throws {
        try checkReplay(try runDemo(name), name: name)
    }

    @Test("Every step replays exactly, other parameters", arguments: 0..<variants.count)
    func variantReplays(_ index: Int) throws {
        let (name, parameters) = Self.variants[index]
        try checkReplay(try runDemo(name, parameters), name: "\(name) \(parameters)")
    }

    private func checkReplay(_ trace: TraceDocument, name: String) throws {
        #expect(!trace.steps.isEmpty)
        #expect(Set(trace.steps.map(\.phase)) == Set(Phase.allCases), "\(name): forward, backward and update all recorded")
        for step in trace.steps {
            let recorded = trace.tensors[step.output]
            let replayed = try OpRegistry.replay(step, in: trace)
            #expect(replayed.shape == recorded.shape, "\(name): step \(step.index) (\(step.op)) shape")
            // Bitwise: the same IEEE operations on the same inputs.
            let same = replayed.scalars.count == recorded.data.count
                && zip(replayed.scalars, recorded.data).allSatisfy { $0.bitPattern == $1.bitPattern || $0 == $1 }
            #expect(same, "\(name): step \(step.index) (\(step.op)) replays to \(replayed.scalars), recorded \(recorded.data)")
        }
    }

    @Test("Two runs give identical bytes", arguments: variants.indices)
    func deterministic(_ index: Int) throws {
        let (name, parameters) = Self.variants[index]
        let first = try runDemo(name, parameters).jsonData()
        let second = try runDemo(name, parameters).jsonData()
        #expect(first == second)
    }

    @Test("Another seed gives other bytes", arguments: variants.indices)
    func seedMatters(_ index: Int) throws {
        var (name, parameters) = Self.variants[index]
        let seed = parameters["seed"]?.intValue ?? 1
        let given = try runDemo(name, parameters).jsonData()
        parameters["seed"] = .int(seed + 1)
        let other = try runDemo(name, parameters).jsonData()
        // Only a run that draws nothing from the seed could be equal; every variant draws something,
        // except the neuron with x, w and b all given.
        if name == "neuron", parameters["x"] != nil, parameters["w"] != nil, parameters["b"] != nil {
            let a = try TraceDocument.decode(from: given), b = try TraceDocument.decode(from: other)
            #expect(a.tensors == b.tensors)
        } else {
            #expect(given != other)
        }
    }

    /// The contract of `gradients` and `of`: each parameter's and input's final gradient is a
    /// gradient tensor of that very tensor, and every gradient is named after the loss and its tensor.
    @Test("Gradients point at their own tensors", arguments: variants.indices)
    func gradientsAreTheirOwn(_ index: Int) throws {
        let (name, parameters) = Self.variants[index]
        let trace = try runDemo(name, parameters)
        let loss = try #require(trace.loss.map { trace.tensors[$0] })
        #expect(loss.role == .loss && loss.shape.reduce(1, *) == 1)
        for (key, gradientID) in trace.gradients {
            let id = try #require(Int(key))
            let gradient = trace.tensors[gradientID]
            #expect([.parameter, .input].contains(trace.tensors[id].role))
            #expect(gradient.role == .gradient && gradient.of == id, "\(name): gradients[\(key)] is \(gradient.name), of \(String(describing: gradient.of))")
            #expect(gradient.shape == trace.tensors[id].shape)
        }
        for gradient in trace.tensors where gradient.role == .gradient {
            let of = try #require(gradient.of)
            #expect(gradient.name == "d\(loss.name)/d\(trace.tensors[of].name)")
            #expect(gradient.shape == trace.tensors[of].shape)
        }
        // Every parameter the loss depends on has its gradient, unless it is frozen (a trace with
        // several backward passes, such as transfer's, maps only the last one's).
        var needed: Set<Int> = [loss.id]
        for step in trace.steps.reversed() where needed.contains(step.output) { needed.formUnion(step.inputs) }
        for parameter in trace.tensors where parameter.role == .parameter && parameter.version == nil && needed.contains(parameter.id)
            && parameter.frozen != true {
            #expect(trace.gradients[String(parameter.id)] != nil, "\(name): no gradient for \(parameter.name)")
        }
    }

    /// Tensors, gradients and history read back from the JSON bytes exactly (shortest round-trip numbers).
    @Test("Numbers survive the trace's JSON", arguments: variants.indices)
    func roundTrip(_ index: Int) throws {
        let (name, parameters) = Self.variants[index]
        let trace = try runDemo(name, parameters)
        let decoded = try TraceDocument.decode(from: trace.jsonData())
        #expect(decoded.tensors == trace.tensors)
        #expect(decoded.steps.map(\.output) == trace.steps.map(\.output))
        #expect(decoded.gradients == trace.gradients)
        #expect(decoded.loss == trace.loss)
        #expect(decoded.history == trace.history)
    }
}
