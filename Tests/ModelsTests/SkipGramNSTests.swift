import Engine
import Foundation
@testable import Models
import Testing
import Trace

/// The `skipgram-ns` demo: the independent numpy reference (`Tests/Fixtures/reference_skipgram_ns.py`)
/// with its sampled negatives, finite differences, the fast step against the traced one, the
/// sampler's distribution and determinism, and the errors.
@Suite("skip-gram with negative sampling")
struct SkipGramNSTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/word2vec")

    static var files: [URL] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.lastPathComponent.hasPrefix("skipgram-ns-") && $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static var fixtures: [ModelFixture] {
        files.compactMap { try? JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: $0)) }
    }

    struct SampledNegatives: Decodable {
        let negatives: [Int]
    }

    static let small = "the cat sat on the mat and the dog sat on the log"

    /// |a − e| ≤ 1e-10 |e| + 1e-12: the 1e-10.
    static func accepts(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= 1e-10 * abs(expected) + 1e-12
    }

    private func tensor(_ trace: TraceDocument, _ name: String, version: Int = 0) throws -> TensorRecord {
        try #require(trace.value(named: name, version: version), "no single tensor \(name)")
    }

    /// The traced pair (centre, context) and the negatives, read from the trace's labels and constants.
    private func tracedPair(_ trace: TraceDocument) throws -> (centre: Int, context: Int, negatives: [Int]) {
        let words = try #require(try tensor(trace, "W_in").labels?[0] ?? nil)
        let centreWord = try #require(try tensor(trace, "h").labels?[0]?[0])
        let contextWord = try #require(try tensor(trace, "u").labels?[1]?[0])
        let centre = try #require(words.firstIndex(of: centreWord))
        let context = try #require(words.firstIndex(of: contextWord))
        return (centre, context, try tensor(trace, "negatives").data.map { Int($0) })
    }

    // MARK: Reference

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count == 4)
    }

    @Test("Values, gradients, updates and history equal the numpy reference to 1e-10", arguments: fixtures)
    func referenceValues(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        let deviation = compare(trace, with: fixture, accepts: Self.accepts)
        #expect(deviation.relative <= 1e-10)
        #expect(deviation.values > 100)
    }

    @Test("The sampled negatives are the reference's", arguments: files)
    func negativesMatchTheReference(_ file: URL) throws {
        let fixture = try JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: file))
        let expected = try JSONDecoder().decode(SampledNegatives.self, from: Data(contentsOf: file)).negatives
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(try tracedPair(trace).negatives == expected)
        let words = try #require(try tensor(trace, "W_in").labels?[0] ?? nil)
        #expect(try tensor(trace, "u").labels?[1]?.dropFirst().map { $0 } == expected.map { words[$0] })
    }

    // MARK: Gradients and updates

    /// Central differences of Q with respect to every entry of the used W_in row and W_out columns
    /// match the traced gradients; every other entry's gradient is exactly zero.
    @Test(
        "Finite differences of Q match the traced gradients",
        arguments: [
            [:],
            ["corpus": .string(small), "window": 2, "word": "sat", "context": "on", "negatives": 8, "seed": 9],
            ["corpus": "to be or not to be", "window": 2, "word": "or", "context": "be", "negatives": 20, "seed": 2],
        ] as [[String: JSONValue]])
    func finiteDifferences(_ parameters: [String: JSONValue]) throws {
        let trace = try runDemo("skipgram-ns", parameters)
        let (c, o, negatives) = try tracedPair(trace)
        let W_in = try tensor(trace, "W_in"), W_out = try tensor(trace, "W_out")
        let (V, N) = (W_in.shape[0], W_in.shape[1])
        let dW_in = try #require(trace.gradient(of: "W_in")).data
        let dW_out = try #require(trace.gradient(of: "W_out")).data
        let network = SkipGramNegativeSampling(vocabularySize: V, dimensions: N)
        let words = (0..<V).map { "w\($0)" }
        func Q(_ input: [Double], _ output: [Double]) -> Double {
            let tape = Tape(recording: false)
            return network.loss(
                centre: c, context: o, negatives: negatives,
                W_in: tape.parameter(Tensor(shape: [V, N], scalars: input), name: "W_in"),
                W_out: tape.parameter(Tensor(shape: [N, V], scalars: output), name: "W_out"), words: words
            ).value.scalar
        }
        let ε = 1e-6
        func check(_ analytic: Double, _ plus: Double, _ minus: Double, _ label: String) {
            let numeric = (plus - minus) / (2 * ε)
            #expect(abs(analytic - numeric) <= 1e-7 * max(1, abs(analytic)), "\(label): traced \(analytic), numeric \(numeric)")
        }
        for i in 0..<N {
            var plus = W_in.data, minus = W_in.data
            plus[c * N + i] += ε
            minus[c * N + i] -= ε
            check(dW_in[c * N + i], Q(plus, W_out.data), Q(minus, W_out.data), "∂Q/∂W_in[\(c), \(i)]")
        }
        for j in Set([o] + negatives) {
            for i in 0..<N {
                var plus = W_out.data, minus = W_out.data
                plus[i * V + j] += ε
                minus[i * V + j] -= ε
                check(dW_out[i * V + j], Q(W_in.data, plus), Q(W_in.data, minus), "∂Q/∂W_out[\(i), \(j)]")
            }
        }
        let usedColumns = Set([o] + negatives)
        for r in 0..<V where r != c {
            #expect(dW_in[(r * N)..<((r + 1) * N)].allSatisfy { $0 == 0 }, "row \(r) of ∂Q/∂W_in")
        }
        for j in 0..<V where !usedColumns.contains(j) {
            #expect((0..<N).allSatisfy { dW_out[$0 * V + j] == 0 }, "column \(j) of ∂Q/∂W_out")
        }
    }

    /// The SGD update changes row c of W_in and the columns o, n_1…n_k of W_out, nothing else.
    @Test func theUpdateIsSparse() throws {
        let trace = try runDemo("skipgram-ns", ["corpus": .string(Self.small), "window": 2, "negatives": 3, "lr": 0.5])
        let (c, o, negatives) = try tracedPair(trace)
        let (before, after) = (try tensor(trace, "W_in"), try tensor(trace, "W_in", version: 1))
        let N = before.shape[1], V = before.shape[0]
        for r in 0..<V {
            let same = (0..<N).allSatisfy { before.data[r * N + $0] == after.data[r * N + $0] }
            #expect(same == (r != c), "row \(r) of W_in")
        }
        let (outBefore, outAfter) = (try tensor(trace, "W_out"), try tensor(trace, "W_out", version: 1))
        for j in 0..<V {
            let same = (0..<N).allSatisfy { outBefore.data[$0 * V + j] == outAfter.data[$0 * V + j] }
            #expect(same == !([o] + negatives).contains(j), "column \(j) of W_out")
        }
    }

    /// One step of the training loop on plain arrays gives the traced update and loss to 1e-12.
    @Test(
        "The fast step equals the traced step",
        arguments: [
            [:],
            ["corpus": .string(small), "window": 2, "word": "sat", "context": "on", "negatives": 8, "seed": 9, "lr": 0.7],
            ["corpus": "to be or not to be", "window": 2, "word": "or", "context": "be", "negatives": 20, "seed": 2, "dimensions": 7],
        ] as [[String: JSONValue]])
    func fastStepEqualsTracedStep(_ parameters: [String: JSONValue]) throws {
        let trace = try runDemo("skipgram-ns", parameters)
        let (c, o, negatives) = try tracedPair(trace)
        let lr = try #require(trace.config["lr"]?.doubleValue)
        func value(_ name: String, _ version: Int) throws -> Tensor {
            let record = try tensor(trace, name, version: version)
            return Tensor(shape: record.shape, scalars: record.data)
        }
        var weights = SkipGramNegativeSampling.Weights(W_in: try value("W_in", 0), W_out: try value("W_out", 0))
        var scratch = [Double](repeating: 0, count: weights.dimensions + negatives.count + 1)
        let loss = SkipGramNegativeSampling.step(
            &weights, centre: c, context: o, negatives: negatives, learningRate: lr, scratch: &scratch)
        var largest = abs(loss - (try tensor(trace, "Q").data[0]))
        for (fast, traced) in [(weights.W_in, try value("W_in", 1)), (weights.W_out, try value("W_out", 1))] {
            #expect(fast.shape == traced.shape)
            for (a, b) in zip(fast.scalars, traced.scalars) { largest = max(largest, abs(a - b)) }
        }
        #expect(largest <= 1e-12, "largest difference \(largest)")
    }

    @Test func weightsRoundTripThroughThePlainArrays() {
        var random = SeededGenerator(seed: 4)
        let (W_in, W_out) = (Tensor.uniform([5, 3], bound: 1, using: &random), Tensor.uniform([3, 5], bound: 1, using: &random))
        let weights = SkipGramNegativeSampling.Weights(W_in: W_in, W_out: W_out)
        #expect(weights.W_in == W_in && weights.W_out == W_out)
        // Column j of W_out is row j of the stored output vectors.
        #expect(Array(weights.output[6..<9]) == [W_out[0, 2], W_out[1, 2], W_out[2, 2]])
    }

    // MARK: The sampler

    /// n draws: each word's frequency is within 5 standard deviations √(p(1−p)/n) of P_n(w) ∝ count^{3/4}
    /// (with the excluded word's mass shared out over the others when a word is avoided).
    @Test("The sampler's frequencies approach the unigram distribution raised to 3/4", arguments: [-1, 0, 3])
    func samplerDistribution(_ avoided: Int) {
        let counts = [1, 2, 3, 5, 8, 13, 21, 34, 1, 1]
        let sampler = NegativeSampler(counts: counts)
        let weights = counts.map { pow(Double($0), 0.75) }
        let kept = weights.indices.filter { $0 != avoided }
        let total = kept.map { weights[$0] }.reduce(0, +)
        let n = 200_000
        var random = SeededGenerator(seed: 11)
        var seen = [Int](repeating: 0, count: counts.count)
        for _ in 0..<n { seen[sampler.draw(avoiding: avoided, using: &random)] += 1 }
        if avoided >= 0 { #expect(seen[avoided] == 0) }
        for word in kept {
            let p = weights[word] / total
            let frequency = Double(seen[word]) / Double(n)
            let σ = (p * (1 - p) / Double(n)).squareRoot()
            #expect(abs(frequency - p) <= 5 * σ, "word \(word): frequency \(frequency), P_n \(p) (σ \(σ))")
        }
    }

    @Test func samplerProbabilitiesAreCountsToTheThreeQuarters() {
        let counts = [4, 1, 16, 0, 81]
        let probabilities = NegativeSampler(counts: counts).probabilities
        let weights = [2 * 2.0.squareRoot(), 1, 8, 0, 27]  // 4^{3/4} = 2√2, 16^{3/4} = 8, 81^{3/4} = 27
        let expected = weights.map { $0 / weights.reduce(0, +) }
        for (p, e) in zip(probabilities, expected) { #expect(abs(p - e) <= 1e-15, "\(p) vs \(e)") }
    }

    /// The first word whose running sum exceeds r · total: the edges of each word's interval.
    @Test func aDrawMapsToTheFirstRunningSumAboveIt() {
        let sampler = NegativeSampler(counts: [1, 0, 1, 16])  // weights 1, 0, 1, 8: sums 1, 1, 2, 10
        #expect(sampler.cumulative == [1, 1, 2, 10])
        #expect(sampler.word(at: 0) == 0)
        #expect(sampler.word(at: 0.999) == 0)
        #expect(sampler.word(at: 1) == 2)  // a word of count 0 is never drawn
        #expect(sampler.word(at: 1.5) == 2)
        #expect(sampler.word(at: 2) == 3)
        #expect(sampler.word(at: 9.999) == 3)
        #expect(sampler.word(at: 10) == 3)  // rounding past the total: the last word
    }

    @Test func negativeSamplingIsIdenticalAcrossRunsWithTheSameSeed() throws {
        let parameters: [String: JSONValue] = ["corpus": .string(Self.small), "window": 2, "negatives": 12, "train": 2]
        let first = try tracedPair(try runDemo("skipgram-ns", parameters)).negatives
        let second = try tracedPair(try runDemo("skipgram-ns", parameters)).negatives
        #expect(first == second)
        let sampler = NegativeSampler(counts: [3, 1, 4, 1, 5, 9, 2, 6])
        var a = SeededGenerator(seed: 8), b = SeededGenerator(seed: 8), other = SeededGenerator(seed: 9)
        let drawsA = (0..<100).map { _ in sampler.draw(5, avoiding: 2, using: &a) }
        let drawsB = (0..<100).map { _ in sampler.draw(5, avoiding: 2, using: &b) }
        let drawsOther = (0..<100).map { _ in sampler.draw(5, avoiding: 2, using: &other) }
        #expect(drawsA == drawsB)
        #expect(drawsA != drawsOther)
        #expect(drawsA.allSatisfy { !$0.contains(2) })
        var reseeded = parameters
        reseeded["seed"] = 2
        #expect(try tracedPair(try runDemo("skipgram-ns", reseeded)).negatives != first)
    }

    // MARK: The demo

    @Test func trainingLowersTheLossAndKeepsAProjectionPerEpoch() throws {
        let trace = try runDemo("skipgram-ns", ["corpus": .string(Self.small), "window": 2, "train": 40, "lr": 0.2, "neighbours": "cat"])
        let history = try #require(trace.history)
        #expect(history.count == 40)
        #expect(history.allSatisfy { !$0.traced && $0.tensors?["W_in_pca"]?.shape == [8, 2] })
        #expect(history.last!.loss < 0.8 * history.first!.loss)
        let neighbours = try tensor(trace, "neighbours_cat")
        #expect(neighbours.shape == [1, 5] && neighbours.labels?[1]?.contains("cat") == false)
    }

    @Test func theTraceNamesTheNotationOfTheNotes() throws {
        let trace = try runDemo("skipgram-ns")
        let vocabulary = ["hey", "this", "is", "sample", "corpus", "using", "only", "one", "context", "word"]
        #expect(try tensor(trace, "W_in").labels! == [vocabulary, nil])
        #expect(try tensor(trace, "W_out").labels! == [nil, vocabulary])
        #expect(try tensor(trace, "P_n").labels! == [nil, vocabulary])
        #expect(try tensor(trace, "h").shape == [1, 4])
        #expect(try tensor(trace, "u").shape == [1, 6])
        #expect(try tensor(trace, "u").labels?[1]?.first == "this")
        #expect(trace.scopes.map(\.name).starts(with: ["example: hey → this", "negative sampling"]))
        #expect(trace.history == nil)
        #expect(trace.config["vocabulary"] == 10)
    }

    @Test func errorsNameTheParameterAndTheFix() {
        let notInWindow = demoError { _ = try runDemo("skipgram-ns", ["word": "this", "context": "word"]) }
        #expect(notInWindow?.description.contains("not in the window of 'this' ('hey', 'is')") == true)
        let unknown = demoError { _ = try runDemo("skipgram-ns", ["context": "thiss"]) }
        #expect(unknown?.description.contains("did you mean 'this'") == true)
        let oneWord = demoError { _ = try runDemo("skipgram-ns", ["corpus": "echo echo echo"]) }
        #expect(oneWord?.description.contains("one distinct word") == true)
        let tooMany = demoError { _ = try runDemo("skipgram-ns", ["negatives": 21]) }
        #expect(tooMany != nil)
    }
}
