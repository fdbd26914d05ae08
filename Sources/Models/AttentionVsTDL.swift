import Engine
import Trace

/// One sequence through a tapped delay line and through causal attention, side by side: the
/// notes' attention as "a delay line whose weights are recomputed at every step".
///
/// - Tapped delay line (`TappedDelayLine`, scalar taps): ẑ_t = Σ_{i=0}^{L−1} a_i x_{t−i}, the
///   same taps a_0…a_{L−1} at every step, a window of the last L inputs.
/// - Attention over the rows of X (T×I, row t is x_tᵀ): Q = X W_Q, K = X W_K, and the values are
///   the inputs themselves (V = X, no W_V), so both outputs mix the same x's:
///   z_t = Σ_{j ≤ t} A_{tj} x_j = Σ_{i=0}^{t−1} a_i(t) x_{t−i}, with the dynamic weights
///   a_i(t) = A_{t, t−i}: row t of A (labelled `t = k`, its columns `x_1`…`x_T`) read from the
///   diagonal leftwards. They are recomputed from x_t's query at every step, always sum to 1 and
///   reach back to x_1, where the taps are fixed, sum to anything and stop after L inputs.
///
/// Both are trained at once on the same targets: L = Σ_t ½‖ẑ_t − target_t‖² + ½‖Z − T‖², T the
/// targets as rows; the taps learn fixed weights, W_Q and W_K learn how to make the weights.
///
/// Draws from `seed`, in order: x_1…x_T (T×I uniform in [−1, 1), unless `inputs` is given), the
/// targets (T×I, same), the taps a_0…a_{L−1} (uniform in ±1/√L), W_Q then W_K (I×d_k, ±1/√I).
enum AttentionVsTDL {
    /// Z and A for the sequence X: Q = X W_Q, K = X W_K, V = X, causal.
    static func attention(_ X: Var, _ W_Q: Var, _ W_K: Var, steps: [String], inputs: [String]) -> (A: Var, Z: Var) {
        let (Q, K) = X.tape.scope("queries and keys", equation: "Q = X W_Q, \\quad K = X W_K, \\quad V = X") {
            ((X • W_Q).named("Q").labeled([steps, nil]), (X • W_K).named("K").labeled([inputs, nil]))
        }
        let (_, A, Z) = Attention.attend(Q, K, X, causal: true, queries: steps, keys: inputs)
        return (A, Z)
    }

    /// L for the sequence `inputs` (T×I) and its `targets` (T×I): the delay line's ẑ_1…ẑ_T and
    /// their losses, then the attention's Z and its loss, each in its scope.
    static func loss(_ inputs: Tensor, _ targets: Tensor, line: TappedDelayLine, taps: [Var], W_Q: Var, W_K: Var, on tape: Tape) -> Var {
        let (steps, size) = (inputs.shape[0], inputs.shape[1])
        func row(_ matrix: Tensor, _ t: Int) -> Tensor {
            Tensor(column: Array(matrix.scalars[(t * size)..<((t + 1) * size)]))
        }
        let stepLabels = (1...steps).map { "t = \($0)" }
        let inputLabels = (1...steps).map { "x_\($0)" }
        let zhat = tape.scope("tapped delay line, fixed taps", equation: "\\hat{z}_t = \\sum_{i=0}^{\(line.taps - 1)} a_i x_{t-i}") {
            let columns = (0..<steps).map { t in
                tape.input(row(inputs, t), name: "x_\(t + 1)", tex: "x_{\(t + 1)}", requiresGradient: false).tagged("input", ["t": .int(t + 1)])
            }
            return line.outputs(columns, taps)
        }
        let Z = tape.scope("attention, weights recomputed per step", equation: "z_t = \\sum_{i=0}^{t-1} a_i(t)\\, x_{t-i}, \\quad a_i(t) = A_{t,\\,t-i}") {
            let X = tape.input(inputs, name: "X", requiresGradient: false).labeled([inputLabels, nil])
            return attention(X, W_Q, W_K, steps: stepLabels, inputs: inputLabels).Z
        }
        return tape.scope("loss", kind: .loss, equation: "L = \\sum_{t} \\tfrac{1}{2} \\lVert \\hat{z}_t - \\mathrm{target}_t \\rVert^2 + \\tfrac{1}{2} \\lVert Z - T \\rVert^2") {
            let lineLosses = zhat.enumerated().map { t, z in
                halfSquaredError(z, tape.constant(row(targets, t), name: "target_\(t + 1)", tex: "\\mathrm{target}_{\(t + 1)}"))
                    .named("L_\(t + 1)", tex: "L_{\(t + 1)}")
            }
            let lineLoss = lineLosses.dropFirst().reduce(lineLosses[0], +).named("L_tdl", tex: "L_{\\mathrm{tdl}}")
            let T = tape.constant(targets, name: "T").labeled([stepLabels, nil])
            let attentionLoss = halfSquaredError(Z, T).named("L_attention", tex: "L_{\\mathrm{attention}}")
            return (lineLoss + attentionLoss).named("L")
        }
    }
}

