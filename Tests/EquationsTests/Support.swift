@testable import Equations
import Models
import Testing
import Trace

/// The program of `text`, or the test fails with every diagnostic.
func program(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> EquationProgram {
    do {
        return try EquationProgram(parsing: text)
    } catch {
        Issue.record("the program does not check:\n\(error)", sourceLocation: sourceLocation)
        throw error
    }
}

/// Every diagnostic of `text`: the errors with the warnings found before them, or the warnings
/// of a program that checks.
func diagnostics(_ text: String) -> [EquationDiagnostic] {
    do {
        return try EquationProgram(parsing: text).warnings
    } catch {
        return error.diagnostics
    }
}

/// The `equations` demo's trace of `text`, with more of its parameters (`lr`, `train`, `seed`).
func trace(_ text: String, _ parameters: [String: JSONValue] = [:]) throws -> TraceDocument {
    try Demos.named("equations").trace(parameters.merging(["equations": .string(text)]) { given, _ in given })
}

extension TraceDocument {
    /// The first tensor named `name` that is not a gradient (a parameter's initial value).
    func tensor(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> TensorRecord {
        try #require(tensors.first { $0.name == name && $0.role != .gradient }, "no tensor \(name)", sourceLocation: sourceLocation)
    }

    /// The final gradient of the parameter or input named `name` (`gradients`).
    func gradient(of name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> TensorRecord {
        let of = try tensor(name, sourceLocation: sourceLocation)
        let id = try #require(gradients[String(of.id)], "no gradient of \(name)", sourceLocation: sourceLocation)
        return tensors[id]
    }

    /// The value of parameter `name` after `version` updates.
    func updated(_ name: String, version: Int = 1, sourceLocation: SourceLocation = #_sourceLocation) throws -> TensorRecord {
        try #require(
            tensors.first { $0.name == name && $0.role == .parameter && $0.version == version }, "no version \(version) of \(name)",
            sourceLocation: sourceLocation)
    }

    /// The ops of the steps of `phase` (all phases when nil).
    func ops(in phase: Phase? = nil) -> Set<String> { Set(steps.filter { phase == nil || $0.phase == phase }.map(\.op)) }
}

/// Whether `actual` is `expected` to 1e-12, relative plus absolute (the models' tolerance).
func close(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance * abs($1) + tolerance }
}

/// An expression as a prefix form that shows how it was grouped: `W x + b` is `(+ (@ W x) b)`.
func prefix(_ expression: Expression) -> String {
    func number(_ n: Double) -> String { n == n.rounded() ? String(Int(n)) : String(n) }
    func bound(_ b: Bound) -> String {
        switch b {
        case .number(let n): String(n)
        case .size(let s): s
        }
    }
    func index(_ index: IndexSyntax?) -> String {
        switch index {
        case nil: ""
        case .at(let variable?, let offset)?: "[\(variable)\(offset == 0 ? "" : offset > 0 ? "+\(offset)" : "\(offset)")]"
        case .at(nil, let offset)?: "[\(offset)]"
        case .range(let a, let b)?: "[\(bound(a))..\(bound(b))]"
        }
    }
    switch expression {
    case .number(let n, _): return number(n)
    case .reference(let r, _): return r.name + index(r.index)
    case .binary(let op, let a, let b, _): return "(\(op.rawValue) \(prefix(a)) \(prefix(b)))"
    case .negate(let x, _): return "(neg \(prefix(x)))"
    case .transpose(let x, _): return "(T \(prefix(x)))"
    case .power(let x, let p, _): return "(^\(number(p)) \(prefix(x)))"
    case .call(let name, let arguments, _):
        return "(\(name.value)" + arguments.map { " " + ($0.label.map { "\($0.value)=" } ?? "") + prefix($0.value) }.joined() + ")"
    case .stack(let rows, _): return "[" + rows.map { $0.map(prefix).joined(separator: ", ") }.joined(separator: "; ") + "]"
    }
}

/// The expressions of `text`'s equations, parsed alone (no names resolved), in the order written.
func parsedExpressions(_ text: String) -> [String] {
    var parser = Parser()
    let syntax = parser.parse(text)
    #expect(parser.diagnostics.isEmpty, "\(parser.diagnostics)")
    return syntax.equations.map { prefix($0.expression) }
}

/// `"W"` for `TensorKey("W")` in expectations.
extension TensorKey: ExpressibleByStringLiteral {
    public init(stringLiteral name: String) { self.init(name) }
}
