import Engine
import Trace

/// The simple recurrent network of the notes, unrolled over the sequence:
///
///     a_t = W_1 [x_t; h_{t−1}] + b_1,   h_t = tanh(a_t),   y_t = W_2 h_t + b_2,
///
/// with h_0 = 0. Shapes: x_t is I×1, h_t is H×1, W_1 is H×(I+H), b_1 is H×1, W_2 is O×H, b_2 is O×1.
/// Backpropagation through time is the engine's reverse mode over the unrolled graph: W_1 feeds
/// every step, so its gradient is the recorded sum of one contribution per step.
public struct RNN: Sendable {
    public let inputSize: Int
    public let hiddenSize: Int
    public let outputSize: Int

    public init(inputSize: Int, hiddenSize: Int, outputSize: Int) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.outputSize = outputSize
    }

    /// W_1, b_1, W_2, b_2, each drawn row-major uniform in ±1/√H (PyTorch's `RNN` convention).
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let bound = 1 / Double(hiddenSize).squareRoot()
        return [
            [hiddenSize, inputSize + hiddenSize], [hiddenSize, 1], [outputSize, hiddenSize], [outputSize, 1],
        ].map { Tensor.uniform($0, bound: bound, using: &random) }
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> [Var] {
        zip(values, [("W_1", "W_{1}"), ("b_1", "b_{1}"), ("W_2", "W_{2}"), ("b_2", "b_{2}")]).map { value, name in
            tape.parameter(value, name: name.0, tex: name.1)
        }
    }

    /// h_t for x_t and h_{t−1}, in the scope `RNN cell`.
    public func cell(_ x: Var, _ h: Var, _ parameters: [Var], step t: Int) -> Var {
        let (W_1, b_1) = (parameters[0], parameters[1])
        return x.tape.scope("RNN cell", equation: "h_{t} = \\tanh(W_1 [x_{t}; h_{t-1}] + b_1)") {
            let a = (W_1 • concat([x, h]) + b_1).named("a_\(t)", tex: "a_{\(t)}")
            return tanh(a).named("h_\(t)", tex: "h_{\(t)}")
        }
    }

    /// y_t = W_2 h_t + b_2, in the scope `output`.
    public func output(_ h: Var, _ parameters: [Var], step t: Int) -> Var {
        let (W_2, b_2) = (parameters[2], parameters[3])
        return h.tape.scope("output", equation: "y_{t} = W_2 h_{t} + b_2") {
            (W_2 • h + b_2).named("y_\(t)", tex: "y_{\(t)}")
        }
    }

    /// Runs the network over x_1…x_T from h_0 = 0: each step's cell, then its output, in the
    /// step's `t = k` scope. Returns h_0…h_T and y_1…y_T.
    public func unroll(_ inputs: [Var], _ parameters: [Var]) -> (states: [Var], outputs: [Var]) {
        let tape = inputs[0].tape
        var states = [tape.input(.zeros([hiddenSize, 1]), name: "h_0", tex: "h_{0}")]
        let outputs = inputs.enumerated().map { index, x in
            let t = index + 1
            return tape.scope("t = \(t)") {
                states.append(cell(x, states[index], parameters, step: t))
                return output(states[t], parameters, step: t)
            }
        }
        return (states, outputs)
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
