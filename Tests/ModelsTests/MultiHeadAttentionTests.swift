import Engine
import Foundation
import Models
import Testing
import Trace

/// The reference cases in `Tests/Fixtures/attention`, written by
/// `Tests/Fixtures/reference_transformer.py` (independent numpy, gradients by hand).
enum AttentionFixtures {
    struct Extras: Decodable, Sendable {
        let tokens: [String]
    }

    static let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("attention")

    static func all(prefix: String) throws -> [(fixture: ModelFixture, extras: Extras)] {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent.hasPrefix(prefix) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { file in
            let data = try Data(contentsOf: file)
            return (try JSONDecoder().decode(ModelFixture.self, from: data), try JSONDecoder().decode(Extras.self, from: data))
        }
    }

    static func cases(prefix: String) -> [ModelFixture] { ((try? all(prefix: prefix)) ?? []).map(\.fixture) }

    /// The comparison: every value within 1e-10 relative + 1e-13 absolute. The relative error is
    /// reported over the values of magnitude 1e-12 or more; below that a value is a cancellation
    /// (∂L/∂μ of a layer norm is a sum of terms that nearly cancel, ~1e-18), where only the
    /// absolute 1e-13 means anything.
    static func deviation(_ trace: TraceDocument, _ fixture: ModelFixture, sourceLocation: SourceLocation = #_sourceLocation)
        -> (values: Int, relative: Double)
    {
        var relative = 0.0
        let deviation = compare(trace, with: fixture, accepts: { actual, expected in
            if abs(expected) >= 1e-12 { relative = max(relative, abs(actual - expected) / abs(expected)) }
            return abs(actual - expected) <= 1e-10 * abs(expected) + 1e-13
        }, sourceLocation: sourceLocation)
        return (deviation.values, relative)
    }

    /// Runs the fixture's demo, compares every value, expects at most 1e-10 relative error and
    /// the fixture's tokens as the labels of X's rows.
    @discardableResult
    static func check(_ fixture: ModelFixture, sourceLocation: SourceLocation = #_sourceLocation) throws -> (values: Int, relative: Double) {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(trace.model == fixture.demo, sourceLocation: sourceLocation)
        let deviation = Self.deviation(trace, fixture, sourceLocation: sourceLocation)
        #expect(deviation.values > 0, sourceLocation: sourceLocation)
        #expect(deviation.relative <= 1e-10, "\(fixture.case): max relative error \(deviation.relative)", sourceLocation: sourceLocation)
        let tokens = try #require(try all(prefix: fixture.case).first { $0.fixture.case == fixture.case }).extras.tokens
        #expect(trace.value(named: "X")?.labels?.first ?? nil == tokens, sourceLocation: sourceLocation)
        return deviation
    }
}

/// Central differences of a scalar function of one tensor, against a recorded gradient.
enum AttentionGradientCheck {
    /// The largest |numeric − recorded| / max(1, |numeric|) over every entry of `value`.
    static func worst(_ value: Tensor, recorded: Tensor, _ f: (Tensor) -> Double) -> Double {
        let h = 1e-6
        var worst = 0.0
        for k in value.scalars.indices {
            var plus = value, minus = value
            plus.scalars[k] += h
            minus.scalars[k] -= h
            let numeric = (f(plus) - f(minus)) / (2 * h)
            worst = max(worst, abs(numeric - recorded.scalars[k]) / max(1, abs(numeric)))
        }
        return worst
    }

