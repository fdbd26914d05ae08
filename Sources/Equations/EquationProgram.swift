import Engine

/// An instructor's computation, written as declarations and equations (docs/equations.md), read,
/// unrolled, ordered and shape-checked: ready to be recorded on a tape (`record`).
///
///     input x = [1; 2]
///     param w = [0.5, 0.25]
///     param b = -0.5
///     const t = 1
///     net = w x + b
///     y = sigmoid(net)
///     loss Q = 1/2 * (y - t)^2
///
/// Making a program reports every problem it finds at its line and column; warnings (a tensor
/// never used) come with a program that can still run.
public struct EquationProgram: Sendable {
    /// A declared tensor: its role, its value or the shape to draw, where it was declared.
    struct Leaf: Sendable {
        var key: TensorKey
        var role: DeclaredRole
        var value: LeafValue
        var tex: String?
        var position: SourcePosition
    }

    enum LeafValue: Sendable {
        case given(Tensor)
        case drawn([Int])

        var shape: [Int] {
            switch self {
            case .given(let t): return t.shape
            case .drawn(let s): return s
            }
        }
    }

    /// One equation for one value of its index: what a scope of the trace holds.
    struct Instance: Sendable {
        var key: TensorKey
        var equation: Int
        /// The index variable's value (`t = 2`), for an equation written `for t = …`.
        var substitution: (variable: String, value: Int)?
        var dependencies: [TensorKey] = []
    }

    let syntax: Syntax
    let sizes: [String: Int]
    let leaves: [Leaf]
    /// The instances in the order they are computed.
    let order: [Instance]
    let shapes: [TensorKey: [Int]]
    /// The tensor named by `loss`, if any.
    public let loss: TensorKey?
    public let warnings: [EquationDiagnostic]
    /// The quantity each tagged sequence is (`tag h hidden_state`), by name.
    let tags: [String: String]

    /// The most equations a program may unroll to, and the largest tensor it may declare or make:
    /// beyond any lecture's example, and small enough to check at once.
    static let maximumInstances = 10_000
    static let maximumElements = 4_000_000

    /// Reads `text`; throws every error found, with the warnings before them.
    public init(parsing text: String) throws(EquationErrors) {
        guard text.count <= Lexer.maximumLength else {
            throw EquationErrors([.error(SourcePosition(line: 1, column: 1), "the text has \(text.count) characters; at most \(Lexer.maximumLength) are read")])
        }
        var parser = Parser()
        let syntax = parser.parse(text)
        var resolver = Resolver(syntax: syntax)
        resolver.diagnostics = parser.diagnostics
        resolver.resolve()
        let errors = resolver.diagnostics.filter { $0.severity == .error }
        guard errors.isEmpty else { throw EquationErrors(resolver.diagnostics) }
        self.syntax = syntax
        sizes = resolver.sizes
        leaves = resolver.leaves
        order = resolver.order
        shapes = resolver.shapes
        loss = resolver.loss
        tags = resolver.tags
        warnings = resolver.diagnostics.filter { $0.severity == .warning }
    }

    /// The learnable tensors, in the order declared: what backward differentiates and SGD updates.
    public var parameters: [TensorKey] { leaves.filter { $0.role == .param }.map(\.key) }

    /// Every tensor's shape, declared or computed.
    public func shape(of key: TensorKey) -> [Int]? { shapes[key] }

    /// The tensors the equations define, in the order they are computed.
    public var computed: [TensorKey] { order.map(\.key) }
}

/// Turns `Syntax` into checked leaves and ordered instances, collecting diagnostics.
struct Resolver {
    let syntax: Syntax
    var diagnostics: [EquationDiagnostic] = []
    var sizes: [String: Int] = [:]
    var leaves: [EquationProgram.Leaf] = []
    var instances: [EquationProgram.Instance] = []
    var order: [EquationProgram.Instance] = []
    var shapes: [TensorKey: [Int]] = [:]
    var loss: TensorKey?
    /// `tag` statements, checked: quantity by sequence name.
    var tags: [String: String] = [:]
    /// Where each tensor is defined: a leaf or an instance, by index.
    var definitions: [TensorKey: Definition] = [:]
    /// Whether each name is a sequence (its tensors indexed) and where it was first defined.
    var kinds: [String: (sequence: Bool, line: Int)] = [:]

