import Trace

// Ops that move values without computing new ones. Each one's gradient is the move back.

/// Permutes the axes: output axis i is input axis perm[i]; no perm reverses the axes (a matrix's transpose).
/// ∂x = transpose(g) by the inverse permutation.
public struct Transpose: Op {
    public static let name = "transpose"
    public let perm: [Int]?
    public init(perm: [Int]? = nil) { self.perm = perm }
    public init(attrs: [String: JSONValue]) throws(OpError) { perm = try Attributes(Self.name, attrs).optionalInts("perm") }
    public var attrs: [String: JSONValue] { perm.map { ["perm": .array($0.map { .int($0) })] } ?? [:] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let input = x[0]
        let order = perm ?? Array(input.shape.indices.reversed())
        guard order.sorted() == Array(input.shape.indices) else {
            throw OpError(op: Self.name, "perm \(order) is not a permutation of the axes of \(describe(input.shape))")
        }
        if input.rank == 2 && order == [1, 0] { return transposeMatrix(input) }
        let shape = order.map { input.shape[$0] }
        let inputStrides = Tensor.strides(of: input.shape)
        return Broadcasting.gather(input, shape: shape, strides: order.map { inputStrides[$0] })
    }

    public func gradients(_ c: GradientContext) -> [Var?] {
        guard let perm else { return [transpose(c.grad)] }
        var inverse = perm
        for (i, axis) in perm.enumerated() { inverse[axis] = i }
        return [c.grad.tape.apply(Transpose(perm: inverse), [c.grad])]
    }
}

/// The transpose of an m×n matrix, element by element.
private func transposeMatrix(_ x: Tensor) -> Tensor {
    let (m, n) = (x.shape[0], x.shape[1])
    let scalars = [Double](unsafeUninitializedCapacity: m * n) { out, count in
        x.scalars.withUnsafeBufferPointer { source in
            for i in 0..<m {
                for j in 0..<n { out[j * m + i] = source[i * n + j] }
            }
        }
        count = m * n
    }
    return Tensor(shape: [n, m], scalars: scalars)
}

