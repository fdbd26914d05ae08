import Engine
import Foundation
import Models
import Testing
import Trace

@Suite("transformer-encoder: numpy reference, layer norm and its recorded backward, positional encoding, finite differences")
struct TransformerEncoderTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try AttentionFixtures.all(prefix: "transformer-").map(\.fixture)
        #expect(fixtures.count >= 5)
        #expect(fixtures.allSatisfy { $0.demo == "transformer-encoder" })
        #expect(fixtures.contains { $0.history?.losses.count ?? 0 > 1 })
    }

    @Test("Every output, weight, layer-norm quantity, loss, gradient, update and history value matches the reference to 1e-10",
          arguments: AttentionFixtures.cases(prefix: "transformer-"))
    func matchesReference(_ fixture: ModelFixture) throws {
        try AttentionFixtures.check(fixture)
    }

    @Test func largestDeviationOverAllFixtures() throws {
        var (values, relative) = (0, 0.0)
        for fixture in AttentionFixtures.cases(prefix: "transformer-") {
            let deviation = AttentionFixtures.deviation(try runDemo(fixture.demo, fixture.parameters), fixture)
            (values, relative) = (values + deviation.values, max(relative, deviation.relative))
        }
        print("TransformerEncoderTests: \(values) values; max relative error \(relative)")
        #expect(values > 0 && relative <= 1e-10)
    }

    @Test("Layer norm: every row of x̂ has mean 0 and biased variance v/(v + ε); with γ = 1, β = 0 it is the output")
    func layerNormNormalizesEachRow() throws {
        let trace = try runDemo("transformer-encoder", ["d-model": 8, "heads": 2, "seed": 3])
        for k in [1, 2] {
            let xhat = try #require(trace.value(named: "xhat_\(k)"))
            let variance = try #require(trace.value(named: "var_\(k)"))
            let output = try #require(trace.value(named: "H_\(k)"))
            #expect(xhat.shape == [6, 8] && variance.shape == [6, 1])
            #expect(output.data == xhat.data)
            for row in 0..<6 {
                let values = xhat.data[row * 8..<(row + 1) * 8]
                let mean = values.reduce(0, +) / 8
                let spread = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 8
                #expect(abs(mean) <= 1e-15)
                let v = variance.data[row]
                #expect(abs(spread - v / (v + 1e-5)) <= 1e-13)
            }
        }
    }

    @Test("Layer norm's backward is recorded step by step in its scope: the mean, sqrt, division and γ rules, two paths into x and into x − μ")
    func layerNormBackwardIsRecorded() throws {
        let trace = try runDemo("transformer-encoder")
        let scopes = Set(trace.scopes.filter { $0.name == "layer norm 1" }.map(\.id))
        #expect(!scopes.isEmpty)
        let ops = Set(trace.steps.filter { $0.phase == .backward && scopes.contains($0.scope ?? -1) }.map(\.op))
        #expect(ops.isSuperset(of: ["mul", "div", "neg", "scale", "broadcast_to", "sum_to", "add"]))
        let producers = Dictionary(trace.steps.map { ($0.output, $0) }, uniquingKeysWith: { first, _ in first })
        for name in ["R_1", "xc_1"] {
            let gradient = try #require(trace.gradient(of: name))
            let step = try #require(producers[gradient.id])
            #expect(step.op == "add", "dL/d\(name) sums the path through μ (or σ) and the direct one")
            #expect(step.inputs.allSatisfy { trace.tensors[$0].of == trace.value(named: name)?.id })
        }
        let sigma = try #require(trace.gradient(of: "sigma_1"))
        #expect(sigma.shape == [6, 1])
        #expect(trace.tensors.contains { $0.name == "epsilon" && $0.role == .constant && $0.data == [1e-5] })
    }

    @Test("P is the documented sin/cos table: row 0 is (0, 1, 0, 1, …), columns 2i and 2i+1 share the frequency 10000^(−2i/d)")
    func positionalEncoding() throws {
        let trace = try runDemo("transformer-encoder", ["d-model": 5, "heads": 1])
        let P = try #require(trace.value(named: "P"))
        #expect(P.role == .constant && P.shape == [6, 5])
        #expect(Array(P.data[0..<5]) == [0, 1, 0, 1, 0])
        for p in 1..<6 {
            for i in 0..<3 {
                let angle = Double(p) * Foundation.exp(-Double(2 * i) / 5 * Foundation.log(10000))
                #expect(abs(P.data[p * 5 + 2 * i] - Foundation.sin(angle)) <= 1e-12)
                if 2 * i + 1 < 5 { #expect(abs(P.data[p * 5 + 2 * i + 1] - Foundation.cos(angle)) <= 1e-12) }
            }
        }
        let X = try #require(trace.value(named: "X")), X_P = try #require(trace.value(named: "X_P"))
        #expect(X_P.data == zip(X.data, P.data).map { $0 + $1 })
        #expect(P.labels?.first ?? nil == ["cat", "sat", "on", "the", "soft", "mat"])
    }

    @Test("Every row of every head's A_i sums to 1 inside the encoder layer")
    func attentionRowsSumToOne() throws {
        let trace = try runDemo("transformer-encoder", ["d-model": 8, "heads": 4, "sentence": "the cat sat on the mat"])
        for i in 1...4 {
            let A = try #require(trace.value(named: "A_\(i)"))
            for row in 0..<6 { #expect(abs(A.data[row * 6..<(row + 1) * 6].reduce(0, +) - 1) <= 1e-14) }
        }
    }

    @Test("The recorded gradients of all 12 parameters and of X agree with central differences",
          arguments: [(2, 8, false), (1, 3, false), (3, 5, true)])
    func finiteDifferences(_ heads: Int, _ hidden: Int, _ causal: Bool) {
        var random = SeededGenerator(seed: UInt64(30 + heads))
        let d = 6
        let layer = EncoderLayer(modelSize: d, heads: heads, feedForwardSize: hidden, causal: causal)
        var values = layer.initialParameters(using: &random)
        // γ and β away from 1 and 0, so that their role in the backward pass is exercised.
        for k in [4, 5, 10, 11] { values[k] = Tensor.uniform([1, d], bound: 1, using: &random) }
        values.append(Tensor.uniform([4, d], bound: 1, using: &random))
        let target = Tensor.uniform([4, d], bound: 1, using: &random)
        let worst = AttentionGradientCheck.check(values, parameterCount: 12) { tape, v in
            meanSquaredError(layer(v[12], .init(v[0..<12])), tape.constant(target, name: "T"))
        }
        print("TransformerEncoderTests: finite differences, h = \(heads), d_ff = \(hidden), causal \(causal): max error \(worst)")
        #expect(worst < 1e-7)
    }

    @Test("A tagged layer names everything with the tag (for encoder–decoder stacks)")
    func taggedNames() throws {
        var random = SeededGenerator(seed: 2)
        let layer = EncoderLayer(modelSize: 4, heads: 2, feedForwardSize: 3, tag: "enc")
        let tape = Tape()
        let parameters = layer.bind(layer.initialParameters(using: &random), on: tape)
        #expect(parameters.list.map(\.name) == ["W_Q^enc", "W_K^enc", "W_V^enc", "W_O^enc", "gamma_1^enc", "beta_1^enc",
                                           "W_1^enc", "b_1^enc", "W_2^enc", "b_2^enc", "gamma_2^enc", "beta_2^enc"])
        let H = layer(tape.input(Tensor.uniform([3, 4], bound: 1, using: &random), name: "X"), parameters)
        #expect(H.name == "H_2^enc" && H.shape == [3, 4])
        let trace = tape.trace(title: "", model: "", config: [:])
        #expect(trace.value(named: "sigma_2^enc")?.shape == [3, 1])
        #expect(trace.value(named: "A_2^enc") != nil && trace.value(named: "U^enc")?.shape == [3, 3])
    }

    @Test("Training lowers the loss toward the seeded target; γ and β are learned")
    func trainingLowersTheLoss() throws {
        let trace = try runDemo("transformer-encoder", ["train": 200, "lr": 0.3])
        let history = try #require(trace.history)
        #expect(history.count == 200)
        #expect(history.last!.loss < 0.5 * history.first!.loss)
        let gamma = try #require(history.last?.tensors?["gamma_2"])
        #expect(gamma.data.contains { $0 != 1 })
    }

    @Test("Next-token: Y is N×V over the vocabulary, T holds the one-hot successors of tokens 1…N−1, and training learns them")
    func nextTokenLoss() throws {
        let trace = try runDemo("transformer-encoder", ["loss": "next-token", "causal": "true", "sentence": "the cat sat on the mat", "train": 150, "lr": 0.5])
        let vocabulary = ["the", "cat", "sat", "on", "mat"]
        let Y = try #require(trace.value(named: "Y"))
        #expect(Y.shape == [6, 5] && Y.labels?[1] == vocabulary)
        let T = try #require(trace.value(named: "T"))
        #expect(T.shape == [5, 5] && T.labels?[0] == ["cat", "sat", "on", "the", "mat"])
        #expect(T.data == [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        #expect(trace.value(named: "Y_pred")?.shape == [5, 5])
        #expect(trace.gradient(of: "W_out")?.shape == [4, 5])
        let losses = try #require(trace.history).map(\.loss)
        #expect(abs(losses[0] - Foundation.log(5)) < 1)
        #expect(losses.last! < 0.5 * losses.first!)
        #expect(demoError { _ = try runDemo("transformer-encoder", ["loss": "next-token", "sentence": "hello"]) }?.message(flagPrefix: "--")
            == "--loss next-token needs a sentence of at least 2 words")
    }

    @Test("Limits name the fix")
    func limits() {
        #expect(demoError { _ = try runDemo("transformer-encoder", ["d-model": 10, "heads": 4]) }?.message()
            == "d_model 10 is not divisible by heads 4; choose heads 1, 2, 5 or 10")
        #expect(demoError { _ = try runDemo("transformer-encoder", ["d-ff": 2000]) }
            == .outOfRange(parameter: "d-ff", value: "2000", allowed: "1…1024"))
        #expect(demoError { _ = try runDemo("transformer-encoder", ["d-model": 257]) } != nil)
    }
}
