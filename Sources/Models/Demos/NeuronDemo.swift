import Engine
import Trace

/// The artificial neuron of the notes' first chapter, trained for one step:
///
///     net = w · x + b,   y = φ(net),   Q = ½ (y − t)²,   e = ∂Q/∂y = y − t,
///     w ← w − η ∂Q/∂w,   b ← b − η ∂Q/∂b.
///
/// Shapes: x is n×1, w is 1×n, b, y, t are 1×1. The error signal e is the gradient of y in the trace.
/// Random values, drawn in this order from the seed: x (uniform in [−1, 1)), then w, then b
/// (uniform in ±1/√n), each only when not given.
extension Demos {
    static let neuron = Demo(
        name: "neuron",
        summary: "One neuron y = φ(w·x + b): forward, the error signal e = ∂Q/∂y, backward and one SGD step",
        parameters: [NeuronParameters.inputs, Common.activation, NeuronParameters.x, NeuronParameters.w, NeuronParameters.b, NeuronParameters.target, NeuronParameters.learningRate, Common.seed],
        build: buildNeuron
    )

    @Sendable static func buildNeuron(_ given: DemoConfig) throws(DemoError) -> TraceDocument {
        var config = given
        let p = NeuronParameters.self
        let givenX = config[p.x], givenW = config[p.w]
        let n = givenX?.count ?? givenW?.count ?? config[p.inputs]
        if config.given(p.inputs), n != config[p.inputs] {
            throw .conflict("{inputs} is \(config[p.inputs]) but \(givenX != nil ? "{x}" : "{w}") has \(n) values")
        }
        // The trace says how many inputs ran, also when x or w decided it.
        config.derive(p.inputs, n)
        if let givenX, let givenW, givenX.count != givenW.count {
            throw .conflict("{x} has \(givenX.count) values but {w} has \(givenW.count); give one weight per input")
        }
        var random = config.generator
        let bound = 1 / Double(n).squareRoot()
        let xValues = givenX ?? (0..<n).map { _ in random.uniform(-1, 1) }
        let wValues = givenW ?? (0..<n).map { _ in random.uniform(-bound, bound) }
        let bValue = config[p.b] ?? random.uniform(-bound, bound)
        let φ = config[Common.activation]

        let tape = Tape()
        let x = tape.input(Tensor(column: xValues), name: "x")
        let w = tape.parameter(Tensor(shape: [1, n], scalars: wValues), name: "w")
        let b = tape.parameter(Tensor(shape: [1, 1], scalars: [bValue]), name: "b")
        let t = tape.constant(Tensor(shape: [1, 1], scalars: [config[p.target]]), name: "t")

        let net = tape.scope("net input", equation: "\\mathrm{net} = w \\cdot x + b") {
            ((w • x).named("w·x", tex: "w \\cdot x") + b).named("net", tex: "\\mathrm{net}")
        }
        let y = tape.scope("transfer function", equation: "y = \(φ.tex)(\\mathrm{net})") {
            φ(net).named("y")
        }
        let Q = tape.scope("objective", kind: .loss, equation: "Q = \\tfrac{1}{2}\\,(y - t)^2") {
            halfSquaredError(y, t).named("Q")
        }
        let gradients = tape.backward(Q)
        _ = tape.sgd([w, b], gradients, learningRate: config[p.learningRate])

        return tape.trace(
            title: "A \(φ.rawValue) neuron with \(n) input\(n == 1 ? "" : "s"): forward, backward, one SGD step",
            model: "neuron", config: config.values)
    }
}

/// The `neuron` demo's own parameters.
enum NeuronParameters {
    static let inputs = Parameter<Int>("inputs", "number of inputs n (when x is not given)", 1...16, default: 3, scales: .size, givenMatters: true)
    static let x = OptionalParameter<[Double]>("x", "the input values (default: drawn from the seed)", count: 1...16, each: -1e6...1e6, scales: .size)
    static let w = OptionalParameter<[Double]>("w", "the weights, one per input (default: drawn from the seed)", count: 1...16, each: -1e6...1e6, scales: .size)
    static let b = OptionalParameter<Double>("b", "the bias (default: drawn from the seed)", min: -1e6, max: 1e6)
    static let target = Parameter<Double>("target", "the desired output t", min: -1e6, max: 1e6, default: 1)
    static let learningRate = Common.learningRate(default: 0.5)
}
