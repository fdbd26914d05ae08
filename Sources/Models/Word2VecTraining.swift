import Engine
import Trace
import Foundation

/// word2vec training with recording off: plain arrays and sparse row updates, like the original
/// word2vec C code, doing the traced step's arithmetic (`Word2Vec`) in the same order:
///
///     h = row(s) of W_in (their sum / C),   u_j = Σ_i h_i W_out[i][j],
///     y = softmax(u),   ∂Q/∂u = y · C − T   (T the summed one-hot targets, C their number),
///     ∂Q/∂h_i = Σ_j ∂Q/∂u_j W_out[i][j],   W_out[i][j] −= lr · (h_i ∂Q/∂u_j),
///     each used row r of W_in −= lr · (its share of ∂Q/∂h: ∂Q/∂h, or (1/C) ∂Q/∂h per occurrence for CBOW).
///
/// Only W_out (N×V, dense: a full softmax touches every column) and the rows of W_in in the
/// example change. Tests check that one step equals the traced update.
struct Word2VecTrainer {
    let V: Int
    let N: Int
    /// V×N, row-major.
    var W_in: [Double]
    /// N×V, row-major.
    var W_out: [Double]

    private var h: [Double]
    private var u: [Double]
    private var dh: [Double]
    /// The run's meter, told the work of every step (it is done off the tapes).
    private let meter = Meter.current

    init(W_in: [Double], W_out: [Double], V: Int, N: Int) {
        (self.W_in, self.W_out, self.V, self.N) = (W_in, W_out, V, N)
        h = [Double](repeating: 0, count: N)
        u = [Double](repeating: 0, count: V)
        dh = [Double](repeating: 0, count: N)
    }

    /// One CBOW example: `context` → `target`. Returns its loss (before the update).
    mutating func cbowStep(context: [Int], target: Int, learningRate lr: Double) -> Double {
        let C = context.count
        for i in 0..<N { h[i] = 0 }
        for word in context {
            for i in 0..<N { h[i] += W_in[word * N + i] }
        }
        if C > 1 { for i in 0..<N { h[i] /= Double(C) } }
        let loss = scoresAndError(targets: [target])
        backward(learningRate: lr)
        meter?.charge(work: work(words: C))
        // ∂Q/∂W_in = xᵀ (1/C) ∂Q/∂h: a word used twice gets both shares, summed before the update.
        let share = C > 1 ? dh.map { (1 / Double(C)) * $0 } : dh
        var done = Set<Int>()
        for word in context where done.insert(word).inserted {
            let times = context.filter { $0 == word }.count
            for i in 0..<N {
                var g = 0.0
                for _ in 0..<times { g += share[i] }
                W_in[word * N + i] -= lr * g
            }
        }
        return loss
    }

    /// One skip-gram example: `centre` → its context words. Returns its loss (before the update).
    mutating func skipGramStep(centre: Int, context: [Int], learningRate lr: Double) -> Double {
        for i in 0..<N { h[i] = W_in[centre * N + i] }
        let loss = scoresAndError(targets: context)
        backward(learningRate: lr)
        for i in 0..<N { W_in[centre * N + i] -= lr * dh[i] }
        meter?.charge(work: work(words: context.count))
        return loss
    }

    /// Floating-point operations of a step with `words` context words: u = h W_out, ∂Q/∂h and the
    /// W_out update each 2–3 per weight, the softmax 4 per word, h and its update 3 per word and unit.
    private func work(words: Int) -> Double {
        Double(7 * V * N + 4 * V + 3 * words * N)
    }

    /// u = h W_out, then u becomes ∂Q/∂u for the one-hot targets summed; returns Q.
    /// One exp per word: y = exp(u − max) / Σ stands for the traced exp(log softmax(u)), which
    /// it equals to the last bit or two (the tests allow 1e-12).
    private mutating func scoresAndError(targets: [Int]) -> Double {
        let (V, N) = (self.V, self.N)
        var loss = 0.0
        h.withUnsafeBufferPointer { h in
            W_out.withUnsafeBufferPointer { W in
                u.withUnsafeMutableBufferPointer { u in
                    for j in 0..<V { u[j] = 0 }
                    for i in 0..<N {
                        let hi = h[i]
                        let row = W.baseAddress! + i * V
                        for j in 0..<V { u[j] += hi * row[j] }
                    }
                    var largest = -Double.infinity
                    for j in 0..<V { largest = max(largest, u[j]) }
                    for word in targets { loss -= u[word] - largest }
                    var total = 0.0
                    for j in 0..<V {
                        u[j] = exp(u[j] - largest)
                        total += u[j]
                    }
                    loss += Double(targets.count) * log(total)
                    let scale = Double(targets.count) / total
                    for j in 0..<V { u[j] *= scale }
                    for word in targets { u[word] -= 1 }
                }
            }
        }
        return loss
    }

