import Engine
import Trace

/// A word's nearest neighbours after each epoch, in `history`, so a reader sees *king* find
/// *queen* as training goes on (the constant `neighbours_<word>` holds only the last epoch's).
extension Embeddings {
    /// The word2vec demos' views: the pipeline, and the neighbours when the history holds them.
    static let views = SuggestedViews { trace in
        ["word2vec"] + ((trace.series ?? []).contains { $0.quantity == "nearest_neighbours" } ? ["neighbours"] : [])
    }

    /// The words asked for, each once, in the order first asked: a word's neighbours have one
    /// name (`neighbours_<word>`), so one constant and one series.
    static func once(_ words: [Int]) -> [Int] {
        var seen = Set<Int>()
        return words.filter { seen.insert($0).inserted }
    }

    /// The history key of a word's neighbours: the name of its final constant, `neighbours_<word>`.
    static func neighboursKey(_ name: String) -> String { "neighbours_\(name)" }

    /// `word` and its k = min(5, V − 1) nearest rows of X by cosine (`nearest`), (k + 1)×2: per
    /// row the word's row index in X, then the cosine. Row 1 is the word itself with cosine 1,
    /// so the snapshot says whose neighbours it lists without a name: the index reads against
    /// the row labels of the tensor tagged `embedding`.
    static func neighbourSnapshot(of word: Int, in X: [Double], rows V: Int, columns N: Int) -> TensorSnapshot {
        let found = nearest(to: word, in: X, rows: V, columns: N, count: min(5, V - 1))
        // Counted off the tapes: a dot product and a norm per row, 4 per entry.
        Meter.current?.charge(work: Double(4 * V * N))
        return TensorSnapshot(shape: [found.count + 1, 2], data: [Double(word), 1] + found.flatMap { [Double($0.word), $0.cosine] })
    }

    /// The series of `neighbourSnapshot`s of the word `name`.
    static func neighbourSeries(_ name: String) -> SeriesDescription {
        SeriesDescription(
            key: neighboursKey(name), quantity: "nearest_neighbours", of: "embedding", axis: "rank", per: "epoch",
            meaning: "\(name) and its nearest words by cosine over the rows of W_in after the epoch: per row, the word's row of W_in and the cosine")
    }
}
