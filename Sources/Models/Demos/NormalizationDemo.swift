import Engine
import Trace

/// The `normalization` demo: one normalization layer (batch, layer, instance or group) over an
/// N×C×H×W tensor, a loss after it, the backward pass through the mean and the variance, one SGD
/// step on γ and β. Batch normalization also moves its running mean and variance (constants,
/// initially 0 and 1) toward the batch's statistics, and, with `evaluate`, runs once more in
/// evaluation with those running statistics. An N×D tensor is the case H = W = 1 (`height` 1,
/// `width` 1): layer normalization then normalizes each sample's D features.
///
/// **Loss**: L = ½ Σ (y − t)² against a seeded target t, so ∂L/∂y = y − t.
///
/// **Draws**, in this order, each uniform, in row-major order: x (unless given in `values`) in
/// [0, 4) — off centre and wider than 1, so normalizing visibly moves it; γ in [0.5, 1.5); β in
/// [−0.5, 0.5); t in [−1, 1). γ and β are C×1×1 (per channel), or C×H×W for layer normalization.
extension Demos {
    private typealias p = NormalizationParameters

    static let normalization = Demo(
        name: "normalization",
        summary: "One normalization layer (batch, layer, instance or group) on an N×C×H×W tensor: statistics, normalize, γ and β, backward through μ and σ², one SGD step, batch norm's running statistics and evaluation",
        parameters: p.all, views: ["normalization"], build: buildNormalization)

    @Sendable static func buildNormalization(_ given: DemoConfig) throws(DemoError) -> TraceDocument {
        var config = given
        let mode = config[p.mode]
        let shape = [config[p.batch], config[p.channels], config[p.height], config[p.width]]
        let layer = Normalization(mode: mode, groups: mode == .group ? config[p.groups] : 1)
        try checkNormalization(config, layer: layer, shape: shape)

        var random = config.generator
        let input = try normalizationInput(&config, shape: shape, using: &random)
        let affine = layer.affineShape(shape)
        let gammaValue = Tensor(shape: affine, scalars: Tensor.uniform(affine, bound: 0.5, using: &random).scalars.map { 1 + $0 })
        let betaValue = Tensor.uniform(affine, bound: 0.5, using: &random)
        let targetValue = Tensor.uniform(shape, bound: 1, using: &random)

        let tape = Tape()
        let x = tape.input(input, name: "x").tagged("input")
        let gamma = tape.parameter(gammaValue, name: "gamma", tex: "\\gamma").tagged("scale")
        let beta = tape.parameter(betaValue, name: "beta", tex: "\\beta").tagged("shift")
        let epsilon = tape.constant(Tensor(scalar: config[p.eps]), name: "eps", tex: "\\varepsilon")
        let t = tape.constant(targetValue, name: "t").tagged("target")

        let out = layer(x, gamma: gamma, beta: beta, epsilon: epsilon)
        let L = Normalization.loss(out.y, target: t)
        let gradients = tape.backward(L)
        let updated = tape.sgd([gamma, beta], gradients, learningRate: config[p.learningRate])

        if mode == .batch {
            let statistic = [1, shape[1], 1, 1]
            let runningMean = tape.constant(Tensor(shape: statistic, scalars: Array(repeating: 0, count: shape[1])), name: "running_mean", tex: "\\mu_{\\mathrm{run}}")
                .tagged("running_mean")
            let runningVariance = tape.constant(Tensor(shape: statistic, scalars: Array(repeating: 1, count: shape[1])), name: "running_var", tex: "\\sigma^2_{\\mathrm{run}}")
                .tagged("running_variance")
            let running = Normalization.updateRunning(
                mean: runningMean, variance: runningVariance, with: out, count: layer.count(shape), momentum: config[p.momentum])
            if config[p.evaluate] {
                _ = Normalization.evaluate(x, runningMean: running.mean, runningVariance: running.variance, gamma: updated[0], beta: updated[1], epsilon: epsilon)
            }
        }
        return tape.trace(title: normalizationTitle(config, mode: mode, shape: shape), model: "normalization", config: config.values)
    }