    /// ∂Q/∂h from the old W_out, then the W_out update.
    private mutating func backward(learningRate lr: Double) {
        let (V, N) = (self.V, self.N)
        u.withUnsafeBufferPointer { du in
            h.withUnsafeBufferPointer { h in
                dh.withUnsafeMutableBufferPointer { dh in
                    W_out.withUnsafeMutableBufferPointer { W in
                        // Four rows at a time: four independent sums, each still in order j = 0, 1, ….
                        var i = 0
                        while i + 4 <= N {
                            let (r0, r1, r2, r3) = (W.baseAddress! + i * V, W.baseAddress! + (i + 1) * V, W.baseAddress! + (i + 2) * V, W.baseAddress! + (i + 3) * V)
                            var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
                            for j in 0..<V {
                                let d = du[j]
                                s0 += d * r0[j]
                                s1 += d * r1[j]
                                s2 += d * r2[j]
                                s3 += d * r3[j]
                            }
                            (dh[i], dh[i + 1], dh[i + 2], dh[i + 3]) = (s0, s1, s2, s3)
                            i += 4
                        }
                        while i < N {
                            let row = W.baseAddress! + i * V
                            var sum = 0.0
                            for j in 0..<V { sum += du[j] * row[j] }
                            dh[i] = sum
                            i += 1
                        }
                        for i in 0..<N {
                            let row = W.baseAddress! + i * V
                            let hi = h[i]
                            for j in 0..<V { row[j] -= lr * (hi * du[j]) }
                        }
                    }
                }
            }
        }
    }
}

/// Deterministic views of trained embeddings.
enum Embeddings {
    /// JSON bytes of the history of `epochs` epochs over a vocabulary of `words`, with the
    /// neighbours of `asked` words (see `epochEntry`).
    static func historyBytes(epochs: Int, words: Int, asked: Int = 0) -> Double {
        let neighbours = asked * 2 * (min(5, words - 1) + 1)
        return Double(epochs) * HistoryEntry.estimatedBytes(tensors: 1 + asked, numbers: 2 * words + neighbours)
    }

    /// One epoch's `history` entry: the mean loss, the 2-D PCA projection of W_in (`W_in_pca`,
    /// V×2) and, for each of `neighbours` (rows of W_in), its nearest words (`neighbourSnapshot`).
    static func epochEntry(
        _ epoch: Int, meanLoss: Double, _ X: [Double], rows V: Int, columns N: Int, neighbours: [Int] = [], names: [String] = []
    ) -> HistoryEntry {
        var tensors = ["W_in_pca": TensorSnapshot(shape: [V, 2], data: pca(X, rows: V, columns: N))]
        for word in neighbours {
            tensors[neighboursKey(names[word])] = neighbourSnapshot(of: word, in: X, rows: V, columns: N)
        }
        return HistoryEntry(iteration: epoch, loss: meanLoss, traced: false, tensors: tensors)
    }

    /// `trace` with its history of `epochEntry`s, if it has one, described in `series`; `neighbours`
    /// names the words whose neighbours the entries hold, `stages` the pipeline's series (`PipelineHistory`).
    static func describingHistory(_ trace: TraceDocument, neighbours: [String] = [], stages: [SeriesDescription] = []) -> TraceDocument {
        var trace = trace
        if let history = trace.history, !history.isEmpty {
            let projection = SeriesDescription(
                key: "W_in_pca", quantity: "embedding_projection", of: "embedding", axis: "word", per: "epoch",
                meaning: "the rows of W_in after the epoch, projected to 2-D by PCA")
            // The neighbours' series in the order the words were asked, not their keys' order.
            // The neighbours' and the stages' series in their own order (the words as asked, the
            // stages as the forward pass tags them), not their keys'.
            let own = Set(neighbours.map(neighboursKey) + stages.map(\.key))
            trace.series = HistorySeries.describe(history, per: "epoch", described: [projection])
                .filter { !own.contains($0.key) } + neighbours.map(neighbourSeries) + stages
        }
        return trace
    }

    /// For each word, a constant `neighbours_<word>` on `tape`: the cosine similarities of its
    /// nearest min(5, V − 1) rows of X, the columns labelled with those words.
    static func recordNeighbours(of words: [Int], in X: [Double], rows V: Int, columns N: Int, names: [String], on tape: Tape) {
        for word in words {
            let nearest = nearest(to: word, in: X, rows: V, columns: N, count: min(5, V - 1))
            let name = names[word]
            tape.constant(
                Tensor(shape: [1, nearest.count], scalars: nearest.map(\.cosine)), name: "neighbours_\(name)",
                tex: "\\cos(\\text{\(name)}, \\cdot)"
            ).labeled([[name], nearest.map { names[$0.word] }])
        }
    }

