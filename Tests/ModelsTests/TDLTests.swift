import Engine
import Foundation
import Models
import Testing
import Trace

/// The `tdl` and `gradient-flow` reference cases in `Tests/Fixtures/sequences`, written by
/// `Tests/Fixtures/reference_tdl_gradient_flow.py` (independent numpy, hand-written gradients).
enum TDLFlowFixtures {
    /// Every fixture of `demo` compared, each one's worst relative error printed, the worst overall ≤ 1e-10.
    static func expectLargestDeviationWithinTolerance(demo: String, label: String) throws {
        var overall = Deviation()
        for fixture in cases(demo) {
            let deviation = compare(try runDemo(demo, fixture.parameters), with: fixture)
            print("\(label): \(fixture.case): max relative error \(deviation.relative) over \(deviation.values) values")
            overall.merge(deviation)
        }
        print("\(label): \(overall.values) values; max relative error \(overall.relative), max |error| at 0: \(overall.absoluteAtZero)")
        #expect(overall.values > 0 && overall.relative <= 1e-10)
    }

    /// The per-step contributions to one tap's gradient (tdl fixtures only).
    struct Contribution: Decodable, Sendable {
        let t: Int
        let shape: [Int]
        let data: [Double]
    }

    struct Extras: Decodable, Sendable {
        let contributions: [String: [Contribution]]?
    }

    static let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("sequences")

    static func all(_ demo: String) throws -> [(fixture: ModelFixture, extras: Extras)] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent.hasPrefix("\(demo)-") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { file in
            let data = try Data(contentsOf: file)
            return (try JSONDecoder().decode(ModelFixture.self, from: data), try JSONDecoder().decode(Extras.self, from: data))
        }
    }

    static func cases(_ demo: String) -> [ModelFixture] { ((try? all(demo)) ?? []).map(\.fixture) }

    static func named(_ name: String) throws -> (fixture: ModelFixture, extras: Extras) {
        let demo = name.hasPrefix("tdl-") ? "tdl" : "gradient-flow"
        return try #require(try all(demo).first { $0.fixture.case == name }, "no fixture \(name)")
    }

    /// Runs the fixture's demo, compares every value and expects at most 1e-10 relative error.
    @discardableResult
    static func check(_ fixture: ModelFixture, sourceLocation: SourceLocation = #_sourceLocation) throws -> Deviation {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(trace.model == fixture.demo, sourceLocation: sourceLocation)
        let deviation = compare(trace, with: fixture, sourceLocation: sourceLocation)
        #expect(deviation.values > 0, sourceLocation: sourceLocation)
        #expect(deviation.relative <= 1e-10, "\(fixture.case): max relative error \(deviation.relative)", sourceLocation: sourceLocation)
        return deviation
    }

    /// The names of the scopes from the outermost to `id`.
    static func scopeNames(_ id: Int?, in trace: TraceDocument) -> [String] {
        var names: [String] = []
        var scope = id
        while let current = scope {
            names.append(trace.scopes[current].name)
            scope = trace.scopes[current].parent
        }
        return names.reversed()
    }

    /// The `t = k` scope a step belongs to (k), if any.
    static func timeStep(of step: Step, in trace: TraceDocument) -> Int? {
        TDLFlowFixtures.scopeNames(step.scope, in: trace).last { $0.hasPrefix("t = ") }.flatMap { Int($0.dropFirst(4)) }
    }
}