    /// Throws on a configuration PyTorch would refuse or that would name a parameter that does nothing.
    private static func checkNormalization(_ config: DemoConfig, layer: Normalization, shape: [Int]) throws(DemoError) {
        let (N, C, H, W) = (shape[0], shape[1], shape[2], shape[3])
        if layer.mode == .group {
            let G = config[p.groups]
            guard C % G == 0 else {
                let divisors = (1...C).filter { C % $0 == 0 }.map(String.init)
                let choices = divisors.count == 1 ? divisors[0] : divisors.dropLast().joined(separator: ", ") + " or " + divisors.last!
                throw .conflict("{groups} \(G) does not divide {channels} \(C): choose \(choices)")
            }
        } else if config.given(p.groups) {
            throw .conflict("{groups} sets the groups of group normalization, but {mode} is \(layer.mode.rawValue): write {mode} group, or leave {groups} out")
        }
        if layer.mode != .batch {
            for (name, given) in [("momentum", config.given(p.momentum)), ("evaluate", config.given(p.evaluate))] where given {
                throw .conflict("{\(name)} is about batch normalization's running statistics, but {mode} is \(layer.mode.rawValue): write {mode} batch, or leave {\(name)} out")
            }
        }
        switch layer.mode {
        case .batch where N * H * W == 1:
            throw .conflict(
                "batch normalization with {batch} 1 and a 1×1 map has one value per channel, whose variance is undefined (PyTorch refuses it too): use {batch} 2 or more, a larger {height} or {width}, or {mode} layer")
        case .instance where H * W == 1:
            throw .conflict(
                "instance normalization of a 1×1 map has one value per sample and channel, whose variance is undefined (PyTorch refuses it too): use a larger {height} or {width}, or {mode} layer")
        default: break
        }
    }

    /// x: the given `values`, or drawn in [0, 4).
    private static func normalizationInput(_ config: inout DemoConfig, shape: [Int], using random: inout SeededGenerator) throws(DemoError) -> Tensor {
        let count = shape.reduce(1, *)
        guard let values = config[p.values] else {
            return Tensor(shape: shape, scalars: Tensor.uniform(shape, bound: 2, using: &random).scalars.map { 2 + $0 })
        }
        guard values.count == count else {
            throw .conflict(
                "{values} has \(values.count) numbers; an N×C×H×W tensor of {batch} \(shape[0]), {channels} \(shape[1]), {height} \(shape[2]), {width} \(shape[3]) needs \(count): give that many, sample after sample, channel after channel, row by row")
        }
        return Tensor(shape: shape, scalars: values)
    }

    private static func normalizationTitle(_ config: DemoConfig, mode: Normalization.Mode, shape: [Int]) -> String {
        let name = ["batch": "Batch", "layer": "Layer", "instance": "Instance", "group": "Group"][mode.rawValue]!
        var title = "\(name) normalization of a \(shape.map(String.init).joined(separator: "×")) tensor"
        if mode == .group { title += " in \(config[p.groups]) groups" }
        title += ": forward, backward through μ and σ², one SGD step on γ and β"
        if mode == .batch { title += config[p.evaluate] ? ", running statistics, evaluation" : ", running statistics" }
        return title
    }
}

/// The `normalization` demo's parameters.
enum NormalizationParameters {
    static let mode = Parameter<Normalization.Mode>("mode", "which values share a mean and variance: batch (per channel), layer (per sample), instance (per sample and channel), group (per sample and group of channels)", default: .batch)
    static let groups = Parameter<Int>("groups", "channel groups G of group normalization (it divides channels)", 1...8, default: 2, givenMatters: true)
    static let batch = Parameter<Int>("batch", "samples N in the batch", 1...8, default: 3, scales: .size)
    static let channels = Parameter<Int>("channels", "channels C", 1...8, default: 4, scales: .size)
    static let height = Parameter<Int>("height", "height H of each channel's map (1 with width 1: an N×C tensor of features)", 1...6, default: 2, scales: .size)
    static let width = Parameter<Int>("width", "width W of each channel's map", 1...6, default: 2, scales: .size)
    static let values = OptionalParameter<[Double]>(
        "values", "the input x, sample after sample, channel after channel, row by row (N·C·H·W numbers)", count: 1...2304, each: -1e6...1e6, scales: .size)
    static let eps = Parameter<Double>("eps", "ε added to the variance under the square root", min: 0, max: 1, minExclusive: true, default: 1e-5)
    static let momentum = Parameter<Double>(
        "momentum", "batch norm: the fraction m of the way the running statistics move toward the batch's", .real(min: 0, max: 1, minExclusive: false),
        default: 0.1, scales: nil, givenMatters: true)
    static let evaluate = Parameter<Bool>("evaluate", "batch norm: after the training step, run once in evaluation with the running statistics", default: true, givenMatters: true)
    static let learningRate = Common.learningRate(default: 0.1)

    /// In the order help lists them.
    static let all: [any DemoParameters] = [mode, groups, batch, channels, height, width, values, eps, momentum, evaluate, learningRate, Common.seed]
}
