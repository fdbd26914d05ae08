import Engine
import Foundation
import Trace

/// The `dropout` demo: a wide MLP on a few noisy samples, trained by full-batch gradient descent
/// with inverted dropout of rate p on its hidden layers, a validation split and early stopping.
///
/// Data: m samples x ∈ [−1, 1)^{n₀} with target t = sin(π x₁) + noise · u, u uniform in [−1, 1):
/// only the first input matters, and the others give a wide network room to fit the noise of
/// the training split, which the validation split then reveals as a rising validation loss.
/// The last ⌊v·m + ½⌋ samples (v = `validation`) are the validation split, the others the
/// training split.
///
/// Random draws: the parameters (`MLP.initialParameters`, fan-in), X (n₀ × m, row-major,
/// uniform in [−1, 1)), the m noise values u, then each epoch's masks (`DropoutMLP.drawMasks`).
///
/// The trace: epoch 1 step by step (the masks M_l, the scaling by 1/(1 − p), backward through
/// them, the update), then the evaluation of the weights training ends with (the best epoch's
/// when early stopping is on, the last epoch's when `patience` is 0) on both splits without
/// dropout (`Q_train`, `Q_val`). History: each epoch's training loss and `validation_loss`, whose
/// description marks the best epoch and the stop.
enum DropoutDemo {
    static let layers = Parameter<[Int]>(
        "layers", "layer sizes: inputs, hidden…, 1 output (dropout follows every hidden layer)", count: 3...5, each: 1...256,
        default: [4, 64, 1], scales: .size)
    static let activation = Parameter<Activation>("activation", "transfer function φ of the hidden layers", default: .tanh)
    static let rate = Parameter<Double>("p", "dropout rate: the probability that a hidden unit is dropped in a training step (0: no dropout)", min: 0, max: 1, default: 0.2)
    static let samples = Parameter<Int>("samples", "samples m, training and validation together", 2...1024, default: 48, scales: .size)
    static let validation = Parameter<Double>("validation", "the fraction of the samples held out for validation (the last ones)", min: 0, max: 1, default: 0.5)
    static let noise = Parameter<Double>("noise", "amplitude of the uniform noise added to the targets sin(π x₁)", min: 0, max: 10, default: 0.3)
    static let patience = Parameter<Int>(
        "patience", "epochs without an improvement of the validation loss before training stops (0: never stop early)", 0...10_000, default: 20)
    static let minDelta = Parameter<Double>("min-delta", "how much lower than the best a validation loss must be to count as an improvement", min: 0, max: 100, default: 0)
    static let training = Training("epochs of full-batch gradient descent (the first traced step by step)", 1...5000, default: 1000, learningRate: 0.1)

    static let parameters: [any DemoParameters] = [layers, activation, rate, samples, validation, noise, patience, minDelta, training, Common.seed]

    @Sendable static func build(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let (sizes, p, m) = (config[layers], config[rate], config[samples])
        if p == 1 { throw .conflict("{p} 1 drops every unit: choose p < 1 (0 trains without dropout)") }
        if sizes.last != 1 {
            throw .conflict("{layers} must end in 1 output (the target is one number): e.g. \(sizes.dropLast().map(String.init).joined(separator: ","))),1")
        }
        let held = Int((config[validation] * Double(m) + 0.5).rounded(.down))
        if held == 0 {
            throw .conflict("{validation} \(config[validation]) of \(m) {samples} holds out no sample: raise {validation} to at least \(String(format: "%.4f", (5000 / Double(m)).rounded(.up) / 10_000)) or raise {samples}")
        }
        if held == m {
            throw .conflict("{validation} \(config[validation]) of \(m) {samples} leaves no training sample: lower {validation} below \(String(format: "%.4f", (Double(m) - 0.5) / Double(m)))")
        }

        let model = DropoutMLP(network: MLP(layers: sizes, activation: config[activation]), rate: p)
        var random = config.generator
        let initial = model.network.initialParameters(using: &random)
        let (X, T) = dataSet(inputs: sizes[0], samples: m, noise: config[noise], using: &random)
        let cut = m - held
        let trainingSplit = (X: columns(X, 0..<cut), T: columns(T, 0..<cut))
        let validationSplit = (X: columns(X, cut..<m), T: columns(T, cut..<m))

        let tape = Tape()
        let x = tape.input(trainingSplit.X, name: "X", requiresGradient: false)
        let t = tape.constant(trainingSplit.T, name: "T")
        let epochs = config[training.iterations]
        let trainer = DropoutTraining(
            model: model, training: trainingSplit, validation: validationSplit, epochs: epochs,
            learningRate: config[training.learningRate], stopping: EarlyStopping(patience: config[patience], minDelta: config[minDelta]))
        let result = trainer.run(on: tape, X: x, T: t, initial: initial, random: &random, config: config)

        // Early stopping hands back the best epoch's weights; without it training ends with the last.
        let restore = config[patience] > 0 ? result.best : nil
        let ran = result.history.count
        let title = restore.map { "evaluation: the best weights (epoch \($0.epoch)), restored" } ?? "evaluation: the weights after epoch \(ran)"
        DropoutTraining.recordEvaluation(
            of: model, restore?.weights ?? result.last, on: tape, training: (x, t),
            validation: (tape.input(validationSplit.X, name: "X_val", requiresGradient: false), tape.constant(validationSplit.T, name: "T_val")),
            title: title)

        let shape = sizes.map(String.init).joined(separator: "–")
        let stop = result.stopped.map { "stopped early after epoch \($0) of \(epochs)" } ?? "\(ran) epoch\(ran == 1 ? "" : "s")"
        var trace = tape.trace(
            title: "MLP \(shape) (\(config[activation].rawValue)) \(p == 0 ? "without dropout" : "with dropout p = \(p)") on \(cut) training samples, \(held) held out: \(stop)",
            model: "dropout", config: config.values, history: result.history)
        trace.series = DropoutTraining.series(best: result.best?.epoch, stopped: result.stopped)
        return trace
    }

    /// X (n₀ × m) uniform in [−1, 1), then T (1 × m): sin(π x₁) plus noise · u, u uniform in [−1, 1).
    static func dataSet(inputs: Int, samples m: Int, noise: Double, using random: inout SeededGenerator) -> (Tensor, Tensor) {
        let X = Tensor.uniform([inputs, m], bound: 1, using: &random)
        let targets = (0..<m).map { j in sin(Double.pi * X.scalars[j]) + noise * random.uniform(-1, 1) }
        return (X, Tensor(shape: [1, m], scalars: targets))
    }

    /// Columns `range` of a matrix.
    static func columns(_ matrix: Tensor, _ range: Range<Int>) -> Tensor {
        let (rows, width) = (matrix.shape[0], matrix.shape[1])
        let scalars = (0..<rows).flatMap { r in matrix.scalars[(r * width + range.lowerBound)..<(r * width + range.upperBound)] }
        return Tensor(shape: [rows, range.count], scalars: scalars)
    }
}

extension Demos {
    static let dropout = Demo(
        name: "dropout",
        summary: "Inverted dropout and early stopping: an MLP overfits a few noisy samples; masks, validation loss, the best epoch restored",
        parameters: DropoutDemo.parameters,
        build: DropoutDemo.build)
}
