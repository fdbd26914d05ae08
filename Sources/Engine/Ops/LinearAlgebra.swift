import Trace

/// Matrix product of an m×k and a k×n matrix (rank 2 both; a column vector is k×1).
/// ∂A = g · Bᵀ, ∂B = Aᵀ · g.
public struct MatMul: Op {
    public static let name = "matmul"
    public static var arity: Int? { 2 }
    public init() {}
    public init(attrs: [String: JSONValue]) {}

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        let (a, b) = (s[0], s[1])
        guard a.count == 2, b.count == 2 else {
            throw OpError(
                op: Self.name, "needs two matrices, got \(describe(a)) and \(describe(b)) (write vectors as n×1 columns)")
        }
        guard b[0] == a[1] else {
            throw OpError(op: Self.name, "inner dimensions differ: \(describe(a)) times \(describe(b)) (\(a[1]) ≠ \(b[0]))")
        }
        return [a[0], b[1]]
    }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let (a, b) = (x[0], x[1])
        let (m, k, n) = (shape[0], a.shape[1], shape[1])
        // `multiply` writes every element, so the output starts uninitialized (no zeroing pass).
        let out = [Double](unsafeUninitializedCapacity: m * n) { C, count in
            a.scalars.withUnsafeBufferPointer { A in
                b.scalars.withUnsafeBufferPointer { B in
                    multiply(A.baseAddress, B.baseAddress, C.baseAddress, m, k, n)
                }
            }
            count = m * n
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

    /// `W x`: juxtaposed, as the notes write a matrix product.
    public func tex(_ x: [TeXName]) -> TeXName { .infix(x[0], "", x[1], .juxtaposition) }

    /// A multiply and an add per term: 2·m·k·n.
    public func work(_ x: [Tensor], _ output: Tensor) -> Double {
        2 * Double(x[0].shape[0]) * Double(x[0].shape[1]) * Double(x[1].shape[1])
    }
}

/// C = A·B for row-major A (m×k), B (k×n), C (m×n); every element of C is written.
///
/// Tiles of 4 rows × 4 columns of C are accumulated in registers over all of k, so each loaded
/// row piece of B serves four rows of A. Every C[i][j] still sums its k products in order
/// p = 0, 1, …, from +0.0, exactly as the plain triple loop does: the tiling changes speed, not bits.
func multiply(
    _ A: UnsafePointer<Double>?, _ B: UnsafePointer<Double>?, _ C: UnsafeMutablePointer<Double>?, _ m: Int, _ k: Int, _ n: Int
) {
    guard let C, m > 0, n > 0 else { return }
    guard let A, let B, k > 0 else {
        C.initialize(repeating: 0, count: m * n)  // an empty sum
        return
    }
    let tiledColumns = n - n % 4
    var i = 0
    while i + 4 <= m {
        var j = 0
        while j < tiledColumns {
            var (c0, c1, c2, c3) = (SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>(), SIMD4<Double>())
            for p in 0..<k {
                let b = UnsafeRawPointer(B + p * n + j).loadUnaligned(as: SIMD4<Double>.self)
                c0 += A[i * k + p] * b
                c1 += A[(i + 1) * k + p] * b
                c2 += A[(i + 2) * k + p] * b
                c3 += A[(i + 3) * k + p] * b
            }
            UnsafeMutableRawPointer(C + i * n + j).storeBytes(of: c0, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(C + (i + 1) * n + j).storeBytes(of: c1, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(C + (i + 2) * n + j).storeBytes(of: c2, as: SIMD4<Double>.self)
            UnsafeMutableRawPointer(C + (i + 3) * n + j).storeBytes(of: c3, as: SIMD4<Double>.self)
            j += 4
        }
        // The last n mod 4 columns (all of a matrix–vector product): four rows at a time, so four
        // independent sums are in flight instead of one chain of dependent additions.
        for j in tiledColumns..<n {
            var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
            for p in 0..<k {
                let b = B[p * n + j]
                s0 += A[i * k + p] * b
                s1 += A[(i + 1) * k + p] * b
                s2 += A[(i + 2) * k + p] * b
                s3 += A[(i + 3) * k + p] * b
            }
            (C[i * n + j], C[(i + 1) * n + j], C[(i + 2) * n + j], C[(i + 3) * n + j]) = (s0, s1, s2, s3)
        }
        i += 4
    }
    for row in i..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k { sum += A[row * k + p] * B[p * n + j] }
            C[row * n + j] = sum
        }
    }
}

// MARK: - The ops above as functions on `Var`s, so that model code reads like the equations

/// Matrix product.
public func • (a: Var, b: Var) -> Var { a.tape.apply(MatMul(), [a, b]) }

extension OpRegistry {
    /// This file's op kinds, in the order of the docs' op table.
    static let linearAlgebra: [any Op.Type] = [MatMul.self]
}
