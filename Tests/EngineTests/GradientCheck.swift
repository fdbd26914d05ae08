import Engine
import Testing
import Trace

/// Gradient checking against central finite differences.
///
/// For a computation `f` of some input tensors, the scalar loss is L = Σ f(inputs) ⊙ R with R a fixed
/// random weighting (a constant, so that every output element matters with a different weight).
/// `tape.backward(L)` must give, for every input element x_i, (L(x + h e_i) − L(x − h e_i)) / 2h.
enum GradientCheck {
    static let h = 1e-6
    static let tolerance = 1e-6

    /// R: the weights of the output elements, seeded, in [−1, 1).
    static func weights(_ shape: [Int], seed: UInt64 = 0xC0FFEE) -> Tensor {
        seeded(shape, seed: seed)
    }

    /// Σ f(inputs) ⊙ R, evaluated on a non-recording tape in plain arithmetic.
    static func weightedSum(_ inputs: [Tensor], _ weights: Tensor, _ f: ([Var]) -> Var) -> Double {
        let tape = Tape(recording: false)
        let output = f(inputs.enumerated().map { tape.constant($1, name: "x\($0)") }).value
        precondition(output.shape == weights.shape, "weights of shape \(weights.shape) for output \(output.shape)")
        var total = 0.0
        for (y, r) in zip(output.scalars, weights.scalars) { total += y * r }
        return total
    }

    /// ∂(Σ f(inputs) ⊙ R)/∂inputs by central differences, one element at a time.
    static func numericGradients(_ inputs: [Tensor], weights: Tensor, h: Double = h, _ f: ([Var]) -> Var) -> [Tensor] {
        inputs.indices.map { k in
            var gradient = Tensor.zeros(inputs[k].shape)
            for i in 0..<inputs[k].count {
                var plus = inputs, minus = inputs
                plus[k].scalars[i] += h
                minus[k].scalars[i] -= h
                gradient.scalars[i] = (weightedSum(plus, weights, f) - weightedSum(minus, weights, f)) / (2 * h)
            }
            return gradient
        }
    }

    /// The shape `f` produces for these inputs.
    static func outputShape(_ inputs: [Tensor], _ f: ([Var]) -> Var) -> [Int] {
        let tape = Tape(recording: false)
        return f(inputs.enumerated().map { tape.constant($1, name: "x\($0)") }).shape
    }

    /// Checks reverse mode against central differences for every input of `f`.
    ///
    /// Also checks that each numeric gradient has a non-zero entry, so that a check can fail:
    /// a computation whose loss ignores an input would otherwise pass vacuously.
    static func expectGradientsMatch(
        _ inputs: [Tensor], tolerance: Double = tolerance, _ label: String = "",
        sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Var]) -> Var
    ) {
        let weights = Self.weights(outputShape(inputs, f))

        let tape = Tape()
        let vars = inputs.enumerated().map { tape.input($1, name: "x\($0)") }
        let output = f(vars)
        let loss = sum(output * tape.constant(weights, name: "R"))
        let gradients = tape.backward(loss)
        #expect(
            close(loss.value.scalar, weightedSum(inputs, weights, f), tolerance: 1e-12), "\(label): loss",
            sourceLocation: sourceLocation)

        let numeric = numericGradients(inputs, weights: weights, f)
        for k in inputs.indices {
            guard let analytic = gradients[vars[k]]?.value else {
                Issue.record("\(label): input \(k) got no gradient", sourceLocation: sourceLocation)
                continue
            }
            #expect(analytic.shape == inputs[k].shape, "\(label): gradient shape of input \(k)", sourceLocation: sourceLocation)
            #expect(
                numeric[k].scalars.contains { abs($0) > 1e-4 }, "\(label): input \(k) does not affect the loss",
                sourceLocation: sourceLocation)
            guard analytic.shape == inputs[k].shape else { continue }
            for i in 0..<analytic.count where !close(analytic.scalars[i], numeric[k].scalars[i], tolerance: tolerance) {
                Issue.record(
                    "\(label): ∂L/∂x\(k)[\(i)] = \(analytic.scalars[i]) by backward, \(numeric[k].scalars[i]) by finite differences",
                    sourceLocation: sourceLocation)
            }
        }
    }
}
