import Engine
import Trace

/// The long short-term memory network of the notes, unrolled over the sequence:
///
///     f_t = σ(W_f [h_{t−1}; x_t] + b_f)              forget gate
///     i_t = σ(W_i [h_{t−1}; x_t] + b_i)              input gate
///     c̃_t = tanh(W_c [h_{t−1}; x_t] + b_c)           candidate
///     o_t = σ(W_o [h_{t−1}; x_t] + b_o)              output gate
///     c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t                cell state
///     h_t = o_t ⊙ tanh(c_t)                          hidden state
///     y_t = W_y h_t + b_y                            output layer
///
/// with h_0 = c_0 = 0. The gates read [h_{t−1}; x_t], the state first (the RNN reads [x_t; h_{t−1}]).
/// Shapes: x_t is I×1, h_t and c_t are H×1, each W_g is H×(H+I), each b_g is H×1, W_y is O×H, b_y is O×1.
///
/// With `peepholes` (Gers & Schmidhuber 2000), the gates also look at the cell state through
/// diagonal weights p_f, p_i, p_o (H×1 vectors, so p ⊙ c is a diagonal matrix times c):
///
///     f_t = σ(W_f [h_{t−1}; x_t] + p_f ⊙ c_{t−1} + b_f)
///     i_t = σ(W_i [h_{t−1}; x_t] + p_i ⊙ c_{t−1} + b_i)
///     o_t = σ(W_o [h_{t−1}; x_t] + p_o ⊙ c_t + b_o)      (after c_t, which it reads)
public struct LSTM: RecurrentNetwork {
    public let inputSize: Int
    public let hiddenSize: Int
    public let outputSize: Int
    public let peepholes: Bool

    /// What a recording tape writes for a cell read one way, forwards and backwards.
    private let recorded: (oneWay: CellText, forward: CellText, backward: CellText)

