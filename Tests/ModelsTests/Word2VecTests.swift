import Engine
import Foundation
@testable import Models
import Testing
import Trace

/// The `cbow` and `skipgram` demos: the notes' worked example, the independent numpy reference
/// (`Tests/Fixtures/reference_word2vec.py`), finite differences, the fast training step, the
/// corpus machinery and the errors.
@Suite("word2vec")
struct Word2VecTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/word2vec")

    static var fixtures: [ModelFixture] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.pathExtension == "json" && !$0.lastPathComponent.hasPrefix("skipgram-ns") }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap { try? JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: $0)) }
    }

    static let small = "the cat sat on the mat and the dog sat on the log"

    private func tensor(_ trace: TraceDocument, _ name: String, version: Int = 0) throws -> TensorRecord {
        try #require(trace.value(named: name, version: version), "no single tensor \(name)")
    }

    // MARK: The notes' worked example

    @Test func oneContextWordHiddenLayerIsTheRowOfThis() throws {
        let trace = try runDemo("cbow", ["weights": "example", "context": "this"])
        #expect(try tensor(trace, "h").data == [5, 6, 7, 8])
        #expect(trace.title.contains("this → hey"))
    }

    @Test func threeContextWordsAverageToEighteenPointThree() throws {
        let trace = try runDemo("cbow", ["weights": "example", "context": "this,corpus,context"])
        let h = try tensor(trace, "h").data
        for (actual, expected) in zip(h, [55.0 / 3, 58.0 / 3, 61.0 / 3, 64.0 / 3]) {
            #expect(abs(actual - expected) < 1e-12)
        }
        #expect(abs(h[0] - 18.333333333333) < 1e-9, "the notes print 10.333, a slip")
        #expect(try tensor(trace, "H").data == [5, 6, 7, 8, 17, 18, 19, 20, 33, 34, 35, 36])
    }

    @Test func exampleWeightsAreTheNotesMatrices() throws {
        let trace = try runDemo("skipgram", ["weights": "example"])
        #expect(try tensor(trace, "W_in").data == (1...40).map(Double.init))
        #expect(try tensor(trace, "W_out").data.prefix(10) == [0.13, 0.15, 0.14, 0.15, 0.16, 0.17, 0.16, 0.19, 0.2, 0.24])
        #expect(try tensor(trace, "W_in").labels == [["hey", "this", "is", "sample", "corpus", "using", "only", "one", "context", "word"], nil])
    }

    @Test func skipGramPairsTableCorrectsTheNotesSlip() throws {
        let trace = try runDemo("skipgram", [:])
        let pairs = try tensor(trace, "training_pairs")
        #expect(pairs.shape == [10, 3])
        let rows = try #require(pairs.labels?[0])
        #expect(rows[0] == "hey → <padding>, this")
        #expect(rows[1] == "this → hey, is")
        #expect(rows[4] == "corpus → sample, using")
        #expect(rows[9] == "word → context, <padding>")
        #expect(pairs.labels?[1] == ["centre", "-1", "+1"])
        #expect(Array(pairs.data[0..<3]) == [0, -1, 1])
        #expect(Array(pairs.data[12..<15]) == [4, 3, 5])
    }

    @Test func cbowPairsTableReadsContextToTarget() throws {
        let trace = try runDemo("cbow", ["window": 2])
        let pairs = try tensor(trace, "training_pairs")
        #expect(pairs.shape == [10, 5])
        #expect(pairs.labels?[1] == ["-2", "-1", "+1", "+2", "target"])
        #expect(pairs.labels?[0]?[0] == "this, is → hey")
        #expect(pairs.labels?[0]?[4] == "is, sample, using, only → corpus")
        #expect(Array(pairs.data[0..<5]) == [-1, -1, 1, 2, 0])
    }

    @Test func skipGramSumsOneErrorPerContextWord() throws {
        let trace = try runDemo("skipgram", ["weights": "example", "word": "corpus"])
        let y = try tensor(trace, "y").data
        let sample = try tensor(trace, "e_sample").data, using = try tensor(trace, "e_using").data
        for j in 0..<10 {
            #expect(sample[j] == y[j] - (j == 3 ? 1 : 0))
            #expect(using[j] == y[j] - (j == 5 ? 1 : 0))
        }
        let e = try tensor(trace, "e")
        #expect(e.data == zip(sample, using).map(+))
        let sum = try #require(trace.steps.first { $0.output == e.id })
        #expect(sum.op == "add" && sum.phase == .forward)
        let du = try #require(trace.gradient(of: "u"))
        for (a, b) in zip(du.data, e.data) { #expect(abs(a - b) <= 1e-15) }
    }

    @Test("e_<target> is y − target and ∂Q/∂u equals it", arguments: ["this", "this,corpus,context"])
    func cbowErrorIsYMinusTarget(_ context: String) throws {
        let trace = try runDemo("cbow", ["weights": "example", "context": .string(context), "target": "sample"])
        let y = try tensor(trace, "y").data, e = try tensor(trace, "e_sample").data
        let expected = y.enumerated().map { (j: Int, value: Double) -> Double in value - (j == 3 ? 1.0 : 0.0) }
        #expect(e == expected)
        let du = try #require(trace.gradient(of: "u"))
        for (a, b) in zip(du.data, e) { #expect(Swift.abs(a - b) <= 1e-15) }
    }

    // MARK: The independent reference

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count == 8)
    }

    @Test("Matches the numpy reference to 1e-10", arguments: fixtures)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        let deviation = compare(trace, with: fixture) { abs($0 - $1) <= 1e-10 * abs($1) + 1e-12 }
        #expect(deviation.values > 0)
        print("word2vec \(fixture.case): max relative deviation \(deviation.relative) over \(deviation.values) values")
    }

    @Test func neighboursAreLabelledWithTheirWords() throws {
        let trace = try runDemo("cbow", ["corpus": .string(Self.small), "window": 2, "train": 2, "neighbours": "cat"])
        let neighbours = try tensor(trace, "neighbours_cat")
        #expect(neighbours.shape == [1, 5])
        #expect(neighbours.labels?[0] == ["cat"])
        let words = try #require(neighbours.labels?[1] ?? nil)
        #expect(!words.contains("cat") && Set(words).count == 5)
        #expect(neighbours.data == neighbours.data.sorted(by: >))
        #expect(trace.history?.count == 2)
        #expect(trace.history?.first?.tensors?["W_in_pca"]?.shape == [8, 2])
    }

    /// Each epoch's entry lists the asked word first (cosine 1), then its neighbours; after the last
    /// epoch they are the constant's words and cosines. The series says so, by its quantity.
    @Test func neighboursAfterEachEpochAreInTheHistory() throws {
        let trace = try runDemo("skipgram", ["corpus": .string(Self.small), "window": 2, "train": 3, "neighbours": "dog,cat,dog"])
        let vocabulary = try #require(trace.tensors.first { $0.name == "W_in" }?.labels?[0] ?? nil)
        let history = try #require(trace.history)
        for entry in history {
            let snapshot = try #require(entry.tensors?["neighbours_dog"])
            #expect(snapshot.shape == [6, 2])
            #expect(snapshot.data[0] == Double(vocabulary.firstIndex(of: "dog")!) && snapshot.data[1] == 1)
        }
        let last = try #require(history.last?.tensors?["neighbours_cat"])
        let constant = try tensor(trace, "neighbours_cat")
        let rows = stride(from: 2, to: last.data.count, by: 2)
        #expect(rows.map { vocabulary[Int(last.data[$0])] } == constant.labels?[1])
        #expect(rows.map { last.data[$0 + 1] } == constant.data)
        let series = (trace.series ?? []).filter { $0.quantity == "nearest_neighbours" }
        #expect(series.map(\.key) == ["neighbours_dog", "neighbours_cat"])
        #expect(series.allSatisfy { $0.of == "embedding" && $0.axis == "rank" && $0.per == "epoch" })
    }

    // MARK: Gradients

    @Test("Recorded gradients agree with central differences", arguments: [true, false])
    func finiteDifferences(_ cbow: Bool) throws {
        let corpus = try Word2VecCorpus(text: "a b c a d e b")
        let network = Word2Vec(corpus: corpus, dimensions: 3)
        var random = SeededGenerator(seed: 11)
        let W_in0 = Tensor.uniform([5, 3], bound: 1, using: &random)
        let W_out0 = Tensor.uniform([3, 5], bound: 1, using: &random)
        func loss(_ W_in: Tensor, _ W_out: Tensor, recording: Bool = false) -> (Var, Var, Var) {
            let tape = Tape(recording: recording)
            let (a, b) = network.bind(W_in, W_out, on: tape)
            let Q = cbow ? network.cbowLoss(context: [0, 2, 0], target: 1, a, b) : network.skipGramLoss(centre: 0, context: [1, 2, 1], a, b)
            return (Q, a, b)
        }
        let (Q, a, b) = loss(W_in0, W_out0, recording: true)
        let gradients = Q.tape.backward(Q)
        let h = 1e-6
        for (which, analytic) in [(0, gradients[a]!.value), (1, gradients[b]!.value)] {
            for k in 0..<15 {
                var plus = [W_in0, W_out0], minus = [W_in0, W_out0]
                plus[which].scalars[k] += h
                minus[which].scalars[k] -= h
                let numeric = (loss(plus[0], plus[1]).0.value.scalar - loss(minus[0], minus[1]).0.value.scalar) / (2 * h)
                #expect(abs(numeric - analytic.scalars[k]) <= 1e-6 * max(1, abs(numeric)), "\(which) \(k)")
            }
        }
    }

    @Test("One fast training step equals the traced update", arguments: [
        ("cbow", ["context": "the,dog,on,the", "target": "sat"] as [String: JSONValue]),
        ("cbow", ["context": "cat", "target": "the"]),
        ("cbow", ["context": "the,cat,on,the"]),
        ("skipgram", ["word": "sat"]),
        ("skipgram", ["word": "the", "window": 3]),
    ])
    func fastStepEqualsTracedStep(_ demo: String, _ extra: [String: JSONValue]) throws {
        var parameters: [String: JSONValue] = ["corpus": .string(Self.small), "window": 2, "dimensions": 5, "lr": 0.3, "seed": 4]
        parameters.merge(extra) { $1 }
        let trace = try runDemo(demo, parameters)
        let corpus = try Word2VecCorpus(text: Self.small)
        let V = corpus.size, N = 5
        var trainer = Word2VecTrainer(
            W_in: try tensor(trace, "W_in").data, W_out: try tensor(trace, "W_out").data, V: V, N: N)
        let loss: Double
        if demo == "cbow" {
            let context = try corpus.indices(ofList: extra["context"]!.stringValue!, parameter: "context")
            let target = extra["target"].map { try? corpus.index(of: $0.stringValue!, parameter: "target") } ?? nil
            let centre = try target ?? #require(corpus.windows(2).first { $0.contextWords == context }?.centre)
            loss = trainer.cbowStep(context: context, target: centre, learningRate: 0.3)
        } else {
            let w = extra["window"]?.intValue ?? 2
            let centre = try corpus.index(of: extra["word"]!.stringValue!, parameter: "word")
            let window = try #require(corpus.windows(w).first { $0.centre == centre })
            loss = trainer.skipGramStep(centre: centre, context: window.contextWords, learningRate: 0.3)
        }
        #expect(abs(loss - (try tensor(trace, "Q").data[0])) <= 1e-12)
        var largest = 0.0
        for (fast, traced) in zip(trainer.W_in + trainer.W_out, try tensor(trace, "W_in", version: 1).data + tensor(trace, "W_out", version: 1).data) {
            largest = max(largest, abs(fast - traced))
        }
        #expect(largest <= 1e-12, "largest difference \(largest)")
    }

    // MARK: Corpus and tokenizer

    @Test func tokenizerLowerCasesAndStripsPunctuationInWordMode() throws {
        let corpus = try Word2VecCorpus(text: Word2VecCorpus.notesText)
        #expect(corpus.vocabulary == ["hey", "this", "is", "sample", "corpus", "using", "only", "one", "context", "word"])
        let repeated = try Word2VecCorpus(text: "The cat; the CAT! A dog's day.")
        #expect(repeated.vocabulary == ["the", "cat", "a", "dog's", "day"])
        #expect(repeated.counts == [2, 2, 1, 1, 1])
        #expect(repeated.tokenIndices == [0, 1, 0, 1, 2, 3, 4])
    }

    @Test func windowsPadBeyondTheEnds() throws {
        let corpus = try Word2VecCorpus(text: "a b c")
        #expect(corpus.windows(2).map(\.context) == [[nil, nil, 1, 2], [nil, 0, 2, nil], [0, 1, nil, nil]])
        #expect(corpus.windows(1)[1].contextWords == [0, 2])
    }

    // MARK: Errors

    @Test func unknownWordSuggestsTheNearest() {
        #expect(demoError { _ = try runDemo("cbow", ["context": "thsi"]) }?.message() == "context: unknown word 'thsi' — did you mean 'this'?")
        #expect(demoError { _ = try runDemo("skipgram", ["word": "corpsu"]) }?.message(flagPrefix: "--") == "--word: unknown word 'corpsu' — did you mean 'corpus'?")
        #expect(demoError { _ = try runDemo("cbow", ["neighbours": "zebra"]) }?.message() == "neighbours: unknown word 'zebra' (not in the corpus)")
    }

    @Test func limitsAndConflicts() {
        #expect(demoError { _ = try runDemo("cbow", ["window": 11]) } == .outOfRange(parameter: "window", value: "11", allowed: "1…10"))
        #expect(demoError { _ = try runDemo("skipgram", ["dimensions": 1]) } == .outOfRange(parameter: "dimensions", value: "1", allowed: "2…300"))
        #expect(demoError { _ = try runDemo("cbow", ["weights": "example", "dimensions": 3]) }?.message()
            == "weights example holds the notes' matrices: use the notes' corpus (V = 10) and dimensions 4")
        #expect(demoError { _ = try runDemo("cbow", ["corpus": "...!"]) }?.message() == "corpus has no words; word2vec needs at least 2 (a word and its context)")
        #expect(demoError { _ = try runDemo("cbow", ["corpus": "hello"]) }?.message() == "corpus has one word; word2vec needs at least 2 (a word and its context)")
        #expect(demoError { _ = try runDemo("cbow", ["corpus": "hey hey"]) }?.message() == "the corpus has one distinct word; word2vec needs at least 2")
        #expect(demoError { _ = try runDemo("cbow", ["corpus": "a b", "corpus-file": "/tmp/x"]) }?.message() == "give corpus or corpus-file, not both")
    }

    @Test func unreadableCorpusFileIsNamed() throws {
        let message = try #require(demoError { _ = try runDemo("skipgram", ["corpus-file": "/nonexistent/words.txt"]) }?.message())
        #expect(message.hasPrefix("corpus-file: cannot read '/nonexistent/words.txt'"))
    }

    @Test func aCorpusFileThatIsAFIFOIsRefusedNotReadForever() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("word2vec-fifo-\(getpid())")
        #expect(mkfifo(url.path, 0o600) == 0)
        defer { try? FileManager.default.removeItem(at: url) }
        let message = try #require(demoError { _ = try runDemo("cbow", ["corpus-file": .string(url.path)]) }?.message())
        #expect(message.hasSuffix("(not a regular file)"), "\(message)")
    }

    @Test func corpusFileIsRead() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("word2vec-corpus-\(getpid()).txt")
        try Self.small.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        let fromFile = try runDemo("cbow", ["corpus-file": .string(url.path), "train": 1])
        let fromText = try runDemo("cbow", ["corpus": .string(Self.small), "train": 1])
        #expect(fromFile.tensors == fromText.tensors && fromFile.history == fromText.history)
    }

    @Test func trainingIsDeterministicAndSeeded() throws {
        let parameters: [String: JSONValue] = ["corpus": .string(Self.small), "train": 3, "window": 2]
        let first = try runDemo("skipgram", parameters), second = try runDemo("skipgram", parameters)
        #expect(try first.jsonData() == second.jsonData())
        var other = parameters
        other["seed"] = 2
        #expect(try runDemo("skipgram", other).history != first.history)
        let losses = try #require(first.history).map(\.loss)
        #expect(losses.count == 3 && losses.allSatisfy(\.isFinite))
    }

    @Test func pcaIsCentredAndSigned() {
        // Rows spread along (1, 1, 0) most, then along (0, 0, 1).
        let X: [Double] = [3, 3, 0, -3, -3, 0, 0, 0, 1, 0, 0, -1, 1, 1, 0.5]
        let projection = Embeddings.pca(X, rows: 5, columns: 3)
        let column0 = stride(from: 0, to: 10, by: 2).map { projection[$0] }
        #expect(abs(column0.reduce(0, +)) < 1e-12)
        #expect(column0[0] > 0)
        let (values, _) = Embeddings.jacobi([2, 1, 0, 1, 2, 0, 0, 0, 5], 3)
        #expect(values.sorted().enumerated().allSatisfy { abs($1 - [1.0, 3, 5][$0]) < 1e-12 })
    }
}
