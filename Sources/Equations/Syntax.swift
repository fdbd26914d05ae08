import Trace

/// Where something is in an equations text: 1-based line and column (in characters), the
/// position type of the trace reader's errors.
public typealias SourcePosition = TextPosition

/// A name as written, with where it is.
public struct Located<Value: Sendable & Equatable>: Sendable, Equatable {
    public var value: Value
    public var position: SourcePosition
}

/// What a declared tensor is to the network: data fed in, a learnable parameter, or a fixed constant.
public enum DeclaredRole: String, Sendable, Equatable, CaseIterable {
    case input, param, const
}

/// A dimension of a declared shape: a number, or a `size` name.
enum Dimension: Sendable, Equatable {
    case number(Int)
    case size(String)
}

/// A tensor's value as a declaration writes it.
enum ValueSyntax: Sendable, Equatable {
    /// `[1, 2; 3, 4]` (rows split by `;`, columns by `,`) or a single number (a 1×1 tensor).
    case matrix(rows: [[Double]], bracketed: Bool)
    /// `zeros(2, 1)`, `ones(H, 1)`.
    case filled(Double, [Dimension])
    /// `: 2×3`: drawn from the seed.
    case drawn([Dimension])
}

/// An index as written after a name: `x[2]`, `h[t-1]`, a range `Q[1..T]` (arguments of `sum`, `concat`).
enum IndexSyntax: Sendable, Equatable {
    /// A variable plus an offset (`t-1` is variable "t", offset −1), or a number (variable nil).
    case at(variable: String?, offset: Int)
    /// `a..b`: every index from a to b.
    case range(Bound, Bound)

    /// The index as text, the variable replaced by its value where `substitution` gives one:
    /// `t-1` → `1` for t = 2; a range `1..T` with `separator` between its ends.
    func written(_ substitution: (variable: String, value: Int)?, rangeSeparator separator: String) -> String {
        switch self {
        case .at(let variable, let offset):
            guard let variable else { return String(offset) }
            if let substitution, substitution.variable == variable { return String(substitution.value + offset) }
            return offset == 0 ? variable : offset > 0 ? "\(variable)+\(offset)" : "\(variable)-\(-offset)"
        case .range(let a, let b):
            return "\(a.text)\(separator)\(b.text)"
        }
    }
}

/// An end of a range: a number or a `size` name.
enum Bound: Sendable, Equatable {
    case number(Int)
    case size(String)

    var text: String {
        switch self {
        case .number(let n): return String(n)
        case .size(let s): return s
        }
    }
}

/// A name and, for a sequence, an index: `W`, `x[2]`, `h[t-1]`.
struct Reference: Sendable, Equatable {
    var name: String
    var index: IndexSyntax?
}

/// An expression of the language, each node with the position of its first character and the
/// source text it was parsed from (intermediate tensors are named by it).
indirect enum Expression: Sendable, Equatable {
    case number(Double, Span)
    case reference(Reference, Span)
    /// `a + b`, `a - b`, `a * b` (element-wise), `a / b`, `a @ b` (matrix product; also `W x`, `w · x`).
    case binary(BinaryOperator, Expression, Expression, Span)
    case negate(Expression, Span)
    /// `x^T`, `xᵀ`.
    case transpose(Expression, Span)
    /// `x^2`.
    case power(Expression, Double, Span)
    /// `f(a, b, axis=1)`.
    case call(Located<String>, [Argument], Span)
    /// `[a; b]` (stacked, axis 0) or `[a, b]` (side by side, axis 1).
    case stack([[Expression]], Span)

    var span: Span {
        switch self {
        case .number(_, let s), .reference(_, let s), .binary(_, _, _, let s), .negate(_, let s), .transpose(_, let s),
            .power(_, _, let s), .call(_, _, let s), .stack(_, let s):
            return s
        }
    }

    var position: SourcePosition { span.start }
}

/// Where an expression is and its text as written.
struct Span: Sendable, Equatable {
    var start: SourcePosition
    var text: String
    /// For a binary operation, where its operator is (the right operand of a product written
    /// side by side): where an error of that operation is reported.
    var operatorAt: SourcePosition? = nil
}

enum BinaryOperator: String, Sendable, Equatable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", matmul = "@"
}

/// A call's argument: positional, or `name=value` (`axis=1`, `axes=[0, 2]`, `keepdims=true`).
struct Argument: Sendable, Equatable {
    var label: Located<String>?
    var value: Expression
}

/// `input x = [1; 2]`, `param W : 3×2`, `input x[1..3] : 2×1`, `const h[0] = zeros(2, 1)`.
struct Declaration: Sendable, Equatable {
    var role: DeclaredRole
    var name: Located<String>
    /// For a sequence: the indices declared (`x[1..3]`, `h[0]`).
    var indices: (Bound, Bound)?
    /// One value, or (for a sequence given by values) one per index.
    var values: [ValueSyntax]
    var tex: String?
    var line: Int

    static func == (a: Declaration, b: Declaration) -> Bool {
        a.role == b.role && a.name == b.name && a.indices?.0 == b.indices?.0 && a.indices?.1 == b.indices?.1
            && a.values == b.values && a.tex == b.tex && a.line == b.line
    }
}

/// `y = sigmoid(net)`, `loss Q = …`, `h[t] = tanh(…) for t = 1..T`, `h[1] = …`.
struct Equation: Sendable, Equatable {
    var name: Located<String>
    /// The left side's index: a variable (with the `for` range) or a fixed number.
    var index: EquationIndex?
    var expression: Expression
    var isLoss: Bool
    var tex: String?
    /// The whole line as written (without the TeX and comment): the scope's name when no TeX is given.
    var text: String
    var line: Int
}

enum EquationIndex: Sendable, Equatable {
    case fixed(Int)
    /// `h[t] = … for t = a..b`.
    case each(variable: String, from: Bound, to: Bound)
}

/// `size T = 3`: a named whole number for shapes and ranges.
struct SizeDefinition: Sendable, Equatable {
    var name: Located<String>
    var value: Int
}

/// `tag h hidden_state`: declares what a sequence is, so the viewer's views find it.
struct TagStatement: Sendable, Equatable {
    var name: Located<String>
    var quantity: Located<String>
}

/// A parsed equations text, in the order written.
struct Syntax: Sendable, Equatable {
    var sizes: [SizeDefinition] = []
    var tags: [TagStatement] = []
    var declarations: [Declaration] = []
    var equations: [Equation] = []
}
