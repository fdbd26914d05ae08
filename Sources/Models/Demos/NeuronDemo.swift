import Engine
import Trace

/// The artificial neurons of the notes' first chapter (`Neuron`), each trained on its examples:
///
///     net = w · x + b,   y = φ(net),   Q = ½ (y − t)²,   e = ∂Q/∂y = y − t,
///     sgd:         w ← w − η ∂Q/∂w,        b ← b − η ∂Q/∂b
///     perceptron:  w ← w + η (t − y) xᵀ,   b ← b + η (t − y)
///
/// A softmax layer has K neurons (w is K×n, b K×1) and Q = −Σ_k t_k log y_k with t the one-hot
/// vector of `class`; the RBF neuron learns its centre c (n×1) and width σ (1×1) instead of w, b.
/// Shapes: x is n×1, w 1×n, b, y, t 1×1. The error signal e is the gradient of y in the trace.
///
/// Random values, drawn in this order from the seed, each only when not given: x (uniform in
/// [−1, 1); not with a truth table), then w (K·n values, row by row) and b (K values), uniform in
/// ±1/√n; for the RBF neuron, c (uniform in [−1, 1)) instead of w and b.
///
/// Each example is one update; `train` epochs run over the examples in order, the first traced
/// step by step (several examples subscript the names: `x_2`, `net_2`, `Q_2`), each epoch's
/// summed loss and the parameters after it in `history`.
extension Demos {
    private typealias p = NeuronParameters

    static let neuron = Demo(
        name: "neuron",
        summary: "One neuron y = φ(w·x + b) (sigmoid, tanh, ReLU, the perceptron's step), a softmax layer or an RBF neuron: forward, the error signal e = ∂Q/∂y, backward and its update",
        parameters: [
            p.inputs, p.activation, p.x, p.w, p.b, p.target, p.steepness, p.classes, p.correctClass, p.centre, p.width, p.update, p.data,
            p.training, Common.seed,
        ],
        build: buildNeuron
    )

    @Sendable static func buildNeuron(_ given: DemoConfig) throws(DemoError) -> TraceDocument {
        var config = given
        let kind = config[p.activation]
        try checkNeuronChoices(config, kind)
        let table = config[p.data].examples
        let classes = kind == .softmax ? config[p.classes] : 1
        let n = table.isEmpty ? try neuronInputs(config, kind, classes: classes) : 2
        // The trace says how many inputs ran, also when x, w or a truth table decided it.
        config.derive(p.inputs, n)
        if kind == .softmax, config[p.correctClass] > classes {
            throw .conflict("{class} is \(config[p.correctClass]) but a layer of {classes} \(classes) has classes 1…\(classes)")
        }

        var random = config.generator
        let bound = 1 / Double(n).squareRoot()
        var examples = table.map { NeuronExample(x: $0.x, t: [$0.t]) }
        if table.isEmpty {
            let x = config[p.x] ?? (0..<n).map { _ in random.uniform(-1, 1) }
            let t = kind == .softmax ? (1...classes).map { $0 == config[p.correctClass] ? 1.0 : 0 } : [config[p.target]]
            examples = [NeuronExample(x: x, t: t)]
        }
        let initial: [Tensor]
        if kind == .rbf {
            let c = config[p.centre] ?? (0..<n).map { _ in random.uniform(-1, 1) }
            initial = [Tensor(column: c), Tensor(shape: [1, 1], scalars: [config[p.width]])]
        } else {
            let w = config[p.w] ?? (0..<classes * n).map { _ in random.uniform(-bound, bound) }
            let b = config[p.b].map { b in (0..<classes).map { _ in b } } ?? (0..<classes).map { _ in random.uniform(-bound, bound) }
            initial = [Tensor(shape: [classes, n], scalars: w), Tensor(column: b)]
        }

        let run = NeuronTraining(
            neuron: Neuron(kind: kind, steepness: config[p.steepness]), rule: config[p.update],
            learningRate: config[p.training.learningRate], epochs: config[p.training.iterations])
        let tape = Tape()
        let history = run(examples, initial, on: tape)
        var trace = tape.trace(
            title: neuronTitle(config, kind, n: n, classes: classes), model: "neuron", config: recordedConfig(config, kind), history: history)
        if let history {
            // One entry is an epoch over the examples, so references read `@epoch=3`.
            trace.series = HistorySeries.describe(history, per: "epoch")
            trace.series?[0].meaning = "the sum of the epoch's examples' losses, each before its update (for the step, ½ per wrong example)"
        }
        return trace
    }

