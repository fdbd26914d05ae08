import Engine
import Foundation

/// What the evaluator computes with: shapes when checking a program, `Var`s on a tape when
/// recording it. The one evaluator walks the expression for both, so a program that checks is a
/// program that records.
protocol EvaluationBackend {
    associatedtype Value
    func shape(_ value: Value) -> [Int]
    /// A number of the expression as a tensor (`1 - z`, `x / 3`).
    mutating func constant(_ tensor: Tensor, name: String, tex: String) -> Value
    /// One step; `name` and `tex` are asked for only when the step is recorded.
    mutating func apply(_ op: any Op, _ inputs: [Value], name: () -> String, tex: () -> String) throws(OpError) -> Value
}

/// Checks shapes without computing: each op's own shape rule.
struct ShapeBackend: EvaluationBackend {
    func shape(_ value: [Int]) -> [Int] { value }
    func constant(_ tensor: Tensor, name: String, tex: String) -> [Int] { tensor.shape }
    func apply(_ op: any Op, _ inputs: [[Int]], name: () -> String, tex: () -> String) throws(OpError) -> [Int] {
        let shape = try op.outputShape(inputs)
        let count = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
        guard count <= EquationProgram.maximumElements else {
            throw OpError(op: op.name, "the result would be \(describeShape(shape)), more than \(EquationProgram.maximumElements) numbers")
        }
        return shape
    }
}

/// A value of an expression: a plain number (folded as it is written: `1/2`) or a tensor.
enum Operand<Value> {
    case number(Double)
    case tensor(Value)
}

/// Evaluates one equation instance's expression with a backend.
struct Evaluator<Backend: EvaluationBackend> {
    var backend: Backend
    var values: [TensorKey: Backend.Value]
    let sizes: [String: Int]
    let substitution: (variable: String, value: Int)?
    let equationText: String
    var writer: TeXWriter

    init(
        backend: Backend, values: [TensorKey: Backend.Value], sizes: [String: Int], substitution: (variable: String, value: Int)?,
        equationText: String, texNames: [String: String] = [:]
    ) {
        self.backend = backend
        self.values = values
        self.sizes = sizes
        self.substitution = substitution
        self.equationText = equationText
        writer = TeXWriter(names: texNames, sizes: sizes, substitution: substitution)
    }

    func fail(_ position: SourcePosition, _ message: String) -> EquationDiagnostic {
        .error(position, "in `\(equationText.prefix(120))`: \(message)")
    }

    /// The expression as a tensor (a plain number becomes a 1×1 constant).
    mutating func evaluateTensor(_ expression: Expression) throws(EquationDiagnostic) -> Backend.Value {
        if let alias = aliased(expression) {
            throw fail(expression.position, "\(alias.text) alone only renames it; use \(alias.text) itself where this name is used")
        }
        switch try evaluate(expression) {
        case .number(let n):
            return backend.constant(Tensor(shape: [1, 1], scalars: [n]), name: TeXWriter.number(n), tex: TeXWriter.number(n))
        case .tensor(let v):
            return v
        }
    }

    /// The tensor an expression merely names (`x`, `[x]`, `x^1`): an equation must compute something.
    func aliased(_ expression: Expression) -> Span? {
        switch expression {
        case .reference(let reference, let span): return sizes[reference.name] == nil ? span : nil
        case .stack(let rows, _): return rows.count == 1 && rows[0].count == 1 ? aliased(rows[0][0]) : nil
        case .power(let x, let p, _): return p == 1 ? aliased(x) : nil
        default: return nil
        }
    }

