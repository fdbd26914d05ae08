import Engine
import Trace

/// A bidirectional recurrent network: one copy of `Network` reads x_1…x_T, another, with its own
/// parameters, reads x_T…x_1, and each position's output reads both states:
///
///     →h_t = cell(x_t, →h_{t−1}),   →h_0 = 0          forward direction, t = 1…T
///     ←h_t = cell(x_t, ←h_{t+1}),   ←h_{T+1} = 0      backward direction, t = T…1
///     h_t = [→h_t; ←h_t],   y_t = W_y h_t + b_y       output, t = 1…T
///
/// so y_t depends on the whole sequence. The forward direction's tensors are named `hf_t`,
/// `W_1_fwd` (TeX `\overrightarrow{h}_{t}`, `\overrightarrow{W}_{1}`), the backward direction's
/// `hb_t`, `W_1_bwd` (`\overleftarrow{…}`); see `Direction`. Each direction is a scope of its own
/// (`forward direction` › `t = 2` › `LSTM cell` › …), followed by one `t = k` › `output` scope per
/// position. Shapes: W_y is O×2H, b_y is O×1, h_t is 2H×1.
public struct Bidirectional<Network: RecurrentNetwork>: Sendable {
    /// The shape of both directions (their parameters differ).
    public let network: Network
    public let outputSize: Int

    public init(_ network: Network, outputSize: Int) {
        self.network = network
        self.outputSize = outputSize
    }

    /// The forward direction's recurrent parameters (in the network's order), the backward
    /// direction's, then W_y and b_y, each drawn row-major uniform in ±1/√H (as PyTorch
    /// initialises both directions of a bidirectional layer).
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let bound = 1 / Double(network.hiddenSize).squareRoot()
        let forward = network.drawRecurrentParameters(using: &random)
        let backward = network.drawRecurrentParameters(using: &random)
        return forward + backward
            + [[outputSize, 2 * network.hiddenSize], [outputSize, 1]].map { Tensor.uniform($0, bound: bound, using: &random) }
    }

    /// Each direction's recurrent parameters (in the network's order), then W_y and b_y.
    public struct Parameters: ParameterSet {
        public let forward: Network.CellParameters
        public let backward: Network.CellParameters
        public let W_y: Var
        public let b_y: Var

        public var list: [Var] { forward.list + backward.list + [W_y, b_y] }

        public init(_ list: ArraySlice<Var>) {
            let split = list.startIndex + (list.count - 2) / 2
            forward = Network.CellParameters(list[..<split])
            backward = Network.CellParameters(list[split..<(list.endIndex - 2)])
            (W_y, b_y) = (list[list.endIndex - 2], list[list.endIndex - 1])
        }
    }

    /// The parameters on `tape`: `W_1_fwd`…, `W_1_bwd`…, `W_y`, `b_y` (for an RNN).
    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        let count = network.recurrentParameters.count
        return Parameters(
            network.bindRecurrent(values[..<count], on: tape, .forward).list
                + network.bindRecurrent(values[count..<2 * count], on: tape, .backward).list
                + [
                    tape.parameter(values[2 * count], name: "W_y", tex: "W_{y}"),
                    tape.parameter(values[2 * count + 1], name: "b_y", tex: "b_{y}"),
                ])
    }

    /// Runs both directions, then the outputs. Returns the forward states →h_0…→h_T, the backward
    /// states ←h_1…←h_{T+1} (both by position), and y_1…y_T.
    public func unroll(_ inputs: [Var], _ parameters: Parameters) -> (forward: [Var], backward: [Var], outputs: [Var]) {
        let tape = inputs[0].tape
        let forward = tape.scope("forward direction", kind: .direction("forward"), equation: Self.directionEquation(.forward)) {
            network.run(inputs, parameters.forward, .forward).map(network.hidden)
        }
        let backward = tape.scope("backward direction", kind: .direction("backward"), equation: Self.directionEquation(.backward)) {
            Array(network.run(inputs, parameters.backward, .backward).map(network.hidden).reversed())
        }
        let (W_y, b_y) = (parameters.W_y, parameters.b_y)
        let outputs = (1...inputs.count).map { t in
            tape.scope("t = \(t)", kind: .timeStep(t)) {
                tape.scope("output", equation: "y_{t} = W_y [\\overrightarrow{h}_{t}; \\overleftarrow{h}_{t}] + b_y") {
                    let h = concat([forward[t], backward[t - 1]]).named("h_\(t)", tex: "h_{\(t)}")
                    return (W_y • h + b_y).named("y_\(t)", tex: "y_{\(t)}").tagged("output", ["t": .int(t)])
                }
            }
        }
        return (forward, backward, outputs)
    }

    /// →h_t from x_1…x_t, or ←h_t from x_t…x_T.
    private static func directionEquation(_ direction: Direction) -> String {
        direction == .backward
            ? "\\overleftarrow{h}_{t} = \\operatorname{cell}(x_{t}, \\overleftarrow{h}_{t+1}), \\; t = T, \\dots, 1"
            : "\\overrightarrow{h}_{t} = \\operatorname{cell}(x_{t}, \\overrightarrow{h}_{t-1}), \\; t = 1, \\dots, T"
    }
}
