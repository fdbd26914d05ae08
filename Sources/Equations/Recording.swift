import Engine

/// Records on a tape: each equation's steps in a scope of its own with its equation typeset.
struct TapeBackend: EvaluationBackend {
    let tape: Tape

    func shape(_ value: Var) -> [Int] { value.shape }

    func constant(_ tensor: Tensor, name: String, tex: String) -> Var {
        tape.constant(tensor, name: name, tex: tex)
    }

    func apply(_ op: any Op, _ inputs: [Var], name: () -> String, tex: () -> String) throws(OpError) -> Var {
        let output = try tape.tryApply(op, inputs)
        guard tape.isRecording else { return output }
        let (n, t) = (name(), tex())
        return output.named(n, tex: t)
    }
}

extension EquationProgram {
    /// Every declared tensor's value: the given ones as written, the others drawn from `random` in
    /// the order declared — inputs and constants uniform in [−1, 1), parameters uniform in
    /// ±1/√(fan-in), the fan-in being a matrix's columns (the product of all but the first
    /// dimension for a higher-rank tensor; 1 for a vector).
    public func values(drawingFrom random: inout SeededGenerator) -> [TensorKey: Tensor] {
        var values: [TensorKey: Tensor] = [:]
        for leaf in leaves {
            switch leaf.value {
            case .given(let tensor):
                values[leaf.key] = tensor
            case .drawn(let shape):
                let count = shape.reduce(1, *)
                let bound: Double
                if leaf.role == .param {
                    let fanIn = shape.count >= 2 && !(shape.count == 2 && shape[1] == 1) ? shape.dropFirst().reduce(1, *) : 1
                    bound = 1 / Double(fanIn).squareRoot()
                } else {
                    bound = 1
                }
                values[leaf.key] = Tensor(shape: shape, scalars: (0..<count).map { _ in random.uniform(-bound, bound) })
            }
        }
        return values
    }

    /// The declared tensors on `tape`: inputs (which get a gradient: the error signal they pass
    /// back), parameters, constants; `parameters` replaces the parameters by tensors already bound
    /// (a training iteration's current ones), in the order of `self.parameters`.
    public func bind(_ values: [TensorKey: Tensor], on tape: Tape, parameters: [Var]? = nil) -> [TensorKey: Var] {
        let writer = TeXWriter(names: declaredTeX, sizes: sizes, substitution: nil)
        var bound: [TensorKey: Var] = [:]
        var next = 0
        for leaf in leaves {
            let value = values[leaf.key]!
            let tex = writer.name(leaf.key)
            switch leaf.role {
            case .input: bound[leaf.key] = tagged(tape.input(value, name: leaf.key.traceName, tex: tex), leaf.key)
            case .const: bound[leaf.key] = tagged(tape.constant(value, name: leaf.key.traceName, tex: tex), leaf.key)
            case .param:
                if let parameters {
                    bound[leaf.key] = parameters[next]
                    next += 1
                } else {
                    bound[leaf.key] = tape.parameter(value, name: leaf.key.traceName, tex: tex)
                }
            }
        }
        return bound
    }

    /// Declared TeX by name.
    var declaredTeX: [String: String] {
        var names: [String: String] = [:]
        for leaf in leaves {
            if let tex = leaf.tex { names[leaf.key.name] = tex }
        }
        return names
    }

    /// Records every equation in order on `tape`, from the bound declared tensors; returns every
    /// tensor by key. Each equation is a scope named after what it defines, holding its equation
    /// (the author's TeX, or TeX written from the expression); the instances of one index of a
    /// recurrence share a scope `t = 2`. The loss's scope is of kind `loss`.
    public func forward(on tape: Tape, leaves bound: [TensorKey: Var]) -> [TensorKey: Var] {
        var values = bound
        let texNames = declaredTeX
        var start = 0
        while start < order.count {
            // A run of instances with the same index value shares its scope.
            var end = start + 1
            if let s = order[start].substitution {
                while end < order.count, let next = order[end].substitution, next.variable == s.variable, next.value == s.value { end += 1 }
                tape.scope("\(s.variable) = \(s.value)", kind: .timeStep(s.value)) {
                    for i in start..<end { record(order[i], on: tape, into: &values, texNames: texNames) }
                }
            } else {
                record(order[start], on: tape, into: &values, texNames: texNames)
            }
            start = end
        }
        return values
    }

    private func record(_ instance: Instance, on tape: Tape, into values: inout [TensorKey: Var], texNames: [String: String]) {
        let equation = syntax.equations[instance.equation]
        let writer = TeXWriter(names: texNames, sizes: sizes, substitution: instance.substitution)
        let isLoss = equation.isLoss && instance.key == loss
        let result = tape.scope(
            instance.key.description, kind: isLoss ? .loss : nil,
            equation: equation.tex ?? writer.equation(instance.key, equation.expression)
        ) { () -> Var in
            var evaluator = Evaluator(
                backend: TapeBackend(tape: tape), values: values, sizes: sizes, substitution: instance.substitution,
                equationText: equation.text, texNames: texNames)
            do {
                return try evaluator.evaluateTensor(equation.expression)
            } catch {
                // The shapes were checked when the program was made, with the same evaluator.
                fatalError("an equation that checked failed to record: \(error)")
            }
        }
        values[instance.key] = tagged(result.named(instance.key.traceName, tex: writer.name(instance.key)), instance.key)
    }
}
