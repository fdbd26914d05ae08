import Engine
import Foundation
import Models
import Testing
import Trace

/// The `encoder-decoder` cases in `Tests/Fixtures/attention`, written by
/// `Tests/Fixtures/reference_encoder_decoder.py` (independent numpy, its own small reverse mode).
enum EncoderDecoderFixtures {
    struct Tokens: Decodable, Sendable {
        let sourceTokens: [String]
        let decoderTokens: [String]
        let nextTokens: [String]
        let vocabulary: [String]
    }

    static func all() throws -> [(fixture: ModelFixture, tokens: Tokens)] {
        let files = try FileManager.default.contentsOfDirectory(at: AttentionFixtures.directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" && $0.lastPathComponent.hasPrefix("encoder-decoder-") }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { file in
            let data = try Data(contentsOf: file)
            return (try JSONDecoder().decode(ModelFixture.self, from: data), try JSONDecoder().decode(Tokens.self, from: data))
        }
    }

    static var cases: [ModelFixture] { ((try? all()) ?? []).map(\.fixture) }
}

@Suite("encoder-decoder: numpy reference, cross-attention rows, causal mask, finite differences, training")
struct EncoderDecoderTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try EncoderDecoderFixtures.all().map(\.fixture)
        #expect(fixtures.count >= 4)
        #expect(fixtures.allSatisfy { $0.demo == "encoder-decoder" })
        #expect(Set(fixtures.map { $0.parameters["heads"]?.intValue ?? 2 }) == [1, 2, 3])
    }

    @Test("Every embedding, weight, activation, loss, gradient, update and history value matches the reference to 1e-10",
          arguments: EncoderDecoderFixtures.cases)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        let deviation = compare(trace, with: fixture, accepts: { abs($0 - $1) <= 1e-10 * abs($1) + 1e-13 })
        #expect(deviation.values > 1000)
        #expect(deviation.relative <= 1e-10, "\(fixture.case): max relative error \(deviation.relative)")
        let tokens = try #require(try EncoderDecoderFixtures.all().first { $0.fixture.case == fixture.case }).tokens
        #expect(trace.value(named: "E^enc")?.labels == [tokens.sourceTokens, nil])
        #expect(trace.value(named: "E^dec")?.labels == [tokens.decoderTokens, nil])
        #expect(trace.value(named: "Y")?.labels == [tokens.decoderTokens, tokens.vocabulary])
        #expect(trace.value(named: "T")?.labels == [tokens.nextTokens, tokens.vocabulary])
    }

    @Test func largestDeviationOverAllFixtures() throws {
        var overall = Deviation()
        for fixture in EncoderDecoderFixtures.cases {
            overall.merge(compare(try runDemo(fixture.demo, fixture.parameters), with: fixture, accepts: { _, _ in true }))
        }
        print("EncoderDecoderTests: \(overall.values) values; max relative error \(overall.relative), max |error| at 0: \(overall.absoluteAtZero)")
        #expect(overall.values > 0 && overall.relative <= 1e-10)
    }

    @Test("The default pair: <s> and </s> frame the target, the vocabulary starts with them, T is the next token one-hot")
    func defaultPair() throws {
        let trace = try runDemo("encoder-decoder")
        #expect(trace.value(named: "E^enc")?.labels?[0] == ["je", "suis", "étudiant"])
        #expect(trace.value(named: "E^dec")?.labels?[0] == ["<s>", "i", "am", "a", "student"])
        let T = try #require(trace.value(named: "T"))
        #expect(T.labels?[0] == ["i", "am", "a", "student", "</s>"])
        #expect(T.labels?[1] == ["<s>", "</s>", "i", "am", "a", "student"])
        #expect(T.shape == [5, 6])
        let hot = stride(from: 0, to: T.data.count, by: 6).map { row in (0..<6).filter { T.data[row + $0] == 1 } }
        #expect(hot == [[2], [3], [4], [5], [1]])
        #expect(T.data.allSatisfy { $0 == 0 || $0 == 1 })
    }

    @Test("Every row of every cross-attention A_i sums to 1; A_i^cross is N_t×N_s, rows the target prefix, columns the source",
          arguments: [1, 2, 4])
    func crossAttentionRowsSumToOne(_ heads: Int) throws {
        let trace = try runDemo("encoder-decoder", ["heads": .int(heads), "source": "the black cat sleeps", "target": "le chat noir dort"])
        for i in 1...heads {
            let A = try #require(trace.value(named: "A_\(i)^cross"))
            #expect(A.shape == [5, 4])
            #expect(A.labels == [["<s>", "le", "chat", "noir", "dort"], ["the", "black", "cat", "sleeps"]])
            for row in 0..<5 {
                let weights = A.data[row * 4..<(row + 1) * 4]
                #expect(abs(weights.reduce(0, +) - 1) < 1e-15, "A_\(i)^cross row \(row) sums to \(weights.reduce(0, +))")
                #expect(weights.allSatisfy { $0 > 0 }, "cross-attention masks nothing")
            }
            #expect(trace.value(named: "S_\(i)^cross")?.shape == [5, 4])
        }
        #expect(trace.value(named: "K^cross")?.labels?[0] == ["the", "black", "cat", "sleeps"])
        #expect(trace.value(named: "Q^cross")?.labels?[0] == ["<s>", "le", "chat", "noir", "dort"])
    }

    @Test("Masked self-attention: every weight above the diagonal is exactly 0 (S is −∞ there), rows sum to 1, <s> attends only to itself",
          arguments: [1, 2])
    func maskedWeightsAreExactlyZero(_ heads: Int) throws {
        let trace = try runDemo("encoder-decoder", ["heads": .int(heads)])
        let n = 5
        for i in 1...heads {
            let A = try #require(trace.value(named: "A_\(i)^dec"))
            let S = try #require(trace.value(named: "S_\(i)^dec"))
            #expect(A.shape == [n, n] && S.shape == [n, n])
            for row in 0..<n {
                for column in 0..<n {
                    let (a, s) = (A.data[row * n + column], S.data[row * n + column])
                    if column > row {
                        #expect(a == 0 && a.sign == .plus, "A_\(i)^dec[\(row), \(column)] = \(a)")
                        #expect(s == -.infinity)
                    } else {
                        #expect(a > 0 && s.isFinite)
                    }
                }
                #expect(abs(A.data[row * n..<(row + 1) * n].reduce(0, +) - 1) < 1e-15)
            }
            #expect(A.data[0] == 1)
            // The gradient of a masked weight's score is exactly 0 too: nothing flows into the future.
            let dS = try #require(trace.tensors.last { $0.role == .gradient && $0.of == S.id })
            for row in 0..<n { for column in row + 1..<n { #expect(dS.data[row * n + column] == 0) } }
        }
        #expect(trace.value(named: "M^dec")?.data == (0..<n * n).map { $0 % n <= $0 / n ? 1 : 0 })
    }

    @Test("Scopes: encoder › embedding, encoder layer; decoder › embedding, decoder layer › masked self-attention, cross-attention, …; output; loss")
    func scopes() throws {
        let trace = try runDemo("encoder-decoder")
        func path(_ id: Int) -> String {
            var names: [String] = []
            var scope: Int? = id
            while let s = scope {
                names.append(trace.scopes[s].name)
                scope = trace.scopes[s].parent
            }
            return names.reversed().joined(separator: " › ")
        }
        let paths = Set(trace.scopes.map(\.id).map(path))
        for expected in [
            "iteration 1 › encoder › embedding", "iteration 1 › encoder › encoder layer › multi-head attention › head 1",
            "iteration 1 › encoder › encoder layer › layer norm 2",
            "iteration 1 › decoder › embedding", "iteration 1 › decoder › decoder layer › masked self-attention › multi-head attention › head 2",
            "iteration 1 › decoder › decoder layer › residual 1", "iteration 1 › decoder › decoder layer › layer norm 1",
            "iteration 1 › decoder › decoder layer › cross-attention › multi-head attention › head 1",
            "iteration 1 › decoder › decoder layer › residual 2", "iteration 1 › decoder › decoder layer › layer norm 2",
            "iteration 1 › decoder › decoder layer › feed-forward", "iteration 1 › decoder › decoder layer › layer norm 3",
            "iteration 1 › output", "iteration 1 › loss",
        ] {
            #expect(paths.contains(expected), "no scope \(expected)")
        }
        // Cross-attention's keys are computed from the encoder's output, inside the decoder's cross-attention scope.
        let K = try #require(trace.value(named: "K^cross"))
        let step = try #require(trace.steps.first { $0.output == K.id })
        #expect(step.inputs.first == trace.value(named: "H_2^enc")?.id)
        #expect(path(try #require(step.scope)).hasPrefix("iteration 1 › decoder › decoder layer › cross-attention"))
    }

    @Test("The recorded gradients of all 32 parameters and of both embeddings agree with central differences",
          arguments: [(1, false), (2, true)])
    func finiteDifferences(_ heads: Int, _ repeated: Bool) {
        var random = SeededGenerator(seed: UInt64(20 + heads))
        let (d, V) = (4, 5)
        let network = EncoderDecoder(modelSize: d, heads: heads, feedForwardSize: 3, vocabularySize: V)
        let values = network.initialParameters(using: &random)
            + [Tensor.uniform([2, d], bound: 1, using: &random), Tensor.uniform([3, d], bound: 1, using: &random)]
        let next = repeated ? [2, 2, 1] : [3, 4, 1]
        let worst = AttentionGradientCheck.check(values, parameterCount: 32) { _, v in
            EncoderDecoder.loss(network(source: v[32], target: v[33], .init(v[0..<32])), next: next)
        }
        print("EncoderDecoderTests: finite differences, h = \(heads): max error \(worst)")
        #expect(worst < 1e-7)
    }

    @Test("Training on the default pair drives the loss down until every position predicts its next token")
    func trainingTranslates() throws {
        let iterations = 300
        let trace = try runDemo("encoder-decoder", ["train": .int(iterations), "lr": 0.5])
        let history = try #require(trace.history)
        #expect(history.count == iterations)
        #expect(history.filter(\.traced).map(\.iteration) == [1])
        let (first, last) = (history.first!.loss, history.last!.loss)
        print("EncoderDecoderTests: loss \(first) → \(last) after \(iterations) iterations")
        #expect(last < 0.05 * first)
        // The final parameters, run forward on a fresh tape: greedy choice = the next token at every position.
        let snapshot = try #require(history.last?.tensors)
        let fixture = try #require(try EncoderDecoderFixtures.all().first { $0.fixture.case == "encoder-decoder-defaults" })
        let names = fixture.fixture.tensors.filter { $0.version == 0 }.map(\.name)
        #expect(names.count == 32)
        let parameters = try names.map { name in
            let s = try #require(snapshot[name], "no snapshot of \(name)")
            return Tensor(shape: s.shape, scalars: s.data)
        }
        let tape = Tape(recording: false)
        let network = EncoderDecoder(modelSize: 4, heads: 2, feedForwardSize: 8, vocabularySize: 6)
        let embeddings = try ["E^enc", "E^dec"].map { name in
            let record = try #require(trace.value(named: name))
            return tape.input(Tensor(shape: record.shape, scalars: record.data), name: name, requiresGradient: false)
        }
        let Y = network(source: embeddings[0], target: embeddings[1], network.bind(parameters, on: tape)).value
        let predicted = (0..<5).map { row in (0..<6).max { Y[row, $0] < Y[row, $1] }! }
        #expect(predicted == [2, 3, 4, 5, 1], "greedy next tokens \(predicted), expected i am a student </s>")
    }

    @Test("Errors: a target without words, heads that do not divide d_model")
    func errors() {
        let empty = demoError { _ = try runDemo("encoder-decoder", ["target": "?!"]) }
        #expect(empty?.description.contains("target") == true)
        let heads = demoError { _ = try runDemo("encoder-decoder", ["heads": 3]) }
        #expect(heads?.description.contains("heads 1, 2 or 4") == true)
    }

    @Test("Same parameters, same bytes; another seed, other bytes")
    func deterministic() throws {
        let parameters: [String: JSONValue] = ["train": 3, "heads": 1]
        #expect(try runDemo("encoder-decoder", parameters).jsonData() == (try runDemo("encoder-decoder", parameters).jsonData()))
        #expect(try runDemo("encoder-decoder", parameters).jsonData() != (try runDemo("encoder-decoder", ["train": 3, "heads": 1, "seed": 2]).jsonData()))
    }
}
