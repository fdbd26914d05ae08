import Engine
import Models
import Testing
import Trace

/// The `gru` demo: numpy reference values, gradients, the gate convention, structure.
@Suite("gru: numpy reference, finite differences, the z convention, scopes")
struct GRUTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try RecurrentFixtures.all(of: ["gru"])
        #expect(fixtures.count >= 5)
        #expect(Set(fixtures.map(\.case)).count == fixtures.count)
    }

    @Test("Every state, gate, output, loss, gradient and update matches the reference to 1e-10", arguments: RecurrentFixtures.cases(of: ["gru"]))
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(trace.model == "gru")
        let deviation = compare(trace, with: fixture, accepts: RecurrentFixtures.accepts)
        #expect(deviation.values > 0)
        #expect(fixture.tensors.contains { $0.name == "htilde_1" } && fixture.tensors.contains { $0.name == "r_1" })
    }

    @Test func largestDeviationOverAllFixtures() throws {
        let overall = try RecurrentFixtures.compareAll(RecurrentFixtures.all(of: ["gru"]), label: "GRUTests")
        #expect(overall.values > 0 && overall.relative <= 1e-10)
    }

    @Test("The recorded gradient of every parameter agrees with central differences", arguments: RecurrentGradientCheck.configs.indices)
    func finiteDifferences(_ config: Int) throws {
        let trace = try runDemo("gru", RecurrentGradientCheck.configs[config])
        let network = GRU(
            inputSize: trace.config["input"]!.intValue!, hiddenSize: trace.config["hidden"]!.intValue!,
            outputSize: trace.config["output-size"]!.intValue!)
        let worst = try RecurrentGradientCheck.check(trace, bind: network.bind, outputs: { network.unroll($0, $1).outputs })
        print("GRUTests: finite differences, config \(config): max error \(worst)")
    }

    /// One GRU step from a non-zero h_{t−1}, its update gate driven to 0 or 1 by its bias (W_z = 0):
    /// h_{t−1}, h̃_t and h_t.
    private func stepWithUpdateGate(saturatedAt bias: Double) -> (previous: Tensor, candidate: Tensor, state: Tensor) {
        var random = SeededGenerator(seed: 4)
        let network = GRU(inputSize: 2, hiddenSize: 3, outputSize: 1)
        var values = network.initialParameters(using: &random)
        values[0] = .zeros([3, 5])
        values[1] = .filled([3, 1], with: bias)
        let tape = Tape()
        let x = tape.input(Tensor.uniform([2, 1], bound: 1, using: &random), name: "x_1")
        let h = tape.input(Tensor(column: [0.5, -0.25, 0.75]), name: "h_0")
        let state = network.cell(x, h, network.bind(values, on: tape).cell, step: 1)
        let trace = tape.trace(title: "one GRU step", model: "gru", config: [:])
        let candidate = trace.tensors.first { $0.name == "htilde_1" }!
        return (h.value, Tensor(shape: candidate.shape, scalars: candidate.data), state.value)
    }

    /// The convention of the notes (Cho et al. 2014): z_t → 1 keeps h_{t−1}, z_t → 0 takes h̃_t.
    /// Under PyTorch's or the swapped convention these would be the other way round.
    @Test func updateGateNearOneKeepsTheOldState() {
        let keep = stepWithUpdateGate(saturatedAt: 50)  // σ(50) = 1 − 2e−22: 1 in doubles
        #expect(keep.state == keep.previous)
        #expect(keep.candidate != keep.previous)
        let replace = stepWithUpdateGate(saturatedAt: -50)  // σ(−50) ≈ 2e−22
        for (h, candidate) in zip(replace.state.scalars, replace.candidate.scalars) {
            #expect(abs(h - candidate) <= 1e-20)
        }
        #expect(replace.state != replace.previous)
    }

    @Test func scopesEquationsAndNames() throws {
        let trace = try runDemo("gru", ["input": 3, "hidden": 2, "output-size": 4])
        var seen: [[String]] = []
        for step in trace.steps where step.phase == .forward {
            let names = trace.scopeNames(step.scope)
            guard names.count > 2, names[1] == "t = 2", !seen.contains(Array(names.dropFirst(2))) else { continue }
            seen.append(Array(names.dropFirst(2)))
        }
        #expect(
            seen == [
                ["GRU cell"], ["GRU cell", "update gate"], ["GRU cell", "reset gate"], ["GRU cell", "candidate"],
                ["GRU cell", "hidden state"], ["output"],
            ])
        let equations = Dictionary(trace.scopes.map { ($0.name, $0.equation) }, uniquingKeysWith: { first, _ in first })
        #expect(equations["update gate"] == "z_{t} = \\sigma(W_z [h_{t-1}; x_{t}] + b_z)")
        #expect(equations["reset gate"] == "r_{t} = \\sigma(W_r [h_{t-1}; x_{t}] + b_r)")
        #expect(equations["candidate"] == "\\tilde{h}_{t} = \\tanh(W_h [r_{t} \\odot h_{t-1}; x_{t}] + b_h)")
        #expect(equations["hidden state"] == "h_{t} = z_{t} \\odot h_{t-1} + (1 - z_{t}) \\odot \\tilde{h}_{t}")
        for (name, shape) in [("W_z", [2, 5]), ("W_r", [2, 5]), ("W_h", [2, 5]), ("b_z", [2, 1]), ("b_h", [2, 1]), ("W_y", [4, 2]), ("b_y", [4, 1])] {
            #expect(trace.value(named: name)?.shape == shape, "\(name)")
        }
        #expect(trace.value(named: "htilde_3")?.tex == "\\tilde{h}_{3}")
        // The reset gate scales h_{t−1} before the product: W_h reads [r_t ⊙ h_{t−1}; x_t].
        let ids = try ["r_2", "h_1"].map { try #require(trace.value(named: $0)).id }
        let reset = try #require(trace.steps.first { $0.op == "mul" && $0.inputs == ids })
        let joined = try #require(trace.steps.first { $0.op == "concat" && $0.inputs.first == reset.output })
        #expect(joined.inputs == [reset.output, trace.value(named: "x_2")!.id])
        #expect(trace.steps.contains { $0.op == "matmul" && $0.inputs == [trace.value(named: "W_h")!.id, joined.output] })
    }

    @Test func updateWeightsGradientIsOneContributionPerStep() throws {
        let trace = try runDemo("gru", ["steps": 5])
        let accumulation = try RecordedAccumulation(of: "W_z", in: trace)
        #expect(accumulation.contributions.count == 5 && accumulation.adds.count == 4)
        let steps = accumulation.contributions.compactMap { trace.scopeNames(ofProducerOf: $0.id)?.first { $0.hasPrefix("t = ") } }
        #expect(Set(steps) == Set((1...5).map { "t = \($0)" }))
    }
}
