import Engine
import Trace

/// Full-batch gradient descent for a `DropoutMLP` with a validation split and early stopping.
///
/// Every epoch is one SGD step on the training split's mean squared error, through fresh dropout
/// masks (drawn from `random` in `DropoutMLP.drawMasks`' order, epoch after epoch). Only epoch 1
/// runs on the recording tape, in the scope `iteration 1`; the others run on tapes that record
/// nothing. After each step the validation split goes through the updated network without
/// dropout, for the epoch's `validation_loss`; `EarlyStopping` reads it, keeps the weights of
/// the best epoch and ends training after `patience` epochs without an improvement.
struct DropoutTraining {
    let model: DropoutMLP
    /// Inputs (n₀ × m) and targets (1 × m) of each split, one sample per column.
    let training: (X: Tensor, T: Tensor)
    let validation: (X: Tensor, T: Tensor)
    let epochs: Int
    let learningRate: Double
    let stopping: EarlyStopping

    struct Result {
        var history: [HistoryEntry] = []
        /// The best epoch and its weights (nil only when no validation loss was a number).
        var best: (epoch: Int, weights: [Tensor])?
        /// The epoch training stopped after, when early stopping ended it before `epochs`.
        var stopped: Int?
        /// The weights after the last epoch that ran.
        var last: [Tensor] = []
    }

    /// Trains from `initial`, epoch 1 traced on `tape` (which reads the training split as `X`, `T`).
    func run(on tape: Tape, X: Var, T: Var, initial: [Tensor], random: inout SeededGenerator, config: DemoConfig) -> Result {
        var result = Result(last: initial)
        var stopping = stopping
        let meter = Meter.current
        meter?.beginLoop(rounds: epochs, addingTraceBytes: Double(epochs) * HistoryEntry.estimatedBytes(tensors: 1, numbers: 1))
        defer { meter?.endLoop() }
        for epoch in 1...epochs {
            let masks = model.drawMasks(samples: training.X.shape[1], using: &random)
            let loss: Double
            if epoch == 1 {
                (loss, result.last) = tape.scope("iteration 1", kind: .iteration(1)) { step(on: tape, X, T, result.last, masks) }
            } else {
                let untraced = Tape(recording: false)
                let (x, t) = (untraced.input(training.X, name: "X", requiresGradient: false), untraced.constant(training.T, name: "T"))
                (loss, result.last) = step(on: untraced, x, t, result.last, masks)
            }
            let validationLoss = Self.meanSquaredError(of: model, result.last, on: validation)
            result.history.append(
                HistoryEntry(
                    iteration: epoch, loss: loss, traced: epoch == 1,
                    tensors: ["validation_loss": TensorSnapshot(shape: [1], data: [validationLoss])]))
            config.report(epoch, of: epochs, "epochs", loss: loss)
            switch stopping.observe(epoch: epoch, validationLoss: validationLoss) {
            case .improved: result.best = (epoch, result.last)
            case .waiting: break
            case .stop: result.stopped = epoch < epochs ? epoch : nil
            }
            guard result.stopped == nil, meter?.finishRound() ?? true else { break }
        }
        return result
    }

    /// One SGD step on the training split through `masks`: its loss (before the update) and the updated weights.
    private func step(on tape: Tape, _ X: Var, _ T: Var, _ values: [Tensor], _ masks: [Tensor]?) -> (Double, [Tensor]) {
        let parameters = model.network.bind(values, on: tape)
        let Q = model.network.loss(model(X, parameters, masks: masks), T, kind: .mse)
        let gradients = tape.backward(Q)
        let updated = tape.sgd(parameters.list, gradients, learningRate: learningRate)
        return (Q.value.scalar, updated.map(\.value))
    }

    /// mean (y − T)² of the network without dropout, on a tape that records nothing.
    static func meanSquaredError(of model: DropoutMLP, _ weights: [Tensor], on split: (X: Tensor, T: Tensor)) -> Double {
        let tape = Tape(recording: false)
        let y = model(tape.input(split.X, name: "X", requiresGradient: false), model.network.bind(weights, on: tape), masks: nil)
        return Engine.meanSquaredError(y, tape.constant(split.T, name: "T")).value.scalar
    }

    /// The recorded evaluation of `weights` (constants `W_1*`, `b_1*`, …: nothing trains here): the network without
    /// dropout on the training split (`Q_train`) and on the validation split (`Q_val`).
    static func recordEvaluation(
        of model: DropoutMLP, _ weights: [Tensor], on tape: Tape, training: (X: Var, T: Var), validation: (X: Var, T: Var), title: String
    ) {
        tape.scope(title) {
            let parameters = MLP.Parameters(
                weights.enumerated().map { index, value in
                    let (kind, layer) = (index.isMultiple(of: 2) ? "W" : "b", index / 2 + 1)
                    return tape.constant(value, name: "\(kind)_\(layer)*", tex: "\(kind)_{\(layer)}^{*}")
                }[...])
            let splits: [(String, Var, Var, String)] = [
                ("training set", training.X, training.T, "train"), ("validation set", validation.X, validation.T, "val"),
            ]
            for (split, X, T, loss) in splits {
                tape.scope(split) {
                    let y = model(X, parameters, masks: nil, split: loss)
                    tape.scope("loss", kind: .loss, equation: "Q_{\\text{\(loss)}} = \\operatorname{mean}\\,(y - T)^2") {
                        _ = Engine.meanSquaredError(y, T).named("Q_\(loss)", tex: "Q_{\\text{\(loss)}}")
                    }
                }
            }
        }
    }

    /// What the history holds: the training loss, and the validation loss with the best epoch
    /// and the stop marked (`marks`).
    static func series(best: Int?, stopped: Int?) -> [SeriesDescription] {
        var marks: [String: Int] = [:]
        if let best { marks["best"] = best }
        if let stopped { marks["stop"] = stopped }
        return [
            SeriesDescription(
                key: "loss", quantity: "loss", per: "epoch",
                meaning: "the training split's mean squared error in the epoch's step, through its dropout masks, before the update"),
            SeriesDescription(
                key: "validation_loss", quantity: "validation_loss", per: "epoch",
                meaning: "the validation split's mean squared error after the epoch's update, without dropout", marks: marks.isEmpty ? nil : marks),
        ]
    }
}
