import Engine
import Foundation
import Models
import Testing
import Trace

/// The reference cases of `Tests/Fixtures/reference_lstm_gru.py` in `Tests/Fixtures/sequences`:
/// the same layout as `Tests/Fixtures/models`, always with `history`.
enum RecurrentFixtures {
    static let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("sequences")

    /// The fixtures of these demos (files `<demo>-*.json`), by file name order; the directory
    /// also holds other demos' cases, in layouts of their own.
    static func all(of demos: Set<String>) throws -> [ModelFixture] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { file in file.pathExtension == "json" && demos.contains { file.lastPathComponent.hasPrefix("\($0)-") } }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let fixtures = try files.map { try JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: $0)) }
        for (file, fixture) in zip(files, fixtures) where !file.lastPathComponent.hasPrefix("\(fixture.demo)-") {
            Issue.record("\(file.lastPathComponent) holds a case of \(fixture.demo)")
        }
        return fixtures
    }

    /// The fixtures, or none when they cannot be read (a `fixturesArePresent` test then fails).
    static func cases(of demos: Set<String>) -> [ModelFixture] { (try? all(of: demos)) ?? [] }

    /// 1e-10 relative; where the reference is (or cancels to nearly) 0, 1e-15 absolute.
    static func accepts(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= 1e-10 * abs(expected) + 1e-15
    }

    /// Runs every fixture, compares all its values and returns the overall deviation.
    static func compareAll(_ fixtures: [ModelFixture], label: String) throws -> Deviation {
        var overall = Deviation()
        for fixture in fixtures {
            let deviation = compare(try runDemo(fixture.demo, fixture.parameters), with: fixture, accepts: accepts)
            print("\(label): \(fixture.case): max relative error \(deviation.relative) over \(deviation.values) values")
            overall.merge(deviation)
        }
        print(
            "\(label): \(overall.values) values compared with the numpy reference; max relative error \(overall.relative), "
                + "max |error| where the reference is 0: \(overall.absoluteAtZero)")
        return overall
    }
}

/// Finite-difference checks of a sequence demo's recorded parameter gradients.
enum RecurrentGradientCheck {
    /// Small random configurations: sizes, steps, loss, seed, and a one-hot text.
    static let configs: [[String: JSONValue]] = [
        ["input": 2, "hidden": 3, "output-size": 2, "steps": 4, "seed": 3],
        ["input": 3, "hidden": 2, "output-size": 3, "steps": 3, "loss": "cross-entropy", "seed": 17],
        ["text": "abcab", "hidden": 3, "seed": 8],
    ]

    /// Re-runs the trace's forward pass on non-recording tapes from perturbed parameter values
    /// (`bind` and `outputs` as the demo uses them) and checks every element of every
    /// parameter's recorded gradient against the central difference of Q. Returns the largest
    /// error relative to max(1, |difference|).
    @discardableResult
    static func check<Parameters: ParameterSet>(
        _ trace: TraceDocument, bind: ([Tensor], Tape) -> Parameters, outputs: ([Var], Parameters) -> [Var],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Double {
        func tensor(_ record: TensorRecord) -> Tensor { Tensor(shape: record.shape, scalars: record.data) }
        let steps = try #require(trace.config["steps"]?.intValue)
        let crossEntropy = trace.config["loss"]?.stringValue == "cross-entropy"
        let parameters = trace.tensors.filter { $0.role == .parameter && $0.version == nil }
        let values = parameters.map(tensor)
        let inputs = try (1...steps).map { try tensor(#require(trace.value(named: "x_\($0)"))) }
        let targets = try (1...steps).map { try tensor(#require(trace.value(named: "target_\($0)"))) }

        func Q(_ values: [Tensor]) -> Double {
            let tape = Tape(recording: false)
            let ys = outputs(inputs.map { tape.input($0, name: "x", requiresGradient: false) }, bind(values, tape))
            let losses = zip(ys, targets).map { y, target in
                let t = tape.constant(target, name: "target")
                return crossEntropy ? softmaxCrossEntropy(logits: y, target: t, axis: 0) : halfSquaredError(y, t)
            }
            return losses.dropFirst().reduce(losses[0], +).value.scalar
        }

        // The non-recording re-run reproduces the traced loss exactly.
        let recordedQ = try #require(trace.loss.map { trace.tensors[$0].data[0] })
        #expect(Q(values) == recordedQ, sourceLocation: sourceLocation)

        let epsilon = 1e-6
        var worst = 0.0
        for (slot, record) in parameters.enumerated() {
            let gradient = try #require(
                trace.gradients[String(record.id)].map { trace.tensors[$0].data }, "no gradient of \(record.name)",
                sourceLocation: sourceLocation)
            var numeric = [Double]()
            for element in 0..<record.data.count {
                func perturbed(_ delta: Double) -> Double {
                    var changed = values
                    changed[slot].scalars[element] += delta
                    return Q(changed)
                }
                numeric.append((perturbed(epsilon) - perturbed(-epsilon)) / (2 * epsilon))
                let error = abs(numeric[element] - gradient[element])
                worst = max(worst, error / max(1, abs(numeric[element])))
                #expect(
                    error <= 1e-7 + 1e-6 * abs(numeric[element]),
                    "\(record.name)[\(element)]: recorded \(gradient[element]), central difference \(numeric[element])",
                    sourceLocation: sourceLocation)
            }
            // Otherwise a parameter the loss ignored would pass with a zero gradient.
            #expect(numeric.contains { abs($0) > 1e-6 }, "Q does not depend on \(record.name)", sourceLocation: sourceLocation)
        }
        return worst
    }
}

/// How a trace records the gradient of a parameter shared by every step.
struct RecordedAccumulation {
    /// The recorded `add` steps that sum the contributions (phase backward).
    var adds: [Step] = []
    /// The contributions the adds read: tensors not produced by such an add.
    var contributions: [TensorRecord] = []

    /// The accumulation of `name`'s final gradient.
    init(of name: String, in trace: TraceDocument) throws {
        let parameter = try #require(trace.value(named: name))
        let root = try #require(trace.gradients[String(parameter.id)])
        let producers = Dictionary(trace.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        var pending = [root]
        while let id = pending.popLast() {
            if let step = producers[id], step.op == "add", step.phase == .backward, trace.tensors[id].role == .gradient,
                trace.tensors[id].of == parameter.id
            {
                adds.append(step)
                pending += step.inputs
            } else {
                contributions.append(trace.tensors[id])
            }
        }
    }
}

extension TraceDocument {
    /// The scope names from the outermost to `id`: `iteration 1`, `backward direction`, `t = 3`, ….
    func scopeNames(_ id: Int?) -> [String] {
        var names: [String] = []
        var scope = id
        while let current = scope {
            names.append(scopes[current].name)
            scope = scopes[current].parent
        }
        return names.reversed()
    }

    /// The scope names of the step that produced tensor `id`.
    func scopeNames(ofProducerOf id: Int) -> [String]? {
        steps.first { $0.output == id }.map { scopeNames($0.scope) }
    }
}

/// Any network's parameters as a plain list, for tests that pick the network at run time.
struct ListedParameters: ParameterSet {
    let list: [Var]
    init(_ list: ArraySlice<Var>) { self.list = Array(list) }
}