    /// "A step neuron with 2 inputs on XOR: 20 epochs of the perceptron rule".
    private static func neuronTitle(_ config: DemoConfig, _ kind: NeuronKind, n: Int, classes: Int) -> String {
        let inputs = "\(n) input\(n == 1 ? "" : "s")"
        let what: String
        switch kind {
        case .softmax: what = "A softmax layer of \(classes) neurons with \(inputs)"
        case .rbf: what = "An RBF neuron with \(inputs)"
        case .sigmoid where config[p.steepness] != 1: what = "A sigmoid neuron σ(\(plain(config[p.steepness]))·net) with \(inputs)"
        default: what = "A \(kind.rawValue) neuron with \(inputs)"
        }
        let data = config[p.data]
        let epochs = config[p.training.iterations]
        let rule = config[p.update] == .perceptron ? "the perceptron rule" : "SGD"
        if data == .single, epochs == 1 {
            return "\(what): forward, backward, one \(config[p.update] == .perceptron ? "perceptron-rule" : "SGD") step"
        }
        let on = data == .single ? "" : " on \(data == .xor ? "XOR" : data.rawValue.uppercased())"
        return "\(what)\(on): \(epochs) epoch\(epochs == 1 ? "" : "s") of \(rule)"
    }

    /// The resolved values without the parameters another kind of neuron reads (a step neuron's
    /// trace lists no `classes` or `width`), so that the trace's config says what ran.
    private static func recordedConfig(_ config: DemoConfig, _ kind: NeuronKind) -> [String: JSONValue] {
        var values = config.values
        if kind != .sigmoid { values[p.steepness.name] = nil }
        if kind != .softmax { values[p.classes.name] = nil; values[p.correctClass.name] = nil } else { values[p.target.name] = nil }
        if kind != .rbf { values[p.width.name] = nil }
        if config[p.data] != .single { values[p.target.name] = nil }  // the truth table's targets
        return values
    }

    /// 20 for 20.0, else Swift's shortest form.
    private static func plain(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }

    /// The parameters that belong to one kind of neuron, rule or data, refused with another.
    private static func checkNeuronChoices(_ config: DemoConfig, _ kind: NeuronKind) throws(DemoError) {
        if config.given(p.steepness), kind != .sigmoid {
            throw .conflict("{steepness} applies to {activation} sigmoid only (σ(k·net)), not \(kind.rawValue)")
        }
        if config.given(p.classes) || config.given(p.correctClass), kind != .softmax {
            throw .conflict("{classes} and {class} apply to {activation} softmax only, not \(kind.rawValue)")
        }
        if kind == .softmax, config.given(p.target) {
            throw .conflict("a softmax layer's target is the one-hot vector of {class}; give {class} instead of {target}")
        }
        if config.given(p.centre) || config.given(p.width), kind != .rbf {
            throw .conflict("{c} and {width} apply to {activation} rbf only, not \(kind.rawValue)")
        }
        if kind == .rbf, config.given(p.w) || config.given(p.b) {
            throw .conflict("an RBF neuron has no weights or bias: it learns its centre {c} and width {width}")
        }
        if config[p.update] == .perceptron, kind != .step {
            throw .conflict("{update} perceptron is the rule of the step neuron: add {activation} step (got \(kind.rawValue))")
        }
        if config[p.data] != .single {
            if !kind.isElementwise {
                throw .conflict("{data} \(config[p.data].rawValue) trains one neuron with a target of 0 or 1: use {activation} step, sigmoid, tanh or relu")
            }
            if config.given(p.x) || config.given(p.target) || config.given(p.inputs) {
                throw .conflict("{data} \(config[p.data].rawValue) has its own 2 inputs and targets: leave out {x}, {target} and {inputs}")
            }
        }
    }

    /// n, from x, w (K rows), c or `inputs`, all agreeing.
    private static func neuronInputs(_ config: DemoConfig, _ kind: NeuronKind, classes: Int) throws(DemoError) -> Int {
        let givenX = config[p.x], givenW = config[p.w], givenC = config[p.centre]
        if let givenW, givenW.count % classes != 0 {
            throw .conflict("{w} has \(givenW.count) values, not \(classes) rows of equal length; give one weight per input and class")
        }
        let fromW = givenW.map { $0.count / classes }
        let n = givenX?.count ?? fromW ?? givenC?.count ?? config[p.inputs]
        if config.given(p.inputs), n != config[p.inputs] {
            throw .conflict("{inputs} is \(config[p.inputs]) but \(givenX != nil ? "{x}" : givenW != nil ? "{w}" : "{c}") has \(n) values")
        }
        if let fromW, fromW != n {
            throw .conflict("{x} has \(n) values but {w} has \(givenW!.count); give one weight per input\(classes > 1 ? " and class" : "")")
        }
        if let givenC, givenC.count != n {
            throw .conflict("{x} has \(n) values but {c} has \(givenC.count); give the centre one value per input")
        }
        guard n <= 16 else { throw .conflict("{w} has \(n) weights per neuron; a neuron takes at most 16 inputs") }
        return n
    }
}

/// One example: the input x and the target t (one value, or a softmax layer's one-hot vector).
struct NeuronExample {
    let x: [Double]
    let t: [Double]
}
