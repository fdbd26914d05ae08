import Engine
import Trace

/// The word2vec pipeline at any epoch (issue 20, item 1): the epochs train off the tapes, so after
/// each snapshotted epoch (1, 2, 5 × 10^k and the last, as `SGDTrainer` snapshots) the traced
/// example's forward pass runs again from that epoch's W_in and W_out on a tape that records
/// nothing, keeping the stages the pipeline view draws (`Activations`). The entry holds them under
/// the traced tensors' names (`h`, `u`, `y`, `e_hey`, `Q` …), described as `activation` series
/// per epoch with the traced tensors' tags, which is how the view finds them.
struct PipelineHistory {
    /// The stages that depend on the weights (the one-hot input and the targets do not).
    static let quantities: Set<String> = [
        "context_embeddings", "hidden_layer", "scores", "probabilities", "error",
        "output_vectors", "true_word_probability", "negative_probabilities", "loss",
    ]

    private var activations: Activations
    private let epochs: Int
    /// The traced example's loss from W_in and W_out bound on a tape.
    private let example: (Var, Var) -> Var

    /// `taken`: the entries' other keys (W_in_pca, the neighbours'), which a stage's key must avoid.
    init(tape: Tape, epochs: Int, taken: [String], example: @escaping (Var, Var) -> Var) {
        activations = Activations(tape: tape, parameterNames: ["W_in", "W_out"] + taken, per: "epoch")
        self.epochs = epochs
        self.example = example
    }

    /// The series the entries hold, once the loop has run.
    var series: [SeriesDescription] { activations.series }

    /// Adds the stages after `entry`'s epoch to it, when that epoch is snapshotted.
    mutating func add(to entry: inout HistoryEntry, W_in: [Double], W_out: [Double], words V: Int, dimensions N: Int) {
        guard SGDTrainer.snapshotted(entry.iteration, of: epochs) else { return }
        let example = self.example
        let kept = activations.recompute(
            Self.quantities, parameters: [(Tensor(shape: [V, N], scalars: W_in), "W_in"), (Tensor(shape: [N, V], scalars: W_out), "W_out")]
        ) { _, bound in example(bound[0], bound[1]) }
        entry.tensors = (entry.tensors ?? [:]).merging(kept) { first, _ in first }
    }

    /// JSON bytes the stages add to a history of `epochs` epochs, `numbers` a snapshot (the
    /// traced stages' sizes): for the meter's projection before the loop.
    static func bytes(epochs: Int, numbers: Int, stages: Int) -> Double {
        let snapshots = (1...max(epochs, 1)).count { SGDTrainer.snapshotted($0, of: epochs) }
        return epochs == 0 ? 0 : Double(snapshots) * HistoryEntry.estimatedBytes(tensors: stages, numbers: numbers)
    }
}
