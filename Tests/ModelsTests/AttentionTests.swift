import Engine
import Foundation
@testable import Models
import Testing
import Trace

/// The `attention`, `self-attention` and `attention-vs-tdl` reference cases in
/// `Tests/Fixtures/attention` (dot-product-*, self-attention-*, attention-vs-tdl-*), written by
/// `Tests/Fixtures/reference_attention.py` (independent numpy, gradients by hand).
enum ScaledAttentionFixtures {
    static let demos: Set<String> = ["attention", "self-attention", "attention-vs-tdl"]

    static func all() throws -> [ModelFixture] {
        let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("attention")
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { try JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: $0)) }
            .filter { demos.contains($0.demo) }
    }

    static var cases: [ModelFixture] { (try? all()) ?? [] }
}

/// The weights A of a trace (the first, untrained iteration), as rows.
private func weights(_ trace: TraceDocument) throws -> [[Double]] {
    let A = try #require(trace.value(named: "A"))
    let columns = A.shape[1]
    return (0..<A.shape[0]).map { Array(A.data[($0 * columns)..<(($0 + 1) * columns)]) }
}

@Suite("attention, self-attention, attention-vs-tdl: numpy reference, softmax rows, masks, incremental decoding, finite differences")
struct AttentionTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try ScaledAttentionFixtures.all()
        #expect(Set(fixtures.map(\.demo)) == ScaledAttentionFixtures.demos)
        #expect(fixtures.count >= 9)
    }

    @Test("Every output, weight, loss, gradient, update and history value matches the reference to 1e-10",
          arguments: ScaledAttentionFixtures.cases)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(trace.model == fixture.demo)
        let deviation = compare(trace, with: fixture, accepts: { abs($0 - $1) <= 1e-10 * abs($1) + 1e-13 })
        #expect(deviation.values > 0)
        #expect(deviation.relative <= 1e-10, "\(fixture.case): max relative error \(deviation.relative)")
    }

    @Test func largestDeviationOverAllFixtures() throws {
        var total = Deviation()
        for fixture in try ScaledAttentionFixtures.all() {
            total.merge(compare(try runDemo(fixture.demo, fixture.parameters), with: fixture,
                                accepts: { abs($0 - $1) <= 1e-10 * abs($1) + 1e-13 }))
        }
        print("AttentionTests: \(total.values) values, max relative error \(total.relative), max |error| at zero \(total.absoluteAtZero)")
        #expect(total.relative <= 1e-10)
        #expect(total.absoluteAtZero <= 1e-13)
    }

    static let weightCases: [(String, [String: JSONValue])] = [
        ("attention", [:]),
        ("attention", ["tokens": 5, "key-size": 4, "causal": "true", "seed": 3]),
        ("self-attention", [:]),
        ("self-attention", ["causal": "true", "sentence": "a b c a b c d", "seed": 2]),
        ("self-attention", ["incremental": "true"]),
        ("attention-vs-tdl", ["steps": 7, "input": 2]),
    ]

    @Test("Every row of A sums to 1 (each weight in [0, 1])", arguments: 0..<weightCases.count)
    func rowsOfASumToOne(_ index: Int) throws {
        let (demo, parameters) = Self.weightCases[index]
        for row in try weights(try runDemo(demo, parameters)) {
            #expect(abs(row.reduce(0, +) - 1) <= 1e-14, "\(demo) \(parameters): row sums to \(row.reduce(0, +))")
            #expect(row.allSatisfy { (0...1).contains($0) })
        }
    }

    @Test("Causal: weights after the diagonal are exactly 0 (and so are their score gradients), the others positive",
          arguments: [("attention", ["tokens": 5, "causal": "true"] as [String: JSONValue]),
                      ("self-attention", ["causal": "true"]), ("self-attention", ["incremental": "true"]),
                      ("attention-vs-tdl", ["steps": 6])])
    func maskedWeightsAreExactlyZero(_ demo: String, _ parameters: [String: JSONValue]) throws {
        let trace = try runDemo(demo, parameters)
        for (i, row) in try weights(trace).enumerated() {
            for (j, weight) in row.enumerated() {
                if j > i {
                    #expect(weight == 0 && weight.sign == .plus, "A[\(i), \(j)] = \(weight)")
                } else {
                    #expect(weight > 0, "A[\(i), \(j)] = \(weight)")
                }
            }
        }
        guard let S = trace.value(named: "S"), let dS = trace.gradient(ofID: S.id) else { return }  // incremental has no N×N S
        let n = S.shape[1]
        for i in 0..<S.shape[0] {
            for j in (i + 1)..<max(i + 1, n) { #expect(dS.data[i * n + j] == 0) }
        }
        #expect(trace.value(named: "S_masked")?.data.filter { $0 == -.infinity }.count == S.shape[0] * (S.shape[0] - 1) / 2)
    }

    @Test("One token at a time with cached keys and values gives the full causal computation's A, Z, loss and gradients",
          arguments: [[:], ["sentence": "the cat sat on the mat and the dog sat", "dimension": 5, "key-size": 2, "value-size": 4, "seed": 9],
                      ["sentence": "one", "seed": 3], ["train": 3]] as [[String: JSONValue]])
    func incrementalEqualsFullCausal(_ parameters: [String: JSONValue]) throws {
        let full = try runDemo("self-attention", parameters.merging(["causal": "true"]) { $1 })
        let incremental = try runDemo("self-attention", parameters.merging(["incremental": "true"]) { $1 })
        for name in ["A", "Z"] {
            let (a, b) = (try #require(full.value(named: name)), try #require(incremental.value(named: name)))
            #expect(a.shape == b.shape)
            #expect(zip(a.data, b.data).allSatisfy { abs($0 - $1) <= 1e-14 }, "\(name): \(a.data) vs \(b.data)")
        }
        for name in ["W_Q", "W_K", "W_V"] {
            let (a, b) = (try #require(full.gradient(of: name)), try #require(incremental.gradient(of: name)))
            #expect(zip(a.data, b.data).allSatisfy { abs($0 - $1) <= 1e-13 * max(1, abs($0)) }, "dL/d\(name)")
        }
        let (fullLosses, incrementalLosses) = (full.history!.map(\.loss), incremental.history!.map(\.loss))
        #expect(zip(fullLosses, incrementalLosses).allSatisfy { abs($0 - $1) <= 1e-13 * max(1, abs($0)) })
    }

    @Test("Incremental: each token's key and value are made once, at its own step, and reused by the caches after it")
    func incrementalReusesCachedKeysAndValues() throws {
        let trace = try runDemo("self-attention", ["incremental": "true"])
        let tokens = ["cat", "sat", "on", "the", "soft", "mat"]
        let forward = trace.steps.filter { $0.phase == .forward }
        for (index, token) in tokens.enumerated() {
            let t = index + 1
            let scope = try #require(trace.scopes.first { $0.name == "t = \(t): \(token)" })
            let cache = try #require(trace.scopes.first { $0.parent == scope.id && $0.name == "cached keys and values" })
            #expect(cache.equation?.contains(t == 1 ? "nothing cached yet" : "reused") == true)
            for kind in ["k", "v"] {
                let made = forward.filter { trace.tensors[$0.output].name == "\(kind)_\(t)" }
                #expect(made.count == 1 && made[0].op == "matmul", "\(kind)_\(t) made once")
                let stacked = try #require(forward.first { trace.tensors[$0.output].name == "\(kind.uppercased())_1:\(t)" })
                #expect(stacked.op == "concat" && stacked.scope == cache.id)
                #expect(stacked.inputs.map { trace.tensors[$0].name } == (1...t).map { "\(kind)_\($0)" })
            }
            let query = try #require(trace.tensors.first { $0.name == "q_\(t)" })
            #expect(query.shape == [1, 3] && query.labels?[0] == [token])
            #expect(trace.value(named: "a_\(t)")?.shape == [1, t])
        }
    }

    @Test("attention-vs-tdl: the taps are fixed, the weights a_i(t) = A[t, t−i] change with t and sum to 1 at every step")
    func dynamicWeightsAgainstFixedTaps() throws {
        let trace = try runDemo("attention-vs-tdl", ["steps": 5, "taps": 3])
        #expect((0..<3).allSatisfy { trace.value(named: "a_\($0)")?.shape == [] })
        let A = try weights(trace)
        let lastWeights = (0..<3).map { i in (2..<5).map { t in A[t][t - i] } }  // a_i(t) for t = 3, 4, 5
        #expect(lastWeights.contains { Set($0).count > 1 }, "the weights of a delay vary with t")
        // z_t = Σ_i a_i(t) x_{t−i}, the delay line's sum with the weights of row t.
        let X = try #require(trace.value(named: "X")), Z = try #require(trace.value(named: "Z"))
        for t in 0..<5 {
            let z = (0...t).map { i in A[t][t - i] * X.data[t - i] }.reduce(0, +)
            #expect(abs(z - Z.data[t]) <= 1e-14)
        }
        #expect(trace.value(named: "A")?.labels?[0] == (1...5).map { "t = \($0)" })
        #expect(trace.value(named: "A")?.labels?[1] == (1...5).map { "x_\($0)" })
    }

    @Test("Self-attention's X: one row per token, a repeated word's rows equal, the tokens as labels")
    func embeddingsRepeatWords() throws {
        let trace = try runDemo("self-attention", ["sentence": "The cat saw the other cat.", "dimension": 3])
        let X = try #require(trace.value(named: "X"))
        #expect(X.labels?[0] == ["the", "cat", "saw", "the", "other", "cat"])
        let row = { (i: Int) in Array(X.data[(3 * i)..<(3 * i + 3)]) }
        #expect(row(0) == row(3) && row(1) == row(5) && row(0) != row(1))
        #expect(trace.gradient(of: "X") == nil, "X is data: no gradient")
    }

    /// Central differences of the loss built by `loss` against its recorded gradients.
    private func worstDifference(_ values: [Tensor], loss: @escaping (Tape, [Var]) -> Var) -> Double {
        let tape = Tape(recording: false)
        let bound = values.enumerated().map { tape.parameter($1, name: "p\($0)") }
        let gradients = tape.backward(loss(tape, bound))
        var worst = 0.0
        let h = 1e-6
        for (k, value) in values.enumerated() {
            let recorded = gradients[bound[k]]?.value ?? .zeros(value.shape)
            for index in value.scalars.indices {
                func at(_ shift: Double) -> Double {
                    var changed = values
                    changed[k].scalars[index] += shift
                    let tape = Tape(recording: false)
                    return loss(tape, changed.enumerated().map { tape.parameter($1, name: "p\($0)") }).value.scalar
                }
                let numeric = (at(h) - at(-h)) / (2 * h)
                worst = max(worst, abs(numeric - recorded.scalars[index]) / max(1, abs(numeric)))
            }
        }
        return worst
    }

    @Test("The recorded gradients agree with central differences: Q, K, V; W_Q, W_K, W_V (full, causal, incremental); taps and W_Q, W_K",
          arguments: ["attention", "attention causal", "self", "self causal", "self incremental", "vs-tdl"])
    func finiteDifferences(_ kind: String) throws {
        var random = SeededGenerator(seed: 11)
        let worst: Double
        switch kind {
        case "attention", "attention causal":
            let values = [[4, 3], [4, 3], [4, 2]].map { Tensor.uniform($0, bound: 1, using: &random) }
            let target = Tensor.uniform([4, 2], bound: 1, using: &random)
            worst = worstDifference(values) { _, p in
                AttentionTarget.loss(Attention.attend(p[0], p[1], p[2], causal: kind.hasSuffix("causal")).Z, target, labels: nil)
            }
        case "vs-tdl":
            let inputs = Tensor.uniform([5, 2], bound: 1, using: &random), targets = Tensor.uniform([5, 2], bound: 1, using: &random)
            let line = TappedDelayLine(taps: 3, kind: .scalar, inputSize: 2, outputSize: 2)
            let values = line.initialParameters(using: &random) + [Tensor.uniform([2, 3], bound: 1, using: &random), .uniform([2, 3], bound: 1, using: &random)]
            worst = worstDifference(values) { tape, p in
                AttentionVsTDL.loss(inputs, targets, line: line, AttentionVsTDL.Parameters(p), on: tape)
            }
        default:
            let embedding = try TokenEmbedding(sentence: "cat sat on the soft mat", dimension: 4, using: &random)
            let network = SelfAttention(dimension: 4, keySize: 3, valueSize: 2)
            let values = network.initialParameters(using: &random)
            let target = Tensor.uniform([6, 2], bound: 1, using: &random)
            worst = worstDifference(values) { tape, p in
                let X = embedding.bind(on: tape)
                let Z = kind == "self incremental"
                    ? network.incremental(X, .init(p), tokens: embedding.tokens).Z
                    : network.full(X, .init(p), tokens: embedding.tokens, causal: kind == "self causal").Z
                return AttentionTarget.loss(Z, target, labels: nil)
            }
        }
        print("AttentionTests: finite differences, \(kind): max error \(worst)")
        #expect(worst <= 1e-7)
    }

    @Test("The same parameters give byte-identical traces", arguments: ["attention", "self-attention", "attention-vs-tdl"])
    func deterministic(_ demo: String) throws {
        let parameters: [String: JSONValue] = demo == "self-attention" ? ["incremental": "true", "train": 3] : ["train": 3]
        #expect(try runDemo(demo, parameters).jsonData() == runDemo(demo, parameters).jsonData())
    }

    @Test("Training lowers the loss", arguments: ["attention", "self-attention", "attention-vs-tdl"])
    func trainingLowersTheLoss(_ demo: String) throws {
        let losses = try #require(try runDemo(demo, ["train": 200, "lr": 0.1]).history).map(\.loss)
        #expect(losses.last! < 0.8 * losses.first!, "\(demo): \(losses.first!) → \(losses.last!)")
    }

    @Test("Limits and conflicts have clear errors")
    func limits() {
        let long = Array(repeating: "word", count: 65).joined(separator: " ")
        #expect(demoError { _ = try runDemo("self-attention", ["sentence": .string(long)]) }?.message(flagPrefix: "--")
            == "--sentence has 65 words; attention demos take at most 64 tokens")
        #expect(demoError { _ = try runDemo("self-attention", ["sentence": "?!"]) }?.message() == "sentence has no words; give at least one")
        #expect(demoError { _ = try runDemo("self-attention", ["dimension": 300]) }
            == .outOfRange(parameter: "dimension", value: "300", allowed: "1…256"))
        #expect(demoError { _ = try runDemo("self-attention", ["incremental": "true", "causal": "false"]) }?.message()
            == "incremental true reads each token against the tokens so far, which is causal; leave out causal false")
        #expect(demoError { _ = try runDemo("self-attention", ["target": [[1, 2]]]) }?.message()
            == "target is 1×2 but Z is 6×3; give one row of 3 numbers per token")
        #expect(demoError { _ = try runDemo("attention", ["tokens": 65]) }
            == .outOfRange(parameter: "tokens", value: "65", allowed: "1…64"))
        #expect(demoError { _ = try runDemo("attention", ["queries": [[1, 0]], "keys": [[1, 0, 0]]]) }?.message()
            == "the rows of queries have 2 numbers and those of keys 3; a query and a key need the same size d_k")
        #expect(demoError { _ = try runDemo("attention", ["keys": [[1], [2]], "values": [[1]]]) }?.message()
            == "values has 1 rows but there are 2 keys; give one value per key")
        #expect(demoError { _ = try runDemo("attention", ["queries": [[1]], "keys": [[1], [2]], "causal": "true"]) }?.message()
            == "causal true needs as many queries as keys (one per token); there are 1 and 2")
        #expect(demoError { _ = try runDemo("attention-vs-tdl", ["steps": 3, "inputs": [[1], [2]]]) }?.message()
            == "steps is 3 but inputs gives 2; leave out steps")
        #expect(demoError { _ = try runDemo("self-attention", ["causal": true, "incremental": true]) } == nil, "YAML booleans are accepted")
    }
}
