import Foundation
import Trace

// Element-wise ops. Binary ones broadcast as numpy does; their gradient rule hands each operand
// its contribution through `sum_to` its own shape, which undoes broadcasting and, when the shapes
// already agree, is a copy. The copy is deliberate: every operand then gets a gradient tensor of
// its own (`of` names exactly one tensor), so ∂Q/∂b and ∂Q/∂(Wx) of `Wx + b` are both visible
// in a trace. A non-recording tape, which makes no trace, passes the gradient on instead.

/// The shape two operands of a broadcasting op produce, or an error naming both shapes.
func broadcastShape(_ op: String, _ a: [Int], _ b: [Int]) throws(OpError) -> [Int] {
    guard let shape = Broadcasting.shape(a, b) else {
        throw OpError(op: op, "shapes \(describe(a)) and \(describe(b)) do not broadcast")
    }
    return shape
}

/// `gradient` summed down to `shape` (a copy when the shapes agree): an operand's own gradient.
/// A non-recording tape skips the copy: without a trace, nobody sees which tensor is whose.
func unbroadcast(_ gradient: Var, to shape: [Int]) -> Var {
    if gradient.shape == shape && !gradient.tape.isRecording { return gradient }
    return sumTo(gradient, shape)
}

/// a + b. ∂a = g, ∂b = g (each summed to its operand's shape).
public struct Add: Op {
    public static let name = "add"
    public static var arity: Int? { 2 }
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try broadcastShape(Self.name, s[0], s[1]) }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return Broadcasting.binary(x[0], x[1], to: shape, +)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [
            c.needs[0] ? unbroadcast(c.grad, to: c.inputs[0].shape) : nil,
            c.needs[1] ? unbroadcast(c.grad, to: c.inputs[1].shape) : nil,
        ]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .infix(x[0], "+", x[1], .sum) }
}

/// a − b. ∂a = g, ∂b = −g.
public struct Sub: Op {
    public static let name = "sub"
    public static var arity: Int? { 2 }
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try broadcastShape(Self.name, s[0], s[1]) }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return Broadcasting.binary(x[0], x[1], to: shape, -)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [
            c.needs[0] ? unbroadcast(c.grad, to: c.inputs[0].shape) : nil,
            c.needs[1] ? unbroadcast(-c.grad, to: c.inputs[1].shape) : nil,
        ]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .infix(x[0], "-", x[1], .sum, associative: false) }
}

/// a ⊙ b. ∂a = g ⊙ b, ∂b = g ⊙ a.
public struct Mul: Op {
    public static let name = "mul"
    public static var arity: Int? { 2 }
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try broadcastShape(Self.name, s[0], s[1]) }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return Broadcasting.binary(x[0], x[1], to: shape, *)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        let (a, b) = (c.inputs[0], c.inputs[1])
        return [
            c.needs[0] ? unbroadcast(c.grad * b, to: a.shape) : nil,
            c.needs[1] ? unbroadcast(c.grad * a, to: b.shape) : nil,
        ]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .infix(x[0], "\\odot", x[1], .product) }
}

/// a / b. ∂a = g / b, ∂b = −(g ⊙ y) / b, with y = a / b.
public struct Div: Op {
    public static let name = "div"
    public static var arity: Int? { 2 }
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try broadcastShape(Self.name, s[0], s[1]) }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return Broadcasting.binary(x[0], x[1], to: shape, /)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        let (a, b) = (c.inputs[0], c.inputs[1])
        return [
            c.needs[0] ? unbroadcast(c.grad / b, to: a.shape) : nil,
            c.needs[1] ? unbroadcast(-(c.grad * c.output / b), to: b.shape) : nil,
        ]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .fraction(x[0], x[1]) }
}

/// An op that applies a function of one number to every element.
protocol UnaryOp: Op {
    func apply(_ x: Double) -> Double
}

extension UnaryOp {
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { s[0] }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        Tensor(shape: try outputShape(of: x), scalars: x[0].scalars.map(apply))
    }
}

/// −x. ∂x = −g.
public struct Neg: UnaryOp {
    public static let name = "neg"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { -x }
    public func gradients(_ c: GradientContext) -> [Var?] { [-c.grad] }
    public func tex(_ x: [TeXName]) -> TeXName { .prefix("-", x[0], .sum, operand: .product) }
}

