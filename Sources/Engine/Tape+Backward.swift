import Trace

extension Tape {
    /// Reverse mode from a scalar loss: records the backward pass as steps and returns
    /// ∂loss/∂x for every tensor x on the way to a parameter or gradient-requiring input.
    ///
    /// The walk goes over tensor ids from the loss down to 0: ids are a topological order,
    /// so no recursion is needed however deep the graph (a 200-step unrolled RNN included).
    /// Each op's gradient rule runs in the op's own scope, in phase `backward`. Where a tensor
    /// feeds several ops, the contributions are summed by recorded `add` steps.
    ///
    /// The seed ∂L/∂L = 1 is the only gradient tensor not produced by a step.
    @discardableResult
    public func backward(_ loss: Var) -> Gradients {
        precondition(loss.tape === self, "backward: the loss belongs to another tape")
        precondition(loss.value.count == 1, "backward: the loss must hold one value, it has shape \(describe(loss.shape))")
        // A run over its budget skips the pass: no gradients, no updates, and it ends soon.
        if let meter, !meter.allows(predictedBackward(of: loss), holding: heldBytes) { return Gradients(byID: []) }
        nodes[loss.id].role = .loss
        lossID = loss.id
        let savedPhase = phase
        let savedScope = currentScope
        phase = .backward
        defer {
            phase = savedPhase
            currentScope = savedScope
        }

        var grads = [Var?](repeating: nil, count: loss.id + 1)
        let seed = leaf(Tensor.filled(loss.shape, with: 1), name: nil, tex: nil, role: .gradient, requiresGradient: false)
        markGradient(seed, of: loss.id)
        grads[loss.id] = seed

        for id in stride(from: loss.id, through: 0, by: -1) {
            // Stopped on reaching a limit the prediction did not foresee.
            if meter?.isStopped == true { return Gradients(byID: []) }
            // A parameter is a leaf even when an `sgd` step made it: gradients stop there.
            guard let grad = grads[id], nodes[id].requiresGradient, nodes[id].role != .parameter,
                let op = nodes[id].op
            else { continue }
            precondition(
                type(of: op).isDifferentiable,
                "backward: '\(op.name)' has no gradient rule (it only occurs in backward and update phases)")
            let inputs = nodes[id].inputs.map { Var(tape: self, id: $0) }
            currentScope = nodes[id].scope
            let firstNew = nodes.count
            let context = GradientContext(
                inputs: inputs, output: Var(tape: self, id: id), grad: grad,
                needs: inputs.map { nodes[$0.id].requiresGradient })
            let contributions = op.gradients(context)
            for (input, contribution) in zip(inputs, contributions) {
                guard let contribution, nodes[input.id].requiresGradient else { continue }
                if contribution.id >= firstNew { markGradient(contribution, of: input.id) }
                if let earlier = grads[input.id] {
                    let sum = apply(Add(), [earlier, contribution])
                    markGradient(sum, of: input.id)
                    grads[input.id] = sum
                } else {
                    grads[input.id] = contribution
                }
            }
        }

        finalGradients = [:]
        for (id, grad) in grads.enumerated() where nodes[id].role == .parameter || nodes[id].role == .input {
            if let grad { finalGradients[id] = grad.id }
        }
        return Gradients(byID: grads)
    }

    /// Marks a tensor as (a contribution to) ∂L/∂x for this backward pass's loss. Its name and
    /// TeX (`dQ/dW`) are derived when read (see `Var.name`), so none are built on the hot path.
    private func markGradient(_ gradient: Var, of id: Int) {
        nodes[gradient.id].role = .gradient
        nodes[gradient.id].of = id
        nodes[gradient.id].gradientLoss = lossID
    }

    // MARK: Updates

    /// One step of stochastic gradient descent, recorded in phase `update`:
    /// each parameter's next version is `p − lr · ∂L/∂p` (op `sgd`).
    /// Parameters without a gradient are returned unchanged.
    public func sgd(_ parameters: [Var], _ gradients: Gradients, learningRate: Double) -> [Var] {
        let savedPhase = phase
        phase = .update
        defer { phase = savedPhase }
        return parameters.map { parameter in
            guard let gradient = gradients[parameter] else { return parameter }
            return nextVersion(of: parameter, apply(SGD(learningRate: learningRate), [parameter, gradient]))
        }
    }

    /// `updated` made the next version of `parameter`: a `parameter` with its name, TeX and
    /// labels, `of` the original and the next `version` (what every update op's output is).
    func nextVersion(of parameter: Var, _ updated: Var) -> Var {
        let base = nodes[parameter.id].of ?? parameter.id
        nodes[updated.id].role = .parameter
        nodes[updated.id].name = nodes[parameter.id].name
        nodes[updated.id].tex = nodes[parameter.id].tex
        nodes[updated.id].labels = nodes[parameter.id].labels
        nodes[updated.id].of = base
        nodes[updated.id].version = (nodes[parameter.id].version ?? 0) + 1
        nodes[updated.id].requiresGradient = true
        return updated
    }

    /// A running statistic's next version, recorded in phase `update` as a `running_average
    /// {momentum}` step: (1 − momentum) · running + momentum · statistic. Batch normalization keeps
    /// its running mean and variance this way. The output is a `constant` (state, not learned) with
    /// the running tensor's name, `of` the original and the next `version`, as `sgd` makes them.
    public func runningAverage(_ running: Var, _ statistic: Var, momentum: Double) -> Var {
        let savedPhase = phase
        phase = .update
        defer { phase = savedPhase }
        let updated = apply(RunningAverage(momentum: momentum), [running, statistic])
        nodes[updated.id].role = .constant
        nodes[updated.id].name = nodes[running.id].name
        nodes[updated.id].tex = nodes[running.id].tex
        nodes[updated.id].labels = nodes[running.id].labels
        nodes[updated.id].of = nodes[running.id].of ?? running.id
        nodes[updated.id].version = (nodes[running.id].version ?? 0) + 1
        return updated
    }

    /// Gradient clipping by norm, recorded in phase `update` before `sgd`: each parameter's
    /// gradient g becomes `clip_norm(g) {max_norm}` (op `clip_norm`), named `clip(dQ/dW)`.
    /// Each gradient is clipped on its own (per tensor, not one norm over all parameters).
    /// Returns the gradients with those entries replaced, to pass to `sgd`.
    public func clipGradients(of parameters: [Var], _ gradients: Gradients, maxNorm: Double) -> Gradients {
        let savedPhase = phase
        phase = .update
        defer { phase = savedPhase }
        var byID = gradients.byID
        for parameter in parameters {
            guard let gradient = gradients[parameter] else { continue }
            byID[parameter.id] = apply(ClipNorm(maxNorm: maxNorm), [gradient])
                .named("clip(\(gradient.name))", tex: "\\operatorname{clip}\\left(\(gradient.tex)\\right)")
        }
        return Gradients(byID: byID)
    }
}

/// The gradients of one backward pass, by tensor.
public struct Gradients {
    let byID: [Var?]

    /// ∂L/∂x, or `nil` when the loss does not depend on `x` through differentiable ops.
    public subscript(_ x: Var) -> Var? {
        x.id < byID.count ? byID[x.id] : nil
    }
}
