import Engine
import Foundation
import Trace

/// Skip-gram with negative sampling (Mikolov et al. 2013, "Distributed representations of words
/// and phrases"): for a centre word c and a true context word o, with k negatives n_1…n_k drawn
/// from the noise distribution,
///
///     h = W_in[c, :]   (1×N),   u_j = h · w_j   (w_j column j of W_out, N×V),
///     Q = −log σ(u_o) − Σ_i log σ(−u_{n_i}),
///
/// so ∂Q/∂u_o = σ(u_o) − 1, ∂Q/∂u_{n_i} = σ(u_{n_i}), ∂Q/∂h = Σ_j ∂Q/∂u_j w_jᵀ, ∂Q/∂w_j = ∂Q/∂u_j hᵀ;
/// SGD changes row c of W_in and the k + 1 columns o, n_1…n_k of W_out, nothing else.
///
/// Two ways to run the same step: `loss` records it on a tape (the demo's traced first example),
/// `step` on plain arrays (training with recording off, sparse updates). Both compute every
/// gradient from the values before the update; a word drawn twice gets both contributions.
public struct SkipGramNegativeSampling: Sendable {
    /// V, the vocabulary size.
    public let vocabularySize: Int
    /// N, the size of the hidden layer (the embeddings).
    public let dimensions: Int

    public init(vocabularySize: Int, dimensions: Int) {
        self.vocabularySize = vocabularySize
        self.dimensions = dimensions
    }

    /// The loss of one pair (c, o) with its negatives, recorded on the tape of `W_in` (V×N) and
    /// `W_out` (N×V), in the scope `negative sampling` with the equation above. `words` names
    /// the vocabulary (labels of the selected output vectors and of the scores).
    public func loss(centre c: Int, context o: Int, negatives: [Int], W_in: Var, W_out: Var, words: [String]) -> Var {
        let tape = W_in.tape
        let selected = [o] + negatives
        let k = negatives.count
        return tape.scope(
            "negative sampling",
            equation: "Q = -\\log \\sigma(u_{o}) - \\sum_{i=1}^{\(k)} \\log \\sigma(-u_{n_i}),\\quad u_j = h \\cdot w_j"
        ) {
            let h = tape.scope("hidden layer", kind: .stage("hidden_layer"), equation: "h = W_{\\text{in}}[c, :]") {
                rows(W_in, [c]).named("h").labeled([[words[c]], nil]).tagged("hidden_layer")
            }
            let u = tape.scope("scores", kind: .stage("scores"), equation: "u_j = h \\cdot w_j,\\quad j \\in \\{o, n_1, \\dots, n_{\(k)}\\}") {
                let W_outT = transpose(W_out).named("W_out^T", tex: "W_{\\text{out}}^\\top").labeled([words, nil])
                let w = rows(W_outT, selected).named("w", tex: "[w_o, w_{n_1}, \\dots, w_{n_{\(k)}}]^\\top")
                    .labeled([selected.map { words[$0] }, nil]).tagged("output_vectors")
                return (h • transpose(w).named("w^T", tex: "[w_o, w_{n_1}, \\dots, w_{n_{\(k)}}]")).named("u")
                    .labeled([nil, selected.map { words[$0] }]).tagged("scores")
            }
            let σ_o = tape.scope("true context word", kind: .stage("true_word"), equation: "\\sigma(u_o)") {
                sigmoid(slice(u, axis: 1, 0..<1).named("u_o")).named("sigma_o", tex: "\\sigma(u_o)").labeled([nil, [words[o]]])
                    .tagged("true_word_probability")
            }
            let σ_n = tape.scope("negatives", kind: .stage("negatives"), equation: "\\sigma(-u_{n_i})") {
                let u_n = slice(u, axis: 1, 1..<(k + 1)).named("u_n", tex: "u_{n}")
                return sigmoid((-u_n).named("-u_n", tex: "-u_{n}")).named("sigma_n", tex: "\\sigma(-u_{n})")
                    .labeled([nil, negatives.map { words[$0] }]).tagged("negative_probabilities")
            }
            return tape.scope("loss", kind: .loss, equation: "Q = -\\log \\sigma(u_o) - \\sum_i \\log \\sigma(-u_{n_i})") {
                let positive = sum(log(σ_o).named("log_sigma_o", tex: "\\log \\sigma(u_o)"))
                    .named("sum_log_sigma_o", tex: "\\log \\sigma(u_o)")
                let negative = sum(log(σ_n).named("log_sigma_n", tex: "\\log \\sigma(-u_{n})"))
                    .named("sum_log_sigma_n", tex: "\\sum_i \\log \\sigma(-u_{n_i})")
                return ((-positive).named("-sum_log_sigma_o", tex: "-\\log \\sigma(u_o)") - negative).named("Q").tagged("loss")
            }
        }
    }