    enum Definition {
        case leaf(Int)
        case instance(Int)
    }

    init(syntax: Syntax) { self.syntax = syntax }

    mutating func error(_ position: SourcePosition, _ message: String) { diagnostics.append(.error(position, message)) }

    mutating func resolve() {
        readSizes()
        readDeclarations()
        unrollEquations()
        checkTraceNames()
        readTags()
        guard diagnostics.allSatisfy({ $0.severity != .error }) else { return }
        findDependencies()
        guard diagnostics.allSatisfy({ $0.severity != .error }) else { return }
        orderInstances()
        guard diagnostics.allSatisfy({ $0.severity != .error }) else { return }
        checkShapes()
        guard diagnostics.allSatisfy({ $0.severity != .error }) else { return }
        warnAboutUnused()
    }

    // MARK: Sizes and declarations

    mutating func readSizes() {
        for size in syntax.sizes {
            if sizes[size.name.value] != nil {
                error(size.name.position, "size \(size.name.value) is defined twice")
            }
            sizes[size.name.value] = size.value
        }
    }

    func bound(_ b: Bound) -> Int? {
        switch b {
        case .number(let n): return n
        case .size(let s): return sizes[s]
        }
    }

    mutating func resolve(_ b: Bound, at position: SourcePosition) -> Int? {
        guard let value = bound(b) else {
            if case .size(let s) = b {
                let near = suggestion(for: s, in: Array(sizes.keys))
                error(position, "unknown size '\(s.prefix(40))'\(near.map { "; did you mean '\($0)'?" } ?? "; define it: size \(s.prefix(40)) = 3")")
            }
            return nil
        }
        return value
    }

