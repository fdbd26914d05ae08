import Engine
import Foundation
import Trace

/// The `cbow` and `skipgram` demos: one example traced (forward, backward, SGD update), then,
/// with `train`, epochs over every window of the corpus with recording off (`Word2VecTrainer`).
///
/// - Weights: `example` is the notes' matrices (their corpus, N = 4); `random` draws W_in, then
///   W_out, row-major, each uniform in [−0.5/N, 0.5/N).
/// - Training continues from the traced update. Each epoch visits every window once, in an
///   order shuffled by Fisher–Yates (for i = n−1 down to 1: swap i with `nextInt(below: i + 1)`),
///   drawn from the same generator after the weights. CBOW trains context → centre on every
///   window; skip-gram centre → its context words (padding left out).
/// - History, one entry per epoch: the mean loss over the epoch's examples (each before its
///   update) and `W_in_pca`, the V×2 PCA projection of W_in after the epoch (`Embeddings.pca`),
///   rows in vocabulary order.
/// - `neighbours`: for each word given, a constant `neighbours_<word>` (1×k, k = min(5, V − 1)) of
///   cosine similarities over the final W_in rows, columns labelled with the neighbour words, and
///   in each epoch's history entry the same after that epoch (`Embeddings.neighbourSnapshot`).
extension Demos {
    static let cbow = Demo(
        name: "cbow",
        summary: "word2vec CBOW with a full softmax: context words → hidden average → softmax over the vocabulary, traced and trained",
        parameters: Word2VecDemo.parameters(cbow: true),
        views: Embeddings.views,
        build: { config throws(DemoError) in try Word2VecDemo.build(config, cbow: true) }
    )

    static let skipgram = Demo(
        name: "skipgram",
        summary: "word2vec skip-gram with a full softmax: a word → one softmax per context word, errors summed, traced and trained",
        parameters: Word2VecDemo.parameters(cbow: false),
        views: Embeddings.views,
        build: { config throws(DemoError) in try Word2VecDemo.build(config, cbow: false) }
    )
}

enum Word2VecDemo {
    static let dimensions = Parameter<Int>("dimensions", "embedding size N (hidden layer)", 2...300, default: 4, scales: .size)
    static let weights = Parameter<Weights>("weights", "initial weights: drawn from the seed, or the notes' matrices (their corpus, N = 4)", default: .random)
    static let context = OptionalParameter<String>(
        "context", "the traced example's context words, comma-separated (default: the first pair's)", length: 1...1000)
    static let target = OptionalParameter<String>(
        "target", "the traced example's target word (default: the centre of the first window sharing the most context words)", length: 1...100)
    static let word = OptionalParameter<String>("word", "the traced example's centre word (its first occurrence; default: the first word)", length: 1...100)
    static let training = Training.epochs(over: "the corpus after the traced example", learningRate: 0.05)
    static let neighbours = OptionalParameter<String>(
        "neighbours", "words whose nearest neighbours (cosine over W_in rows) are reported, comma-separated", length: 1...1000)

    enum Weights: String, ParameterChoice { case random, example }

    static func parameters(cbow: Bool) -> [any DemoParameters] {
        let example: [any DemoParameters] = cbow ? [context, target] : [word]
        return Word2VecCorpus.parameters + [dimensions, weights] + example
            + [training.iterations, neighbours, training.learningRate, Common.seed]
    }

