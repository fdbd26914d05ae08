import Trace

// The embedding lookup and its adjoint: rows picked by index, and rows added back.

/// Rows (positions along axis 0) picked by `indices`, repeats allowed: an embedding lookup.
/// ∂x = rows_backward(g) {indices, count}.
public struct Rows: Op {
    public static let name = "rows"
    public let indices: [Int]
    public init(indices: [Int]) { self.indices = indices }
    public static let attributes: [any AnyOpAttribute] = [indicesAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { indices = try Attributes(Self.name, attrs)[indicesAttribute] }
    public var attrs: [String: JSONValue] { recorded(indicesAttribute.record(indices)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard let rows = s[0].first else { throw OpError(op: Self.name, "needs a tensor with rows, got a scalar") }
        if let bad = indices.first(where: { $0 < 0 || $0 >= rows }) {
            throw OpError(op: Self.name, "row \(bad) is out of range for shape \(describe(s[0]))")
        }
        return [indices.count] + s[0].dropFirst()
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let input = x[0]
        let width = input.count / max(input.shape[0], 1)
        var scalars: [Double] = []
        scalars.reserveCapacity(Tensor.count(of: shape))
        for row in indices { scalars += input.scalars[row * width ..< (row + 1) * width] }
        return Tensor(shape: shape, scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.grad.tape.apply(RowsBackward(indices: indices, count: c.inputs[0].shape[0]), [c.grad])]
    }
    /// `E[3, 5]`: the rows picked, 1-based; past three, the first three and `\ldots`.
    public func tex(_ x: [TeXName]) -> TeXName {
        let shown = indices.prefix(3).map { String($0 + 1) } + (indices.count > 3 ? ["\\ldots"] : [])
        return .indexed(x[0], shown.joined(separator: ", "))
    }
}

/// The adjoint of `rows`: a tensor of `count` zero rows, with row k of dy added to row indices[k]
/// (a row picked twice gets both contributions). Linear, so ∂dy = rows(g) {indices}.
public struct RowsBackward: Op {
    public static let name = "rows_backward"
    public static let countAttribute = OpAttribute<Int>.natural("count")
    public static let attributes: [any AnyOpAttribute] = [indicesAttribute, countAttribute]
    public let indices: [Int]
    public let count: Int
    public init(indices: [Int], count: Int) {
        self.indices = indices
        self.count = count
    }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (indices, count) = (try a[indicesAttribute], try a[Self.countAttribute])
    }
    public var attrs: [String: JSONValue] { recorded(indicesAttribute.record(indices), Self.countAttribute.record(count)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard s[0].first == indices.count else {
            throw OpError(op: Self.name, "needs \(indices.count) rows, got shape \(describe(s[0]))")
        }
        guard count >= 0 else { throw OpError(op: Self.name, "count must be ≥ 0, got \(count)") }
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw OpError(op: Self.name, "row \(bad) is out of range for \(count) rows")
        }
        return [count] + s[0].dropFirst()
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let dy = x[0]
        let width = Tensor.count(of: Array(shape.dropFirst()))
        var scalars = [Double](repeating: 0, count: Tensor.count(of: shape))
        for (k, row) in indices.enumerated() {
            for j in 0..<width { scalars[row * width + j] += dy.scalars[k * width + j] }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [rows(c.grad, indices)] }
}

// MARK: - As a function on `Var`s

/// The rows of x at `indices` (an embedding lookup).
public func rows(_ x: Var, _ indices: [Int]) -> Var { x.tape.apply(Rows(indices: indices), [x]) }
