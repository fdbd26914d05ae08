import Trace

/// Matrix product of an m×k and a k×n matrix (rank 2 both; a column vector is k×1).
/// ∂A = g · Bᵀ, ∂B = Aᵀ · g.
public struct MatMul: Op {
    public static let name = "matmul"
    public static var arity: Int? { 2 }
    public init() {}
    public init(attrs: [String: JSONValue]) {}

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let (a, b) = (x[0], x[1])
        guard a.rank == 2, b.rank == 2 else {
            throw OpError(
                op: Self.name, "needs two matrices, got \(describe(a.shape)) and \(describe(b.shape)) (write vectors as n×1 columns)")
        }
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        guard b.shape[0] == k else {
            throw OpError(
                op: Self.name, "inner dimensions differ: \(describe(a.shape)) times \(describe(b.shape)) (\(k) ≠ \(b.shape[0]))")
        }
        var out = [Double](repeating: 0, count: m * n)
        a.scalars.withUnsafeBufferPointer { A in
            b.scalars.withUnsafeBufferPointer { B in
                out.withUnsafeMutableBufferPointer { C in
                    // i-p-j order: the inner loop runs along contiguous rows of B and C.
                    for i in 0..<m {
                        for p in 0..<k {
                            let aip = A[i * k + p]
                            let rowB = p * n
                            let rowC = i * n
                            for j in 0..<n { C[rowC + j] += aip * B[rowB + j] }
                        }
                    }
                }
            }
        }
        return Tensor(shape: [m, n], scalars: out)
    }

    public func gradients(_ c: GradientContext) -> [Var?] {
        let (a, b) = (c.inputs[0], c.inputs[1])
        return [
            c.needs[0] ? c.grad • transpose(b) : nil,
            c.needs[1] ? transpose(a) • c.grad : nil,
        ]
    }
}
