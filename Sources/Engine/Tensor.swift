/// An array of `Double` values of any rank, stored row-major (the last axis varies fastest).
///
/// A rank-0 tensor (shape `[]`) holds one scalar. Vectors in this project are columns
/// (shape `[n, 1]`) wherever they meet a matrix, as in the course's equations.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public let shape: [Int]
    public var scalars: [Double]

    /// - Precondition: `scalars.count` is the product of `shape` (1 for a scalar).
    public init(shape: [Int], scalars: [Double]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(
            scalars.count == Tensor.count(of: shape),
            "Tensor: \(scalars.count) values do not fill shape \(shape) (\(Tensor.count(of: shape)) needed)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A rank-0 tensor.
    public init(scalar: Double) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A matrix from its rows. - Precondition: every row has the same length.
    public init(rows: [[Double]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): rows of different lengths")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A column vector, shape `[n, 1]`.
    public init(column: [Double]) {
        self.init(shape: [column.count, 1], scalars: column)
    }

    public static func zeros(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: Array(repeating: 0, count: count(of: shape)))
    }

    public static func filled(_ shape: [Int], with value: Double) -> Tensor {
        Tensor(shape: shape, scalars: Array(repeating: value, count: count(of: shape)))
    }

    /// A one-hot column `[n, 1]` with 1 at `index`.
    public static func oneHot(_ index: Int, count n: Int) -> Tensor {
        var scalars = Array(repeating: 0.0, count: n)
        scalars[index] = 1
        return Tensor(shape: [n, 1], scalars: scalars)
    }

    public var rank: Int { shape.count }
    public var count: Int { scalars.count }

    /// The value of a tensor holding exactly one element (any shape of size 1).
    public var scalar: Double {
        precondition(count == 1, "Tensor.scalar: tensor of shape \(shape) holds \(count) values")
        return scalars[0]
    }

    /// Element of a rank-2 tensor.
    public subscript(row: Int, column: Int) -> Double {
        precondition(rank == 2, "Tensor[row, column] on a tensor of shape \(shape)")
        return scalars[row * shape[1] + column]
    }

    /// The tensor with the same values and another shape of the same size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Number of elements in a tensor of this shape. - Precondition: a valid shape (see `checkedCount`).
    public static func count(of shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// The most values one tensor may hold: 2²⁷ (134,217,728, 1 GiB of doubles), just above the
    /// memory a demo run may hold (`Budget.standard`, 1 GB), so that a demo's meter always stops a
    /// run that grows too big before an op meets this limit (which would be a programming error
    /// there). Ops refuse to make a larger tensor, so an absurd shape or attribute in a trace is an
    /// error, never an allocation of terabytes; a trace from elsewhere has a smaller budget of its
    /// own (`TraceLimits`).
    public static let maxCount = 1 << 27

    /// The number of elements of `shape`, or nil when no tensor may have it: a dimension is negative,
    /// or the product of the non-zero dimensions exceeds `maxCount`. Zeros are left out of that
    /// product so that an empty tensor cannot carry huge other dimensions either; then no count,
    /// stride or loop bound computed from a valid shape can overflow. Multiplies with overflow checks.
    public static func checkedCount(of shape: [Int]) -> Int? {
        var nonZero = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            if dimension == 0 { continue }
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= maxCount else { return nil }
            nonZero = product
        }
        return shape.contains(0) ? 0 : nonZero
    }

    /// Why `checkedCount` refuses a shape, as a phrase that follows it in a message.
    static var invalidShapeReason: String {
        "is not one a tensor may have (every dimension ≥ 0, at most \(maxCount) values)"
    }

    /// Row-major strides: how far apart consecutive positions along each axis are.
    public static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](small: 1, count: shape.count)
        var stride = 1
        for axis in shape.indices.reversed() {
            strides[axis] = stride
            stride *= shape[axis]
        }
        return strides
    }

    public var description: String {
        "Tensor(shape: \(shape), scalars: \(scalars))"
    }
}

/// `2×3`, `4`, `scalar`: shapes as the error messages and the docs write them.
func describe(_ shape: [Int]) -> String {
    shape.isEmpty ? "scalar" : shape.map(String.init).joined(separator: "×")
}
