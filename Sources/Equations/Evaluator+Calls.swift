import Engine

/// A function call: its tensors and attributes sorted out, a list range expanded, the steps of the
/// function table recorded; a function of a plain number folds.
extension Evaluator {
    // MARK: Calls

    mutating func call(_ name: Located<String>, _ arguments: [Argument], _ span: Span, _ expression: Expression) throws(EquationDiagnostic)
        -> Operand<Backend.Value>
    {
        guard let spec = Functions.named(name.value) else {
            // `W(x + b)`: a product (References let it through only for a tensor and one argument).
            guard let left = values[TensorKey(name.value)], arguments.count == 1 else {
                throw fail(name.position, "unknown function '\(name.value.prefix(40))'")
            }
            let right = try evaluate(arguments[0].value)
            switch right {
            case .number(let c): return .tensor(try apply(Scale(c), [left], span, expression))
            case .tensor(let v): return .tensor(try apply(MatMul(), [left, v], span, expression))
            }
        }
        if let scalar = spec.scalar, arguments.count == 1, arguments[0].label == nil, isConstant(arguments[0].value),
            case .number(let n) = try evaluate(arguments[0].value)
        {
            // A function of a plain number is a number (`sqrt(d)` with d a size), as `1/2` is.
            let value = scalar(n)
            guard value.isFinite else { throw fail(span.start, "\(spec.name)(\(TeXWriter.number(n))) is not a finite number") }
            return .number(value)
        }
        var tensors: [Backend.Value] = []
        var given: [String: (Expression, SourcePosition)] = [:]
        var positionalAttributes = 0
        for argument in arguments {
            if let label = argument.label {
                guard spec.attributes.contains(where: { $0.name == label.value }) else {
                    let names = spec.attributes.map(\.name)
                    let near = suggestion(for: label.value, in: names)
                    throw fail(
                        label.position,
                        "\(spec.name) has no attribute '\(label.value.prefix(40))'"
                            + (near.map { "; did you mean \($0)?" } ?? "") + " (\(spec.usage))")
                }
                guard given[label.value] == nil else { throw fail(label.position, "\(label.value) is given twice") }
                given[label.value] = (argument.value, label.position)
                continue
            }
            if tensors.count < spec.tensors.upperBound || spec.name == "sum", positionalAttributes == 0, !isConstant(argument.value) {
                if case .reference(let reference, _) = argument.value, case .range(let from, let to) = reference.index {
                    let (a, b) = (bound(from), bound(to))
                    for i in a...b {
                        guard let v = values[TensorKey(reference.name, i)] else { throw fail(argument.value.position, "\(reference.name)[\(i)] has no value here") }
                        tensors.append(v)
                    }
                    continue
                }
                guard case .tensor(let v) = try evaluate(argument.value) else { fatalError("isConstant said otherwise") }
                tensors.append(v)
                continue
            }
            guard spec.takesPositionalAttributes, positionalAttributes < spec.attributes.count else {
                throw fail(argument.value.position, "\(spec.name) takes \(describeCount(spec.tensors)) and attributes by name: \(spec.usage)")
            }
            if tensors.count < spec.tensors.lowerBound {
                throw fail(argument.value.position, "\(spec.name) needs \(describeCount(spec.tensors)) first: \(spec.usage)")
            }
            let attribute = spec.attributes[positionalAttributes]
            positionalAttributes += 1
            guard given[attribute.name] == nil else { throw fail(argument.value.position, "\(attribute.name) is given twice") }
            given[attribute.name] = (argument.value, argument.value.position)
        }
        if spec.name == "sum", tensors.count > 1 {
            guard given.isEmpty else { throw fail(span.start, "sum of several tensors adds them; it takes no attribute") }
            var total = tensors[0]
            for next in tensors.dropFirst() { total = try apply(Add(), [total, next], span, expression) }
            return .tensor(total)
        }
        guard spec.tensors.contains(tensors.count) else {
            throw fail(span.start, "\(spec.name) takes \(describeCount(spec.tensors)), got \(tensors.count): \(spec.usage)")
        }
        var attributes = AttributeValues(values: [:])
        for attribute in spec.attributes {
            if let (value, position) = given[attribute.name] {
                attributes.values[attribute.name] = try read(value, as: attribute, at: position, in: spec)
            } else if let value = attribute.defaultValue {
                attributes.values[attribute.name] = value
            } else if !attribute.optional {
                throw fail(span.start, "\(spec.name) needs \(attribute.name): \(spec.usage)")
            }
        }
        let steps: [PlannedStep]
        do {
            steps = try spec.plan(tensors.map(backend.shape), attributes)
        } catch {
            throw fail(span.start, "\(spec.name): \(error.message) (\(spec.usage))")
        }
        var previous: Backend.Value?
        for step in steps {
            let inputs = step.operands.map { operand in
                switch operand {
                case .tensor(let i): return tensors[i]
                case .previous: return previous!
                }
            }
            previous = try apply(step.op, inputs, span, expression)
        }
        return .tensor(previous!)
    }

    func bound(_ b: Bound) -> Int {
        switch b {
        case .number(let n): return n
        case .size(let s): return sizes[s] ?? 0
        }
    }

    /// Whether an argument is a constant (a number, a list of numbers, a flag, a size): an attribute.
    func isConstant(_ expression: Expression) -> Bool {
        switch expression {
        case .number: return true
        case .reference(let reference, _):
            return reference.index == nil && (sizes[reference.name] != nil || reference.name == "true" || reference.name == "false")
        case .negate(let x, _): return isConstant(x)
        case .binary(_, let a, let b, _): return isConstant(a) && isConstant(b)
        case .stack(let rows, _): return rows.allSatisfy { $0.allSatisfy(isConstant) }
        case .transpose, .power, .call: return false
        }
    }

    mutating func read(_ expression: Expression, as attribute: AttributeSpec, at position: SourcePosition, in spec: FunctionSpec) throws(EquationDiagnostic)
        -> AttributeValue
    {
        func whole(_ n: Double) throws(EquationDiagnostic) -> Int {
            guard n == n.rounded(), abs(n) <= 1_000_000 else { throw fail(position, "\(attribute.name) is a whole number, not \(TeXWriter.number(n))") }
            return Int(n)
        }
        if attribute.kind == .flag {
            guard case .reference(let reference, _) = expression, reference.name == "true" || reference.name == "false" else {
                throw fail(position, "\(attribute.name) is true or false")
            }
            return .flag(reference.name == "true")
        }
        guard isConstant(expression) else {
            throw fail(position, "\(attribute.name) is a number or a list of numbers, not a tensor (\(spec.usage))")
        }
        if case .stack(let rows, _) = expression {
            if rows.isEmpty, attribute.kind == .integers { return .integers([]) }
            guard attribute.kind == .integers, rows.count == 1 else {
                throw fail(position, "\(attribute.name) is \(attribute.kind == .integers ? "a list [a, b]" : "one number")")
            }
            var list: [Int] = []
            for item in rows[0] {
                guard case .number(let n) = try evaluate(item) else { throw fail(position, "\(attribute.name) lists numbers") }
                list.append(try whole(n))
            }
            return .integers(list)
        }
        guard case .number(let n) = try evaluate(expression) else { throw fail(position, "\(attribute.name) is a number") }
        return attribute.kind == .real ? .real(n) : .integer(try whole(n))
    }
}
