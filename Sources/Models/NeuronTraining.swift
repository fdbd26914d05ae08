import Engine
import Trace

/// Online training of one `Neuron`: each example in turn runs forward, backward (the gradient is
/// recorded whatever the rule, so that a step neuron's zeros show) and one update, by SGD or by
/// Rosenblatt's perceptron rule. The first epoch runs on the recording tape; the others on a fresh
/// non-recording tape each, from the values the previous epoch left.
struct NeuronTraining {
    let neuron: Neuron
    let rule: NeuronParameters.Update
    let learningRate: Double
    let epochs: Int

    /// Trains from `initial` ([w, b] or [c, σ]) and returns the history: one entry per epoch, its
    /// loss the sum of the examples' losses (each before its update) and the parameters after it.
    /// One epoch over one example keeps no history (the trace is the whole story).
    func callAsFunction(_ examples: [NeuronExample], _ initial: [Tensor], on tape: Tape) -> [HistoryEntry]? {
        let names = neuron.kind == .rbf ? ["c", "sigma"] : ["w", "b"]
        let texs = neuron.kind == .rbf ? ["c", "\\sigma"] : ["w", "b"]
        var values = initial
        var history: [HistoryEntry] = []
        for epoch in 1...epochs {
            let traced = epoch == 1
            let work = traced ? tape : Tape(recording: false)
            var parameters = zip(values, zip(names, texs)).map { work.parameter($0, name: $1.0, tex: $1.1) }
            var loss = 0.0
            for (k, example) in examples.enumerated() {
                let index = examples.count > 1 ? k + 1 : nil
                let step = { (parameters: [Var]) -> ([Var], Double) in
                    self.step(example, parameters, index: index, on: work)
                }
                let (next, Q) = index.map { i in work.scope("example \(i)") { step(parameters) } } ?? step(parameters)
                parameters = next
                loss += Q
            }
            values = parameters.map(\.value)
            let snapshots = Dictionary(uniqueKeysWithValues: zip(names, values).map { ($0, TensorSnapshot(shape: $1.shape, data: $1.scalars)) })
            history.append(HistoryEntry(iteration: epoch, loss: loss, traced: traced, tensors: snapshots))
        }
        return epochs == 1 && examples.count == 1 ? nil : history
    }

    /// One example: forward, backward, update. Returns the parameters' next versions and Q.
    private func step(_ example: NeuronExample, _ parameters: [Var], index: Int?, on tape: Tape) -> ([Var], Double) {
        let suffix = index.map { "_\($0)" } ?? "", texSuffix = index.map { "_{\($0)}" } ?? ""
        let x = tape.input(Tensor(column: example.x), name: "x" + suffix, tex: "x" + texSuffix)
        let t = tape.constant(Tensor(column: example.t), name: "t" + suffix, tex: "t" + texSuffix)
        let (y, Q) = neuron(x, target: t, parameters, example: index)
        let gradients = tape.backward(Q)
        switch rule {
        case .sgd:
            return (tape.sgd(parameters, gradients, learningRate: learningRate), Q.value.scalars[0])
        case .perceptron:
            let next = tape.perceptronRule(weights: parameters[0], bias: parameters[1], input: x, target: t, output: y, learningRate: learningRate)
            return ([next.weights, next.bias], Q.value.scalars[0])
        }
    }
}
