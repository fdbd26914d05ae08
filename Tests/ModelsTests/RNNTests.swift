import Engine
import Foundation
import Models
import Testing
import Trace

/// The per-step contributions to ∂Q/∂W_1 that `Tests/Fixtures/reference_rnn.py` stores beside
/// the usual fixture fields (`bptt`), and the vocabulary of a text case.
struct RNNFixtureExtras: Decodable, Sendable {
    struct Contribution: Decodable, Sendable {
        let t: Int
        let shape: [Int]
        let data: [Double]
    }

    struct BPTT: Decodable, Sendable {
        let parameter: String
        let contributions: [Contribution]
    }

    let bptt: BPTT
    let vocabulary: [String]?
}

/// One `rnn` reference case: `Tests/Fixtures/sequences/rnn-*.json`.
struct RNNFixture: Sendable, CustomTestStringConvertible {
    let fixture: ModelFixture
    let extras: RNNFixtureExtras

    var testDescription: String { fixture.case }

    static let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("sequences")

    static func all() throws -> [RNNFixture] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent.hasPrefix("rnn-") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { file in
            let data = try Data(contentsOf: file)
            return RNNFixture(
                fixture: try JSONDecoder().decode(ModelFixture.self, from: data),
                extras: try JSONDecoder().decode(RNNFixtureExtras.self, from: data))
        }
    }

    static var cases: [RNNFixture] { (try? all()) ?? [] }
}

/// The path of scope names from the outermost to `id` (`iteration 1`, `t = 2`, `RNN cell`).
private func scopePath(_ id: Int?, in trace: TraceDocument) -> [String] {
    var names: [String] = []
    var scope = id
    while let current = scope {
        names.append(trace.scopes[current].name)
        scope = trace.scopes[current].parent
    }
    return names.reversed()
}

/// The accumulation of a shared tensor's gradient: the final gradient is the root of a tree of
/// recorded `add` steps (phase backward, output a gradient of the tensor); the leaves are the
/// contributions, in the order the adds read them.
private struct Accumulation {
    var adds: [Step] = []
    var leaves: [Int] = []

