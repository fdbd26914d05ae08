/// The checks once the order is known: every shape by the ops' own rules, then the warnings.
extension Resolver {
    // MARK: Shapes

    mutating func checkShapes() {
        var backend = ShapeBackend()
        var values: [TensorKey: [Int]] = shapes
        for instance in order {
            let equation = syntax.equations[instance.equation]
            var evaluator = Evaluator(
                backend: backend, values: values, sizes: sizes, substitution: instance.substitution, equationText: equation.text)
            do throws(EquationDiagnostic) {
                let shape = try evaluator.evaluateTensor(equation.expression)
                guard shape.reduce(1, *) <= EquationProgram.maximumElements else {
                    throw .error(equation.name.position, "\(instance.key) would hold \(shape.reduce(1, *)) numbers; at most \(EquationProgram.maximumElements)")
                }
                values[instance.key] = shape
                backend = evaluator.backend
            } catch {
                diagnostics.append(error)
                return
            }
        }
        shapes = values
        if let loss, let shape = shapes[loss], shape.reduce(1, *) != 1 {
            let equation = syntax.equations.first { $0.isLoss }!
            error(
                equation.name.position,
                "the loss \(loss) is \(describeShape(shape)); a loss is one number: add its elements (loss \(loss) = sum(…))")
        }
    }

    // MARK: Warnings

    mutating func warnAboutUnused() {
        var used: Set<String> = []
        for instance in instances {
            for key in instance.dependencies { used.insert(key.name) }
        }
        var warned: Set<String> = []
        for leaf in leaves where !used.contains(leaf.key.name) && !warned.contains(leaf.key.name) {
            warned.insert(leaf.key.name)
            diagnostics.append(.warning(leaf.position, "\(leaf.key.name) is declared but never used; use it in an equation or remove it"))
        }
        let parameters = leaves.filter { $0.role == .param && used.contains($0.key.name) }
        guard let loss else {
            if let first = parameters.first {
                diagnostics.append(
                    .warning(first.position, "no loss is named, so nothing is differentiated; name one: loss Q = …"))
            }
            return
        }
        // Which tensors the loss depends on.
        var reaches: Set<TensorKey> = [loss]
        var stack = [loss]
        var byKey: [TensorKey: EquationProgram.Instance] = [:]
        for instance in instances { byKey[instance.key] = instance }
        while let key = stack.popLast() {
            for dependency in byKey[key]?.dependencies ?? [] where !reaches.contains(dependency) {
                reaches.insert(dependency)
                stack.append(dependency)
            }
        }
        for leaf in parameters where !reaches.contains(leaf.key) && !warned.contains(leaf.key.name) {
            warned.insert(leaf.key.name)
            diagnostics.append(.warning(leaf.position, "the loss \(loss) does not depend on \(leaf.key), so it gets no gradient"))
        }
    }
}