    /// The parameters as plain arrays for the training loop: `input` is W_in (V×N, row-major),
    /// `output` holds W_out's columns as rows (Wᵀ_out, V×N), so each output vector is contiguous.
    public struct Weights: Sendable, Equatable {
        public var input: [Double]
        public var output: [Double]
        public let vocabularySize: Int
        public let dimensions: Int

        /// From W_in (V×N) and W_out (N×V).
        public init(W_in: Tensor, W_out: Tensor) {
            let (V, N) = (W_in.shape[0], W_in.shape[1])
            precondition(W_out.shape == [N, V], "W_out must be \(N)×\(V), got \(W_out.shape)")
            vocabularySize = V
            dimensions = N
            input = W_in.scalars
            output = [Double](repeating: 0, count: V * N)
            for i in 0..<N {
                for j in 0..<V { output[j * N + i] = W_out.scalars[i * V + j] }
            }
        }

        public var W_in: Tensor { Tensor(shape: [vocabularySize, dimensions], scalars: input) }

        /// W_out, N×V.
        public var W_out: Tensor {
            let (V, N) = (vocabularySize, dimensions)
            var scalars = [Double](repeating: 0, count: V * N)
            for j in 0..<V {
                for i in 0..<N { scalars[i * V + j] = output[j * N + i] }
            }
            return Tensor(shape: [N, V], scalars: scalars)
        }
    }

    /// One SGD step on (c, o) and its negatives, on plain arrays, the arithmetic of the traced
    /// step: u_j summed over i = 0…N−1 from +0.0, ∂Q/∂h summed over j = o, n_1, … in that order,
    /// every gradient from the values before the update. Returns Q before the update.
    /// `scratch` holds at least N + k + 1 values (reused between calls to spare allocations).
    public static func step(
        _ weights: inout Weights, centre c: Int, context o: Int, negatives: [Int], learningRate lr: Double,
        scratch: inout [Double]
    ) -> Double {
        let N = weights.dimensions
        let k = negatives.count
        var loss = 0.0
        weights.input.withUnsafeMutableBufferPointer { input in
            weights.output.withUnsafeMutableBufferPointer { output in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    let h = input.baseAddress! + c * N
                    let dh = scratch.baseAddress!
                    let g = dh + N
                    for i in 0..<N { dh[i] = 0 }
                    var logSigmaO = 0.0
                    var sumLogSigmaN = 0.0
                    for j in 0...k {
                        let w = output.baseAddress! + (j == 0 ? o : negatives[j - 1]) * N
                        var u = 0.0
                        for i in 0..<N { u += h[i] * w[i] }
                        if j == 0 {
                            let σ = logistic(u)
                            logSigmaO = Foundation.log(σ)
                            g[0] = σ - 1
                        } else {
                            let σ = logistic(-u)
                            sumLogSigmaN += Foundation.log(σ)
                            g[j] = 1 - σ
                        }
                        for i in 0..<N { dh[i] += g[j] * w[i] }
                    }
                    loss = -logSigmaO - sumLogSigmaN
                    for j in 0...k {
                        let w = output.baseAddress! + (j == 0 ? o : negatives[j - 1]) * N
                        let gj = g[j]
                        for i in 0..<N { w[i] -= lr * (h[i] * gj) }
                    }
                    for i in 0..<N { h[i] -= lr * dh[i] }
                }
            }
        }
        return loss
    }

    /// Training with recording off: for each pair in order, its k negatives drawn from `sampler`
    /// (avoiding the pair's context word), then `step`. Returns `startingFrom` plus the Q of
    /// every step (each taken before its own update), added in order.
    public static func train(
        _ weights: inout Weights, pairs: [(centre: Int, context: Int)], negatives k: Int, sampler: NegativeSampler,
        learningRate: Double, using random: inout SeededGenerator, startingFrom total: Double = 0
    ) -> Double {
        var scratch = [Double](repeating: 0, count: weights.dimensions + k + 1)
        var drawn = [Int](repeating: 0, count: k)
        var total = total
        // In a metered run every pair is a step of the loop: its work is counted off the tapes,
        // u, ∂Q/∂h and the update 7 per unit for each of the k + 1 words, h's update 2 per unit.
        let meter = Meter.current
        let work = Double((7 * (k + 1) + 2) * weights.dimensions)
        for (c, o) in pairs {
            for i in 0..<k { drawn[i] = sampler.draw(avoiding: o, using: &random) }
            total += step(&weights, centre: c, context: o, negatives: drawn, learningRate: learningRate, scratch: &scratch)
            meter?.charge(work: work)
            guard meter?.finishStep() ?? true else { break }
        }
        return total
    }

    /// σ(x), computed as the engine's `sigmoid` op computes it.
    @inline(__always)
    static func logistic(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}

