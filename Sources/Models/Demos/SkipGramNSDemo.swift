import Engine
import Trace

/// The `skipgram-ns` demo: skip-gram with negative sampling on a corpus; one pair's step fully
/// traced, then `train` epochs with recording off, as the `skipgram` demo does with a full softmax.
///
/// - Pairs: the corpus windows in text order, each centre with its context words at offsets
///   −w…−1, +1…+w (padding left out).
/// - The traced pair: `word`'s first occurrence (default the first word) and `context`, one of
///   that window's context words (default its first).
/// - Draws from `seed`: W_in (V×N), then W_out (N×V), each row-major uniform in [−0.5/N, 0.5/N);
///   then the traced pair's k negatives; then per epoch the pairs shuffled by Fisher–Yates
///   (for i = P−1 down to 1: swap i with `nextInt(below: i + 1)`) and, step by step, each pair's
///   k negatives (`NegativeSampler`, avoiding the pair's context word).
/// - Training continues from the traced update. History, one entry per epoch: the mean Q over the
///   epoch's pairs (each before its update) and `W_in_pca`, the V×2 PCA projection of W_in.
/// - `neighbours`: for each word given, a constant `neighbours_<word>` (1×min(5, V − 1)) of cosine
///   similarities over the final W_in rows, columns labelled with the neighbour words, and in each
///   epoch's history entry the same after that epoch (`Embeddings.neighbourSnapshot`).
extension Demos {
    private typealias p = SkipGramNSParameters

    static let skipGramNegativeSampling = Demo(
        name: "skipgram-ns",
        summary: "word2vec skip-gram with negative sampling: σ(h·w) for the context word and k sampled negatives, traced and trained",
        parameters: Word2VecCorpus.parameters + [
            Word2VecDemo.dimensions, p.negatives, p.word, p.context, p.training.iterations, Word2VecDemo.neighbours, p.training.learningRate,
            Common.seed,
        ],
        views: Embeddings.views,
        build: buildSkipGramNegativeSampling
    )

