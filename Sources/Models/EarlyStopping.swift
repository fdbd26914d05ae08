/// Early stopping on a validation loss, epoch by epoch.
///
/// An epoch improves when its validation loss is below the best so far by more than `minDelta`
/// (v_e < v_best − δ, as Keras and PyTorch Lightning count it); it then becomes the best epoch,
/// and its weights are the ones to keep. After `patience` epochs in a row without an improvement
/// training stops. The weights to use are the best epoch's, not the last: the epochs after it are
/// exactly the ones whose validation loss failed to improve. `patience` 0 turns stopping off (every
/// epoch runs); the best epoch is still tracked.
public struct EarlyStopping: Sendable {
    public let patience: Int
    public let minDelta: Double
    /// The best epoch so far (1-based) and its validation loss; nil before the first epoch.
    public private(set) var best: (epoch: Int, loss: Double)?
    /// Epochs since the best one.
    public private(set) var waited = 0

    public init(patience: Int, minDelta: Double) {
        precondition(patience >= 0 && minDelta >= 0, "EarlyStopping: patience and min-delta must be ≥ 0")
        self.patience = patience
        self.minDelta = minDelta
    }

    public enum Verdict: Equatable, Sendable {
        /// The epoch is the new best: keep its weights.
        case improved
        /// No improvement; training goes on.
        case waiting
        /// No improvement for `patience` epochs: stop after this one.
        case stop
    }

    /// Takes epoch `epoch`'s validation loss and says what to do. A NaN loss never improves.
    public mutating func observe(epoch: Int, validationLoss loss: Double) -> Verdict {
        let improves = best.map { loss < $0.loss - minDelta } ?? !loss.isNaN
        if improves {
            best = (epoch, loss)
            waited = 0
            return .improved
        }
        waited += 1
        return patience > 0 && waited >= patience ? .stop : .waiting
    }
}
