import Trace

extension Tape {
    /// Rosenblatt's perceptron rule for one example, recorded in phase `update` (op `perceptron`):
    /// weights ← weights + lr · (t − y) xᵀ, bias ← bias + lr · (t − y). It reads the example and
    /// the output, not a gradient, so it teaches a step neuron, whose gradient is zero. The bias's
    /// input is a constant `1` (the bias is the weight of an input that is always 1). Returns the
    /// next versions of the weights and the bias.
    public func perceptronRule(weights: Var, bias: Var, input x: Var, target t: Var, output y: Var, learningRate: Double)
        -> (weights: Var, bias: Var)
    {
        let savedPhase = phase
        phase = .update
        defer { phase = savedPhase }
        let one = constant(Tensor(shape: [1, 1], scalars: [1]), name: "1")
        let rule = Perceptron(learningRate: learningRate)
        return (nextVersion(of: weights, apply(rule, [weights, x, t, y])), nextVersion(of: bias, apply(rule, [bias, one, t, y])))
    }
}
