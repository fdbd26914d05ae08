import Engine
import Foundation
import Models
import Testing
import Trace

@Suite("gradient-flow: numpy reference, vanishing and exploding norms, clipping, overflow")
struct GradientFlowTests {
    @Test func fixturesArePresent() throws {
        let fixtures = TDLFlowFixtures.cases("gradient-flow")
        #expect(fixtures.count >= 6)
        #expect(Set(fixtures.map { $0.parameters["network"]?.stringValue ?? "rnn" }) == ["rnn", "lstm"])
        #expect(fixtures.contains { $0.parameters["clip"] != nil })
        for fixture in fixtures {
            let norms = fixture.history?.snapshots["1"]?["grad_norm_h"]
            #expect(norms != nil, "\(fixture.case): no grad_norm_h in the reference history")
        }
    }

    @Test("States, gradients of every h_t (and c_t), updates, losses and gradient norms match the reference to 1e-10",
          arguments: TDLFlowFixtures.cases("gradient-flow"))
    func matchesReference(_ fixture: ModelFixture) throws {
        try TDLFlowFixtures.check(fixture)
    }

    @Test func largestDeviationOverAllFixtures() throws {
        try TDLFlowFixtures.expectLargestDeviationWithinTolerance(demo: "gradient-flow", label: "GradientFlowTests")
    }

    // MARK: The norms in history

    /// ‖∂Q/∂h_t‖ for t = 1…T from the first iteration's history entry.
    static func norms(_ trace: TraceDocument, _ name: String = "grad_norm_h", iteration: Int = 1) throws -> [Double] {
        let entry = try #require(trace.history?.first { $0.iteration == iteration })
        return try #require(entry.tensors?[name]).data
    }

    static func norm(_ values: [Double]) -> Double { values.map { $0 * $0 }.reduce(0, +).squareRoot() }