    mutating func dimensions(_ dims: [Dimension], at position: SourcePosition) -> [Int]? {
        var shape: [Int] = []
        for dim in dims {
            switch dim {
            case .number(let n): shape.append(n)
            case .size(let s):
                guard let n = resolve(.size(s), at: position) else { return nil }
                guard n >= 1 else {
                    error(position, "size \(s) is \(n); a dimension is at least 1")
                    return nil
                }
                shape.append(n)
            }
        }
        guard shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }) <= EquationProgram.maximumElements else {
            error(position, "a \(shape.map(String.init).joined(separator: "×")) tensor is too large; at most \(EquationProgram.maximumElements) numbers")
            return nil
        }
        return shape.count == 1 ? [shape[0], 1] : shape
    }

    mutating func define(_ key: TensorKey, _ definition: Definition, at position: SourcePosition, line: Int) {
        if let kind = kinds[key.name], kind.sequence != (key.index != nil) {
            error(
                position,
                kind.sequence
                    ? "\(key.name) is a sequence (line \(kind.line)); write \(key.name)[t] with an index"
                    : "\(key.name) is a single tensor (line \(kind.line)); it cannot also be a sequence")
            return
        }
        if kinds[key.name] == nil { kinds[key.name] = (key.index != nil, line) }
        if definitions[key] != nil {
            error(position, "\(key) is defined twice (first on line \(kinds[key.name]?.line ?? line)); give each tensor one definition")
            return
        }
        if sizes[key.name] != nil {
            error(position, "\(key.name) is already a size; choose another name")
            return
        }
        definitions[key] = definition
    }

    mutating func readDeclarations() {
        for declaration in syntax.declarations {
            let position = declaration.name.position
            var keys: [TensorKey] = [TensorKey(declaration.name.value)]
            if let (from, to) = declaration.indices {
                guard let a = resolve(from, at: position), let b = resolve(to, at: position) else { continue }
                guard a <= b, b - a < EquationProgram.maximumInstances else {
                    error(position, a > b ? "the range \(a)..\(b) is empty" : "a sequence has at most \(EquationProgram.maximumInstances) tensors")
                    continue
                }
                keys = (a...b).map { TensorKey(declaration.name.value, $0) }
            }
            if declaration.values.count > 1, declaration.values.count != keys.count {
                error(position, "\(declaration.name.value) has \(keys.count) indices but \(declaration.values.count) values; give one per index")
                continue
            }
            for (n, key) in keys.enumerated() {
                let written = declaration.values.count > 1 ? declaration.values[n] : declaration.values[0]
                guard let value = leafValue(written, at: position) else { break }
                define(key, .leaf(leaves.count), at: position, line: declaration.line)
                leaves.append(EquationProgram.Leaf(key: key, role: declaration.role, value: value, tex: declaration.tex, position: position))
                shapes[key] = value.shape
            }
        }
    }

    mutating func leafValue(_ written: ValueSyntax, at position: SourcePosition) -> EquationProgram.LeafValue? {
        switch written {
        case .matrix(let rows, _):
            guard let width = rows.first?.count, width > 0 else {
                error(position, "an empty matrix has no values")
                return nil
            }
            return .given(Tensor(shape: [rows.count, width], scalars: rows.flatMap { $0 }))
        case .filled(let value, let dims):
            guard let shape = dimensions(dims, at: position) else { return nil }
            return .given(Tensor(shape: shape, scalars: [Double](repeating: value, count: shape.reduce(1, *))))
        case .drawn(let dims):
            guard let shape = dimensions(dims, at: position) else { return nil }
            return .drawn(shape)
        }
    }

    // MARK: Equations

    mutating func unrollEquations() {
        var losses: [Equation] = []
        for (e, equation) in syntax.equations.enumerated() {
            let position = equation.name.position
            if equation.isLoss {
                losses.append(equation)
                if losses.count == 2 {
                    error(position, "a second loss; one loss is differentiated: name it once (loss \(losses[0].name.value) = …)")
                }
                if equation.index != nil {
                    error(position, "the loss is one tensor, not a sequence: add the terms (loss Q = sum(Q[1..T]))")
                }
            }
            switch equation.index {
            case nil:
                add(TensorKey(equation.name.value), e, nil, at: position, line: equation.line)
            case .fixed(let i):
                add(TensorKey(equation.name.value, i), e, nil, at: position, line: equation.line)
            case .each(let variable, let from, let to):
                guard let a = resolve(from, at: position), let b = resolve(to, at: position) else { continue }
                guard a <= b else {
                    error(position, "the range \(a)..\(b) is empty; write the smaller end first")
                    continue
                }
                guard b - a < EquationProgram.maximumInstances, instances.count + (b - a + 1) <= EquationProgram.maximumInstances else {
                    error(position, "this unrolls to more than \(EquationProgram.maximumInstances) equations; shorten the range")
                    continue
                }
                if sizes[variable] != nil {
                    error(position, "the index variable \(variable) is also a size; choose another letter")
                    continue
                }
                for t in a...b {
                    add(TensorKey(equation.name.value, t), e, (variable, t), at: position, line: equation.line)
                }
            }
            if let first = losses.first, losses.count == 1 { loss = TensorKey(first.name.value) }
        }
    }

    mutating func add(_ key: TensorKey, _ equation: Int, _ substitution: (String, Int)?, at position: SourcePosition, line: Int) {
        guard instances.count < EquationProgram.maximumInstances else {
            if instances.count == EquationProgram.maximumInstances {
                error(position, "the equations unroll to more than \(EquationProgram.maximumInstances) tensors; shorten the ranges")
            }
            return
        }
        let before = diagnostics.count
        define(key, .instance(instances.count), at: position, line: line)
        guard diagnostics.count == before else { return }
        instances.append(EquationProgram.Instance(key: key, equation: equation, substitution: substitution))
    }
}

func describeShape(_ shape: [Int]) -> String {
    shape.isEmpty ? "a scalar" : shape.map(String.init).joined(separator: "×")
}