    public init(inputSize: Int, hiddenSize: Int, outputSize: Int, peepholes: Bool = false) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
        self.peepholes = peepholes
        recorded = (
            CellText(Equations(direction: .oneWay, peepholes: peepholes)), CellText(Equations(direction: .forward, peepholes: peepholes)),
            CellText(Equations(direction: .backward, peepholes: peepholes))
        )
    }

    /// What a step carries: the hidden state h_t and the cell state c_t.
    public struct State {
        public let h: Var
        public let c: Var
    }

    /// W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o, then (with peepholes) p_f, p_i, p_o (then the output
    /// layer's W_y, b_y). The peepholes are drawn like the rest, uniform in ±1/√H.
    public var recurrentParameters: [RecurrentParameter] {
        let (H, I) = (hiddenSize, inputSize)
        let gates = ["f", "i", "c", "o"].flatMap { [RecurrentParameter("W", $0, [H, H + I]), RecurrentParameter("b", $0, [H, 1])] }
        return gates + (peepholes ? ["f", "i", "o"].map { RecurrentParameter("p", $0, [H, 1]) } : [])
    }

    public static let outputSubscript = "y"

    /// W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o, then (with peepholes) p_f, p_i, p_o.
    public struct CellParameters: ParameterSet {
        public let W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o: Var
        /// p_f, p_i, p_o, when the cell has peepholes.
        public let peepholes: (f: Var, i: Var, o: Var)?

        public var list: [Var] { [W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o] + (peepholes.map { [$0.f, $0.i, $0.o] } ?? []) }

        public init(_ list: ArraySlice<Var>) {
            var p = ParameterReader(list)
            (W_f, b_f, W_i, b_i) = (p.next(), p.next(), p.next(), p.next())
            (W_c, b_c, W_o, b_o) = (p.next(), p.next(), p.next(), p.next())
            peepholes = list.count > 8 ? (p.next(), p.next(), p.next()) : nil
        }
    }

    /// h_0 = c_0 = 0 (or the backward direction's h_{T+1}, c_{T+1}), as inputs.
    public func initialState(on tape: Tape, at t: Int, _ direction: Direction) -> State {
        State(
            h: tape.input(.zeros([hiddenSize, 1]), name: direction.name("h", t), tex: direction.tex("h", t)).tagged("hidden_state", direction.at(t)),
            c: tape.input(.zeros([hiddenSize, 1]), name: direction.name("c", t), tex: direction.tex("c", t)).tagged("cell_state", direction.at(t)))
    }

    /// h_t and c_t from x_t, h_{t−1} and c_{t−1}, in the scope `LSTM cell`, one scope per gate.
    public func cell(_ x: Var, _ state: State, _ p: CellParameters, step t: Int, _ direction: Direction = .oneWay) -> State {
        let (W_f, b_f, W_i, b_i, W_c, b_c, W_o, b_o) = (p.W_f, p.b_f, p.W_i, p.b_i, p.W_c, p.b_c, p.W_o, p.b_o)
        let (h, c) = (state.h, state.c)
        let tape = x.tape
        let text = switch direction {
        case .oneWay: recorded.oneWay
        case .forward: recorded.forward
        case .backward: recorded.backward
        }
        /// W_g [h_{t−1}; x_t] (+ p_g ⊙ cell with peepholes) + b_g.
        func preactivation(_ W: Var, _ b: Var, _ input: Var, peephole: Var?, _ cell: Var) -> Var {
            peephole.map { W • input + $0 * cell + b } ?? W • input + b
        }

        return tape.scope("LSTM cell", kind: text.cellKind, equation: text.cell) {
            let input = concat([h, x]).named(direction.name("hx", t), tex: "[\(direction.tex("h", direction.previous(t))); x_{\(t)}]")
                .tagged("stacked_input", direction.at(t))
            let f = tape.scope("forget gate", kind: text.forget.kind, equation: text.forget.equation) {
                sigmoid(preactivation(W_f, b_f, input, peephole: p.peepholes?.f, c)).named(direction.name("f", t), tex: direction.tex("f", t))
                    .tagged("gate", direction.at(t, ["gate": "forget"]))
            }
            let i = tape.scope("input gate", kind: text.input.kind, equation: text.input.equation) {
                sigmoid(preactivation(W_i, b_i, input, peephole: p.peepholes?.i, c)).named(direction.name("i", t), tex: direction.tex("i", t))
                    .tagged("gate", direction.at(t, ["gate": "input"]))
            }
            let candidate = tape.scope("candidate", kind: text.candidate.kind, equation: text.candidate.equation) {
                tanh(W_c • input + b_c).named(direction.name("ctilde", t), tex: direction.tex("\\tilde{c}", t))
                    .tagged("candidate", direction.at(t))
            }
            let outputGate = { (cell: Var) in
                tape.scope("output gate", kind: text.output.kind, equation: text.output.equation) {
                    sigmoid(preactivation(W_o, b_o, input, peephole: p.peepholes?.o, cell)).named(direction.name("o", t), tex: direction.tex("o", t))
                        .tagged("gate", direction.at(t, ["gate": "output"]))
                }
            }
            // Without peepholes o_t reads only [h_{t−1}; x_t], so it is computed with the other gates.
            let early = peepholes ? nil : outputGate(c)
            let cNew = tape.scope("cell state", kind: text.cellState.kind, equation: text.cellState.equation) {
                (f * c + i * candidate).named(direction.name("c", t), tex: direction.tex("c", t)).tagged("cell_state", direction.at(t))
            }
            let o = early ?? outputGate(cNew)
            let hNew = tape.scope("hidden state", kind: text.hiddenState.kind, equation: text.hiddenState.equation) {
                (o * tanh(cNew)).named(direction.name("h", t), tex: direction.tex("h", t)).tagged("hidden_state", direction.at(t))
            }
            return State(h: hNew, c: cNew)
        }
    }

    /// The kinds and equations of a cell's scopes for one direction. Made once per network: they
    /// are the same at every time step, and making them at each was 6 % of a recorded iteration.
    /// A class, so that a cell takes one reference to it, not one to each string.
    private final class CellText: Sendable {
        let cellKind: ScopeKind, cell: String
        let forget, input, candidate, output, cellState, hiddenState: (kind: ScopeKind, equation: String)

        init(_ tex: Equations) {
            (cellKind, cell) = (.cell("lstm", peephole: tex.peepholes), tex.cell)
            forget = (.cellPart("forget_gate"), tex.gate("f", "\\sigma", peeking: tex.previousCell))
            input = (.cellPart("input_gate"), tex.gate("i", "\\sigma", peeking: tex.previousCell))
            candidate = (.cellPart("candidate"), tex.gate("c", "\\tanh", symbol: "\\tilde{c}"))
            output = (.cellPart("output_gate"), tex.gate("o", "\\sigma", peeking: tex.symbol("c") + "_{t}"))
            cellState = (.cellPart("cell_state"), tex.cellState)
            hiddenState = (.cellPart("hidden_state"), tex.hiddenState)
        }
    }

    /// The TeX of the cell's equations, the symbols with the direction's arrows.
    private struct Equations {
        let direction: Direction
        let peepholes: Bool

        func symbol(_ symbol: String) -> String { direction.symbol(symbol) }
        var previousState: String { "\(symbol("h"))_{\(direction.previous)}" }
        var previousCell: String { "\(symbol("c"))_{\(direction.previous)}" }

        var cell: String {
            "\(symbol("h"))_{t}, \(symbol("c"))_{t} = \\operatorname{LSTM}(x_{t}, \(previousState), \(previousCell))"
        }

        /// g_t = φ(W_g [h_{t−1}; x_t] + b_g), with the peephole term on `cell` when there are peepholes.
        func gate(_ g: String, _ activation: String, symbol gateSymbol: String? = nil, peeking cell: String? = nil) -> String {
            let peephole = peepholes ? cell.map { " + \(symbol("p"))_\(g) \\odot \($0)" } ?? "" : ""
            return "\(symbol(gateSymbol ?? g))_{t} = \(activation)(\(symbol("W"))_\(g) [\(previousState); x_{t}]\(peephole) + \(symbol("b"))_\(g))"
        }

        var cellState: String {
            "\(symbol("c"))_{t} = \(symbol("f"))_{t} \\odot \(previousCell) + \(symbol("i"))_{t} \\odot \(symbol("\\tilde{c}"))_{t}"
        }

        var hiddenState: String { "\(symbol("h"))_{t} = \(symbol("o"))_{t} \\odot \\tanh(\(symbol("c"))_{t})" }
    }

    public func hidden(_ state: State) -> Var { state.h }
}
