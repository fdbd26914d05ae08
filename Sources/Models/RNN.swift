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

    /// W_1, b_1.
    public var recurrentParameters: [RecurrentParameter] {
        [RecurrentParameter("W", "1", [hiddenSize, inputSize + hiddenSize]), RecurrentParameter("b", "1", [hiddenSize, 1])]
    }

    /// W_1, b_1, W_2, b_2, each drawn row-major uniform in ±1/√H (PyTorch's `RNN` convention).
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let bound = 1 / Double(hiddenSize).squareRoot()
        return drawRecurrentParameters(using: &random)
            + [[outputSize, hiddenSize], [outputSize, 1]].map { Tensor.uniform($0, bound: bound, using: &random) }
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> [Var] {
        bindRecurrent(values[..<2], on: tape, .oneWay)
            + [tape.parameter(values[2], name: "W_2", tex: "W_{2}"), tape.parameter(values[3], name: "b_2", tex: "b_{2}")]
    }

    /// h_0 = 0 (or the backward direction's h_{T+1}), as an input.
    public func initialState(on tape: Tape, at t: Int, _ direction: Direction) -> Var {
        tape.input(.zeros([hiddenSize, 1]), name: direction.name("h", t), tex: direction.tex("h", t))
    }

    /// h_t for x_t and h_{t−1}, in the scope `RNN cell`.
    public func cell(_ x: Var, _ h: Var, _ parameters: [Var], step t: Int, _ direction: Direction = .oneWay) -> Var {
        let (W_1, b_1) = (parameters[0], parameters[1])
        return x.tape.scope("RNN cell", equation: Self.equation(direction)) {
            let a = (W_1 • concat([x, h]) + b_1).named(direction.name("a", t), tex: direction.tex("a", t))
            return tanh(a).named(direction.name("h", t), tex: direction.tex("h", t))
        }
    }

    /// h_{t} = \tanh(W_1 [x_{t}; h_{t-1}] + b_1), its symbols with the direction's arrows.
    private static func equation(_ direction: Direction) -> String {
        let (h, W, b) = (direction.symbol("h"), direction.symbol("W"), direction.symbol("b"))
        return "\(h)_{t} = \\tanh(\(W)_1 [x_{t}; \(h)_{\(direction.previous)}] + \(b)_1)"
    }

    public func hidden(_ state: Var) -> Var { state }

    /// y_t = W_2 h_t + b_2, in the scope `output`.
    public func output(_ h: Var, _ parameters: [Var], step t: Int) -> Var {
        let (W_2, b_2) = (parameters[2], parameters[3])
        return outputLayer(h, W_2, b_2, step: t, equation: "y_{t} = W_2 h_{t} + b_2")
    }

    /// Runs the network over x_1…x_T from h_0 = 0: each step's cell, then its output, in the
    /// step's `t = k` scope. Returns h_0…h_T and y_1…y_T.
    public func unroll(_ inputs: [Var], _ parameters: [Var]) -> (states: [Var], outputs: [Var]) {
        unrollOneWay(inputs, parameters) { h, t in output(h, parameters, step: t) }
    }
}

extension Demos {
    static let rnn = Demo(
        name: "rnn",
        summary: "A simple RNN unrolled over a sequence, trained by backpropagation through time",
        parameters: SequenceDemo.parameters(),
        build: { config throws(DemoError) in
            var config = config
            var random = config.generator
            let task = try SequenceTask.make(&config, using: &random)
            let network = RNN(inputSize: task.inputSize, hiddenSize: config.int("hidden"), outputSize: task.outputSize)
            return SequenceDemo.run(
                title: "RNN, H = \(network.hiddenSize): \(SequenceDemo.describe(task, iterations: config.int("train")))",
                model: "rnn", config: config, task: task, initial: network.initialParameters(using: &random),
                bind: network.bind, outputs: { network.unroll($0, $1).outputs })
        }
    )
}
