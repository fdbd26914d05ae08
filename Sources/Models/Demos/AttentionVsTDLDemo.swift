import Engine
import Trace

extension Demos {
    private typealias p = AttentionVsTDLParameters

    static let attentionVsTDL = Demo(
        name: "attention-vs-tdl",
        summary: "One sequence through a tapped delay line (fixed taps a_i) and causal attention (weights a_i(t) = A_{t,t−i} recomputed per step)",
        parameters: [p.steps, p.input, p.inputs, p.taps, p.keySize, p.training, Common.seed],
        views: ["attention"],
        build: { config throws(DemoError) in
            var config = config
            var random = config.generator
            let given = config[p.inputs]
            if let given {
                for (parameter, value) in [(p.steps, given.count), (p.input, given[0].count)] where config.given(parameter) && config[parameter] != value {
                    throw .conflict("{\(parameter.name)} is \(config[parameter]) but {inputs} gives \(value); leave out {\(parameter.name)}")
                }
            }
            let inputs = given.map(Tensor.init(rows:)) ?? .uniform([config[p.steps], config[p.input]], bound: 1, using: &random)
            let (steps, size) = (inputs.shape[0], inputs.shape[1])
            config.derive(p.steps, steps)
            config.derive(p.input, size)
            let targets = Tensor.uniform([steps, size], bound: 1, using: &random)
            let line = TappedDelayLine(taps: config[p.taps], kind: .scalar, inputSize: size, outputSize: size)
            let initialTaps = line.initialParameters(using: &random)
            let keySize = config[p.keySize]
            let initialWeights = (0..<2).map { _ in Tensor.fanInUniform([size, keySize], fanIn: size, using: &random) }

            let tape = Tape()
            let parameters = AttentionVsTDL.Parameters(
                line.bind(initialTaps, on: tape).list
                    + [tape.parameter(initialWeights[0], name: "W_Q", tex: "W_{Q}"), tape.parameter(initialWeights[1], name: "W_K", tex: "W_{K}")])
            let result = SGDTrainer(p.training, config, keeping: DrawnQuantities.attention).run(on: tape, parameters: parameters) { tape, bound in
                AttentionVsTDL.loss(inputs, targets, line: line, bound, on: tape)
            }
            let training = p.training.describe(config)
            return tape.trace(
                title: "Tapped delay line (L = \(line.taps) taps) against causal attention (d_k = \(keySize)), \(steps) steps: \(training)",
                model: "attention-vs-tdl", config: config.values, history: result.history)
        }
    )
}

/// The `attention-vs-tdl` demo's parameters.
enum AttentionVsTDLParameters {
    static let steps = Parameter<Int>("steps", "sequence length T (when inputs are not given)", 1...TokenEmbedding.maxTokens, default: 4, scales: .size, givenMatters: true)
    static let input = Parameter<Int>("input", "size I of each x_t (when inputs are not given)", 1...TokenEmbedding.maxDimension, default: 1, scales: .size, givenMatters: true)
    static let inputs = OptionalParameter<[[Double]]>(
        "inputs", "the sequence, one row per step (default: drawn from the seed)", rows: 1...TokenEmbedding.maxTokens,
        columns: 1...TokenEmbedding.maxDimension, scales: .size)
    static let taps = TDLParameters.taps
    static let keySize = Parameter<Int>("key-size", "d_k, the size of a query and a key", 1...TokenEmbedding.maxDimension, default: 2, scales: .size)
    static let training = Training.sgd(on: "the taps and on W_Q, W_K")
}