    static func build(_ config: DemoConfig, cbow: Bool) throws(DemoError) -> TraceDocument {
        let corpus = try Word2VecCorpus.load(config)
        guard corpus.size >= 2 else { throw .conflict("the corpus has one distinct word; word2vec needs at least 2") }
        let (V, N, w) = (corpus.size, config[dimensions], config[Word2VecCorpus.window])
        let lr = config[training.learningRate]
        let windows = corpus.windows(w)
        var random = config.generator

        let W_in0: Tensor, W_out0: Tensor
        if config[weights] == .example {
            guard corpus.vocabulary == (try Word2VecCorpus(text: Word2VecCorpus.notesText)).vocabulary, N == 4 else {
                throw .conflict("{weights} example holds the notes' matrices: use the notes' corpus (V = 10) and {dimensions} 4")
            }
            (W_in0, W_out0) = (Word2VecCorpus.notesInputWeights, Word2VecCorpus.notesOutputWeights)
        } else {
            let bound = 0.5 / Double(N)
            W_in0 = Tensor.uniform([V, N], bound: bound, using: &random)
            W_out0 = Tensor.uniform([N, V], bound: bound, using: &random)
        }
        let neighbourWords = try config[neighbours].map { text throws(DemoError) in
            try Embeddings.once(corpus.indices(ofList: text, parameter: "neighbours"))
        }

        let network = Word2Vec(corpus: corpus, dimensions: N)
        let tape = Tape()
        _ = corpus.trainingPairs(window: w, cbow: cbow, on: tape)
        let (W_in, W_out) = network.bind(W_in0, W_out0, on: tape)
        let label: String
        // The traced example's loss from W_in and W_out: traced here, recomputed after the epochs.
        let example: (Var, Var) -> Var
        // What one recomputation keeps: H (C×N), h, u, y, the errors and Q.
        let stageNumbers: Int
        if cbow {
            let (context, target) = try cbowExample(config, corpus, windows)
            label = "\(context.map { corpus.vocabulary[$0] }.joined(separator: ", ")) → \(corpus.vocabulary[target])"
            example = { network.cbowLoss(context: context, target: target, $0, $1) }
            stageNumbers = (context.count + 1) * N + 3 * V + 1
        } else {
            let window = try skipGramExample(config, corpus, windows)
            label = "\(corpus.vocabulary[window.centre]) → \(window.context.map { $0.map { corpus.vocabulary[$0] } ?? Word2VecCorpus.padding }.joined(separator: ", "))"
            example = { network.skipGramLoss(centre: window.centre, context: window.contextWords, $0, $1) }
            stageNumbers = N + (3 + window.contextWords.count) * V + 1
        }
        let Q = tape.scope("example: \(label)") { example(W_in, W_out) }
        let gradients = tape.backward(Q)
        gradients[W_in]?.labeled([corpus.vocabulary, nil])
        gradients[W_out]?.labeled([nil, corpus.vocabulary])
        let updated = tape.sgd([W_in, W_out], gradients, learningRate: lr)

        var trainer = Word2VecTrainer(W_in: updated[0].value.scalars, W_out: updated[1].value.scalars, V: V, N: N)
        let epochs = config[training.iterations]
        var history: [HistoryEntry] = []
        var order = Array(windows.indices)
        let meter = Meter.current
        var pipeline = PipelineHistory(
            tape: tape, epochs: epochs, taken: ["W_in_pca"] + (neighbourWords ?? []).map { Embeddings.neighboursKey(corpus.vocabulary[$0]) },
            example: example)
        meter?.beginLoop(
            rounds: epochs, stepsPerRound: order.count,
            addingTraceBytes: Embeddings.historyBytes(epochs: epochs, words: V, asked: neighbourWords?.count ?? 0)
                + PipelineHistory.bytes(epochs: epochs, numbers: stageNumbers, stages: 6))
        defer { meter?.endLoop() }
        training: for epoch in stride(from: 1, through: epochs, by: 1) {
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, random.nextInt(below: i + 1))
            }
            var total = 0.0
            for index in order {
                let window = windows[index]
                total +=
                    cbow
                    ? trainer.cbowStep(context: window.contextWords, target: window.centre, learningRate: lr)
                    : trainer.skipGramStep(centre: window.centre, context: window.contextWords, learningRate: lr)
                guard meter?.finishStep() ?? true else { break training }
            }
            var entry = Embeddings.epochEntry(
                epoch, meanLoss: total / Double(order.count), trainer.W_in, rows: V, columns: N, neighbours: neighbourWords ?? [],
                names: corpus.vocabulary)
            pipeline.add(to: &entry, W_in: trainer.W_in, W_out: trainer.W_out, words: V, dimensions: N)
            history.append(entry)
            config.report(epoch, of: epochs, "epochs", loss: total / Double(order.count))
            guard meter?.finishRound() ?? true else { break }
        }

        Embeddings.recordNeighbours(of: neighbourWords ?? [], in: trainer.W_in, rows: V, columns: N, names: corpus.vocabulary, on: tape)

        var config = config
        config.record("vocabulary", .int(V))
        let training = epochs == 0 ? "one SGD step" : "one traced SGD step, \(epochs) epoch\(epochs == 1 ? "" : "s")"
        return Embeddings.describingHistory(
            tape.trace(
                title: "\(cbow ? "CBOW" : "Skip-gram"), V = \(V), N = \(N), window \(w): \(label), \(training)",
                model: cbow ? "cbow" : "skipgram", config: config.values, history: epochs > 0 ? history : nil),
            neighbours: (neighbourWords ?? []).map { corpus.vocabulary[$0] }, stages: pipeline.series)
    }

    /// The traced CBOW example: `context` (or the first window's) → `target`, or the centre of
    /// the first window whose context shares the most words with it (all of them, in any order,
    /// when the context is a window's).
    static func cbowExample(_ config: DemoConfig, _ corpus: Word2VecCorpus, _ windows: [Word2VecWindow]) throws(DemoError)
        -> ([Int], Int)
    {
        let context = try config[Word2VecDemo.context].map { text throws(DemoError) in
            try corpus.indices(ofList: text, parameter: "context")
        } ?? windows[0].contextWords
        if let word = config[Word2VecDemo.target] { return (context, try corpus.index(of: word, parameter: "target")) }
        if let window = windows.first(where: { $0.contextWords.sorted() == context.sorted() }) { return (context, window.centre) }
        let shared = windows.map { window in context.filter(window.contextWords.contains).count }
        return (context, windows[shared.firstIndex(of: shared.max()!)!].centre)
    }

    /// The traced skip-gram example: the window of `word`'s first occurrence, or the first window.
    static func skipGramExample(_ config: DemoConfig, _ corpus: Word2VecCorpus, _ windows: [Word2VecWindow]) throws(DemoError)
        -> Word2VecWindow
    {
        guard let word = config[Word2VecDemo.word] else { return windows[0] }
        let index = try corpus.index(of: word, parameter: "word")
        return windows.first { $0.centre == index }!
    }
}