/// eˣ. ∂x = g ⊙ y.
public struct Exp: UnaryOp {
    public static let name = "exp"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { Foundation.exp(x) }
    public func gradients(_ c: GradientContext) -> [Var?] { [c.grad * c.output] }
    /// `e^{x}` for a short x, `\\exp(x)` for a long or tall one.
    public func tex(_ x: [TeXName]) -> TeXName {
        x[0].width <= 6 && !x[0].isTall ? TeXName(tex: "e^{\(x[0].tex)}", binding: .atom, hasSuperscript: true) : .call("\\exp", x)
    }
}

/// ln x (NaN for x < 0, −∞ at 0). ∂x = g / x.
public struct Log: UnaryOp {
    public static let name = "log"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { Foundation.log(x) }
    public func gradients(_ c: GradientContext) -> [Var?] { [c.grad / c.inputs[0]] }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\log", x) }
}

/// √x. ∂x = ½ · g / y.
public struct Sqrt: UnaryOp {
    public static let name = "sqrt"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { x.squareRoot() }
    public func gradients(_ c: GradientContext) -> [Var?] { [0.5 * (c.grad / c.output)] }
    public func tex(_ x: [TeXName]) -> TeXName { TeXName(tex: "\\sqrt{\(x[0].tex)}", binding: .atom, isTall: x[0].isTall) }
}

/// x². ∂x = g ⊙ 2x.
public struct Square: UnaryOp {
    public static let name = "square"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { x * x }
    public func gradients(_ c: GradientContext) -> [Var?] { [c.grad * (2 * c.inputs[0])] }
    public func tex(_ x: [TeXName]) -> TeXName { .power(x[0], "2") }
}