extension Demos {
    static let attentionVsTDL = Demo(
        name: "attention-vs-tdl",
        summary: "One sequence through a tapped delay line (fixed taps a_i) and causal attention (weights a_i(t) = A_{t,t−i} recomputed per step)",
        parameters: [
            DemoParameter("steps", "sequence length T (when inputs are not given)", .integer(1...TokenEmbedding.maxTokens), default: 4, scales: .size),
            DemoParameter("input", "size I of each x_t (when inputs are not given)", .integer(1...TokenEmbedding.maxDimension), default: 1, scales: .size),
            DemoParameter("inputs", "the sequence, one row per step (default: drawn from the seed)", .matrix(rows: 1...TokenEmbedding.maxTokens, columns: 1...TokenEmbedding.maxDimension), default: nil, scales: .size),
            DemoParameter("taps", "length L of the delay line (the taps a_0…a_{L−1})", .integer(1...16), default: 3, scales: .size),
            DemoParameter("key-size", "d_k, the size of a query and a key", .integer(1...TokenEmbedding.maxDimension), default: 2, scales: .size),
            DemoParameter("train", "SGD iterations on the taps and on W_Q, W_K (the first is traced step by step)", .integer(1...100_000), default: 1, scales: .repetitions),
            CommonParameters.learningRate(default: 0.1),
            CommonParameters.seed,
        ],
        build: { config throws(DemoError) in
            var config = config
            var random = config.generator
            let given = config.matrix("inputs")
            if let given {
                for (name, value) in [("steps", given.count), ("input", given[0].count)] where config.isGiven(name) && config.int(name) != value {
                    throw .conflict("{\(name)} is \(config.int(name)) but {inputs} gives \(value); leave out {\(name)}")
                }
            }
            let inputs = given.map(Tensor.init(rows:)) ?? .uniform([config.int("steps"), config.int("input")], bound: 1, using: &random)
            let (steps, size) = (inputs.shape[0], inputs.shape[1])
            config.derive("steps", .int(steps))
            config.derive("input", .int(size))
            let targets = Tensor.uniform([steps, size], bound: 1, using: &random)
            let line = TappedDelayLine(taps: config.int("taps"), kind: .scalar, inputSize: size, outputSize: size)
            let initialTaps = line.initialParameters(using: &random)
            let keySize = config.int("key-size")
            let initialWeights = (0..<2).map { _ in Tensor.fanInUniform([size, keySize], fanIn: size, using: &random) }

            let tape = Tape()
            let parameters = line.bind(initialTaps, on: tape)
                + [tape.parameter(initialWeights[0], name: "W_Q", tex: "W_{Q}"), tape.parameter(initialWeights[1], name: "W_K", tex: "W_{K}")]
            let result = SGDTrainer(demo: config).run(on: tape, parameters: parameters) { tape, bound in
                AttentionVsTDL.loss(inputs, targets, line: line, taps: Array(bound[..<line.taps]), W_Q: bound[line.taps], W_K: bound[line.taps + 1], on: tape)
            }
            let training = config.int("train") == 1 ? "one SGD step" : "\(config.int("train")) SGD iterations"
            return tape.trace(
                title: "Tapped delay line (L = \(line.taps) taps) against causal attention (d_k = \(keySize)), \(steps) steps: \(training)",
                model: "attention-vs-tdl", config: config.values, history: result.history)
        }
    )
}