/// The same values, row-major, in another shape of the same size. ∂x = reshape(g, x's shape).
public struct Reshape: Op {
    public static let name = "reshape"
    public let shape: [Int]
    public init(shape: [Int]) { self.shape = shape }
    public init(attrs: [String: JSONValue]) throws(OpError) { shape = try Attributes(Self.name, attrs).ints("shape") }
    public var attrs: [String: JSONValue] { ["shape": .array(shape.map { .int($0) })] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        guard shape.allSatisfy({ $0 >= 0 }), Tensor.count(of: shape) == x[0].count else {
            throw OpError(op: Self.name, "cannot reshape \(describe(x[0].shape)) (\(x[0].count) values) to \(describe(shape))")
        }
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
    public init(attrs: [String: JSONValue]) throws(OpError) { axis = try Attributes(Self.name, attrs).int("axis") }
    public var attrs: [String: JSONValue] { ["axis": .int(axis)] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let first = x[0]
        guard axis >= 0 && axis < first.rank else {
            throw OpError(op: Self.name, "axis \(axis) is out of range for shape \(describe(first.shape))")
        }
        for other in x.dropFirst() {
            var a = first.shape, b = other.shape
            guard a.count == b.count else {
                throw OpError(op: Self.name, "shapes \(describe(a)) and \(describe(b)) have different ranks")
            }
            a[axis] = 0
            b[axis] = 0
            guard a == b else {
                throw OpError(
                    op: Self.name, "shapes \(describe(first.shape)) and \(describe(other.shape)) differ off axis \(axis)")
            }
        }
        var shape = first.shape
        shape[axis] = x.map { $0.shape[axis] }.reduce(0, +)
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
}

/// Positions start..<end along `axis`. ∂x = pad(g) with zeros where the slice left positions out.
public struct Slice: Op {
    public static let name = "slice"
    public let axis: Int, start: Int, end: Int
    public init(axis: Int, start: Int, end: Int) {
        (self.axis, self.start, self.end) = (axis, start, end)
    }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (axis, start, end) = (try a.int("axis"), try a.int("start"), try a.int("end"))
    }
    public var attrs: [String: JSONValue] { ["axis": .int(axis), "start": .int(start), "end": .int(end)] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let input = x[0]
        guard axis >= 0 && axis < input.rank, 0 <= start, start <= end, end <= input.shape[axis] else {
            throw OpError(op: Self.name, "\(start)..<\(end) along axis \(axis) does not fit shape \(describe(input.shape))")
        }
        var shape = input.shape
        shape[axis] = end - start
        let from = AxisLayout(input.shape, axis: axis), to = AxisLayout(shape, axis: axis)
        var scalars = [Double](repeating: 0, count: Tensor.count(of: shape))
        for o in 0..<to.outer {
            for k in 0..<to.length {
                for i in 0..<to.inner { scalars[to.index(o, k, i)] = input.scalars[from.index(o, start + k, i)] }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [pad(c.grad, axis: axis, before: start, after: c.inputs[0].shape[axis] - end)]
    }
}

/// `before` zeros ahead of x and `after` zeros behind it along `axis` (numpy `pad` with zeros on one axis).
/// ∂x = slice(g, before..<before + n).
public struct Pad: Op {
    public static let name = "pad"
    public let axis: Int, before: Int, after: Int
    public init(axis: Int, before: Int, after: Int) {
        (self.axis, self.before, self.after) = (axis, before, after)
    }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (axis, before, after) = (try a.int("axis"), try a.int("before"), try a.int("after"))
    }
    public var attrs: [String: JSONValue] { ["axis": .int(axis), "before": .int(before), "after": .int(after)] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let input = x[0]
        guard axis >= 0 && axis < input.rank, before >= 0, after >= 0 else {
            throw OpError(op: Self.name, "cannot pad \(describe(input.shape)) by \(before), \(after) along axis \(axis)")
        }
        var shape = input.shape
        shape[axis] += before + after
        let from = AxisLayout(input.shape, axis: axis), to = AxisLayout(shape, axis: axis)
        var scalars = [Double](repeating: 0, count: Tensor.count(of: shape))
        for o in 0..<from.outer {
            for k in 0..<from.length {
                for i in 0..<from.inner { scalars[to.index(o, before + k, i)] = input.scalars[from.index(o, k, i)] }
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [slice(c.grad, axis: axis, before ..< before + c.inputs[0].shape[axis])]
    }
}

/// Rows (positions along axis 0) picked by `indices`, repeats allowed: an embedding lookup.
/// ∂x = rows_backward(g) {indices, count}.
public struct Rows: Op {
    public static let name = "rows"
    public let indices: [Int]
    public init(indices: [Int]) { self.indices = indices }
    public init(attrs: [String: JSONValue]) throws(OpError) { indices = try Attributes(Self.name, attrs).ints("indices") }
    public var attrs: [String: JSONValue] { ["indices": .array(indices.map { .int($0) })] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let input = x[0]
        guard input.rank >= 1 else { throw OpError(op: Self.name, "needs a tensor with rows, got a scalar") }
        if let bad = indices.first(where: { $0 < 0 || $0 >= input.shape[0] }) {
            throw OpError(op: Self.name, "row \(bad) is out of range for shape \(describe(input.shape))")
        }
        let width = input.count / max(input.shape[0], 1)
        var scalars: [Double] = []
        scalars.reserveCapacity(indices.count * width)
        for row in indices { scalars += input.scalars[row * width ..< (row + 1) * width] }
        return Tensor(shape: [indices.count] + input.shape.dropFirst(), scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.grad.tape.apply(RowsBackward(indices: indices, count: c.inputs[0].shape[0]), [c.grad])]
    }
}

/// The adjoint of `rows`: a tensor of `count` zero rows, with row k of dy added to row indices[k]
/// (a row picked twice gets both contributions). Linear, so ∂dy = rows(g) {indices}.
public struct RowsBackward: Op {
    public static let name = "rows_backward"
    public let indices: [Int]
    public let count: Int
    public init(indices: [Int], count: Int) {
        self.indices = indices
        self.count = count
    }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (indices, count) = (try a.ints("indices"), try a.int("count"))
    }
    public var attrs: [String: JSONValue] { ["indices": .array(indices.map { .int($0) }), "count": .int(count)] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let dy = x[0]
        guard dy.rank >= 1, dy.shape[0] == indices.count else {
            throw OpError(op: Self.name, "needs \(indices.count) rows, got shape \(describe(dy.shape))")
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw OpError(op: Self.name, "row \(bad) is out of range for \(count) rows")
        }
        let width = indices.isEmpty ? Tensor.count(of: Array(dy.shape.dropFirst())) : dy.count / indices.count
        var scalars = [Double](repeating: 0, count: count * width)
        for (k, row) in indices.enumerated() {
            for j in 0..<width { scalars[row * width + j] += dy.scalars[k * width + j] }
        }
        return Tensor(shape: [count] + dy.shape.dropFirst(), scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [rows(c.grad, indices)] }
}
