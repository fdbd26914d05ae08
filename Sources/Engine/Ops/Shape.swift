import Trace

// Ops that move values without computing new ones. Each one's gradient is the move back.

/// Permutes the axes: output axis i is input axis perm[i]; no perm reverses the axes (a matrix's transpose).
/// ∂x = transpose(g) by the inverse permutation.
public struct Transpose: Op {
    public static let name = "transpose"
    public let perm: [Int]?
    public init(perm: [Int]? = nil) { self.perm = perm }
    public static let permAttribute = OpAttribute<[Int]?>.optionalNaturals("perm")
    public static let attributes: [any AnyOpAttribute] = [permAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { perm = try Attributes(Self.name, attrs)[Self.permAttribute] }
    public var attrs: [String: JSONValue] { recorded(Self.permAttribute.record(perm)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        if isMatrixTranspose(rank: s[0].count) { return [s[0][1], s[0][0]] }
        let order = perm ?? Array(s[0].indices.reversed())
        guard order.sorted() == Array(s[0].indices) else {
            throw OpError(op: Self.name, "perm \(order) is not a permutation of the axes of \(describe(s[0]))")
        }
        return order.map { s[0][$0] }
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let input = x[0]
        if isMatrixTranspose(rank: input.rank) { return transposeMatrix(input) }
        let order = perm ?? Array(input.shape.indices.reversed())
        let inputStrides = Tensor.strides(of: input.shape)
        return Broadcasting.gather(input, shape: shape, strides: order.map { inputStrides[$0] })
    }

    /// A matrix's two axes swapped, the case of every gradient of a matrix product: answered
    /// without building the permutation arrays, which cost a recording tape more than the copy.
    private func isMatrixTranspose(rank: Int) -> Bool {
        guard rank == 2 else { return false }
        guard let perm else { return true }
        return perm.count == 2 && perm[0] == 1 && perm[1] == 0
    }

    public func gradients(_ c: GradientContext) -> [Var?] {
        guard let perm else { return [transpose(c.grad)] }
        var inverse = perm
        for (i, axis) in perm.enumerated() { inverse[axis] = i }
        return [c.grad.tape.apply(Transpose(perm: inverse), [c.grad])]
    }
    /// `W^{\top}` for the axes reversed (or a matrix's two swapped); the default reading otherwise.
    public func tex(_ x: [TeXName]) -> TeXName {
        perm == nil || perm == [1, 0] ? .power(x[0], "\\top") : .call(op: name, x)
    }
}

/// The transpose of an m×n matrix.
private func transposeMatrix(_ x: Tensor) -> Tensor {
    Tensor(shape: [x.shape[1], x.shape[0]], scalars: transposed(x.scalars, x.shape[0], x.shape[1]))
}

/// The transpose of a row-major m×n matrix, in 8×8 blocks: a block's eight source rows and eight
/// destination rows stay in cache together, where one strided pass over a large matrix misses on
/// every element it writes.
func transposed(_ a: [Double], _ m: Int, _ n: Int) -> [Double] {
    let block = 8
    return [Double](unsafeUninitializedCapacity: m * n) { out, count in
        a.withUnsafeBufferPointer { source in
            for i0 in stride(from: 0, to: m, by: block) {
                for j0 in stride(from: 0, to: n, by: block) {
                    for i in i0..<min(i0 + block, m) {
                        for j in j0..<min(j0 + block, n) { out[j * m + i] = source[i * n + j] }
                    }
                }
            }
        }
        count = m * n
    }
}

/// The same values, row-major, in another shape of the same size. ∂x = reshape(g, x's shape).
public struct Reshape: Op {
    public static let name = "reshape"
    public let shape: [Int]
    public init(shape: [Int]) { self.shape = shape }
    public static let attributes: [any AnyOpAttribute] = [shapeAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { shape = try Attributes(Self.name, attrs)[shapeAttribute] }
    public var attrs: [String: JSONValue] { recorded(shapeAttribute.record(shape)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        let count = Tensor.count(of: s[0])
        guard Tensor.checkedCount(of: shape) == count else {
            throw OpError(op: Self.name, "cannot reshape \(describe(s[0])) (\(count) values) to \(describe(shape))")
        }
        return shape
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return x[0].reshaped(shape)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [reshape(c.grad, c.inputs[0].shape)] }
}

/// Joins tensors along `axis`; all other dimensions must agree. ∂xₖ = slice of g where xₖ went.
public struct Concat: Op {
    public static let name = "concat"
    public static var arity: Int? { nil }
    public let axis: Int
    public init(axis: Int) { self.axis = axis }
    public static let attributes: [any AnyOpAttribute] = [axisAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { axis = try Attributes(Self.name, attrs)[axisAttribute] }
    public var attrs: [String: JSONValue] { recorded(axisAttribute.record(axis)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        let first = s[0]
        guard axis >= 0 && axis < first.count else {
            throw OpError(op: Self.name, "axis \(axis) is out of range for shape \(describe(first))")
        }
        for other in s.dropFirst() {
            var a = first, b = other
            guard a.count == b.count else {
                throw OpError(op: Self.name, "shapes \(describe(a)) and \(describe(b)) have different ranks")
            }
            a[axis] = 0
            b[axis] = 0
            guard a == b else {
                throw OpError(op: Self.name, "shapes \(describe(first)) and \(describe(other)) differ off axis \(axis)")
            }
        }
        var shape = first
        // Saturating: a step may list one input many times, and outputShape refuses the result.
        shape[axis] = s.reduce(0) { saturatingSum($0, $1[axis]) }
        return shape
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let out = AxisLayout(shape, axis: axis)
        var scalars = [Double](repeating: 0, count: Tensor.count(of: shape))
        var offset = 0
        for part in x {
            let layout = AxisLayout(part.shape, axis: axis)
            for o in 0..<layout.outer {
                for k in 0..<layout.length {
                    for i in 0..<layout.inner { scalars[out.index(o, offset + k, i)] = part.scalars[layout.index(o, k, i)] }
                }
            }
            offset += layout.length
        }
        return Tensor(shape: shape, scalars: scalars)
    }

    public func gradients(_ c: GradientContext) -> [Var?] {
        var start = 0
        return c.inputs.enumerated().map { k, input in
            defer { start += input.shape[axis] }
            return c.needs[k] ? slice(c.grad, axis: axis, start ..< start + input.shape[axis]) : nil
        }
    }
    /// `[h_{1}; x_{2}]` stacked along axis 0, `[a, b]` side by side along another.
    public func tex(_ x: [TeXName]) -> TeXName { .bracket(x, separator: axis == 0 ? ";" : ",") }
}

/// Positions start..<end along `axis`. ∂x = pad(g) with zeros where the slice left positions out.
public struct Slice: Op {
    public static let name = "slice"
    public static let startAttribute = OpAttribute<Int>.natural("start"), endAttribute = OpAttribute<Int>.natural("end")
    public static let attributes: [any AnyOpAttribute] = [axisAttribute, startAttribute, endAttribute]
    public let axis: Int, start: Int, end: Int
    public init(axis: Int, start: Int, end: Int) {
        (self.axis, self.start, self.end) = (axis, start, end)
    }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (axis, start, end) = (try a[axisAttribute], try a[Self.startAttribute], try a[Self.endAttribute])
    }
    public var attrs: [String: JSONValue] {
        recorded(axisAttribute.record(axis), Self.startAttribute.record(start), Self.endAttribute.record(end))
    }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard axis >= 0 && axis < s[0].count, 0 <= start, start <= end, end <= s[0][axis] else {
            throw OpError(op: Self.name, "\(start)..<\(end) along axis \(axis) does not fit shape \(describe(s[0]))")
        }
        var shape = s[0]
        shape[axis] = end - start
        return shape
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let input = x[0]
        let from = AxisLayout(input.shape, axis: axis), to = AxisLayout(shape, axis: axis)
        // For each outer index, positions start ..< end along the axis and everything after it are one run in memory.
        let run = to.length * to.inner
        let scalars = [Double](unsafeUninitializedCapacity: to.outer * run) { out, count in
            input.scalars.withUnsafeBufferPointer { source in
                guard run > 0 else { return }  // an empty slice: no buffer to write
                for o in 0..<to.outer {
                    (out.baseAddress! + to.index(o, 0, 0)).initialize(from: source.baseAddress! + from.index(o, start, 0), count: run)
                }
            }
            count = to.outer * run
        }
        return Tensor(shape: shape, scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [pad(c.grad, axis: axis, before: start, after: c.inputs[0].shape[axis] - end)]
    }
    /// `a[2{:}3]`, 1-based and inclusive as the viewer counts (`a[{:}, 2]` along axis 1).
    public func tex(_ x: [TeXName]) -> TeXName {
        let range = end - start == 1 ? "\(end)" : "\(start + 1){:}\(end)"
        return .indexed(x[0], Array(repeating: "{:}", count: axis).joined(separator: ", ") + (axis > 0 ? ", " : "") + range)
    }
}

/// x with the order of its positions reversed along each of `axes` (numpy/PyTorch `flip`): a
/// horizontal mirror of an N×C×H×W image is flip {axes: [3]}. ∂x = flip(g) along the same axes.
public struct Flip: Op {
    public static let name = "flip"
    public static let axesAttribute = OpAttribute<[Int]>.naturals("axes")
    public static let attributes: [any AnyOpAttribute] = [axesAttribute]
    public let axes: [Int]
    public init(axes: [Int]) { self.axes = axes }
    public init(attrs: [String: JSONValue]) throws(OpError) { axes = try Attributes(Self.name, attrs)[Self.axesAttribute] }
    public var attrs: [String: JSONValue] { recorded(Self.axesAttribute.record(axes)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard !axes.isEmpty, zip(axes, axes.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw OpError(op: Self.name, "axes \(describe(axes)) must list at least one axis, strictly increasing")
        }
        if let bad = axes.first(where: { !(0..<s[0].count).contains($0) }) {
            throw OpError(op: Self.name, "axis \(bad) is out of range for shape \(describe(s[0]))")
        }
        return s[0]
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        var scalars = x[0].scalars
        // One axis at a time: reversing several axes is reversing each of them in turn.
        for axis in axes {
            let layout = AxisLayout(shape, axis: axis)
            let source = scalars
            for o in 0..<layout.outer {
                for k in 0..<layout.length {
                    for i in 0..<layout.inner { scalars[layout.index(o, k, i)] = source[layout.index(o, layout.length - 1 - k, i)] }
                }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [flip(c.grad, axes: axes)] }
}

/// `before` zeros ahead of x and `after` zeros behind it along `axis` (numpy `pad` with zeros on one axis).
/// ∂x = slice(g, before..<before + n).
public struct Pad: Op {
    public static let name = "pad"
    public static let beforeAttribute = OpAttribute<Int>.natural("before"), afterAttribute = OpAttribute<Int>.natural("after")
    public static let attributes: [any AnyOpAttribute] = [axisAttribute, beforeAttribute, afterAttribute]
    public let axis: Int, before: Int, after: Int
    public init(axis: Int, before: Int, after: Int) {
        (self.axis, self.before, self.after) = (axis, before, after)
    }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (axis, before, after) = (try a[axisAttribute], try a[Self.beforeAttribute], try a[Self.afterAttribute])
    }
    public var attrs: [String: JSONValue] {
        recorded(axisAttribute.record(axis), Self.beforeAttribute.record(before), Self.afterAttribute.record(after))
    }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard axis >= 0 && axis < s[0].count, before >= 0, after >= 0 else {
            throw OpError(op: Self.name, "cannot pad \(describe(s[0])) by \(before), \(after) along axis \(axis)")
        }
        var shape = s[0]
        // Saturating, so that absurd padding is refused by outputShape instead of overflowing here.
        shape[axis] = saturatingSum(saturatingSum(shape[axis], before), after)
        return shape
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let input = x[0]
        let from = AxisLayout(input.shape, axis: axis), to = AxisLayout(shape, axis: axis)
        var scalars = [Double](repeating: 0, count: Tensor.count(of: shape))
        // For each outer index, the input's positions along the axis and everything after it are one run in memory.
        let run = from.length * from.inner
        scalars.withUnsafeMutableBufferPointer { out in
            input.scalars.withUnsafeBufferPointer { source in
                guard run > 0 else { return }  // nothing to copy from an empty input
                for o in 0..<from.outer {
                    (out.baseAddress! + to.index(o, before, 0)).update(from: source.baseAddress! + from.index(o, 0, 0), count: run)
                }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [slice(c.grad, axis: axis, before ..< before + c.inputs[0].shape[axis])]
    }
}

/// a + b, or `Int.max` when that overflows: a shape rule adding attrs (padding, many inputs) hands
/// `outputShape` a dimension it refuses instead of trapping on the overflow.
private func saturatingSum(_ a: Int, _ b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
}

// MARK: - The ops above as functions on `Var`s, so that model code reads like the equations

/// The transpose of a matrix (axes reversed), or the axes permuted by `perm`.
/// A matrix's transpose is computed and recorded once per tape and reused: the backward pass of
/// an unrolled network needs Wᵀ at every time step.
public func transpose(_ x: Var, _ perm: [Int]? = nil) -> Var {
    guard perm == nil else { return x.tape.apply(Transpose(perm: perm), [x]) }
    if let cached = x.tape.transposes[x.id] { return Var(tape: x.tape, id: cached) }
    let transposed = x.tape.apply(Transpose(), [x])
    x.tape.transposes[x.id] = transposed.id
    return transposed
}

public func reshape(_ x: Var, _ shape: [Int]) -> Var { x.tape.apply(Reshape(shape: shape), [x]) }

/// Joins along `axis` (default 0: stacking columns into a taller column, as in [h; x]).
public func concat(_ parts: [Var], axis: Int = 0) -> Var {
    precondition(!parts.isEmpty, "concat: nothing to join")
    return parts[0].tape.apply(Concat(axis: axis < 0 ? axis + parts[0].shape.count : axis), parts)
}

public func slice(_ x: Var, axis: Int, _ range: Range<Int>) -> Var {
    x.tape.apply(Slice(axis: axis < 0 ? axis + x.shape.count : axis, start: range.lowerBound, end: range.upperBound), [x])
}

public func pad(_ x: Var, axis: Int, before: Int, after: Int) -> Var {
    x.tape.apply(Pad(axis: axis < 0 ? axis + x.shape.count : axis, before: before, after: after), [x])
}

/// x reversed along `axes` (negative counts from the end): a mirrored image.
public func flip(_ x: Var, axes: [Int]) -> Var {
    x.tape.apply(Flip(axes: axes.map { $0 < 0 ? $0 + x.shape.count : $0 }.sorted()), [x])
}

extension OpRegistry {
    /// This file's op kinds, in the order of the docs' op table.
    static let shape: [any Op.Type] = [
        Transpose.self, Reshape.self, Concat.self, Slice.self, Flip.self, Pad.self, Rows.self, RowsBackward.self,
    ]
}
