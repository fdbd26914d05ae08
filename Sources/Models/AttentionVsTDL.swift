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
    /// The taps, then W_Q and W_K.
    struct Parameters: ParameterSet {
        let taps: TappedDelayLine.Taps
        let W_Q: Var
        let W_K: Var

        var list: [Var] { taps.list + [W_Q, W_K] }

        init(_ list: ArraySlice<Var>) {
            taps = TappedDelayLine.Taps(list.dropLast(2))
            (W_Q, W_K) = (list[list.endIndex - 2], list[list.endIndex - 1])
        }
    }

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
    static func loss(_ inputs: Tensor, _ targets: Tensor, line: TappedDelayLine, _ p: Parameters, on tape: Tape) -> Var {
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
            return line.outputs(columns, p.taps)
        }
        let Z = tape.scope("attention, weights recomputed per step", equation: "z_t = \\sum_{i=0}^{t-1} a_i(t)\\, x_{t-i}, \\quad a_i(t) = A_{t,\\,t-i}") {
            let X = tape.input(inputs, name: "X", requiresGradient: false).labeled([inputLabels, nil])
            return attention(X, p.W_Q, p.W_K, steps: stepLabels, inputs: inputLabels).Z
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