    @Sendable static func buildSkipGramNegativeSampling(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let corpus = try Word2VecCorpus.load(config)
        guard corpus.size >= 2 else { throw .conflict("the corpus has one distinct word; word2vec needs at least 2") }
        let (V, N, k, w) = (corpus.size, config[Word2VecDemo.dimensions], config[p.negatives], config[Word2VecCorpus.window])
        let words = corpus.vocabulary
        let lr = config[p.training.learningRate]
        let (c, o) = try SkipGramNegativeSampling.tracedPair(config, corpus)
        let neighbourWords = try config[Word2VecDemo.neighbours].map { text throws(DemoError) in
            try Embeddings.once(corpus.indices(ofList: text, parameter: "neighbours"))
        }

        var random = config.generator
        let bound = 0.5 / Double(N)
        let W_in0 = Tensor.uniform([V, N], bound: bound, using: &random)
        let W_out0 = Tensor.uniform([N, V], bound: bound, using: &random)
        let sampler = NegativeSampler(counts: corpus.counts)
        let negatives = sampler.draw(k, avoiding: o, using: &random)

        let network = SkipGramNegativeSampling(vocabularySize: V, dimensions: N)
        let tape = Tape()
        _ = corpus.trainingPairs(window: w, cbow: false, on: tape)
        tape.constant(Tensor(shape: [1, V], scalars: sampler.probabilities), name: "P_n", tex: "P_n(w) \\propto \\mathrm{count}(w)^{3/4}")
            .labeled([nil, words])
        let W_in = tape.parameter(W_in0, name: "W_in", tex: "W_{\\text{in}}").labeled([words, nil]).tagged("embedding")
        let W_out = tape.parameter(W_out0, name: "W_out", tex: "W_{\\text{out}}").labeled([nil, words]).tagged("output_embedding")
        let label = "\(words[c]) → \(words[o])"
        // The traced pair's loss from W_in and W_out: traced here, recomputed after the epochs.
        let example = { (W_in: Var, W_out: Var) in
            network.loss(centre: c, context: o, negatives: negatives, W_in: W_in, W_out: W_out, words: words)
        }
        let Q = tape.scope("example: \(label)") { () -> Var in
            tape.constant(Tensor(shape: [1, k], scalars: negatives.map(Double.init)), name: "negatives", tex: "n_1, \\dots, n_{\(k)}")
                .labeled([nil, negatives.map { words[$0] }])
            return example(W_in, W_out)
        }
        let gradients = tape.backward(Q)
        gradients[W_in]?.labeled([words, nil])
        gradients[W_out]?.labeled([nil, words])
        let updated = tape.sgd([W_in, W_out], gradients, learningRate: lr)

        var weights = SkipGramNegativeSampling.Weights(W_in: updated[0].value, W_out: updated[1].value)
        var pairs = SkipGramNegativeSampling.pairs(corpus, window: w)
        let epochs = config[p.training.iterations]
        var history: [HistoryEntry] = []
        let meter = Meter.current
        var pipeline = PipelineHistory(
            tape: tape, epochs: epochs, taken: ["W_in_pca"] + (neighbourWords ?? []).map { Embeddings.neighboursKey(words[$0]) },
            example: example)
        // What one recomputation keeps: h, the k + 1 output vectors, u, σ(u_o), σ(−u_n) and Q.
        meter?.beginLoop(
            rounds: epochs, stepsPerRound: pairs.count,
            addingTraceBytes: Embeddings.historyBytes(epochs: epochs, words: V, asked: neighbourWords?.count ?? 0)
                + PipelineHistory.bytes(epochs: epochs, numbers: (k + 2) * N + 2 * (k + 1) + 1, stages: 6))
        defer { meter?.endLoop() }
        for epoch in stride(from: 1, through: epochs, by: 1) {
            for i in stride(from: pairs.count - 1, to: 0, by: -1) {
                pairs.swapAt(i, random.nextInt(below: i + 1))
            }
            let total = SkipGramNegativeSampling.train(
                &weights, pairs: pairs, negatives: k, sampler: sampler, learningRate: lr, using: &random)
            var entry = Embeddings.epochEntry(
                epoch, meanLoss: total / Double(pairs.count), weights.input, rows: V, columns: N, neighbours: neighbourWords ?? [],
                names: words)
            pipeline.add(to: &entry, W_in: weights.input, W_out: weights.W_out.scalars, words: V, dimensions: N)
            history.append(entry)
            config.report(epoch, of: epochs, "epochs", loss: total / Double(pairs.count))
            guard meter?.finishRound() ?? true else { break }
        }

        Embeddings.recordNeighbours(of: neighbourWords ?? [], in: weights.input, rows: V, columns: N, names: words, on: tape)

        var config = config
        config.record("vocabulary", .int(V))
        let training = epochs == 0 ? "one SGD step" : "one traced SGD step, \(epochs) epoch\(epochs == 1 ? "" : "s")"
        return Embeddings.describingHistory(
            tape.trace(
                title: "Skip-gram with negative sampling, V = \(V), N = \(N), k = \(k), window \(w): \(label), \(training)",
                model: "skipgram-ns", config: config.values, history: epochs > 0 ? history : nil),
            neighbours: (neighbourWords ?? []).map { words[$0] }, stages: pipeline.series)
    }
}

/// The `skipgram-ns` demo's own parameters (the corpus's, `dimensions` and `neighbours` are word2vec's).
enum SkipGramNSParameters {
    static let negatives = Parameter<Int>(
        "negatives", "k, negative samples per pair, drawn from the unigram distribution raised to 3/4", 1...20, default: 5, scales: .size)
    static let word = OptionalParameter<String>("word", "the traced pair's centre word (its first occurrence; default: the first word)", length: 1...100)
    static let context = OptionalParameter<String>("context", "the traced pair's context word, one of that window's (default: its first)", length: 1...100)
    static let training = Training.epochs(over: "every pair after the traced one", learningRate: 0.05)
}
