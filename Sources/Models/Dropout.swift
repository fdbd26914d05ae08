import Engine
import Trace

/// An MLP (`MLP`: the same sizes, initializer, parameter names and loss) whose hidden layers are
/// followed by inverted dropout while it trains:
///
///     z_l = W_l h̃_{l−1} + b_l,   h_l = φ(z_l),   h̃_l = (M_l ⊙ h_l) / (1 − p)     (hidden layers)
///     y = W_L h̃_{L−1} + b_L                                                       (linear output)
///
/// from h̃_0 = X. M_l (n_l × m) is a Bernoulli keep-mask, each entry 1 with probability 1 − p and
/// 0 with probability p, drawn afresh for every training step. Dividing the kept units by 1 − p
/// keeps each unit's expected value: E[M ⊙ h / (1 − p)] = h, so evaluation uses the network as it
/// is, with no mask and no scaling (`masks: nil`). A dropped unit passes nothing forward, and so
/// its h_l gets no gradient back: ∂Q/∂h_l = M_l ⊙ ∂Q/∂h̃_l / (1 − p) is 0 wherever M_l is 0.
public struct DropoutMLP: Sendable {
    public let network: MLP
    /// The probability p that a hidden unit is dropped, in [0, 1).
    public let rate: Double

    public init(network: MLP, rate: Double) {
        precondition(rate >= 0 && rate < 1, "DropoutMLP: p must be in [0, 1)")
        self.network = network
        self.rate = rate
    }

    /// The hidden layers' sizes n_1 … n_{L−1}.
    var hidden: [Int] { Array(network.layers.dropFirst().dropLast()) }

    /// One keep-mask per hidden layer for a batch of `samples` columns: M_1, then M_2, …, each
    /// drawn row-major (n_l × m), an entry kept (1) when `nextUniform()` ≥ p and dropped (0)
    /// otherwise. None at all when p = 0: training without dropout draws nothing.
    public func drawMasks(samples: Int, using random: inout SeededGenerator) -> [Tensor]? {
        guard rate > 0 else { return nil }
        return hidden.map { units in
            let keep = (0..<(units * samples)).map { _ in random.nextUniform() >= rate ? 1.0 : 0.0 }
            return Tensor(shape: [units, samples], scalars: keep)
        }
    }

    /// The output y for the columns X: with `masks`, the training network (each hidden layer's
    /// output masked and scaled by 1/(1 − p), the mask recorded as a constant `M_l` tagged
    /// `dropout_mask` with its layer); without, the evaluation network (no mask, no scaling).
    /// `split` tells an evaluation's tensors apart from the training step's: `z_1_val`, `y_val`.
    public func callAsFunction(_ X: Var, _ parameters: MLP.Parameters, masks: [Tensor]?, split: String? = nil) -> Var {
        let tape = X.tape
        let (suffix, mark) = split.map { ("_\($0)", "^{\\text{\($0)}}") } ?? ("", "")
        let depth = network.layers.count - 1
        let φ = network.activation
        let keep = 1 - rate
        var h = X
        var below = "X"
        for l in 1...depth {
            let (W, b) = parameters.layers[l - 1]
            let input = h
            if l == depth {
                return tape.scope("output layer", kind: .layer(l), equation: "y = W_{\(l)} \(below) + b_{\(l)}") {
                    ((W • input).named("W_\(l)·\(input.name)", tex: "W_{\(l)} \(below)") + b).named("y\(suffix)", tex: "y\(mark)")
                }
            }
            let mask = masks?[l - 1]
            let equation =
                mask == nil
                ? "h_{\(l)} = \(φ.tex)(W_{\(l)} \(below) + b_{\(l)})"
                : "\\tilde h_{\(l)} = \\frac{M_{\(l)} \\odot \(φ.tex)(W_{\(l)} \(below) + b_{\(l)})}{1 - p}"
            h = tape.scope("layer \(l)", kind: .layer(l), equation: equation) {
                let z = ((W • input).named("W_\(l)·\(input.name)", tex: "W_{\(l)} \(below)") + b).named("z_\(l)\(suffix)", tex: "z_{\(l)}\(mark)")
                let activation = φ(z).named("h_\(l)\(suffix)", tex: "h_{\(l)}\(mark)")
                guard let mask else { return activation }
                let M = tape.constant(mask, name: "M_\(l)", tex: "M_{\(l)}").tagged("dropout_mask", ["layer": .int(l)])
                let kept = (M * activation).named("M_\(l)⊙h_\(l)", tex: "M_{\(l)} \\odot h_{\(l)}")
                // Inverted dropout: scale the survivors now, so evaluation needs no correction.
                return (kept * (1 / keep)).named("h̃_\(l)", tex: "\\tilde h_{\(l)}")
            }
            below = mask == nil ? "h_{\(l)}" : "\\tilde h_{\(l)}"
        }
        fatalError("unreachable: the output layer returns")
    }
}
