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
            let at = span.operatorAt ?? span.start
            if let operands, operands.count == shapes.count {
                let named = zip(operands, shapes).map { "`\($0.prefix(60))` is \(describeShape($1))" }.joined(separator: " and ")
                throw fail(at, "\(named), and \(op.name) says: \(error.message)\(hint)")
            }
            throw fail(at, "\(op.name) of \(shapes.map(describeShape).joined(separator: " and ")): \(error.message)\(hint)")
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
}

func describeCount(_ range: ClosedRange<Int>) -> String {
    let noun = { (n: Int) in n == 1 ? "tensor" : "tensors" }
    if range.lowerBound == range.upperBound { return "\(range.lowerBound) \(noun(range.lowerBound))" }
    if range.upperBound == Int.max { return "\(range.lowerBound) or more tensors" }
    return "\(range.lowerBound) to \(range.upperBound) tensors"
}
