import Trace

/// One kind of operation: its trace label, its attributes, its forward computation and,
/// beside it, its gradient rule.
///
/// The gradient rule is written with the same ops, on the tape, so that the backward pass is
/// recorded as ordinary steps that anyone can replay.
public protocol Op: Sendable {
    /// The label recorded in a trace step's `op`.
    static var name: String { get }
    /// How many inputs the op takes; `nil` for any number (at least one).
    static var arity: Int? { get }
    /// How many of the last inputs a step may leave out (conv2d's bias): a step takes
    /// arity − optionalInputs … arity inputs.
    static var optionalInputs: Int { get }
    /// Whether reverse mode may pass through this op. The local-derivative ops
    /// (`sigmoid_backward`, …) and `sgd` occur only in backward and update phases and have no rule.
    static var isDifferentiable: Bool { get }

    /// The attributes its steps record, each declared once beside the op (`OpAttribute`).
    static var attributes: [any AnyOpAttribute] { get }
    /// The attributes recorded in the step's `attrs` (`recorded(Self.axis.record(axis))`).
    var attrs: [String: JSONValue] { get }
    /// Rebuilds the op from a recorded step's `attrs` (how a trace is replayed).
    init(attrs: [String: JSONValue]) throws(OpError)
    /// The op table's shape rule: the output's shape for inputs of these shapes (as many as `arity`
    /// says); throws when the shapes or the attributes do not fit. Call `outputShape(_:)`, which
    /// also checks the count of inputs and bounds the size.
    func shapeRule(_ inputs: [[Int]]) throws(OpError) -> [Int]
    /// The output for these inputs; throws when shapes or attributes do not fit. Implementations
    /// start with `outputShape`, so nothing is allocated before the size is known to be sane.
    func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor
    /// The gradient contribution for each input, or `nil` where none is needed (see `context.needs`).
    func gradients(_ context: GradientContext) -> [Var?]
    /// Floating-point operations of `forward` on these inputs, counted against a run's `Budget`.
    func work(_ inputs: [Tensor], _ output: Tensor) -> Double
    /// How its output reads in TeX, written over its operands' readings (`f_{2} \odot c_{1}`):
    /// the `tex` of a tensor the model did not name (see `TeXName`). The default is
    /// `\operatorname{op}(a, b)`.
    func tex(_ operands: [TeXName]) -> TeXName
}

extension Op {
    public static var arity: Int? { 1 }
    public static var optionalInputs: Int { 0 }
    public static var isDifferentiable: Bool { true }
    public static var attributes: [any AnyOpAttribute] { [] }
    public var attrs: [String: JSONValue] { [:] }
    public var name: String { Self.name }

    /// The shape `forward` would produce for inputs of these shapes, computed without allocating:
    /// throws for a wrong count of inputs, for shapes or attributes that do not fit, and for an
    /// output no tensor may have (`Tensor.checkedCount`: a negative dimension, or more than
    /// `Tensor.maxCount` values). This is how a trace's steps are checked before any is replayed.
    public func outputShape(_ inputs: [[Int]]) throws(OpError) -> [Int] {
        let fewest = Self.arity.map { $0 - Self.optionalInputs } ?? 1
        guard inputs.count >= fewest, inputs.count <= (Self.arity ?? .max) else {
            throw OpError(op: name, "takes \(inputCountText(of: Self.self)), got \(inputs.count)")
        }
        // Shapes of existing tensors always pass; a caller's made-up ones must not overflow the rule's arithmetic.
        if let bad = inputs.first(where: { Tensor.checkedCount(of: $0) == nil }) {
            throw OpError(op: name, "input shape \(describe(bad)) \(Tensor.invalidShapeReason)")
        }
        let shape = try shapeRule(inputs)
        guard Tensor.checkedCount(of: shape) != nil else {
            throw OpError(op: name, "the output would have shape \(describe(shape)), which \(Tensor.invalidShapeReason)")
        }
        return shape
    }

    /// `outputShape` for these input tensors.
    func outputShape(of inputs: [Tensor]) throws(OpError) -> [Int] {
        try outputShape(inputs.map(\.shape))
    }

    /// One operation per value read or written: element-wise ops, reductions, copies.
    public func work(_ inputs: [Tensor], _ output: Tensor) -> Double {
        Double(inputs.reduce(output.count) { $0 + $1.count })
    }
}

/// What a gradient rule sees: the step's inputs and output, and ∂L/∂output.
public struct GradientContext {
    public let inputs: [Var]
    public let output: Var
    /// ∂L/∂output, fully accumulated.
    public let grad: Var
    /// Which inputs need a gradient (the others may get `nil`).
    public let needs: [Bool]
}

/// Why an op could not run: names the op and the shapes involved.
/// The tape adds the scope the op was called in.
public struct OpError: Error, CustomStringConvertible, Equatable {
    public let op: String
    public let message: String
    /// `path` of the scope when the op was called on a tape (e.g. `t = 2 › LSTM cell`).
    public var scope: String?

    public init(op: String, _ message: String, scope: String? = nil) {
        self.op = op
        self.message = message
        self.scope = scope
    }

    public var description: String {
        let place = scope.map { $0.isEmpty ? " (top level)" : " in \($0)" } ?? ""
        return "\(op)\(place): \(message)"
    }
}

/// "1 input", "2 inputs", "2 or 3 inputs", "1 or more inputs": how many inputs a step of `kind` reads.
func inputCountText(of kind: any Op.Type) -> String {
    guard let arity = kind.arity else { return "1 or more inputs" }
    if kind.optionalInputs > 0 { return "\(arity - kind.optionalInputs)\(kind.optionalInputs > 1 ? "–" : " or ")\(arity) inputs" }
    return arity == 1 ? "1 input" : "\(arity) inputs"
}