    mutating func evaluate(_ expression: Expression) throws(EquationDiagnostic) -> Operand<Backend.Value> {
        switch expression {
        case .number(let n, _):
            return .number(n)
        case .reference(let reference, let span):
            if reference.index == nil, let size = sizes[reference.name] { return .number(Double(size)) }
            if reference.name == "true" || reference.name == "false" {
                throw fail(span.start, "\(reference.name) is a flag: only a function's attribute takes it (keepdims=true)")
            }
            guard let key = key(of: reference), let value = values[key] else {
                throw fail(span.start, "\(span.text) has no value here")  // References reported it already
            }
            return .tensor(value)
        case .binary(let op, let a, let b, let span):
            return try binary(op, a, b, span)
        case .negate(let x, let span):
            switch try evaluate(x) {
            case .number(let n): return .number(-n)
            case .tensor(let v): return .tensor(try apply(Neg(), [v], span, expression))
            }
        case .transpose(let x, let span):
            switch try evaluate(x) {
            case .number(let n): return .number(n)
            case .tensor(let v): return .tensor(try apply(Transpose(), [v], span, expression))
            }
        case .power(let x, let p, let span):
            let base = try evaluate(x)
            if case .number(let n) = base { return .number(pow(n, p)) }
            guard case .tensor(let v) = base else { fatalError() }
            switch p {
            case 1: return .tensor(v)  // a whole equation that is only x^1 is refused by `aliased`
            case 2: return .tensor(try apply(Square(), [v], span, expression))
            case 0.5: return .tensor(try apply(Sqrt(), [v], span, expression))
            default:
                throw fail(span.start, "a tensor's power is ^2 (square) or ^0.5 (sqrt); for others write exp(p * log(x))")
            }
        case .call(let name, let arguments, let span):
            return try call(name, arguments, span, expression)
        case .stack(let rows, let span):
            return try stack(rows, span, expression)
        }
    }

    func key(of reference: Reference) -> TensorKey? {
        switch reference.index {
        case nil: return TensorKey(reference.name)
        case .at(let variable, let offset)?:
            guard let variable else { return TensorKey(reference.name, offset) }
            if let substitution, substitution.variable == variable { return TensorKey(reference.name, substitution.value + offset) }
            if let size = sizes[variable] { return TensorKey(reference.name, size + offset) }
            return nil
        case .range?: return nil
        }
    }

    /// One step; a shape error names the op, and the operands as written with their shapes when
    /// `operands` gives their texts (`W x` is 2×1 and `b` is 3×1).
    mutating func apply(
        _ op: any Op, _ inputs: [Backend.Value], _ span: Span, _ expression: Expression, operands: [String]? = nil
    ) throws(EquationDiagnostic) -> Backend.Value {
        do {
            let (writer, substitution) = (self.writer, self.substitution)
            return try backend.apply(
                op, inputs, name: { Self.name(substitution.map { SourceWriter(substitution: $0).text(expression) } ?? span.text, of: expression) },
                tex: { writer.name(of: expression) })
        } catch {
            let shapes = inputs.map { backend.shape($0) }
            // `a x` with a 1×1 a reads as a product of matrices; the notes mean a scaling.
            let hint = op is MatMul && shapes.contains([1, 1]) ? "; to scale by a 1×1 tensor write * (a * x)" : ""
            if let operands, operands.count == shapes.count {
                let named = zip(operands, shapes).map { "`\($0.prefix(60))` is \(describeShape($1))" }.joined(separator: " and ")
                throw fail(span.start, "\(named), and \(op.name) says: \(error.message)\(hint)")
            }
            throw fail(span.start, "\(op.name) of \(shapes.map(describeShape).joined(separator: " and ")): \(error.message)\(hint)")
        }
    }

    /// An intermediate's name: its text, in parentheses when it is a sum, a product or a negation,
    /// so that its gradient's name reads `dQ/d(y - t)`.
    static func name(_ text: String, of expression: Expression) -> String {
        switch expression {
        case .binary, .negate: return text.hasPrefix("(") && text.hasSuffix(")") ? text : "(\(text))"
        default: return text
        }
    }

    mutating func constant(_ n: Double) -> Backend.Value {
        backend.constant(Tensor(scalar: n), name: TeXWriter.number(n), tex: TeXWriter.number(n))
    }

    // MARK: Operators

