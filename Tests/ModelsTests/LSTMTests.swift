import Engine
import Models
import Testing
import Trace

/// The `lstm` and `peephole-lstm` demos: numpy reference values, gradients, structure.
@Suite("lstm: numpy reference, finite differences, gates and scopes")
struct LSTMTests {
    static let demos: Set<String> = ["lstm", "peephole-lstm"]

    @Test func fixturesArePresent() throws {
        let fixtures = try RecurrentFixtures.all(of: Self.demos)
        #expect(fixtures.count >= 10)
        #expect(Set(fixtures.map(\.demo)) == Self.demos)
        #expect(Set(fixtures.map(\.case)).count == fixtures.count)
    }

    @Test("Every state, gate, output, loss, gradient and update matches the reference to 1e-10", arguments: RecurrentFixtures.cases(of: demos))
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(trace.model == fixture.demo)
        let deviation = compare(trace, with: fixture, accepts: RecurrentFixtures.accepts)
        #expect(deviation.values > 0)
        // Every state the reference lists is checked, c_t included.
        #expect(fixture.tensors.contains { $0.name == "c_\(trace.config["steps"]!.intValue!)" })
    }

    @Test func largestDeviationOverAllFixtures() throws {
        let overall = try RecurrentFixtures.compareAll(RecurrentFixtures.all(of: Self.demos), label: "LSTMTests")
        #expect(overall.values > 0 && overall.relative <= 1e-10)
    }

    // MARK: Finite differences

    @Test("The recorded gradient of every parameter agrees with central differences", arguments: [false, true], RecurrentGradientCheck.configs.indices)
    func finiteDifferences(peepholes: Bool, config: Int) throws {
        let trace = try runDemo(peepholes ? "peephole-lstm" : "lstm", RecurrentGradientCheck.configs[config])
        let network = LSTM(
            inputSize: trace.config["input"]!.intValue!, hiddenSize: trace.config["hidden"]!.intValue!,
            outputSize: trace.config["output-size"]!.intValue!, peepholes: peepholes)
        #expect(trace.tensors.filter { $0.role == .parameter && $0.version == nil }.count == (peepholes ? 13 : 10))
        let worst = try RecurrentGradientCheck.check(trace, bind: network.bind, outputs: { network.unroll($0, $1).outputs })
        print("LSTMTests: finite differences, peepholes \(peepholes), config \(config): max error \(worst)")
    }

    // MARK: Structure

    /// The scopes of one step, in the order the steps run in them, below `t = k`.
    private func stepScopes(_ trace: TraceDocument, t: Int) -> [[String]] {
        var seen: [[String]] = []
        for step in trace.steps where step.phase == .forward {
            let names = trace.scopeNames(step.scope)
            guard names.count > 2, names[1] == "t = \(t)", !seen.contains(Array(names.dropFirst(2))) else { continue }
            seen.append(Array(names.dropFirst(2)))
        }
        return seen
    }

    @Test func scopesAndEquationsReadLikeTheNotes() throws {
        let trace = try runDemo("lstm")
        #expect(
            stepScopes(trace, t: 2) == [
                ["LSTM cell"], ["LSTM cell", "forget gate"], ["LSTM cell", "input gate"], ["LSTM cell", "candidate"],
                ["LSTM cell", "output gate"], ["LSTM cell", "cell state"], ["LSTM cell", "hidden state"], ["output"],
            ])
        let equations = Dictionary(trace.scopes.map { ($0.name, $0.equation) }, uniquingKeysWith: { first, _ in first })
        #expect(equations["forget gate"] == "f_{t} = \\sigma(W_f [h_{t-1}; x_{t}] + b_f)")
        #expect(equations["input gate"] == "i_{t} = \\sigma(W_i [h_{t-1}; x_{t}] + b_i)")
        #expect(equations["candidate"] == "\\tilde{c}_{t} = \\tanh(W_c [h_{t-1}; x_{t}] + b_c)")
        #expect(equations["output gate"] == "o_{t} = \\sigma(W_o [h_{t-1}; x_{t}] + b_o)")
        #expect(equations["cell state"] == "c_{t} = f_{t} \\odot c_{t-1} + i_{t} \\odot \\tilde{c}_{t}")
        #expect(equations["hidden state"] == "h_{t} = o_{t} \\odot \\tanh(c_{t})")
        #expect(equations["output"] == "y_{t} = W_y h_{t} + b_y")
        #expect(trace.value(named: "ctilde_2")?.tex == "\\tilde{c}_{2}")
    }

    @Test func peepholeOutputGateReadsTheNewCellState() throws {
        let trace = try runDemo("peephole-lstm", ["steps": 2])
        #expect(
            stepScopes(trace, t: 2) == [
                ["LSTM cell"], ["LSTM cell", "forget gate"], ["LSTM cell", "input gate"], ["LSTM cell", "candidate"],
                ["LSTM cell", "cell state"], ["LSTM cell", "output gate"], ["LSTM cell", "hidden state"], ["output"],
            ])
        let equations = Dictionary(trace.scopes.map { ($0.name, $0.equation) }, uniquingKeysWith: { first, _ in first })
        #expect(equations["forget gate"] == "f_{t} = \\sigma(W_f [h_{t-1}; x_{t}] + p_f \\odot c_{t-1} + b_f)")
        #expect(equations["output gate"] == "o_{t} = \\sigma(W_o [h_{t-1}; x_{t}] + p_o \\odot c_{t} + b_o)")
        // p ⊙ c steps: p_f and p_i with c_1, p_o with c_2.
        let ids = try ["p_f", "p_i", "p_o", "c_1", "c_2"].map { try #require(trace.value(named: $0)).id }
        let products = trace.steps.filter { $0.phase == .forward && $0.op == "mul" && trace.scopeNames($0.scope).contains("t = 2") }
        #expect(products.contains { $0.inputs == [ids[0], ids[3]] })
        #expect(products.contains { $0.inputs == [ids[1], ids[3]] })
        #expect(products.contains { $0.inputs == [ids[2], ids[4]] })
    }

    @Test func namesAndShapes() throws {
        let trace = try runDemo("peephole-lstm", ["input": 3, "hidden": 4, "output-size": 2, "steps": 3])
        for (name, shape) in [
            ("W_f", [4, 7]), ("W_i", [4, 7]), ("W_c", [4, 7]), ("W_o", [4, 7]), ("b_f", [4, 1]), ("b_o", [4, 1]),
            ("p_f", [4, 1]), ("p_i", [4, 1]), ("p_o", [4, 1]), ("W_y", [2, 4]), ("b_y", [2, 1]),
        ] {
            let record = try #require(trace.value(named: name), "no \(name)")
            #expect(record.role == .parameter && record.shape == shape, "\(name): \(record.shape)")
        }
        for t in 0...3 {
            #expect(trace.value(named: "h_\(t)")?.shape == [4, 1])
            #expect(trace.value(named: "c_\(t)")?.shape == [4, 1])
        }
        #expect(trace.value(named: "h_0")?.role == .input && trace.value(named: "c_0")?.role == .input)
        #expect(trace.value(named: "h_0")?.data == [0, 0, 0, 0] && trace.value(named: "c_0")?.data == [0, 0, 0, 0])
        // The gates read [h_{t−1}; x_t]: the state first.
        let hx = try #require(trace.value(named: "hx_2"))
        let concat = try #require(trace.steps.first { $0.output == hx.id })
        #expect(concat.op == "concat" && concat.inputs == [trace.value(named: "h_1")!.id, trace.value(named: "x_2")!.id])
        #expect(hx.tex == "[h_{1}; x_{2}]")
    }

    /// W_f feeds every step: its recorded gradient is one contribution per step, summed by adds.
    @Test func forgetWeightsGradientIsOneContributionPerStep() throws {
        let trace = try runDemo("lstm", ["steps": 4])
        let accumulation = try RecordedAccumulation(of: "W_f", in: trace)
        #expect(accumulation.contributions.count == 4)
        #expect(accumulation.adds.count == 3)
        let steps = accumulation.contributions.compactMap { trace.scopeNames(ofProducerOf: $0.id)?.first { $0.hasPrefix("t = ") } }
        #expect(Set(steps) == ["t = 1", "t = 2", "t = 3", "t = 4"])
        let total = try #require(trace.gradient(of: "W_f")).data
        let sum = accumulation.contributions.dropFirst().reduce(accumulation.contributions[0].data) { zip($0, $1.data).map(+) }
        for (a, b) in zip(sum, total) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
    }

    /// With p_f = p_i = p_o = 0 the peephole LSTM computes exactly what the LSTM does.
    @Test func zeroPeepholesGiveThePlainLSTM() {
        var random = SeededGenerator(seed: 21)
        let plain = LSTM(inputSize: 2, hiddenSize: 3, outputSize: 2)
        let peephole = LSTM(inputSize: 2, hiddenSize: 3, outputSize: 2, peepholes: true)
        let values = plain.initialParameters(using: &random)
        let inputs = (0..<4).map { _ in Tensor.uniform([2, 1], bound: 1, using: &random) }
        let zeros = Array(repeating: Tensor.zeros([3, 1]), count: 3)
        let tape = Tape(recording: false)
        let xs = inputs.map { tape.input($0, name: "x", requiresGradient: false) }
        let a = plain.run(xs, plain.bind(values, on: tape).cell)
        let b = peephole.run(xs, peephole.bind(Array(values[..<8]) + zeros + values[8...], on: tape).cell)
        #expect(a.map(\.h.value) == b.map(\.h.value))
        #expect(a.map(\.c.value) == b.map(\.c.value))
        #expect(a.last!.h.value.scalars.allSatisfy { $0 != 0 })
    }

    /// The API other demos build on: unroll gives h_0…h_T and y_1…y_T, named like the demo's.
    @Test func unrollReturnsTheStatesAndOutputs() {
        var random = SeededGenerator(seed: 5)
        let network = LSTM(inputSize: 3, hiddenSize: 2, outputSize: 1)
        let tape = Tape()
        let parameters = network.bind(network.initialParameters(using: &random), on: tape)
        let inputs = (0..<5).map { tape.input(Tensor.uniform([3, 1], bound: 1, using: &random), name: "x_\($0 + 1)") }
        let (states, outputs) = network.unroll(inputs, parameters)
        #expect(states.map(\.name) == (0...5).map { "h_\($0)" })
        #expect(outputs.map(\.name) == (1...5).map { "y_\($0)" })
        #expect(outputs.allSatisfy { $0.shape == [1, 1] })
    }
}
