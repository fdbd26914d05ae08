import Engine
import Trace

/// The simple recurrent network of the notes, unrolled over the sequence:
///
///     a_t = W_1 [x_t; h_{t−1}] + b_1,   h_t = tanh(a_t),   y_t = W_2 h_t + b_2,
///
/// with h_0 = 0. Shapes: x_t is I×1, h_t is H×1, W_1 is H×(I+H), b_1 is H×1, W_2 is O×H, b_2 is O×1.
/// Backpropagation through time is the engine's reverse mode over the unrolled graph: W_1 feeds
/// every step, so its gradient is the recorded sum of one contribution per step.
public struct RNN: RecurrentNetwork {
    public let inputSize: Int
    public let hiddenSize: Int
    public let outputSize: Int

    public init(inputSize: Int, hiddenSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
    }

    /// W_1, b_1 (then the output layer's W_2, b_2).
    public var recurrentParameters: [RecurrentParameter] {
        [RecurrentParameter("W", "1", [hiddenSize, inputSize + hiddenSize]), RecurrentParameter("b", "1", [hiddenSize, 1])]
    }

    public static let outputSubscript = "2"

    /// W_1, b_1.
    public struct CellParameters: ParameterSet {
        public let W_1: Var
        public let b_1: Var

        public var list: [Var] { [W_1, b_1] }
        public init(_ list: ArraySlice<Var>) { (W_1, b_1) = (list[list.startIndex], list[list.startIndex + 1]) }
    }

    /// h_t for x_t and h_{t−1}, in the scope `RNN cell`.
    public func cell(_ x: Var, _ h: Var, _ p: CellParameters, step t: Int, _ direction: Direction = .oneWay) -> Var {
        let (W_1, b_1) = (p.W_1, p.b_1)
        return x.tape.scope("RNN cell", kind: .cell("rnn"), equation: Self.equation(direction)) {
            let a = (W_1 • concat([x, h]) + b_1).named(direction.name("a", t), tex: direction.tex("a", t))
            return tanh(a).named(direction.name("h", t), tex: direction.tex("h", t)).tagged("hidden_state", direction.at(t))
        }
    }

    /// h_{t} = \tanh(W_1 [x_{t}; h_{t-1}] + b_1), its symbols with the direction's arrows.
    private static func equation(_ direction: Direction) -> String {
        let (h, W, b) = (direction.symbol("h"), direction.symbol("W"), direction.symbol("b"))
        return "\(h)_{t} = \\tanh(\(W)_1 [x_{t}; \(h)_{\(direction.previous)}] + \(b)_1)"
    }
}
