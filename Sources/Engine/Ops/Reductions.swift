import Foundation
import Trace

/// The shape after reducing `axes` (all axes when nil), keeping each as 1 when `keepdims`.
func reducedShape(_ shape: [Int], axes: [Int]?, keepdims: Bool) -> [Int] {
    guard let axes else { return keepdims ? shape.map { _ in 1 } : [] }
    if keepdims { return shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element } }
    return shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
}

/// The axis `sum` and `mean` reduce, or the several axes they reduce together, both absent for all
/// of them; and whether the reduced axes are kept with length 1.
let reducedAxis = OpAttribute<Int?>.optionalNatural("axis")
let reducedAxes = OpAttribute<[Int]?>.optionalNaturals("axes")
let keepdimsAttribute = OpAttribute<Bool>.flag("keepdims")

/// A reduction over one axis, several axes (`axes`, strictly increasing: batch normalization's
/// mean over N, H and W), or all elements when neither is given; `keepdims` keeps the reduced
/// axes with length 1 (numpy semantics, false by default).
public protocol AxisReduction: Op {
    var axis: Int? { get }
    var axes: [Int]? { get }
    var keepdims: Bool { get }
    init(axis: Int?, axes: [Int]?, keepdims: Bool)
}

extension AxisReduction {
    public static var attributes: [any AnyOpAttribute] { [reducedAxis, reducedAxes, keepdimsAttribute] }

    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        self.init(axis: try a[reducedAxis], axes: try a[reducedAxes], keepdims: try a[keepdimsAttribute])
    }

    public var attrs: [String: JSONValue] {
        recorded(reducedAxis.record(axis), reducedAxes.record(axes), keepdimsAttribute.record(keepdims))
    }

    /// The axes reduced, nil for all of them.
    var reduced: [Int]? { axes ?? axis.map { [$0] } }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        if axis != nil && axes != nil {
            throw OpError(op: Self.name, "give axis or axes, not both (axes: [\(axis!)] is the same as axis: \(axis!))")
        }
        if let axes {
            guard !axes.isEmpty else {
                throw OpError(op: Self.name, "axes is empty: leave it out to reduce over every element")
            }
            guard zip(axes, axes.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw OpError(op: Self.name, "axes \(describe(axes)) must be strictly increasing")
            }
        }
        for k in reduced ?? [] where !(0..<s[0].count).contains(k) {
            throw OpError(op: Self.name, "axis \(k) is out of range for shape \(describe(s[0]))")
        }
        return reducedShape(s[0], axes: reduced, keepdims: keepdims)
    }

    /// How many values each output element sums.
    func count(of shape: [Int]) -> Int { reduced.map { $0.reduce(1) { $0 * shape[$1] } } ?? Tensor.count(of: shape) }
}

/// Σ over `axis` (or `axes`). ∂x = g broadcast back to x's shape.
public struct Sum: AxisReduction {
    public static let name = "sum"
    public let axis: Int?
    public let axes: [Int]?
    public let keepdims: Bool
    public init(axis: Int? = nil, axes: [Int]? = nil, keepdims: Bool = false) {
        (self.axis, self.axes, self.keepdims) = (axis, axes, keepdims)
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return reduce(x[0], axes: reduced, to: shape, divideBy: 1)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [spread(c.grad, over: c.inputs[0].shape, axes: reduced, keepdims: keepdims)]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .prefix("\\sum", x[0], .sum, operand: .juxtaposition) }
}

