import Engine
import Trace

/// The one-way sequence demos: `rnn`, `lstm`, `peephole-lstm` and `gru`, each its network
/// (`RNN`, `LSTM`, `GRU`) on a `SequenceTask`, trained by backpropagation through time.
extension Demos {
    static let rnn = recurrentDemo(
        name: "rnn", title: "RNN", views: ["unrolled"],
        summary: "A simple RNN unrolled over a sequence, trained by backpropagation through time"
    ) { RNN(inputSize: $0, hiddenSize: $1, outputSize: $2) }

    static let lstm = recurrentDemo(
        name: "lstm", title: "LSTM", views: ["lstm-cell", "unrolled"],
        summary: "An LSTM (forget, input and output gates, cell state) unrolled over a sequence, trained by BPTT"
    ) { LSTM(inputSize: $0, hiddenSize: $1, outputSize: $2) }

    static let peepholeLSTM = recurrentDemo(
        name: "peephole-lstm", title: "Peephole LSTM", views: ["lstm-cell", "unrolled"],
        summary: "An LSTM whose gates also read the cell state through diagonal peephole weights"
    ) { LSTM(inputSize: $0, hiddenSize: $1, outputSize: $2, peepholes: true) }

    static let gru = recurrentDemo(
        name: "gru", title: "GRU", views: ["gru-cell", "unrolled"],
        summary: "A GRU (update and reset gates) unrolled over a sequence, trained by backpropagation through time"
    ) { GRU(inputSize: $0, hiddenSize: $1, outputSize: $2) }

    /// A sequence demo over the one-way network `make` builds from I, H and O, trained by SGD
    /// and titled "`title`, H = …".
    static func recurrentDemo<Network: RecurrentNetwork>(
        name: String, title: String, views: SuggestedViews, summary: String, make: @escaping @Sendable (Int, Int, Int) -> Network
    ) -> Demo {
        Demo(
            name: name, summary: summary, parameters: SequenceDemo.parameters, views: views,
            build: { config throws(DemoError) in
                var config = config
                var random = config.generator
                let task = try SequenceTask.make(&config, using: &random)
                let network = make(task.inputSize, config[SequenceDemo.hidden], task.outputSize)
                var states: [Var] = []   // h_1…h_T of the iteration running, for its gradient norms
                return SequenceDemo.run(
                    title: "\(title), H = \(network.hiddenSize): \(SequenceDemo.describe(task, config))",
                    model: name, config: config, task: task, initial: network.initialParameters(using: &random),
                    bind: network.bind,
                    outputs: { inputs, parameters in
                        let unrolled = network.unroll(inputs, parameters)
                        states = Array(unrolled.states.dropFirst())
                        return unrolled.outputs
                    },
                    norms: [.hidden { states }])
            })
    }

    static let birnn = bidirectionalDemo(name: "birnn", cell: "RNN", views: ["unrolled"]) { RNN(inputSize: $0, hiddenSize: $1, outputSize: $2) }
    static let bilstm = bidirectionalDemo(name: "bilstm", cell: "LSTM", views: ["lstm-cell", "unrolled"]) { LSTM(inputSize: $0, hiddenSize: $1, outputSize: $2) }
    static let bigru = bidirectionalDemo(name: "bigru", cell: "GRU", views: ["gru-cell", "unrolled"]) { GRU(inputSize: $0, hiddenSize: $1, outputSize: $2) }

    /// A bidirectional sequence demo over the network `make` builds from I, H and O. Both
    /// directions' output layers go unused: `Bidirectional` has its own.
    private static func bidirectionalDemo<Network: RecurrentNetwork>(
        name: String, cell: String, views: SuggestedViews, make: @escaping @Sendable (Int, Int, Int) -> Network
    ) -> Demo {
        Demo(
            name: name, summary: "A forward and a backward \(cell) over the same sequence, their states joined per position",
            parameters: SequenceDemo.parameters, views: views,
            build: { config throws(DemoError) in
                var config = config
                var random = config.generator
                let task = try SequenceTask.make(&config, using: &random)
                let network = Bidirectional(
                    make(task.inputSize, config[SequenceDemo.hidden], task.outputSize), outputSize: task.outputSize)
                // →h_1…→h_T and ←h_1…←h_T of the iteration running, for their gradient norms.
                var forward: [Var] = [], backward: [Var] = []
                return SequenceDemo.run(
                    title: "Bidirectional \(cell), H = \(network.network.hiddenSize): " + SequenceDemo.describe(task, config),
                    model: name, config: config, task: task, initial: network.initialParameters(using: &random),
                    bind: network.bind,
                    outputs: { inputs, parameters in
                        let unrolled = network.unroll(inputs, parameters)
                        (forward, backward) = (Array(unrolled.forward.dropFirst()), Array(unrolled.backward.dropLast()))
                        return unrolled.outputs
                    },
                    norms: [.hidden("forward") { forward }, .hidden("backward") { backward }])
            })
    }
}