/// tanh x. ∂x = tanh_backward(y, g) = g ⊙ (1 − y²).
public struct Tanh: UnaryOp {
    public static let name = "tanh"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { Foundation.tanh(x) }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.output.tape.apply(TanhBackward(), [c.output, c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\tanh", x) }
}

/// σ(x) = 1 / (1 + e⁻ˣ), computed without overflow for large |x|. ∂x = sigmoid_backward(y, g) = g ⊙ y ⊙ (1 − y).
public struct Sigmoid: UnaryOp {
    public static let name = "sigmoid"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.output.tape.apply(SigmoidBackward(), [c.output, c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\sigma", x) }
}

/// max(0, x). ∂x = relu_backward(x, g) = g ⊙ [x > 0] (0 at x = 0).
public struct ReLU: UnaryOp {
    public static let name = "relu"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { x > 0 ? x : (x.isNaN ? x : 0) }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.output.tape.apply(ReLUBackward(), [c.inputs[0], c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\operatorname{ReLU}", x) }
}

/// The Heaviside step: 1 where x ≥ 0, 0 where x < 0 (NaN stays NaN); the perceptron's φ.
/// ∂x = step_backward(x, g) = 0: the step is flat wherever its derivative exists (x ≠ 0). At
/// x = 0 it has none (the jump); the engine records 0 there too, as frameworks do for `sign`,
/// so the backward pass of a step neuron is zeros throughout: the gradient that cannot teach.
public struct Heaviside: UnaryOp {
    public static let name = "step"
    public init() {}
    public init(attrs: [String: JSONValue]) {}
    func apply(_ x: Double) -> Double { x >= 0 ? 1 : (x.isNaN ? x : 0) }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.output.tape.apply(StepBackward(), [c.inputs[0], c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\operatorname{step}", x) }
}

/// factor · x. ∂x = factor · g.
public struct Scale: UnaryOp {
    public static let name = "scale"
    public let factor: Double
    public static let factorAttribute = OpAttribute<Double>.real("factor")
    public static let attributes: [any AnyOpAttribute] = [factorAttribute]
    public init(_ factor: Double) { self.factor = factor }
    public init(attrs: [String: JSONValue]) throws(OpError) { factor = try Attributes(Self.name, attrs)[Self.factorAttribute] }
    public var attrs: [String: JSONValue] { recorded(Self.factorAttribute.record(factor)) }
    func apply(_ x: Double) -> Double { factor * x }
    public func gradients(_ c: GradientContext) -> [Var?] { [factor * c.grad] }
    /// `0.5\\, x`, `\\tfrac{1}{\\sqrt{2}}\\, x`; `-x` for −1.
    public func tex(_ x: [TeXName]) -> TeXName {
        if factor == -1 { return Neg().tex(x) }
        return .prefix(TeXName.number(factor) + "\\,", x[0], factor < 0 ? .sum : .product, operand: .product)
    }
}

/// where(mask, a): a where the mask is non-zero, `value` elsewhere (e.g. −∞ for causal attention).
/// The mask broadcasts to a's shape and gets no gradient. ∂a = where(mask, g) with value 0.
public struct Where: Op {
    public static let name = "where"
    public static var arity: Int? { 2 }
    public let value: Double
    public static let valueAttribute = OpAttribute<Double>.real("value")
    public static let attributes: [any AnyOpAttribute] = [valueAttribute]
    public init(value: Double) { self.value = value }
    public init(attrs: [String: JSONValue]) throws(OpError) { value = try Attributes(Self.name, attrs)[Self.valueAttribute] }
    public var attrs: [String: JSONValue] { recorded(Self.valueAttribute.record(value)) }
    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        let (mask, a) = (s[0], s[1])
        guard Broadcasting.fits(mask, into: a) else {
            throw OpError(op: Self.name, "mask of shape \(describe(mask)) does not broadcast to \(describe(a))")
        }
        return a
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let (shape, fill) = (try outputShape(of: x), value)
        return Broadcasting.binary(x[0], x[1], to: shape) { m, v in m != 0 ? v : fill }
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [nil, c.grad.tape.apply(Where(value: 0), [c.inputs[0], c.grad])]
    }
}

// MARK: - The ops above as functions on `Var`s, so that model code reads like the equations

public func + (a: Var, b: Var) -> Var { a.tape.apply(Add(), [a, b]) }

public func - (a: Var, b: Var) -> Var { a.tape.apply(Sub(), [a, b]) }

/// Element-wise (Hadamard) product, broadcasting.
public func * (a: Var, b: Var) -> Var { a.tape.apply(Mul(), [a, b]) }

public func / (a: Var, b: Var) -> Var { a.tape.apply(Div(), [a, b]) }

public prefix func - (x: Var) -> Var { x.tape.apply(Neg(), [x]) }

/// factor · x, recorded as `scale`.
public func * (factor: Double, x: Var) -> Var { x.tape.apply(Scale(factor), [x]) }

public func * (x: Var, factor: Double) -> Var { factor * x }

/// c − x with c a recorded constant scalar (e.g. the `1 − z` of a GRU).
public func - (c: Double, x: Var) -> Var { x.tape.constant(Tensor(scalar: c), name: "\(c)", tex: texNumber(c)) - x }

public func + (x: Var, c: Double) -> Var { x + x.tape.constant(Tensor(scalar: c), name: "\(c)", tex: texNumber(c)) }

func texNumber(_ c: Double) -> String {
    c.rounded() == c && abs(c) < 1e15 ? String(Int(c)) : String(c)
}

public func exp(_ x: Var) -> Var { x.tape.apply(Exp(), [x]) }

public func log(_ x: Var) -> Var { x.tape.apply(Log(), [x]) }

public func sqrt(_ x: Var) -> Var { x.tape.apply(Sqrt(), [x]) }

public func square(_ x: Var) -> Var { x.tape.apply(Square(), [x]) }

public func tanh(_ x: Var) -> Var { x.tape.apply(Tanh(), [x]) }

public func sigmoid(_ x: Var) -> Var { x.tape.apply(Sigmoid(), [x]) }

public func relu(_ x: Var) -> Var { x.tape.apply(ReLU(), [x]) }

/// The Heaviside step (op `step`): 1 where x ≥ 0, else 0.
public func step(_ x: Var) -> Var { x.tape.apply(Heaviside(), [x]) }

/// x where `mask` is non-zero, `value` elsewhere (op `where`): `masked(S, where: causal, else: -.infinity)`.
public func masked(_ x: Var, where mask: Var, else value: Double) -> Var { x.tape.apply(Where(value: value), [mask, x]) }

extension OpRegistry {
    /// This file's op kinds, in the order of the docs' op table.
    static let elementwise: [any Op.Type] = [Add.self, Sub.self, Mul.self, Div.self, Neg.self, Exp.self, Log.self, Sqrt.self, Square.self, Tanh.self, Sigmoid.self, ReLU.self, Heaviside.self, Scale.self, Where.self]
}
