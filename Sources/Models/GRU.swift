import Engine
import Trace

/// The gated recurrent unit of the notes, unrolled over the sequence:
///
///     z_t = σ(W_z [h_{t−1}; x_t] + b_z)                  update gate
///     r_t = σ(W_r [h_{t−1}; x_t] + b_r)                  reset gate
///     h̃_t = tanh(W_h [r_t ⊙ h_{t−1}; x_t] + b_h)         candidate
///     h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ h̃_t              hidden state
///     y_t = W_y h_t + b_y                                output layer
///
/// with h_0 = 0. Shapes: x_t is I×1, h_t is H×1, W_z, W_r, W_h are H×(H+I), the biases H×1,
/// W_y is O×H, b_y is O×1.
///
/// Conventions differ between texts; this is the form of the notes and of Cho et al. (2014,
/// arXiv:1406.1078v3): z_t keeps the old state (z_t → 1 copies h_{t−1}), and the reset gate acts
/// on h_{t−1} before the matrix product. PyTorch's `GRU` applies r after the product, with
/// separate biases for the input and the state: n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn)),
/// h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1} (a different function, not a re-parametrisation); some
/// texts swap the roles of z_t and 1 − z_t. `docs/models.md` compares them.
public struct GRU: RecurrentNetwork {
    public let inputSize: Int
    public let hiddenSize: Int
    public let outputSize: Int

    public init(inputSize: Int, hiddenSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
    }

    /// W_z, b_z, W_r, b_r, W_h, b_h (then the output layer's W_y, b_y).
    public var recurrentParameters: [RecurrentParameter] {
        ["z", "r", "h"].flatMap {
            [RecurrentParameter("W", $0, [hiddenSize, hiddenSize + inputSize]), RecurrentParameter("b", $0, [hiddenSize, 1])]
        }
    }

    public static let outputSubscript = "y"

    /// W_z, b_z, W_r, b_r, W_h, b_h.
    public struct CellParameters: ParameterSet {
        public let W_z, b_z, W_r, b_r, W_h, b_h: Var

        public var list: [Var] { [W_z, b_z, W_r, b_r, W_h, b_h] }
        public init(_ list: ArraySlice<Var>) {
            var p = ParameterReader(list)
            (W_z, b_z, W_r, b_r, W_h, b_h) = (p.next(), p.next(), p.next(), p.next(), p.next(), p.next())
        }
    }

    /// h_t from x_t and h_{t−1}, in the scope `GRU cell`, one scope per gate.
    public func cell(_ x: Var, _ h: Var, _ p: CellParameters, step t: Int, _ direction: Direction = .oneWay) -> Var {
        let (W_z, b_z, W_r, b_r, W_h, b_h) = (p.W_z, p.b_z, p.W_r, p.b_r, p.W_h, p.b_h)
        let tape = x.tape
        let tex = Equations(direction: direction)

        return tape.scope("GRU cell", kind: .cell("gru"), equation: tex.cell) {
            let input = concat([h, x]).named(direction.name("hx", t), tex: "[\(direction.tex("h", direction.previous(t))); x_{\(t)}]")
                .tagged("stacked_input", direction.at(t))
            let z = tape.scope("update gate", kind: .cellPart("update_gate"), equation: tex.gate("z")) {
                sigmoid(W_z • input + b_z).named(direction.name("z", t), tex: direction.tex("z", t))
                    .tagged("gate", direction.at(t, ["gate": "update"]))
            }
            let r = tape.scope("reset gate", kind: .cellPart("reset_gate"), equation: tex.gate("r")) {
                sigmoid(W_r • input + b_r).named(direction.name("r", t), tex: direction.tex("r", t))
                    .tagged("gate", direction.at(t, ["gate": "reset"]))
            }
            let candidate = tape.scope("candidate", kind: .cellPart("candidate"), equation: tex.candidate) {
                tanh(W_h • concat([r * h, x]) + b_h).named(direction.name("htilde", t), tex: direction.tex("\\tilde{h}", t))
                    .tagged("candidate", direction.at(t))
            }
            return tape.scope("hidden state", kind: .cellPart("hidden_state"), equation: tex.hiddenState) {
                (z * h + (1 - z) * candidate).named(direction.name("h", t), tex: direction.tex("h", t))
                    .tagged("hidden_state", direction.at(t))
            }
        }
    }

    /// The TeX of the cell's equations, the symbols with the direction's arrows; only a recording
    /// tape asks for them.
    private struct Equations {
        let direction: Direction

        func symbol(_ symbol: String) -> String { direction.symbol(symbol) }
        var previousState: String { "\(symbol("h"))_{\(direction.previous)}" }
        var cell: String { "\(symbol("h"))_{t} = \\operatorname{GRU}(x_{t}, \(previousState))" }

        func gate(_ g: String) -> String {
            "\(symbol(g))_{t} = \\sigma(\(symbol("W"))_\(g) [\(previousState); x_{t}] + \(symbol("b"))_\(g))"
        }

        var candidate: String {
            "\(symbol("\\tilde{h}"))_{t} = \\tanh(\(symbol("W"))_h [\(symbol("r"))_{t} \\odot \(previousState); x_{t}] + \(symbol("b"))_h)"
        }

        var hiddenState: String {
            let z = "\(symbol("z"))_{t}"
            return "\(symbol("h"))_{t} = \(z) \\odot \(previousState) + (1 - \(z)) \\odot \(symbol("\\tilde{h}"))_{t}"
        }
    }
}