    @Test("grad_norm_h (and grad_norm_c) hold the norms of the recorded gradients of h_t (c_t), for every t",
          arguments: [["weight-scale": 2, "steps": 12, "hidden": 6], ["network": "lstm", "steps": 8, "hidden": 3]] as [[String: JSONValue]])
    func historyNormsAreTheRecordedGradients(_ parameters: [String: JSONValue]) throws {
        let trace = try runDemo("gradient-flow", parameters)
        let steps = try #require(trace.config["steps"]?.intValue)
        let lstm = parameters["network"] == "lstm"
        for (name, state) in [("grad_norm_h", "h")] + (lstm ? [("grad_norm_c", "c")] : []) {
            let norms = try Self.norms(trace, name)
            #expect(norms.count == steps)
            for t in 1...steps {
                let gradient = try #require(trace.gradient(of: "\(state)_\(t)"))
                #expect(gradient.name == "dQ/d\(state)_\(t)")
                #expect(abs(norms[t - 1] - Self.norm(gradient.data)) <= 1e-14 * norms[t - 1], "\(name)[\(t)]")
            }
        }
        if !lstm { #expect(trace.history?.first?.tensors?["grad_norm_c"] == nil) }
    }

    @Test("Weight scale 0.5: ‖∂Q/∂h_t‖ decreases at every step back in time, to below 1e-6 of ‖∂Q/∂h_T‖",
          arguments: [1, 2, 3] as [Int])
    func vanishes(_ seed: Int) throws {
        let norms = try Self.norms(runDemo("gradient-flow", ["weight-scale": 0.5, "steps": 30, "seed": .int(seed)]))
        for t in 1..<norms.count { #expect(norms[t - 1] < norms[t], "seed \(seed): ‖∂Q/∂h_\(t)‖ ≥ ‖∂Q/∂h_\(t + 1)‖") }
        #expect(norms[0] < 1e-6 * norms[norms.count - 1])
    }

    @Test("Weight scale 2 (H = 32, T = 60): ‖∂Q/∂h_t‖ grows going back, over 100-fold from t = T to t = 1",
          arguments: [1, 2, 3] as [Int])
    func explodes(_ seed: Int) throws {
        let norms = try Self.norms(runDemo("gradient-flow", ["weight-scale": 2, "hidden": 32, "steps": 60, "seed": .int(seed), "record": "history"]))
        #expect(norms[0] > 100 * norms[norms.count - 1], "seed \(seed): \(norms[0]) vs \(norms[norms.count - 1])")
        // A trend, not noise: the earlier half is larger on average (geometric mean) than the later half.
        let logs = norms.map { Foundation.log($0) }
        let half = norms.count / 2
        #expect(logs[..<half].reduce(0, +) / Double(half) > logs[half...].reduce(0, +) / Double(norms.count - half))
    }

    @Test("One step back multiplies by W_hhᵀ diag(1 − h_t²): ‖∂Q/∂h_{t−1}‖ ≤ ‖W_hh‖_F · ‖∂Q/∂h_t‖ for every t and scale",
          arguments: [0.25, 1, 3] as [Double])
    func oneStepBackIsBoundedByTheRecurrentWeights(_ scale: Double) throws {
        let trace = try runDemo("gradient-flow", ["weight-scale": .double(scale), "steps": 20, "hidden": 8])
        let W = try #require(trace.value(named: "W_1"))
        let (H, columns) = (W.shape[0], W.shape[1])
        let recurrent = (0..<H).flatMap { row in (columns - H..<columns).map { W.data[row * columns + $0] } }
        let bound = Self.norm(recurrent)
        let norms = try Self.norms(trace)
        for t in 1..<norms.count { #expect(norms[t - 1] <= bound * norms[t] * (1 + 1e-12), "t = \(t + 1) → \(t)") }
    }

    @Test("The lstm's cell path: with forget bias 5, ‖∂Q/∂c_1‖ stays above 1% of ‖∂Q/∂c_T‖ over 60 steps; without, below 1e-6")
    func forgetBiasCarriesTheGradient() throws {
        let common: [String: JSONValue] = ["network": "lstm", "steps": 60, "record": "history"]
        let open = try Self.norms(runDemo("gradient-flow", common.merging(["forget-bias": 5]) { $1 }), "grad_norm_c")
        let plain = try Self.norms(runDemo("gradient-flow", common), "grad_norm_c")
        #expect(open[0] > 1e-2 * open[59], "\(open[0]) vs \(open[59])")
        #expect(plain[0] < 1e-6 * plain[59], "\(plain[0]) vs \(plain[59])")
        // And the forget bias is what the trace's b_f starts from: the drawn value plus 5.
        let traced = try runDemo("gradient-flow", ["network": "lstm", "steps": 3, "hidden": 2, "forget-bias": 5])
        let untouched = try runDemo("gradient-flow", ["network": "lstm", "steps": 3, "hidden": 2])
        #expect(try #require(traced.value(named: "b_f")).data == (try #require(untouched.value(named: "b_f")).data.map { $0 + 5 }))
        #expect(traced.value(named: "b_i")?.data == untouched.value(named: "b_i")?.data)
        #expect(demoError { _ = try runDemo("gradient-flow", ["forget-bias": 1]) }?.message()
            == "forget-bias sets the LSTM's forget gate; add network lstm or leave it out")
    }

    @Test("Weight scale 0 cuts the recurrence: ∂Q/∂h_t is exactly 0 for t < T")
    func zeroScaleCutsTheRecurrence() throws {
        let norms = try Self.norms(runDemo("gradient-flow", ["weight-scale": 0, "steps": 6, "hidden": 4]))
        #expect(norms.dropLast().allSatisfy { $0 == 0 })
        #expect(norms.last! > 0)
    }

    @Test("The network is the rnn demo's: same sequence and draws, the recurrent columns of W_1 times g·√3 (bitwise)")
    func drawsAsTheRNNDemoDoes() throws {
        let common: [String: JSONValue] = ["steps": 5, "hidden": 3, "input": 2, "seed": 4]
        let flow = try runDemo("gradient-flow", common.merging(["weight-scale": 1.5]) { $1 })
        let rnn = try runDemo("rnn", common)
        for name in ["b_1", "W_2", "b_2", "x_1", "x_5", "target_5"] {
            #expect(flow.value(named: name)?.data == rnn.value(named: name)?.data, "\(name)")
        }
        let (a, b) = try (#require(flow.value(named: "W_1")).data, #require(rnn.value(named: "W_1")).data)
        let factor = 1.5 * 3.0.squareRoot()
        for row in 0..<3 {
            for column in 0..<5 {
                let index = row * 5 + column
                #expect(a[index] == (column < 2 ? b[index] : b[index] * factor), "W_1[\(row), \(column)]")
            }
        }
    }

    @Test("The loss is on the last step only: one output y_T, one target, loss scope over Q_T")
    func lossOnTheLastStep() throws {
        let trace = try runDemo("gradient-flow", ["steps": 7, "hidden": 3])
        #expect(trace.tensors.filter { $0.name.hasPrefix("y_") && $0.role != .gradient }.map(\.name) == ["y_7"])
        #expect(trace.tensors.filter { $0.name.hasPrefix("target_") }.map(\.name) == ["target_7"])
        #expect(trace.tensors[try #require(trace.loss)].name == "Q")
        #expect(trace.scopes.contains { $0.name == "loss" && $0.equation == "Q = \\tfrac{1}{2} \\lVert y_{7} - \\mathrm{target}_{7} \\rVert^2" })
        #expect(trace.scopes.filter { $0.name == "RNN cell" }.count == 7)
    }

    // MARK: Clipping

    @Test("Clipping records clip_norm per parameter between backward and sgd, and caps each gradient's norm at max_norm exactly",
          arguments: ["rnn", "lstm"])
    func clippingCapsTheNorm(_ network: String) throws {
        let clip = 0.05
        let trace = try runDemo("gradient-flow", ["network": .string(network), "weight-scale": 2, "steps": 10, "hidden": 4, "clip": .double(clip), "lr": 0.5])
        let clips = trace.steps.filter { $0.op == "clip_norm" }
        let parameters = trace.tensors.filter { $0.role == .parameter && $0.version == nil }
        #expect(clips.count == parameters.count)
        let lastBackward = try #require(trace.steps.last { $0.phase == .backward }).index
        let firstUpdate = try #require(trace.steps.first { $0.op == "sgd" }).index
        var capped = 0
        for step in clips {
            #expect(step.phase == .update && step.index > lastBackward && step.index < firstUpdate)
            #expect(step.attrs == ["max_norm": .double(clip)])
            let (input, output) = (trace.tensors[step.inputs[0]], trace.tensors[step.output])
            let before = Self.norm(input.data), after = Self.norm(output.data)
            if before > clip {
                #expect(abs(after - clip) <= 4 * clip.ulp, "\(input.name): ‖clipped‖ = \(after)")
                capped += 1
            } else {
                #expect(output.data == input.data)
            }
            // The update reads the clipped gradient: p₁ = p₀ − lr · clip(g).
            let update = try #require(trace.steps.first { $0.op == "sgd" && $0.inputs[1] == step.output })
            let (p0, p1) = (trace.tensors[update.inputs[0]].data, trace.tensors[update.output].data)
            for k in p0.indices { #expect(p1[k] == p0[k] - 0.5 * output.data[k]) }
        }
        #expect(capped > 0, "no gradient was above the limit: the test would not test clipping")
    }

    @Test("The history of a clipped run does not depend on recording: record steps and record history agree bitwise")
    func recordingDoesNotChangeTheNumbers() throws {
        let parameters: [String: JSONValue] = ["weight-scale": 2, "steps": 15, "hidden": 5, "clip": 0.3, "train": 4, "lr": 0.3]
        let traced = try runDemo("gradient-flow", parameters)
        let untraced = try runDemo("gradient-flow", parameters.merging(["record": "history"]) { $1 })
        // The same numbers; only the `traced` flag of iteration 1 differs.
        #expect(traced.history?.map { [$0.iteration: $0.loss] } == untraced.history?.map { [$0.iteration: $0.loss] })
        #expect(traced.history?.map(\.tensors) == untraced.history?.map(\.tensors))
        #expect(traced.history?.map(\.traced) == [true, false, false, false])
        #expect(untraced.history?.map(\.traced) == [false, false, false, false])
        #expect(untraced.steps.isEmpty && untraced.tensors.isEmpty && untraced.scopes.isEmpty)
        #expect(untraced.loss == nil && untraced.gradients.isEmpty)
        #expect(untraced.title.hasSuffix("(history only)"))
    }

    // MARK: Overflow

    /// T = 1000 with H = 64 and gain 10: the state gradients overflow a few dozen steps back from T.
    static let overflow: [String: JSONValue] = ["record": "history", "steps": 1000, "hidden": 64, "weight-scale": 10, "train": 2]

    @Test("Exploding to overflow: ∞ then NaN going back in grad_norm_h, a NaN loss next iteration, all kept through the JSON")
    func overflowComesThroughTheTrace() throws {
        let trace = try runDemo("gradient-flow", Self.overflow)
        let norms = try Self.norms(trace)
        #expect(norms.count == 1000)
        #expect(norms.last!.isFinite && norms.last! > 0)
        let firstInfinite = try #require(norms.lastIndex { $0 == .infinity })
        #expect(norms[(firstInfinite + 1)...].allSatisfy { $0.isFinite }, "finite after the last ∞ (closer to T)")
        #expect(norms[..<firstInfinite].contains { $0.isNaN }, "∞ · 0 and ∞ − ∞ become NaN further back")
        #expect(try #require(trace.history?[1].loss).isNaN)

        let json = try trace.jsonData()
        let text = try #require(String(data: json, encoding: .utf8))
        #expect(text.contains("\"Infinity\"") && text.contains("\"NaN\""))
        #expect(!text.contains("inf") && !text.contains("nan"))
        let decoded = try TraceDocument.decode(from: json)
        let again = try Self.norms(decoded)
        #expect(zip(again, norms).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) })
        #expect(try #require(decoded.history?[1].loss).isNaN)
    }

    // MARK: Limits

    @Test("A traced run is limited to 200 steps with an error that names record history; 1000 is the limit")
    func limits() {
        let error = demoError { _ = try runDemo("gradient-flow", ["steps": 201]) }
        #expect(error?.message(flagPrefix: "--")
            == "a sequence of 201 steps is too long to trace step by step (at most 200); add --record history to keep only the gradient norms, for up to 1000 steps")
        #expect(demoError { _ = try runDemo("gradient-flow", ["steps": 1001, "record": "history"]) }
            == .outOfRange(parameter: "steps", value: "1001", allowed: "1…1000"))
        #expect(demoError { _ = try runDemo("gradient-flow", ["weight-scale": -1]) } != nil)
        #expect(demoError { _ = try runDemo("gradient-flow", ["clip": 0]) } != nil)
        #expect(demoError { _ = try runDemo("gradient-flow", ["steps": 200, "hidden": 2]) } == nil)
    }

    // MARK: Finite differences

    static let gradientCheckConfigs: [[String: JSONValue]] = [
        ["network": "rnn", "steps": 6, "hidden": 3, "weight-scale": 1.7, "seed": 31],
        ["network": "rnn", "text": "abcab", "hidden": 2, "seed": 32],
        ["network": "lstm", "steps": 5, "hidden": 3, "weight-scale": 1.2, "seed": 33],
        ["network": "lstm", "steps": 4, "hidden": 2, "input": 3, "output-size": 3, "loss": "cross-entropy", "seed": 34],
    ]

    @Test("Every recorded parameter gradient agrees with central differences of the last step's loss", arguments: gradientCheckConfigs.indices)
    func finiteDifferences(_ index: Int) throws {
        let config = Self.gradientCheckConfigs[index]
        let trace = try runDemo("gradient-flow", config)
        func tensor(_ record: TensorRecord) -> Tensor { Tensor(shape: record.shape, scalars: record.data) }
        let steps = try #require(trace.config["steps"]?.intValue)
        let H = try #require(trace.config["hidden"]?.intValue)
        let crossEntropy = trace.config["loss"]?.stringValue == "cross-entropy"
        let records = trace.tensors.filter { $0.role == .parameter && $0.version == nil }
        let inputs = try (1...steps).map { try tensor(#require(trace.value(named: "x_\($0)"))) }
        let target = try tensor(#require(trace.value(named: "target_\(steps)")))
        let (I, O) = (inputs[0].count, target.count)

        func Q(_ values: [Tensor]) -> Double {
            let tape = Tape(recording: false)
            let xs = inputs.map { tape.input($0, name: "x", requiresGradient: false) }
            let y: Var
            if config["network"] == "lstm" {
                let network = LSTM(inputSize: I, hiddenSize: H, outputSize: O)
                let parameters = network.bind(values, on: tape)
                y = network.output(network.run(xs, parameters.cell).last!.h, parameters, step: steps)
            } else {
                let network = RNN(inputSize: I, hiddenSize: H, outputSize: O)
                let parameters = network.bind(values, on: tape)
                y = network.output(network.run(xs, parameters.cell).last!, parameters, step: steps)
            }
            let t = tape.constant(target, name: "target")
            return (crossEntropy ? softmaxCrossEntropy(logits: y, target: t, axis: 0) : halfSquaredError(y, t)).value.scalar
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
                        "\(record.name)[\(element)]: recorded \(gradient[element]), central difference \(numeric)")
            }
        }
    }
}