@Suite("tdl: numpy reference, delay line structure, finite differences")
struct TDLTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try TDLFlowFixtures.all("tdl").map(\.fixture)
        #expect(fixtures.count >= 7)
        #expect(fixtures.allSatisfy { $0.demo == "tdl" })
        let kinds = Set(fixtures.map { $0.parameters["tap-kind"]?.stringValue ?? "scalar" })
        #expect(kinds == ["scalar", "vector", "matrix"])
    }

    @Test("Every output, loss, gradient, update and history value matches the reference to 1e-10", arguments: TDLFlowFixtures.cases("tdl"))
    func matchesReference(_ fixture: ModelFixture) throws {
        try TDLFlowFixtures.check(fixture)
    }

    @Test func largestDeviationOverAllFixtures() throws {
        try TDLFlowFixtures.expectLargestDeviationWithinTolerance(demo: "tdl", label: "TDLTests")
    }

    @Test("Each tap's gradient is a chain of recorded adds over one contribution per step, each in t = k › tapped delay line",
          arguments: ["tdl-defaults", "tdl-scalar-t6", "tdl-vector", "tdl-matrix-text"])
    func tapGradientsAccumulateOneContributionPerStep(_ name: String) throws {
        let (fixture, extras) = try TDLFlowFixtures.named(name)
        let trace = try runDemo("tdl", fixture.parameters)
        let steps = try #require(trace.config["steps"]?.intValue)
        let taps = try #require(trace.config["taps"]?.intValue)
        let producers = Dictionary(trace.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        for i in 0..<taps {
            let tap = try #require(trace.value(named: "a_\(i)"))
            var leaves: [Int: TensorRecord] = [:]
            var adds = 0
            var pending = [try #require(trace.gradients[String(tap.id)])]
            while let id = pending.popLast() {
                let step = try #require(producers[id])
                if step.op == "add", trace.tensors[id].of == tap.id, step.inputs.allSatisfy({ trace.tensors[$0].of == tap.id }) {
                    adds += 1
                    pending += step.inputs
                    continue
                }
                #expect(TDLFlowFixtures.scopeNames(step.scope, in: trace).last == "tapped delay line")
                let t = try #require(TDLFlowFixtures.timeStep(of: step, in: trace))
                #expect(leaves[t] == nil, "a_\(i): two contributions from t = \(t)")
                leaves[t] = trace.tensors[id]
            }
            #expect(Set(leaves.keys) == Set(1...steps), "a_\(i): contributions from \(leaves.keys.sorted())")
            #expect(adds == steps - 1)
            // Before the sequence reaches tap i (t ≤ i) it reads a zero: its contribution is 0.
            for (t, leaf) in leaves where t <= i { #expect(leaf.data.allSatisfy { $0 == 0 }, "a_\(i) at t = \(t)") }
            if let expected = extras.contributions?["a_\(i)"] {
                for contribution in expected {
                    let actual = try #require(leaves[contribution.t])
                    #expect(actual.shape == contribution.shape)
                    for (a, e) in zip(actual.data, contribution.data) {
                        #expect(abs(a - e) <= 1e-12 * abs(e) + 1e-15, "a_\(i), t = \(contribution.t): \(a) vs reference \(e)")
                    }
                }
            }
        }
    }

    @Test("Feed-forward: every forward step at t reads only leaves and tensors computed at that same t", arguments: ["tdl-scalar-t6", "tdl-matrix"])
    func noPathThroughTime(_ name: String) throws {
        let trace = try runDemo("tdl", try TDLFlowFixtures.named(name).fixture.parameters)
        let producers = Dictionary(trace.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        var checked = 0
        for step in trace.steps where step.phase == .forward {
            guard let t = TDLFlowFixtures.timeStep(of: step, in: trace) else { continue }
            for input in step.inputs {
                guard let producer = producers[input] else { continue }  // a leaf: x, a parameter, a zero
                #expect(TDLFlowFixtures.timeStep(of: producer, in: trace) == t, "step \(step.index) at t = \(t) reads tensor \(input) made elsewhere")
                checked += 1
            }
        }
        #expect(checked > 0)
        // The rnn, by contrast, reads h_{t−1} from the step before.
        let rnn = try runDemo("rnn", ["steps": 3])
        let rnnProducers = Dictionary(rnn.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        #expect(rnn.steps.contains { step in
            guard step.phase == .forward, let t = TDLFlowFixtures.timeStep(of: step, in: rnn) else { return false }
            return step.inputs.contains { rnnProducers[$0].flatMap { TDLFlowFixtures.timeStep(of: $0, in: rnn) }.map { $0 != t } ?? false }
        })
    }

    @Test("Before the start the line holds zeros x_0, x_−1, …; the scope equation lists the taps; ẑ_1 = a_0 x_1 exactly")
    func zerosBeforeTheStart() throws {
        let trace = try runDemo("tdl", ["taps": 3, "steps": 4, "seed": 11])
        for name in ["x_0", "x_-1"] {
            let zero = try #require(trace.value(named: name))
            #expect(zero.role == .constant && zero.shape == [2, 1] && zero.data == [0, 0])
        }
        #expect(trace.value(named: "x_-2") == nil)
        let equations = trace.scopes.filter { $0.name == "tapped delay line" }.compactMap(\.equation)
        #expect(equations.first == "\\hat{z}_{1} = a_{0} x_{1} + a_{1} x_{0} + a_{2} x_{-1}")
        #expect(equations.last == "\\hat{z}_{4} = a_{0} x_{4} + a_{1} x_{3} + a_{2} x_{2}")
        let a0 = try #require(trace.value(named: "a_0")).data[0]
        let x1 = try #require(trace.value(named: "x_1")).data
        #expect(try #require(trace.value(named: "zhat_1")).data == x1.map { a0 * $0 })
        let zhat = try #require(trace.value(named: "zhat_1"))
        #expect(zhat.tex == "\\hat{z}_{1}")
        #expect(trace.value(named: "a_2")?.tex == "a_{2}")
    }

    @Test("Vector taps show ⊙ in the equation; matrix taps are O×I and give O outputs")
    func tapShapes() throws {
        let vector = try runDemo("tdl", ["tap-kind": "vector", "taps": 2, "input": 3])
        #expect(vector.value(named: "a_1")?.shape == [3, 1])
        #expect(vector.config["output-size"]?.intValue == 3)
        #expect(vector.scopes.contains { $0.equation == "\\hat{z}_{2} = a_{0} \\odot x_{2} + a_{1} \\odot x_{1}" })
        let matrix = try runDemo("tdl", ["tap-kind": "matrix", "taps": 2, "input": 3, "output-size": 4])
        #expect(matrix.value(named: "a_0")?.shape == [4, 3])
        #expect(matrix.value(named: "zhat_3")?.shape == [4, 1])
        let scalar = try runDemo("tdl", ["taps": 5])
        #expect(scalar.value(named: "a_4")?.shape == [])
    }

    @Test("Scalar and vector taps refuse targets of another size than x_t, naming the fix")
    func sizeConflicts() {
        let error = demoError { _ = try runDemo("tdl", ["input": 3, "output-size": 2]) }
        #expect(error?.message(flagPrefix: "--")
            == "--tap-kind scalar keeps the size of x_t (I = 3), so the targets need 3 numbers, not 2; give --output-size 3 or use --tap-kind matrix")
        #expect(demoError { _ = try runDemo("tdl", ["tap-kind": "vector", "inputs": [[1, 2]], "targets": [[1]]]) } != nil)
        #expect(demoError { _ = try runDemo("tdl", ["taps": 17]) } == .outOfRange(parameter: "taps", value: "17", allowed: "1…16"))
        #expect(demoError { _ = try runDemo("tdl", ["tap-kind": "matrix", "input": 3, "output-size": 2]) } == nil)
    }

    @Test("Trained on targets that are the input delayed by one step, the taps become (0, 1, 0)")
    func learnsADelay() throws {
        var random = SeededGenerator(seed: 5)
        let inputs = (0..<12).map { _ in [random.uniform(-1, 1), random.uniform(-1, 1)] }
        let targets = [[0.0, 0.0]] + inputs.dropLast()
        let json: (([[Double]]) -> JSONValue) = { .array($0.map { .array($0.map { .double($0) }) }) }
        let trace = try runDemo("tdl", ["inputs": json(inputs), "targets": json(targets), "taps": 3, "train": 500, "lr": 0.05])
        let last = try #require(trace.history?.last?.tensors)
        let taps = try (0..<3).map { try #require(last["a_\($0)"]).data[0] }
        #expect(abs(taps[0]) < 1e-4 && abs(taps[1] - 1) < 1e-4 && abs(taps[2]) < 1e-4, "taps \(taps)")
        #expect(try #require(trace.history?.last?.loss) < 1e-8)
    }

    // MARK: Finite differences

    static let gradientCheckConfigs: [[String: JSONValue]] = [
        ["taps": 3, "steps": 5, "input": 2, "seed": 21],
        ["tap-kind": "vector", "taps": 2, "steps": 4, "input": 3, "loss": "cross-entropy", "seed": 22],
        ["tap-kind": "matrix", "taps": 3, "steps": 4, "input": 2, "output-size": 3, "seed": 23],
        ["tap-kind": "matrix", "taps": 2, "text": "abcab", "seed": 24],
    ]

    @Test("The recorded gradients of the taps agree with central differences of Q", arguments: gradientCheckConfigs.indices)
    func finiteDifferences(_ index: Int) throws {
        let trace = try runDemo("tdl", Self.gradientCheckConfigs[index])
        func tensor(_ record: TensorRecord) -> Tensor { Tensor(shape: record.shape, scalars: record.data) }
        let steps = try #require(trace.config["steps"]?.intValue)
        let L = try #require(trace.config["taps"]?.intValue)
        let kind = try #require(trace.config["tap-kind"]?.stringValue.flatMap(TappedDelayLine.TapKind.init(rawValue:)))
        let crossEntropy = trace.config["loss"]?.stringValue == "cross-entropy"
        let records = try (0..<L).map { try #require(trace.value(named: "a_\($0)")) }
        let inputs = try (1...steps).map { try tensor(#require(trace.value(named: "x_\($0)"))) }
        let targets = try (1...steps).map { try tensor(#require(trace.value(named: "target_\($0)"))) }
        let line = TappedDelayLine(taps: L, kind: kind, inputSize: inputs[0].count, outputSize: targets[0].count)

        func Q(_ taps: [Tensor]) -> Double {
            let tape = Tape(recording: false)
            let zs = line.outputs(inputs.map { tape.input($0, name: "x", requiresGradient: false) }, line.bind(taps, on: tape))
            let losses = zip(zs, targets).map { z, target in
                let t = tape.constant(target, name: "target")
                return crossEntropy ? softmaxCrossEntropy(logits: z, target: t, axis: 0) : halfSquaredError(z, t)
            }
            return losses.dropFirst().reduce(losses[0], +).value.scalar
        }

        let values = records.map(tensor)
        #expect(Q(values) == trace.loss.map { trace.tensors[$0].data[0] })
        let epsilon = 1e-6
        for (slot, record) in records.enumerated() {
            let gradient = try #require(trace.gradients[String(record.id)].map { trace.tensors[$0].data })
            for element in 0..<record.data.count {
                var plus = values, minus = values
                plus[slot].scalars[element] += epsilon
                minus[slot].scalars[element] -= epsilon
                let numeric = (Q(plus) - Q(minus)) / (2 * epsilon)
                #expect(abs(numeric - gradient[element]) <= 1e-7 + 1e-6 * abs(numeric),
                        "a_\(slot)[\(element)]: recorded \(gradient[element]), central difference \(numeric)")
            }
        }
    }
}