/// The mean over `axis` (or `axes`). ∂x = g broadcast back, divided by the count.
public struct Mean: AxisReduction {
    public static let name = "mean"
    public let axis: Int?
    public let axes: [Int]?
    public let keepdims: Bool
    public init(axis: Int? = nil, axes: [Int]? = nil, keepdims: Bool = false) {
        (self.axis, self.axes, self.keepdims) = (axis, axes, keepdims)
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return reduce(x[0], axes: reduced, to: shape, divideBy: count(of: x[0].shape))
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        let x = c.inputs[0]
        return [(1 / Double(count(of: x.shape))) * spread(c.grad, over: x.shape, axes: reduced, keepdims: keepdims)]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\operatorname{mean}", x) }
}

/// Sums x over `axes`, or over everything when nil, into a tensor of `shape` (the op's checked
/// output shape), then divides by `divideBy` (1 for a sum). Each output element adds its terms
/// in x's row-major order.
private func reduce(_ x: Tensor, axes: [Int]?, to shape: [Int], divideBy count: Int) -> Tensor {
    guard let axes else {
        let total = x.scalars.reduce(0, +)
        return Tensor(shape: shape, scalars: [count == 1 ? total : total / Double(count)])
    }
    var out: [Double]
    if axes.count == 1 {
        let layout = AxisLayout(x.shape, axis: axes[0])
        out = [Double](repeating: 0, count: layout.outer * layout.inner)
        for o in 0..<layout.outer {
            for k in 0..<layout.length {
                for i in 0..<layout.inner { out[o * layout.inner + i] += x.scalars[layout.index(o, k, i)] }
            }
        }
    } else {
        out = Broadcasting.sum(x, to: reducedShape(x.shape, axes: axes, keepdims: true)).scalars
    }
    if count != 1 { out = out.map { $0 / Double(count) } }
    return Tensor(shape: shape, scalars: out)
}

/// The gradient of a reduction: g with the reduced axes restored (reshape) and repeated (broadcast_to).
private func spread(_ g: Var, over shape: [Int], axes: [Int]?, keepdims: Bool) -> Var {
    let kept = reducedShape(shape, axes: axes, keepdims: true)
    let aligned = (keepdims || axes == nil) ? g : reshape(g, kept)
    return broadcastTo(aligned, shape)
}

/// Sums x down to `shape`, undoing a broadcast: leading axes x has in excess are summed away,
/// and axes where `shape` has 1 are summed keeping a 1. ∂x = broadcast_to(g, x's shape).
public struct SumTo: Op {
    public static let name = "sum_to"
    public let shape: [Int]
    public init(shape: [Int]) { self.shape = shape }
    public static let attributes: [any AnyOpAttribute] = [shapeAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { shape = try Attributes(Self.name, attrs)[shapeAttribute] }
    public var attrs: [String: JSONValue] { recorded(shapeAttribute.record(shape)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard Broadcasting.fits(shape, into: s[0]) else {
            throw OpError(op: Self.name, "cannot sum \(describe(s[0])) to \(describe(shape)): \(describe(shape)) does not broadcast to it")
        }
        return shape
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return x[0].shape == shape ? x[0] : Broadcasting.sum(x[0], to: shape)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [broadcastTo(c.grad, c.inputs[0].shape)] }
}

/// Repeats x along axes of length 1 (and new leading axes) to fill `shape` (numpy `broadcast_to`).
/// ∂x = sum_to(g, x's shape).
public struct BroadcastTo: Op {
    public static let name = "broadcast_to"
    public let shape: [Int]
    public init(shape: [Int]) { self.shape = shape }
    public static let attributes: [any AnyOpAttribute] = [shapeAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { shape = try Attributes(Self.name, attrs)[shapeAttribute] }
    public var attrs: [String: JSONValue] { recorded(shapeAttribute.record(shape)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard Broadcasting.fits(s[0], into: shape) else {
            throw OpError(op: Self.name, "shape \(describe(s[0])) does not broadcast to \(describe(shape))")
        }
        return shape
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return x[0].shape == shape ? x[0] : Broadcasting.expand(x[0], to: shape)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [sumTo(c.grad, c.inputs[0].shape)] }
}

/// softmax along `axis`: exp(x − max) / Σ exp(x − max), the max subtracted for stability.
/// ∂x = softmax_backward(y, g).
public struct Softmax: Op {
    public static let name = "softmax"
    public let axis: Int
    public init(axis: Int) { self.axis = axis }
    public static let attributes: [any AnyOpAttribute] = [axisAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { axis = try Attributes(Self.name, attrs)[axisAttribute] }
    public var attrs: [String: JSONValue] { recorded(axisAttribute.record(axis)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try axisShape(Self.name, s[0], axis: axis) }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return normalize(x[0], shape: shape, axis: axis, log: false)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.grad.tape.apply(SoftmaxBackward(axis: axis), [c.output, c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\operatorname{softmax}", x) }
}

/// log softmax along `axis`: x − max − log Σ exp(x − max).
/// ∂x = g − exp(y) · Σ_axis g (sum kept as a length-1 axis).
public struct LogSoftmax: Op {
    public static let name = "log_softmax"
    public let axis: Int
    public init(axis: Int) { self.axis = axis }
    public static let attributes: [any AnyOpAttribute] = [axisAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { axis = try Attributes(Self.name, attrs)[axisAttribute] }
    public var attrs: [String: JSONValue] { recorded(axisAttribute.record(axis)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try axisShape(Self.name, s[0], axis: axis) }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return normalize(x[0], shape: shape, axis: axis, log: true)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.grad - exp(c.output) * sum(c.grad, axis: axis, keepdims: true)]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\log\\operatorname{softmax}", x) }
}

/// The shape rule of an op along one axis that keeps its input's shape (softmax, log_softmax).
private func axisShape(_ op: String, _ shape: [Int], axis: Int) throws(OpError) -> [Int] {
    guard axis >= 0 && axis < shape.count else {
        throw OpError(op: op, "axis \(axis) is out of range for shape \(describe(shape))")
    }
    return shape
}

private func normalize(_ x: Tensor, shape: [Int], axis: Int, log: Bool) -> Tensor {
    let layout = AxisLayout(shape, axis: axis)
    var out = [Double](repeating: 0, count: x.count)
    for o in 0..<layout.outer {
        for i in 0..<layout.inner {
            var largest = -Double.infinity
            for k in 0..<layout.length { largest = max(largest, x.scalars[layout.index(o, k, i)]) }
            // An infinite max cannot be subtracted (∞ − ∞ is NaN); shifting by 0 instead keeps
            // exp(−∞) = 0 for masked entries. A row that is all −∞ then gives 0/0 = NaN, as numpy does.
            if largest.isInfinite { largest = 0 }
            var total = 0.0
            for k in 0..<layout.length { total += Foundation.exp(x.scalars[layout.index(o, k, i)] - largest) }
            for k in 0..<layout.length {
                let at = layout.index(o, k, i)
                let shifted = x.scalars[at] - largest
                out[at] = log ? shifted - Foundation.log(total) : Foundation.exp(shifted) / total
            }
        }
    }
    return Tensor(shape: shape, scalars: out)
}

// MARK: - The ops above as functions on `Var`s, so that model code reads like the equations

/// Σ over `axis` (negative counts from the end), or over everything.
public func sum(_ x: Var, axis: Int? = nil, keepdims: Bool = false) -> Var {
    x.tape.apply(Sum(axis: axis.map { $0 < 0 ? $0 + x.shape.count : $0 }, keepdims: keepdims), [x])
}

/// Σ over several axes at once (negative counts from the end), recorded as one step.
public func sum(_ x: Var, axes: [Int], keepdims: Bool = false) -> Var {
    x.tape.apply(Sum(axes: axes.map { $0 < 0 ? $0 + x.shape.count : $0 }.sorted(), keepdims: keepdims), [x])
}

/// The mean over `axis` (negative counts from the end), or over everything.
public func mean(_ x: Var, axis: Int? = nil, keepdims: Bool = false) -> Var {
    x.tape.apply(Mean(axis: axis.map { $0 < 0 ? $0 + x.shape.count : $0 }, keepdims: keepdims), [x])
}

/// The mean over several axes at once (negative counts from the end), recorded as one step.
public func mean(_ x: Var, axes: [Int], keepdims: Bool = false) -> Var {
    x.tape.apply(Mean(axes: axes.map { $0 < 0 ? $0 + x.shape.count : $0 }.sorted(), keepdims: keepdims), [x])
}

public func sumTo(_ x: Var, _ shape: [Int]) -> Var { x.tape.apply(SumTo(shape: shape), [x]) }

public func broadcastTo(_ x: Var, _ shape: [Int]) -> Var { x.tape.apply(BroadcastTo(shape: shape), [x]) }

public func softmax(_ x: Var, axis: Int) -> Var {
    x.tape.apply(Softmax(axis: axis < 0 ? axis + x.shape.count : axis), [x])
}

public func logSoftmax(_ x: Var, axis: Int) -> Var {
    x.tape.apply(LogSoftmax(axis: axis < 0 ? axis + x.shape.count : axis), [x])
}

extension OpRegistry {
    /// This file's op kinds, in the order of the docs' op table.
    static let reductions: [any Op.Type] = [Sum.self, Mean.self, SumTo.self, BroadcastTo.self, Softmax.self, LogSoftmax.self]
}
