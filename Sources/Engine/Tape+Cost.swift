import Trace

/// What a tape tells its run's `Meter`: the work of every op, the bytes every recorded tensor,
/// step, scope and label adds to the trace, the bytes of values the tape holds; and, before a
/// backward pass, what that pass will add.
extension Tape {
    /// Bookkeeping per op beyond its arithmetic (the node, the output's allocation, the step),
    /// in floating-point operations: about 1.5 µs, as long as 2000 operations take at the engine's
    /// 1.5 GFLOP/s. Without it a long run of small ops (an LSTM over 200 steps, H = 2) would
    /// count as almost free.
    public static let workPerOp = 2000.0

    func account(_ value: Tensor, work: Double, isStep: Bool) {
        guard let meter else { return }
        heldBytes += Double(8 * value.count)
        meter.count(
            work: isStep ? work + Self.workPerOp : 0,
            traceBytes: isRecording ? JSONSize.tensor(value, isStep: isStep) : 0, heldBytes: heldBytes)
    }

    func accountScope(_ scope: Scope) {
        meter?.count(
            work: 0, traceBytes: JSONSize.scope(name: scope.name, equation: scope.equation)
                + (scope.kind.map { 11 + Double($0.utf8.count) } ?? 0) + JSONSize.declarations(scope.attributes ?? [:]),
            heldBytes: heldBytes)
    }

    func accountTags(_ tags: [String: JSONValue]) {
        meter?.count(work: 0, traceBytes: JSONSize.declarations(tags), heldBytes: heldBytes)
    }

    func accountLabels(_ labels: [[String]?]) {
        guard isRecording else { return }
        meter?.count(work: 0, traceBytes: JSONSize.labels(labels), heldBytes: heldBytes)
    }

    /// What `backward(loss)` and the update after it will add, predicted from the forward graph
    /// without running them.
    ///
    /// Walking from the loss back as `backward` does, every op on the way gives each input that
    /// needs a gradient one new tensor of that input's size (g·Bᵀ, sigmoid_backward(s, g), …), for
    /// the work of the op itself, plus an `add` of that size where the input already has a
    /// contribution; then every parameter reached gets an `sgd` step. The gradient rules' other
    /// tensors (a transpose, a product inside a rule) are left out and a sparse gradient counts as
    /// dense: within 20 % on every demo measured (`BudgetTests`, docs/models.md).
    func predictedBackward(of loss: Var) -> Meter.Cost {
        var cost = Meter.Cost()
        func add(_ count: Int, work: Double) {
            cost.work += work + Self.workPerOp
            cost.memoryBytes += Double(8 * count)
            if isRecording {
                cost.traceBytes += JSONSize.tensorRecord + JSONSize.stepRecord + Double(count) * JSONSize.computedNumber
            }
        }
        var reached = [Bool](repeating: false, count: loss.id + 1)
        reached[loss.id] = true
        add(1, work: 0)  // the seed ∂L/∂L
        for id in stride(from: loss.id, through: 0, by: -1) {
            guard reached[id], nodes[id].requiresGradient, nodes[id].role != .parameter, let op = nodes[id].op else { continue }
            let inputs = nodes[id].inputs
            let opWork = op.work(inputs.map { nodes[$0].value }, nodes[id].value)
            for input in inputs where nodes[input].requiresGradient {
                let count = nodes[input].value.count
                add(count, work: opWork)
                if reached[input] { add(count, work: Double(3 * count)) }
                if !reached[input], nodes[input].role == .parameter { add(count, work: Double(4 * count)) }
                reached[input] = true
            }
        }
        return cost
    }
}
