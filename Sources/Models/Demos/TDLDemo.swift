import Engine
import Trace

extension Demos {
    static let tdl = Demo(
        name: "tdl",
        summary: "A tapped delay line: ẑ_t = Σ a_i x_{t−i} with learnable taps, a feed-forward memory of the last L inputs",
        parameters: [SequenceInput.standard, TDLParameters.taps, TDLParameters.kind, SequenceDemo.training, Common.seed],
        views: ["unrolled"],
        build: { config throws(DemoError) in
            var config = config
            var random = config.generator
            let kind = config[TDLParameters.kind]
            if kind != .matrix {
                try keepInputSize(&config, kind: kind)
            }
            let task = try SequenceTask.make(&config, using: &random)
            let line = TappedDelayLine(taps: config[TDLParameters.taps], kind: kind, inputSize: task.inputSize, outputSize: task.outputSize)
            let taps = "L = \(line.taps) \(kind.rawValue) tap\(line.taps == 1 ? "" : "s")"
            var outputs: [Var] = []   // ẑ_1…ẑ_T of the iteration running, for their gradient norms
            return SequenceDemo.run(
                title: "Tapped delay line, \(taps): \(SequenceDemo.describe(task, config))",
                model: "tdl", config: config, task: task, initial: line.initialParameters(using: &random),
                bind: line.bind,
                outputs: { inputs, taps in
                    outputs = line.outputs(inputs, taps)
                    return outputs
                },
                norms: [.delayLine { outputs }])
        }
    )

    /// Scalar and vector taps give ẑ_t the size of x_t: the targets' size O is I, derived unless given
    /// (and then it must agree).
    private static func keepInputSize(_ config: inout DemoConfig, kind: TappedDelayLine.TapKind) throws(DemoError) {
        let p = SequenceInput.standard
        guard config[p.text] == nil else { return }  // one-hot in and out: O = I already
        let inputSize = config[p.inputs]?.first?.count ?? config[p.input]
        let outputSize = config[p.targets]?.first?.count ?? (config.given(p.outputSize) ? config[p.outputSize] : inputSize)
        guard outputSize == inputSize else {
            throw .conflict(
                "{tap-kind} \(kind.rawValue) keeps the size of x_t (I = \(inputSize)), so the targets need \(inputSize) numbers, "
                    + "not \(outputSize); give {output-size} \(inputSize) or use {tap-kind} matrix")
        }
        config.derive(p.outputSize, outputSize)
    }
}

/// The `tdl` demo's own parameters.
enum TDLParameters {
    static let taps = Parameter<Int>("taps", "length L of the delay line (the taps a_0…a_{L−1})", 1...16, default: 3, scales: .size)
    static let kind = Parameter<TappedDelayLine.TapKind>(
        "tap-kind", "each tap a scalar (a_i x), a vector (a_i ⊙ x) or a matrix (a_i x, O×I)", default: .scalar)
}
extension TappedDelayLine.TapKind: ParameterChoice {}