    /// The 2-D PCA projection of the rows of `X` (V×N, row-major), V×2 row-major.
    ///
    /// Centre the columns (mean over rows), covariance Xcᵀ Xc / (V − 1), its eigenvectors by
    /// cyclic Jacobi rotations (from the identity, sweeps until the off-diagonal is below 10⁻²⁸
    /// of the whole, at most 100), the two with the largest eigenvalues (ties: lower index), each
    /// signed so that its largest-magnitude component (the first of equals) is positive;
    /// projection Xc [v₁ v₂].
    static func pca(_ X: [Double], rows V: Int, columns N: Int) -> [Double] {
        var mean = [Double](repeating: 0, count: N)
        for r in 0..<V { for i in 0..<N { mean[i] += X[r * N + i] } }
        for i in 0..<N { mean[i] /= Double(V) }
        var centred = X
        for r in 0..<V { for i in 0..<N { centred[r * N + i] -= mean[i] } }
        var A = [Double](repeating: 0, count: N * N)
        for a in 0..<N {
            for b in a..<N {
                var s = 0.0
                for r in 0..<V { s += centred[r * N + a] * centred[r * N + b] }
                A[a * N + b] = s / Double(max(V - 1, 1))
                A[b * N + a] = A[a * N + b]
            }
        }
        let (values, vectors) = jacobi(A, N)
        // Counted off the tapes: the covariance, 2 per term, and the projection, 4 per entry of X.
        Meter.current?.charge(work: Double(V * N * (N + 1) + 4 * V * N))
        let order = (0..<N).sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var projection = [Double](repeating: 0, count: V * 2)
        for (k, column) in order.prefix(2).enumerated() {
            var v = (0..<N).map { vectors[$0 * N + column] }
            var largest = 0
            for i in 1..<N where abs(v[i]) > abs(v[largest]) { largest = i }
            if v[largest] < 0 { v = v.map { -$0 } }
            for r in 0..<V {
                var s = 0.0
                for i in 0..<N { s += centred[r * N + i] * v[i] }
                projection[r * 2 + k] = s
            }
        }
        return projection
    }

    /// Eigenvalues and eigenvectors (columns of an N×N row-major matrix) of a symmetric matrix.
    static func jacobi(_ matrix: [Double], _ N: Int) -> ([Double], [Double]) {
        var A = matrix
        var V = [Double](repeating: 0, count: N * N)
        for i in 0..<N { V[i * N + i] = 1 }
        let whole = A.reduce(0) { $0 + $1 * $1 }
        // Counted off the tapes as it goes: 2 per entry per sweep, 18 per row of a rotation.
        var work = 0
        defer { Meter.current?.charge(work: Double(work)) }
        for _ in 0..<100 {
            work += 2 * N * N
            var off = 0.0
            for p in 0..<N { for q in 0..<N where p != q { off += A[p * N + q] * A[p * N + q] } }
            if off <= 1e-28 * whole { break }
            for p in 0..<N - 1 {
                for q in p + 1..<N where A[p * N + q] != 0 {
                    let theta = (A[q * N + q] - A[p * N + p]) / (2 * A[p * N + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    work += 18 * N
                    for k in 0..<N {  // A ← A J (columns p, q)
                        let (akp, akq) = (A[k * N + p], A[k * N + q])
                        A[k * N + p] = c * akp - s * akq
                        A[k * N + q] = s * akp + c * akq
                    }
                    for k in 0..<N {  // A ← Jᵀ A (rows p, q)
                        let (apk, aqk) = (A[p * N + k], A[q * N + k])
                        A[p * N + k] = c * apk - s * aqk
                        A[q * N + k] = s * apk + c * aqk
                    }
                    for k in 0..<N {
                        let (vkp, vkq) = (V[k * N + p], V[k * N + q])
                        V[k * N + p] = c * vkp - s * vkq
                        V[k * N + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<N).map { A[$0 * N + $0] }, V)
    }

    /// The `k` words nearest to `word` by cosine similarity of the rows of `X` (the word itself
    /// left out), most similar first, ties in vocabulary order; a zero row has similarity 0.
    static func nearest(to word: Int, in X: [Double], rows V: Int, columns N: Int, count k: Int) -> [(word: Int, cosine: Double)] {
        func norm(_ r: Int) -> Double { (0..<N).reduce(0.0) { $0 + X[r * N + $1] * X[r * N + $1] }.squareRoot() }
        let own = norm(word)
        let scored = (0..<V).filter { $0 != word }.map { other -> (word: Int, cosine: Double) in
            var dot = 0.0
            for i in 0..<N { dot += X[word * N + i] * X[other * N + i] }
            let scale = own * norm(other)
            return (other, scale == 0 ? 0 : dot / scale)
        }
        return Array(scored.sorted { $0.cosine > $1.cosine || ($0.cosine == $1.cosine && $0.word < $1.word) }.prefix(k))
    }
}