/// The noise distribution of negative sampling: P_n(w) ∝ count(w)^{3/4}, the unigram
/// distribution raised to 3/4 (Mikolov et al. 2013), drawn by the cumulative-distribution method.
///
/// - weight(w) = √count · √√count (count^{3/4} from correctly rounded square roots only, so every
///   platform gets the same bits; `pow` is not correctly rounded);
/// - cumulative[w] = weight(0) + … + weight(w), added in vocabulary order from +0.0; total = cumulative[V−1];
/// - a draw takes r = `nextUniform()` and picks the first word w with cumulative[w] > r · total
///   (the last word when rounding leaves none);
/// - a draw equal to the true context word o is thrown away and drawn again (word2vec's C code skips
///   it instead and trains with fewer negatives; redrawing keeps k fixed). The centre word may be
///   drawn, and so may a word already drawn for the same pair (both are trained on, as in word2vec).
public struct NegativeSampler: Sendable {
    /// Running sums of the weights, in vocabulary order.
    public let cumulative: [Double]

    /// - Precondition: at least two words have a positive count (so a word other than o exists).
    public init(counts: [Int]) {
        precondition(counts.filter { $0 > 0 }.count >= 2, "negative sampling needs at least two words that occur")
        var running = 0.0
        cumulative = counts.map { count in
            let c = Double(count)
            running += c.squareRoot() * c.squareRoot().squareRoot()
            return running
        }
    }

    /// P_n(w) = weight(w) / total.
    public var probabilities: [Double] {
        let total = cumulative.last!
        return cumulative.indices.map { (cumulative[$0] - ($0 == 0 ? 0 : cumulative[$0 - 1])) / total }
    }

    /// One word from P_n, redrawn while it equals `excluded`.
    public func draw(avoiding excluded: Int, using random: inout SeededGenerator) -> Int {
        while true {
            let word = word(at: random.nextUniform() * cumulative.last!)
            if word != excluded { return word }
        }
    }

    /// k words from P_n, each redrawn while it equals `excluded`, in draw order.
    public func draw(_ k: Int, avoiding excluded: Int, using random: inout SeededGenerator) -> [Int] {
        (0..<k).map { _ in draw(avoiding: excluded, using: &random) }
    }

    /// The first word whose running sum exceeds `threshold` (binary search), or the last word.
    func word(at threshold: Double) -> Int {
        var (low, high) = (0, cumulative.count - 1)
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > threshold { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
extension SkipGramNegativeSampling {
    /// (centre, context) for every window of the corpus in text order and its context words in
    /// offset order (−w…−1, +1…+w), padding left out.
    static func pairs(_ corpus: Word2VecCorpus, window: Int) -> [(centre: Int, context: Int)] {
        corpus.windows(window).flatMap { window in window.contextWords.map { (window.centre, $0) } }
    }

    /// The traced pair: the window of `word`'s first occurrence (default the first window) and
    /// `context`, one of its context words (default the first).
    static func tracedPair(_ config: DemoConfig, _ corpus: Word2VecCorpus) throws(DemoError) -> (centre: Int, context: Int) {
        let windows = corpus.windows(config[Word2VecCorpus.window])
        let window: Word2VecWindow
        if let word = config[SkipGramNSParameters.word] {
            let index = try corpus.index(of: word, parameter: "word")
            window = windows.first { $0.centre == index }!
        } else {
            window = windows[0]
        }
        let contexts = window.contextWords
        guard let given = config[SkipGramNSParameters.context] else { return (window.centre, contexts[0]) }
        let index = try corpus.index(of: given, parameter: "context")
        guard contexts.contains(index) else {
            let names = contexts.map { "'\(corpus.vocabulary[$0].excerpt)'" }.joined(separator: ", ")
            throw .conflict("{context} '\(given.excerpt)' is not in the window of '\(corpus.vocabulary[window.centre].excerpt)' (\(names)); widen {window} or pick one of those")
        }
        return (window.centre, index)
    }
}
