import Engine
import Trace

/// Small computations recorded forward, backward and (most) through an SGD update,
/// shared by the replay and determinism tests. Building one twice gives the same trace.
enum SampleTraces {
    static let names = ["attention", "network", "training", "non-finite"]

    static func named(_ name: String) -> TraceDocument {
        switch name {
        case "attention": return attention()
        case "network": return network()
        case "training": return training()
        case "non-finite": return nonFinite()
        default: fatalError("no sample trace '\(name)'")
        }
    }

    /// Embedding lookup (rows, repeated), causal attention (where −∞, softmax), concat, slice,
    /// a broadcast bias, cross-entropy; backward; one SGD update.
    static func attention() -> TraceDocument {
        let tape = Tape()
        var generator = SeededGenerator(seed: 2024)
        let e = tape.parameter(Tensor.uniform([5, 3], bound: 1, using: &generator), name: "E")
        let w = tape.parameter(Tensor.xavierUniform([3, 3], fanIn: 3, fanOut: 3, using: &generator), name: "W_q", tex: "W_q")
        let b = tape.parameter(Tensor.uniform([3], bound: 0.1, using: &generator), name: "b")
        let causal = tape.constant(T([4, 4], [1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1]), name: "causal")
        let target = tape.constant(T([4, 3], [1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 0]), name: "t")
        let x = tape.scope("embed") { rows(e, [1, 4, 1, 2]).labeled([["the", "cat", "the", "sat"], nil]) }
        let head = tape.scope("attention", equation: "\\mathrm{softmax}(Q X^\\top / \\sqrt{3})\\, X") {
            let q = (x • w + b).named("Q")
            let scores = (q • transpose(x)) * (1 / 3.0.squareRoot())
            let weights = softmax(masked(scores, where: causal, else: -.infinity), axis: 1)
            let context = weights • x
            return slice(concat([context, x, q], axis: 1), axis: 1, 2..<5)
        }
        let loss = softmaxCrossEntropy(logits: head, target: target, axis: 1)
        let gradients = tape.backward(loss)
        _ = tape.sgd([e, w, b], gradients, learningRate: 0.1)
        return tape.trace(title: "attention", model: "test", config: ["seed": 2024, "tokens": 4])
    }

    /// A two-layer network on a batch of 4 columns with broadcast biases and many unary ops; backward; SGD.
    static func network() -> TraceDocument {
        let tape = Tape()
        var generator = SeededGenerator(seed: 7)
        let w1 = tape.parameter(Tensor.fanInUniform([3, 2], fanIn: 2, using: &generator), name: "W1")
        let b1 = tape.parameter(Tensor.zeros([3, 1]), name: "b1")
        let w2 = tape.parameter(Tensor.fanInUniform([1, 3], fanIn: 3, using: &generator), name: "W2")
        let b2 = tape.parameter(T([], [0.1]), name: "b2")
        let x = tape.input(Tensor.uniform([2, 4], bound: 2, using: &generator), name: "X", requiresGradient: false)
        let t = tape.constant(T([1, 4], [0, 1, 1, 0]), name: "t")
        let h = tape.scope("hidden") { relu(w1 • x + b1) }
        let y = tape.scope("output") { sigmoid(w2 • h + b2) }
        let error = mean(square(y - t), axis: 1)
        let logTerm = -log(y + 1)
        let padded = pad(reshape(logTerm, [4]), axis: 0, before: 1, after: 1)
        let penalty = sum(sqrt(square(w1) + 1)) / tape.constant(T([], [10]), name: "10")
        let loss = sum(error) + mean(padded) + penalty + 0.01 * sum(tanh(exp(-h)))
        let gradients = tape.backward(loss)
        _ = tape.sgd([w1, b1, w2, b2], gradients, learningRate: 0.5)
        return tape.trace(title: "network", model: "test", config: ["hidden": 3])
    }

    /// Two traced iterations of SGDTrainer on least squares: parameter versions 1 and 2, and a history.
    static func training() -> TraceDocument {
        let tape = Tape()
        let w = tape.parameter(T([2, 1], [0, 0]), name: "w")
        let trainer = SGDTrainer(learningRate: 0.1, iterations: 4, tracedIterations: 2) { $0 == 4 }
        let result = trainer.run(on: tape, parameters: [w]) { tape, parameters in
            let x = tape.input(T([3, 2], [1, 0, 0, 1, 1, 1]), name: "X", requiresGradient: false)
            let target = tape.constant(T([3, 1], [1, 2, 2]), name: "t")
            return halfSquaredError(x • parameters[0], target)
        }
        return tape.trace(title: "training", model: "test", config: ["iterations": 4], history: result.history)
    }

    /// ln 0 = −∞, ln(−1) = NaN and e^800 = ∞ in the forward pass; ∂/∂w = ln x brings them into the backward pass.
    static func nonFinite() -> TraceDocument {
        let tape = Tape()
        let x = tape.input(T([4], [0, -1, 2, 1]), name: "x")
        let big = tape.input(T([2], [800, -800]), name: "z")
        let w = tape.input(T([4], [1, 2, 3, 4]), name: "w")
        let loss = sum(log(x) * w) + sum(exp(big))
        tape.backward(loss)
        return tape.trace(title: "non-finite", model: "test", config: [:])
    }
}