    /// Checks ∂L/∂(every parameter and every input) of `loss` (built on a fresh tape from the
    /// inputs and parameters given as tensors) against central differences; returns the worst error.
    static func check(
        _ values: [Tensor], parameterCount: Int, loss: @escaping (Tape, [Var]) -> Var
    ) -> Double {
        func bind(_ tensors: [Tensor], _ tape: Tape) -> [Var] {
            tensors.enumerated().map { k, t in
                k < parameterCount ? tape.parameter(t, name: "p\(k)") : tape.input(t, name: "x\(k)")
            }
        }
        let tape = Tape(recording: false)
        let bound = bind(values, tape)
        let gradients = tape.backward(loss(tape, bound))
        var worst = 0.0
        for k in values.indices {
            let recorded = gradients[bound[k]]?.value ?? .zeros(values[k].shape)
            worst = max(worst, Self.worst(values[k], recorded: recorded) { changed in
                var tensors = values
                tensors[k] = changed
                let tape = Tape(recording: false)
                return loss(tape, bind(tensors, tape)).value.scalar
            })
        }
        return worst
    }
}

@Suite("multi-head-attention: numpy reference, softmax rows, one head, masks, cross-attention, finite differences")
struct MultiHeadAttentionTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try AttentionFixtures.all(prefix: "mha-").map(\.fixture)
        #expect(fixtures.count >= 5)
        #expect(fixtures.allSatisfy { $0.demo == "multi-head-attention" })
        #expect(Set(fixtures.map { $0.parameters["heads"]?.intValue ?? 2 }) == [1, 2, 3, 4])
    }

    @Test("Every output, weight, loss, gradient, update and history value matches the reference to 1e-10",
          arguments: AttentionFixtures.cases(prefix: "mha-"))
    func matchesReference(_ fixture: ModelFixture) throws {
        try AttentionFixtures.check(fixture)
    }

    @Test func largestDeviationOverAllFixtures() throws {
        var (values, relative) = (0, 0.0)
        for fixture in AttentionFixtures.cases(prefix: "mha-") {
            let deviation = AttentionFixtures.deviation(try runDemo(fixture.demo, fixture.parameters), fixture)
            (values, relative) = (values + deviation.values, max(relative, deviation.relative))
        }
        print("MultiHeadAttentionTests: \(values) values; max relative error \(relative)")
        #expect(values > 0 && relative <= 1e-10)
    }

    @Test("Every row of every A_i sums to 1, and S_i, A_i are N×N labelled by the tokens on both axes",
          arguments: [1, 2, 4, 8])
    func attentionRowsSumToOne(_ heads: Int) throws {
        let trace = try runDemo("multi-head-attention", ["heads": .int(heads), "d-model": 8, "seed": .int(heads)])
        let tokens = ["cat", "sat", "on", "the", "soft", "mat"]
        for i in 1...heads {
            let A = try #require(trace.value(named: "A_\(i)"))
            #expect(A.shape == [6, 6])
            #expect(A.labels == [tokens, tokens])
            #expect(trace.value(named: "S_\(i)")?.labels == [tokens, tokens])
            #expect(trace.value(named: "Q_\(i)")?.shape == [6, 8 / heads])
            for row in 0..<6 {
                let total = A.data[row * 6..<(row + 1) * 6].reduce(0, +)
                #expect(abs(total - 1) <= 1e-14, "A_\(i) row \(row) sums to \(total)")
            }
        }
        #expect(trace.value(named: "A_\(heads + 1)") == nil)
        #expect(trace.value(named: "Z")?.shape == [6, 8])
        #expect(trace.scopes.contains { $0.name == "head \(heads)" && $0.equation?.contains("\\sqrt{\(8 / heads)}") == true })
    }

    /// Single-head attention written out directly: S = Q Kᵀ/√d_k, A = softmax(S), Z = A V.
    private func singleHead(_ X: Var, _ W_Q: Var, _ W_K: Var, _ W_V: Var, causal: Bool) -> (A: Var, Z: Var) {
        let d_k = Double(W_Q.shape[1])
        var S = (1 / d_k.squareRoot()) * ((X • W_Q) • transpose(X • W_K))
        if causal { S = masked(S, where: MultiHeadAttention.causalMask(X.shape[0], on: X.tape), else: -.infinity) }
        let A = softmax(S, axis: 1)
        return (A, A • (X • W_V))
    }

    @Test("heads = 1 with W_O = I is single-head attention, bit for bit, with and without the causal mask",
          arguments: [false, true])
    func oneHeadIsSingleHeadAttention(_ causal: Bool) throws {
        var random = SeededGenerator(seed: 21)
        let (N, d) = (5, 6)
        let X = Tensor.uniform([N, d], bound: 1, using: &random)
        let attention = MultiHeadAttention(modelSize: d, heads: 1, causal: causal)
        var weights = attention.initialParameters(using: &random)
        weights[3] = Tensor(shape: [d, d], scalars: (0..<d * d).map { $0 % (d + 1) == 0 ? 1 : 0 })
        let tape = Tape()
        let parameters = attention.bind(weights, on: tape)
        let x = tape.input(X, name: "X")
        let Z = attention(x, parameters)
        let (A, single) = singleHead(x, parameters.W_Q, parameters.W_K, parameters.W_V, causal: causal)
        #expect(Z.value == single.value)
        let trace = tape.trace(title: "", model: "", config: [:])
        #expect(trace.value(named: "A_1")?.data == A.value.scalars)
    }

    @Test("heads = 1 gives the self-attention demo's A and Z (as A_1, Z_1) from the same seed: the same draws, another implementation",
          arguments: ["false", "true"])
    func oneHeadMatchesTheSelfAttentionDemo(_ causal: String) throws {
        for seed in [1, 7] {
            let single = try runDemo("self-attention", ["dimension": 5, "key-size": 5, "value-size": 5, "causal": .string(causal), "seed": .int(seed)])
            let multi = try runDemo("multi-head-attention", ["d-model": 5, "heads": 1, "causal": .string(causal), "seed": .int(seed)])
            for (theirs, ours) in [("X", "X"), ("W_Q", "W_Q"), ("W_V", "W_V"), ("A", "A_1"), ("Z", "Z_1")] {
                let a = try #require(single.value(named: theirs)), b = try #require(multi.value(named: ours))
                #expect(a.shape == b.shape)
                #expect(zip(a.data, b.data).allSatisfy { abs($0 - $1) <= 1e-14 * max(1, abs($0)) }, "\(theirs) vs \(ours), seed \(seed)")
            }
        }
    }

    @Test("Causal: every weight above the diagonal is exactly 0, rows still sum to 1, token 1 attends only to itself")
    func causalMaskZeroesTheFuture() throws {
        var random = SeededGenerator(seed: 8)
        let (N, d, h) = (6, 8, 2)
        let attention = MultiHeadAttention(modelSize: d, heads: h, causal: true)
        let tape = Tape()
        let parameters = attention.bind(attention.initialParameters(using: &random), on: tape)
        let X = tape.input(Tensor.uniform([N, d], bound: 1, using: &random), name: "X")
        _ = attention(X, parameters)
        let trace = tape.trace(title: "", model: "", config: [:])
        #expect(trace.value(named: "M")?.role == .constant)
        for i in 1...h {
            let A = try #require(trace.value(named: "A_\(i)"))
            for q in 0..<N {
                for k in 0..<N where k > q { #expect(A.data[q * N + k] == 0, "A_\(i)[\(q), \(k)]") }
                for k in 0...q { #expect(A.data[q * N + k] > 0) }
                #expect(abs(A.data[q * N..<(q + 1) * N].reduce(0, +) - 1) <= 1e-14)
            }
            #expect(A.data[0] == 1)
            let S = try #require(trace.value(named: "S_\(i)"))
            #expect(S.data[1] == -.infinity)
        }
    }

    @Test("Cross-attention: N_q queries over N_k keys give N_q×N_k weights and an N_q×d_model output")
    func crossAttentionShapes() throws {
        var random = SeededGenerator(seed: 4)
        let attention = MultiHeadAttention(modelSize: 4, heads: 2, tag: "dec")
        let tape = Tape()
        let parameters = attention.bind(attention.initialParameters(using: &random), on: tape)
        let queries = tape.input(Tensor.uniform([3, 4], bound: 1, using: &random), name: "Y")
        let keys = tape.input(Tensor.uniform([5, 4], bound: 1, using: &random), name: "H")
        let Z = attention.attend(
            queries: queries, keysAndValues: keys, parameters, queryLabels: ["i", "am", "here"],
            keyLabels: ["je", "suis", "ici", "et", "là"])
        #expect(Z.shape == [3, 4])
        let trace = tape.trace(title: "", model: "", config: [:])
        let A = try #require(trace.value(named: "A_2^dec"))
        #expect(A.shape == [3, 5])
        #expect(A.labels == [["i", "am", "here"], ["je", "suis", "ici", "et", "là"]])
        #expect(trace.value(named: "W_Q^dec")?.tex == "W_Q^{\\mathrm{dec}}")
        #expect(trace.value(named: "K^dec")?.shape == [5, 4])
    }

    @Test("The recorded gradients of W_Q, W_K, W_V, W_O and of both inputs agree with central differences",
          arguments: [(1, false, false), (2, false, false), (3, true, false), (2, false, true)])
    func finiteDifferences(_ heads: Int, _ causal: Bool, _ cross: Bool) {
        var random = SeededGenerator(seed: UInt64(10 + heads))
        let d = 6
        let attention = MultiHeadAttention(modelSize: d, heads: heads, causal: causal)
        let values = attention.initialParameters(using: &random)
            + [Tensor.uniform([4, d], bound: 1, using: &random), Tensor.uniform([cross ? 3 : 4, d], bound: 1, using: &random)]
        let target = Tensor.uniform([4, d], bound: 1, using: &random)
        let worst = AttentionGradientCheck.check(values, parameterCount: 4) { tape, v in
            let Z = cross ? attention.attend(queries: v[4], keysAndValues: v[5], .init(v[0..<4])) : attention(v[4], .init(v[0..<4]))
            return meanSquaredError(Z, tape.constant(target, name: "T"))
        }
        print("MultiHeadAttentionTests: finite differences, h = \(heads), causal \(causal), cross \(cross): max error \(worst)")
        #expect(worst < 1e-7)
    }

    @Test("Training lowers the loss toward the seeded target")
    func trainingLowersTheLoss() throws {
        let trace = try runDemo("multi-head-attention", ["train": 300, "lr": 0.5])
        let losses = try #require(trace.history).map(\.loss)
        #expect(losses.count == 300)
        #expect(losses.last! < 0.5 * losses.first!)
        #expect(trace.steps.contains { $0.phase == .update })
    }

    @Test("Limits: heads must divide d_model (the divisors are offered), at most 64 tokens, d_model ≤ 256")
    func limits() {
        #expect(demoError { _ = try runDemo("multi-head-attention", ["d-model": 10, "heads": 4]) }?.message()
            == "d_model 10 is not divisible by heads 4; choose heads 1, 2, 5 or 10")
        #expect(demoError { _ = try runDemo("multi-head-attention", ["d-model": 7, "heads": 2]) }?.message()
            == "d_model 7 is not divisible by heads 2; choose heads 1 or 7")
        let long = Array(repeating: "word", count: 65).joined(separator: " ")
        #expect(demoError { _ = try runDemo("multi-head-attention", ["sentence": .string(long)]) }?.message(flagPrefix: "--")
            == "--sentence has 65 words; attention demos take at most 64 tokens")
        #expect(demoError { _ = try runDemo("multi-head-attention", ["sentence": "?!"]) }?.message() == "sentence has no words; give at least one")
        #expect(demoError { _ = try runDemo("multi-head-attention", ["d-model": 300]) }
            == .outOfRange(parameter: "d-model", value: "300", allowed: "1…256"))
        #expect(demoError { _ = try runDemo("multi-head-attention", ["sentence": .string(Array(repeating: "w", count: 64).joined(separator: " ")), "d-model": 8, "heads": 8]) } == nil)
    }
}