    init(trace: TraceDocument, root: Int, of tensor: Int) {
        let producers = Dictionary(trace.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        func visit(_ id: Int) {
            if let step = producers[id], step.op == "add", step.phase == .backward, trace.tensors[id].of == tensor,
                trace.tensors[id].role == .gradient
            {
                adds.append(step)
                step.inputs.forEach(visit)
            } else {
                leaves.append(id)
            }
        }
        visit(root)
    }
}

@Suite("rnn: numpy reference, BPTT structure, finite differences")
struct RNNTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try RNNFixture.all()
        #expect(fixtures.count >= 6)
        #expect(fixtures.allSatisfy { $0.fixture.demo == "rnn" })
        #expect(Set(fixtures.map(\.fixture.case)).count == fixtures.count)
        for name in ["rnn-defaults", "rnn-h3-t5-i2-o1", "rnn-text-hello", "rnn-text-words", "rnn-given-cross-entropy", "rnn-train20"] {
            #expect(fixtures.contains { $0.fixture.case == name }, "missing fixture \(name)")
        }
    }

    @Test("Every state, loss, gradient, update and history loss matches the reference", arguments: RNNFixture.cases)
    func matchesReference(_ case: RNNFixture) throws {
        let trace = try runDemo("rnn", `case`.fixture.parameters)
        #expect(trace.model == "rnn")
        let deviation = compare(trace, with: `case`.fixture)
        #expect(deviation.values > 0)
        #expect(deviation.relative <= 1e-10)
        // A text's vocabulary, as the reference tokenized it, labels the one-hot axis.
        if let vocabulary = `case`.extras.vocabulary {
            #expect(trace.value(named: "x_1")?.labels == [vocabulary, nil])
        }
    }

    /// The overall agreement, printed for the record.
    @Test func largestDeviationOverAllFixtures() throws {
        var overall = Deviation()
        for entry in try RNNFixture.all() {
            let fixture = entry.fixture
            let deviation = compare(try runDemo("rnn", fixture.parameters), with: fixture)
            print("RNNTests: \(fixture.case): max relative error \(deviation.relative) over \(deviation.values) values")
            overall.merge(deviation)
        }
        print(
            "RNNTests: \(overall.values) values compared with the numpy reference; "
                + "max relative error \(overall.relative), max |error| where the reference is 0: \(overall.absoluteAtZero)")
        #expect(overall.values > 0)
        #expect(overall.relative <= 1e-10)
    }

    @Test("The parameters of each case pass validation and are recorded in the config", arguments: RNNFixture.cases)
    func configRecordsTheParameters(_ case: RNNFixture) throws {
        let fixture = `case`.fixture
        let trace = try runDemo("rnn", fixture.parameters)
        for (name, value) in fixture.parameters {
            #expect(trace.config[name]?.doubleValue == value.doubleValue, "\(name)")
            #expect(trace.config[name]?.stringValue == value.stringValue, "\(name)")
            #expect(trace.config[name]?.arrayValue?.map(\.doubleArray) == value.arrayValue?.map(\.doubleArray), "\(name)")
        }
    }

    // MARK: Backpropagation through time, as recorded

    @Test("dQ/dW_1 is a chain of recorded adds over exactly T contributions, one per step, each from t = k › RNN cell",
          arguments: RNNFixture.cases)
    func weightGradientAccumulatesOneContributionPerStep(_ case: RNNFixture) throws {
        let fixture = `case`.fixture
        let trace = try runDemo("rnn", fixture.parameters)
        let steps = try #require(trace.config["steps"]?.intValue)
        let W_1 = try #require(trace.value(named: "W_1"))
        let final = try #require(trace.gradients[String(W_1.id)])
        let accumulation = Accumulation(trace: trace, root: final, of: W_1.id)

        #expect(accumulation.leaves.count == steps)
        #expect(accumulation.adds.count == steps - 1)
        // A chain: every add has at most one add among its inputs.
        for add in accumulation.adds {
            #expect(add.inputs.filter { id in accumulation.adds.contains { $0.output == id } }.count <= 1)
        }
        let producers = Dictionary(trace.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [Int: Int] = [:]  // t → leaf id
        for leaf in accumulation.leaves {
            let record = trace.tensors[leaf]
            #expect(record.role == .gradient && record.of == W_1.id, "leaf \(leaf) is not a gradient of W_1")
            #expect(record.shape == W_1.shape)
            let step = try #require(producers[leaf], "contribution \(leaf) is not the output of a step")
            #expect(step.phase == .backward)
            let path = scopePath(step.scope, in: trace)
            #expect(path.count >= 2 && path.last == "RNN cell", "contribution \(leaf) recorded in \(path)")
            guard path.count >= 2, path[path.count - 2].hasPrefix("t = "), let t = Int(path[path.count - 2].dropFirst(4))
            else {
                Issue.record("contribution \(leaf) is not in a `t = k` scope: \(path)")
                continue
            }
            #expect(seen[t] == nil, "two contributions from t = \(t)")
            seen[t] = leaf
        }
        #expect(Set(seen.keys) == Set(1...steps))

        // Their values are the reference's δ_t [x_t; h_{t−1}]ᵀ.
        let expected = `case`.extras.bptt
        #expect(expected.parameter == "W_1")
        #expect(expected.contributions.map(\.t) == Array(1...steps))
        for contribution in expected.contributions {
            guard let leaf = seen[contribution.t] else { continue }
            let actual = trace.tensors[leaf]
            #expect(actual.shape == contribution.shape)
            #expect(actual.data.count == contribution.data.count)
            for (index, (a, e)) in zip(actual.data, contribution.data).enumerated() {
                #expect(Tolerance.accepts(a, e), "\(fixture.case): contribution of t = \(contribution.t) [\(index)] = \(a), reference \(e)")
            }
        }
        // And they add up to the final gradient (the last add is the recorded sum).
        let sum = accumulation.leaves.map { trace.tensors[$0].data }.reduce(into: [Double](repeating: 0, count: W_1.data.count)) {
            for index in $0.indices { $0[index] += $1[index] }
        }
        for (a, e) in zip(trace.tensors[final].data, sum) {
            #expect(abs(a - e) <= 1e-12 * max(1, abs(e)))
        }
    }

    @Test("W_2, b_1 and b_2 also accumulate one recorded contribution per step", arguments: ["rnn-defaults", "rnn-text-hello", "rnn-h3-t5-i2-o1"])
    func otherSharedParametersAccumulate(_ name: String) throws {
        let fixture = try #require(RNNFixture.cases.first { $0.fixture.case == name }).fixture
        let trace = try runDemo("rnn", fixture.parameters)
        let steps = try #require(trace.config["steps"]?.intValue)
        let producers = Dictionary(trace.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        for (parameter, scope) in [("W_2", "output"), ("b_1", "RNN cell"), ("b_2", "output")] {
            let base = try #require(trace.value(named: parameter))
            let final = try #require(trace.gradients[String(base.id)], "no gradient of \(parameter)")
            let accumulation = Accumulation(trace: trace, root: final, of: base.id)
            #expect(accumulation.leaves.count == steps, "\(parameter)")
            #expect(accumulation.adds.count == steps - 1, "\(parameter)")
            var times: [Int] = []
            for leaf in accumulation.leaves {
                let path = scopePath(producers[leaf]?.scope, in: trace)
                #expect(path.last == scope, "\(parameter): contribution \(leaf) in \(path)")
                if path.count >= 2, let t = Int(path[path.count - 2].dropFirst(4)) { times.append(t) }
            }
            #expect(times.sorted() == Array(1...steps), "\(parameter): contributions from \(times)")
        }
    }

    @Test("h_0 gets a gradient, the lower H rows of W_1ᵀ δ_1, as the reference computes it", arguments: ["rnn-defaults", "rnn-text-words"])
    func initialStateHasAGradient(_ name: String) throws {
        let fixture = try #require(RNNFixture.cases.first { $0.fixture.case == name }).fixture
        let trace = try runDemo("rnn", fixture.parameters)
        let h0 = try #require(trace.value(named: "h_0"))
        #expect(h0.role == .input)
        #expect(h0.data.allSatisfy { $0 == 0 })
        let gradient = try #require(trace.gradients[String(h0.id)].map { trace.tensors[$0] })
        #expect(gradient.role == .gradient && gradient.of == h0.id)
        #expect(gradient.shape == h0.shape)
        #expect(gradient.name == "dQ/dh_0")
        let expected = try #require(fixture.tensors.first { $0.gradientOf == "h_0" })
        for (a, e) in zip(gradient.data, expected.data) {
            #expect(Tolerance.accepts(a, e))
        }
        #expect(gradient.data.contains { $0 != 0 })
    }

    // MARK: Finite differences

    /// Small random configurations: sizes, steps, loss and seed.
    static let gradientCheckConfigs: [[String: JSONValue]] = [
        ["input": 2, "hidden": 3, "output-size": 2, "steps": 4, "seed": 3],
        ["input": 3, "hidden": 2, "output-size": 3, "steps": 3, "loss": "cross-entropy", "seed": 17],
        ["input": 1, "hidden": 4, "output-size": 1, "steps": 6, "seed": 101],
        ["text": "abcab", "hidden": 3, "seed": 8],
        ["inputs": [[0.9, -0.4], [2, 1], [-1.5, 0.3]], "targets": [[0, 1], [1, 0], [0.5, 0.5]], "loss": "cross-entropy", "hidden": 2, "seed": 4],
    ]

    /// Q computed on a non-recording tape from the given parameter values and initial state.
    private static func loss(
        network: RNN, parameters: [Tensor], h0: Tensor, inputs: [Tensor], targets: [Tensor], loss: String
    ) -> Double {
        let tape = Tape(recording: false)
        let bound = network.bind(parameters, on: tape)
        var h = tape.input(h0, name: "h_0")
        var total: Var?
        for (index, (x, target)) in zip(inputs, targets).enumerated() {
            h = network.cell(tape.input(x, name: "x", requiresGradient: false), h, bound.cell, step: index + 1)
            let y = network.output(h, bound, step: index + 1)
            let t = tape.constant(target, name: "target")
            let q = loss == "cross-entropy" ? softmaxCrossEntropy(logits: y, target: t, axis: 0) : halfSquaredError(y, t)
            total = total.map { $0 + q } ?? q
        }
        return total!.value.scalar
    }

    @Test("The recorded gradients of W_1, b_1, W_2, b_2 and h_0 agree with central differences", arguments: gradientCheckConfigs.indices)
    func finiteDifferences(_ index: Int) throws {
        let trace = try runDemo("rnn", Self.gradientCheckConfigs[index])
        let steps = try #require(trace.config["steps"]?.intValue)
        let lossKind = try #require(trace.config["loss"]?.stringValue)
        func tensor(_ record: TensorRecord) -> Tensor { Tensor(shape: record.shape, scalars: record.data) }
        let names = ["W_1", "b_1", "W_2", "b_2"]
        let records = try names.map { try #require(trace.value(named: $0)) }
        let parameters = records.map(tensor)
        let inputs = try (1...steps).map { try tensor(#require(trace.value(named: "x_\($0)"))) }
        let targets = try (1...steps).map { try tensor(#require(trace.value(named: "target_\($0)"))) }
        let h0Record = try #require(trace.value(named: "h_0"))
        let network = RNN(inputSize: inputs[0].count, hiddenSize: h0Record.shape[0], outputSize: targets[0].count)
        func Q(_ parameters: [Tensor], _ h0: Tensor) -> Double {
            Self.loss(network: network, parameters: parameters, h0: h0, inputs: inputs, targets: targets, loss: lossKind)
        }

        // The non-recording re-run reproduces the traced loss exactly.
        let recordedQ = try #require(trace.loss.map { trace.tensors[$0].data[0] })
        #expect(Q(parameters, tensor(h0Record)) == recordedQ)

        let epsilon = 1e-6
        var worst = 0.0
        // Slot 0…3: the parameters; slot 4: h_0.
        for slot in 0...4 {
            let record = slot < 4 ? records[slot] : h0Record
            let gradient = try #require(trace.gradients[String(record.id)].map { trace.tensors[$0].data }, "no gradient of \(record.name)")
            for element in 0..<record.data.count {
                func perturbed(_ delta: Double) -> Double {
                    var values = parameters
                    var h0 = tensor(h0Record)
                    if slot < 4 { values[slot].scalars[element] += delta } else { h0.scalars[element] += delta }
                    return Q(values, h0)
                }
                let numeric = (perturbed(epsilon) - perturbed(-epsilon)) / (2 * epsilon)
                let error = abs(numeric - gradient[element])
                worst = max(worst, error / max(1, abs(numeric)))
                #expect(error <= 1e-7 + 1e-6 * abs(numeric), "\(record.name)[\(element)]: recorded \(gradient[element]), central difference \(numeric)")
            }
        }
        print("RNNTests: finite differences, config \(index): max error \(worst)")
    }
}
