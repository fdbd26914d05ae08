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
                    multiply(A.baseAddress, B.baseAddress, C.baseAddress, m, k, n)
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

/// C += A·B for row-major A (m×k), B (k×n), C (m×n).
///
/// Four rows of C are updated together so that each loaded row of B serves four of them; the
/// inner loop runs along contiguous rows and vectorizes. Every C[i][j] still sums its k products
/// in order p = 0, 1, …, so results do not depend on the blocking.
private func multiply(
    _ A: UnsafePointer<Double>?, _ B: UnsafePointer<Double>?, _ C: UnsafeMutablePointer<Double>?, _ m: Int, _ k: Int, _ n: Int
) {
    guard let A, let B, let C, m > 0, n > 0, k > 0 else { return }
    var i = 0
    while i + 4 <= m {
        let (c0, c1, c2, c3) = (C + i * n, C + (i + 1) * n, C + (i + 2) * n, C + (i + 3) * n)
        for p in 0..<k {
            let (a0, a1, a2, a3) = (A[i * k + p], A[(i + 1) * k + p], A[(i + 2) * k + p], A[(i + 3) * k + p])
            let row = B + p * n
            for j in 0..<n {
                let b = row[j]
                c0[j] += a0 * b
                c1[j] += a1 * b
                c2[j] += a2 * b
                c3[j] += a3 * b
            }
        }
        i += 4
    }
    while i < m {
        let c = C + i * n
        for p in 0..<k {
            let (a, row) = (A[i * k + p], B + p * n)
            for j in 0..<n { c[j] += a * row[j] }
        }
        i += 1
    }
}
