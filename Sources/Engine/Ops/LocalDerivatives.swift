import Trace

// The local derivatives that gradient rules use. Each takes what the forward op produced
// (or its input) and the incoming gradient dy, and returns ∂L/∂x. They occur only in the
// backward phase and have no gradient rule of their own (the engine records first-order
// gradients only).

/// An op of two same-shaped inputs (a saved forward value and dy), applied element-wise.
protocol LocalDerivative: Op {
    func apply(_ saved: Double, _ dy: Double) -> Double
}

extension LocalDerivative {
    public static var arity: Int? { 2 }
    public static var isDifferentiable: Bool { false }
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard s[0] == s[1] else { throw OpError(op: Self.name, "shapes \(describe(s[0])) and \(describe(s[1])) differ") }
        return s[0]
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        Tensor(shape: try outputShape(of: x), scalars: zip(x[0].scalars, x[1].scalars).map(apply))
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil] }
}

/// sigmoid_backward(s, dy) = dy · s · (1 − s), where s = σ(x).
public struct SigmoidBackward: LocalDerivative {
    public static let name = "sigmoid_backward"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ s: Double, _ dy: Double) -> Double { dy * s * (1 - s) }
    /// `dy \odot s \odot (1 - s)`.
    public func tex(_ x: [TeXName]) -> TeXName {
        .infix(.infix(x[1], "\\odot", x[0], .product), "\\odot", .infix(TeXName(name: "1"), "-", x[0], .sum, associative: false), .product)
    }
}

/// tanh_backward(t, dy) = dy · (1 − t²), where t = tanh(x).
public struct TanhBackward: LocalDerivative {
    public static let name = "tanh_backward"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ t: Double, _ dy: Double) -> Double { dy * (1 - t * t) }
    /// `dy \odot (1 - t^{2})`.
    public func tex(_ x: [TeXName]) -> TeXName {
        .infix(x[1], "\\odot", .infix(TeXName(name: "1"), "-", .power(x[0], "2"), .sum, associative: false), .product)
    }
}

/// relu_backward(x, dy) = dy · [x > 0].
public struct ReLUBackward: LocalDerivative {
    public static let name = "relu_backward"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double, _ dy: Double) -> Double { x > 0 ? dy : 0 }
    /// `dy \odot [x > 0]`.
    public func tex(_ x: [TeXName]) -> TeXName {
        .infix(x[1], "\\odot", TeXName(tex: "[\(x[0].tex) > 0]", binding: .atom, isTall: x[0].isTall), .product)
    }
}

/// step_backward(x, dy) = 0 · dy, written as 0: the step's derivative, 0 wherever it exists and
/// recorded as 0 at x = 0 as well (see `Heaviside`). It reads x only so that the trace shows which net
/// input the zero belongs to; NaN or ∞ in dy does not pass (0, not 0 · dy).
public struct StepBackward: LocalDerivative {
    public static let name = "step_backward"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double, _ dy: Double) -> Double { 0 }
    /// `dy \odot \operatorname{step}'(x)`.
    public func tex(_ x: [TeXName]) -> TeXName {
        .infix(x[1], "\\odot", TeXName(tex: "\\operatorname{step}'(\(x[0].tex))", binding: .atom, isTall: x[0].isTall), .product)
    }
}

/// softmax_backward(s, dy) {axis} = s · (dy − Σ_axis(dy · s)), where s = softmax(x) along `axis`.
public struct SoftmaxBackward: Op {
    public static let name = "softmax_backward"
    public static var arity: Int? { 2 }
    public static var isDifferentiable: Bool { false }
    public let axis: Int
    public init(axis: Int) { self.axis = axis }
    public static let attributes: [any AnyOpAttribute] = [axisAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { axis = try Attributes(Self.name, attrs)[axisAttribute] }
    public var attrs: [String: JSONValue] { recorded(axisAttribute.record(axis)) }
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard s[0] == s[1] else { throw OpError(op: Self.name, "shapes \(describe(s[0])) and \(describe(s[1])) differ") }
        guard axis >= 0 && axis < s[0].count else {
            throw OpError(op: Self.name, "axis \(axis) is out of range for shape \(describe(s[0]))")
        }
        return s[0]
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let layout = AxisLayout(try outputShape(of: x), axis: axis)
        let (s, dy) = (x[0], x[1])
        var out = [Double](repeating: 0, count: s.count)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner {
                var dot = 0.0
                for k in 0..<layout.length { dot += dy.scalars[layout.index(o, k, i)] * s.scalars[layout.index(o, k, i)] }
                for k in 0..<layout.length {
                    let at = layout.index(o, k, i)
                    out[at] = s.scalars[at] * (dy.scalars[at] - dot)
                }
            }
        }
        return Tensor(shape: s.shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil] }
}

extension OpRegistry {
    /// This file's op kinds, in the order of the docs' op table.
    static let localDerivatives: [any Op.Type] = [SigmoidBackward.self, TanhBackward.self, ReLUBackward.self, StepBackward.self, SoftmaxBackward.self]
}
