import Engine
import Trace

/// The `mlp` demo: an MLP trained with SGD on XOR or on seeded random data; the first
/// iteration fully traced, every iteration's loss in `history`.
///
/// The default learning rate, 0.2, takes the default XOR network to a loss below 10⁻⁶ within
/// 1000 iterations; at 0.5 the same run reaches 0.03 and then diverges (a step too long for the
/// curvature near the minimum), which `--lr 0.5 --train 300` shows.
///
/// Data: `xor` is the four points (0,0), (0,1), (1,0), (1,1) with targets 0, 1, 1, 0 (for
/// `cross-entropy`, one-hot classes over 2 outputs). `random` draws, after the parameters,
/// X uniform in [−1, 1) (row-major, n₀ × samples), then the targets: uniform in [−1, 1) for `mse`,
/// or a class per sample (`nextInt(below: n_L)`) for `cross-entropy`.
extension Demos {
    private typealias p = MLPParameters

    static let mlp = Demo(
        name: "mlp",
        summary: "A multilayer perceptron trained by backpropagation and SGD (first iteration traced, all in history)",
        parameters: [p.layers, p.activation, p.loss, p.data, p.samples, p.initializer, p.training, Common.seed],
        build: buildMLP
    )

    @Sendable static func buildMLP(_ given: DemoConfig) throws(DemoError) -> TraceDocument {
        var config = given
        let layers = config[p.layers]
        let lossKind = config[p.loss]
        let data = config[p.data]
        let outputs = layers.last!
        if data == .xor {
            if config.given(p.samples) {
                throw .conflict("{samples} applies to {data} random only (XOR has 4 samples)")
            }
            // The trace's config says what ran: XOR's four samples, not the default for random data.
            config.derive(p.samples, 4)
            let wanted = lossKind == .mse ? 1 : 2
            guard layers.first == 2, outputs == wanted else {
                throw .conflict(
                    "{data} xor needs 2 inputs and \(wanted) output\(wanted == 1 ? "" : "s") with {loss} \(lossKind.rawValue) (e.g. {layers} 2,3,\(wanted))")
            }
        }
        if lossKind == .crossEntropy, outputs < 2 {
            throw .conflict("{loss} cross-entropy needs at least 2 outputs (one per class), {layers} ends in \(outputs)")
        }

        let network = MLP(layers: layers, activation: config[p.activation])
        var random = config.generator
        let initial = network.initialParameters(initializer: config[p.initializer], using: &random)
        let (X, T) = trainingSet(data, layers: layers, loss: lossKind, samples: config[p.samples], using: &random)

        let tape = Tape()
        let iterations = config[p.training.iterations]
        let result = SGDTrainer(p.training, config).run(on: tape, parameters: network.bind(initial, on: tape)) { tape, parameters in
            let x = tape.input(X, name: "X", requiresGradient: false)
            let t = tape.constant(T, name: "T")
            return network.loss(network(x, parameters), t, kind: lossKind)
        }

        let sizes = layers.map(String.init).joined(separator: "–")
        return tape.trace(
            title: "MLP \(sizes), \(config[p.activation].rawValue), \(lossKind.rawValue) on \(data == .xor ? "XOR" : "random data"): \(iterations) SGD iteration\(iterations == 1 ? "" : "s")",
            model: "mlp", config: config.values, history: result.history)
    }

    /// Inputs (n₀ × m, one sample per column) and targets (n_L × m).
    static func trainingSet(_ data: MLPParameters.Data, layers: [Int], loss: LossKind, samples: Int, using random: inout SeededGenerator)
        -> (Tensor, Tensor)
    {
        let (inputs, outputs) = (layers.first!, layers.last!)
        if data == .xor {
            let X = Tensor(rows: [[0, 0, 1, 1], [0, 1, 0, 1]])
            let labels = [0, 1, 1, 0]
            let T = loss == .mse ? Tensor(rows: [labels.map(Double.init)]) : oneHot(labels, classes: outputs)
            return (X, T)
        }
        let X = Tensor.uniform([inputs, samples], bound: 1, using: &random)
        if loss == .mse {
            return (X, Tensor.uniform([outputs, samples], bound: 1, using: &random))
        }
        let labels = (0..<samples).map { _ in random.nextInt(below: outputs) }
        return (X, oneHot(labels, classes: outputs))
    }

    /// One-hot columns: classes × samples, a 1 in row labels[j] of column j.
    static func oneHot(_ labels: [Int], classes: Int) -> Tensor {
        var scalars = [Double](repeating: 0, count: classes * labels.count)
        for (j, label) in labels.enumerated() { scalars[label * labels.count + j] = 1 }
        return Tensor(shape: [classes, labels.count], scalars: scalars)
    }
}

/// The `mlp` demo's parameters.
enum MLPParameters {
    enum Data: String, ParameterChoice { case xor, random }

    static let layers = Parameter<[Int]>("layers", "layer sizes: inputs, hidden…, outputs", count: 2...6, each: 1...256, default: [2, 3, 1], scales: .size)
    static let activation = Parameter<Activation>("activation", "transfer function of the hidden layers", default: .tanh)
    static let loss = Parameter<LossKind>("loss", "objective", default: .mse)
    static let data = Parameter<Data>("data", "training set", default: .xor)
    static let samples = Parameter<Int>("samples", "number of samples for data: random", 1...1024, default: 8, scales: .size, givenMatters: true)
    static let initializer = Parameter<WeightInitializer>("init", "weight initializer", default: .fanIn)
    static let training = Training.sgd(learningRate: 0.2)
}