    mutating func binary(_ op: BinaryOperator, _ a: Expression, _ b: Expression, _ span: Span) throws(EquationDiagnostic) -> Operand<Backend.Value> {
        let expression = Expression.binary(op, a, b, span)
        let (left, right) = (try evaluate(a), try evaluate(b))
        switch (left, right) {
        case (.number(let x), .number(let y)):
            switch op {
            case .add: return .number(x + y)
            case .subtract: return .number(x - y)
            case .multiply, .matmul: return .number(x * y)
            case .divide:
                guard y != 0 else { throw fail(b.position, "division by zero") }
                return .number(x / y)
            }
        case (.number(let c), .tensor(let v)), (.tensor(let v), .number(let c)):
            let numberFirst = if case .number = left { true } else { false }
            switch op {
            case .multiply, .matmul:
                return .tensor(try apply(Scale(c), [v], span, expression))
            case .add:
                return .tensor(try apply(Add(), numberFirst ? [constant(c), v] : [v, constant(c)], span, expression))
            case .subtract:
                return .tensor(try apply(Sub(), numberFirst ? [constant(c), v] : [v, constant(c)], span, expression))
            case .divide:
                if !numberFirst, c == 0 { throw fail(b.position, "division by zero") }
                return .tensor(try apply(Div(), numberFirst ? [constant(c), v] : [v, constant(c)], span, expression))
            }
        case (.tensor(let x), .tensor(let y)):
            let engineOp: any Op =
                switch op {
                case .add: Add()
                case .subtract: Sub()
                case .multiply: Mul()
                case .divide: Div()
                case .matmul: MatMul()
                }
            return .tensor(try apply(engineOp, [x, y], span, expression, operands: [a.span.text, b.span.text]))
        }
    }

    /// `[a; b]` stacks (axis 0), `[a, b]` puts side by side (axis 1); numbers alone are a matrix.
    mutating func stack(_ rows: [[Expression]], _ span: Span, _ expression: Expression) throws(EquationDiagnostic) -> Operand<Backend.Value> {
        guard !rows.isEmpty else { throw fail(span.start, "[] holds nothing; write the tensor's values, or leave it out") }
        var evaluated: [[Operand<Backend.Value>]] = []
        for row in rows {
            var items: [Operand<Backend.Value>] = []
            for item in row { items.append(try evaluate(item)) }
            evaluated.append(items)
        }
        let numbers = evaluated.map { $0.compactMap { if case .number(let n) = $0 { n } else { nil } } }
        if numbers.map(\.count) == rows.map(\.count) {
            guard let width = numbers.first?.count, numbers.allSatisfy({ $0.count == width }) else {
                throw fail(span.start, "the rows of this matrix have different lengths")
            }
            if numbers.count == 1, width == 1 { return .number(numbers[0][0]) }
            let tensor = Tensor(shape: [numbers.count, width], scalars: numbers.flatMap { $0 })
            return .tensor(backend.constant(tensor, name: span.text, tex: writer.tex(expression)))
        }
        var stacked: [Backend.Value] = []
        for (r, row) in evaluated.enumerated() {
            var parts: [Backend.Value] = []
            for (c, item) in row.enumerated() {
                guard case .tensor(let v) = item else {
                    throw fail(rows[r][c].position, "a number among tensors in [ ]; write it as a tensor (const c = 1) or leave it out")
                }
                parts.append(v)
            }
            stacked.append(parts.count == 1 ? parts[0] : try apply(Concat(axis: 1), parts, span, expression))
        }
        return .tensor(stacked.count == 1 ? stacked[0] : try apply(Concat(axis: 0), stacked, span, expression))
    }

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

func describeCount(_ range: ClosedRange<Int>) -> String {
    let noun = { (n: Int) in n == 1 ? "tensor" : "tensors" }
    if range.lowerBound == range.upperBound { return "\(range.lowerBound) \(noun(range.lowerBound))" }
    if range.upperBound == Int.max { return "\(range.lowerBound) or more tensors" }
    return "\(range.lowerBound) to \(range.upperBound) tensors"
}
