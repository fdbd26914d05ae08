import Engine
import Testing
import Trace

@Suite("Perceptron rule")
struct PerceptronRuleTests {
    /// A step neuron w = [1, −1], b = 0 on x = [1, 2] with target 1: net = −1, y = 0, a miss.
    /// Rosenblatt's rule with η = ½: w + ½ · (1 − 0) · [1, 2] = [1.5, 0], b + ½ = ½; the gradient is 0.
    @Test("perceptronRule records perceptron steps in phase update that make versions 1 of w and b, by hand; the gradient stays 0")
    func ruleMovesAStepNeuronWhereTheGradientIsZero() throws {
        let tape = Tape()
        let w = tape.parameter(Tensor(shape: [1, 2], scalars: [1, -1]), name: "w")
        let b = tape.parameter(Tensor(shape: [1, 1], scalars: [0]), name: "b")
        let x = tape.input(Tensor(column: [1, 2]), name: "x")
        let t = tape.constant(Tensor(shape: [1, 1], scalars: [1]), name: "t")
        let y = step(w • x + b)
        let gradients = tape.backward(halfSquaredError(y, t))
        #expect(gradients[w]?.value.scalars == [0, 0])
        let next = tape.perceptronRule(weights: w, bias: b, input: x, target: t, output: y, learningRate: 0.5)
        #expect(next.weights.value.scalars == [1.5, 0])
        #expect(next.bias.value.scalars == [0.5])
        let trace = tape.trace(title: "", model: "", config: [:])
        let updates = trace.steps.filter { $0.phase == .update }
        #expect(updates.map(\.op) == ["perceptron", "perceptron"])
        #expect(trace.tensors[next.weights.id].version == 1 && trace.tensors[next.weights.id].of == w.id)
        #expect(trace.tensors[next.bias.id].name == "b" && trace.tensors[next.bias.id].role == .parameter)
        // The bias's input is the constant 1.
        let biasInput = try #require(updates.last?.inputs[1])
        #expect(trace.tensors[biasInput].data == [1] && trace.tensors[biasInput].role == .constant)
    }

    @Test("perceptron refuses an input, target or output of the wrong shape, naming the shapes")
    func shapesAreChecked() {
        let rule = Perceptron(learningRate: 1)
        let p = [2, 3]
        for (shapes, words) in [([p, [2, 1], [2, 1], [2, 1]], "column of 3"), ([p, [3, 1], [1, 1], [2, 1]], "must both be"), ([[3], [3, 1], [1, 1], [1, 1]], "not a matrix")] {
            #expect(throws: OpError.self) { try rule.shapeRule(shapes) }
            do { _ = try rule.shapeRule(shapes) } catch { #expect(error.description.contains(words)) }
        }
    }
}
