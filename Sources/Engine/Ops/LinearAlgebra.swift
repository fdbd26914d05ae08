import CEngine
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
        return product(x[0], x[1], shape)
    }

    /// A recording tape records the transposes and the products of the rule as written, the trace's
    /// vocabulary; one that does not record reads the operands transposed in place instead (the same
    /// sums in the same order, so the same bits), which saves making Bᵀ and Aᵀ.
    public func gradients(_ c: GradientContext) -> [Var?] {
        let (a, b) = (c.inputs[0], c.inputs[1])
        guard c.grad.tape.isRecording else {
            return [
                c.needs[0] ? c.grad.tape.apply(TransposedMatMul(transposeB: true), [c.grad, b]) : nil,
                c.needs[1] ? c.grad.tape.apply(TransposedMatMul(transposeA: true), [a, c.grad]) : nil,
            ]
        }
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

/// op(A)·op(B) where either operand may be read transposed, on a tape that does not record: the
/// products of `matmul`'s gradient rule (g·Bᵀ, Aᵀ·g) without the transposes made. Never in a trace
/// (a recording tape records `transpose` and `matmul` instead), so it has no name of its own there.
/// ∂op(A) = g·op(B)ᵀ and ∂op(B) = op(A)ᵀ·g, themselves products with operands read transposed.
struct TransposedMatMul: Op {
    static let name = "matmul"
    static var arity: Int? { 2 }
    let transposeA: Bool
    let transposeB: Bool
    init(transposeA: Bool = false, transposeB: Bool = false) { (self.transposeA, self.transposeB) = (transposeA, transposeB) }
    init(attrs: [String: JSONValue]) { self.init() }

    /// op(A)'s m×k and op(B)'s k×n.
    private func operands(_ s: [[Int]]) -> (a: [Int], b: [Int]) {
        (transposeA ? s[0].reversed() : s[0], transposeB ? s[1].reversed() : s[1])
    }

    func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        let (a, b) = operands(s)
        return try MatMul().shapeRule([a, b])
    }

    func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        return product(x[0], x[1], shape, transposeA: transposeA, transposeB: transposeB)
    }

    func gradients(_ c: GradientContext) -> [Var?] {
        let (a, b, g, tape) = (c.inputs[0], c.inputs[1], c.grad, c.grad.tape)
        return [
            !c.needs[0] ? nil
                : transposeA
                ? tape.apply(TransposedMatMul(transposeA: transposeB, transposeB: true), [b, g])  // (g·op(B)ᵀ)ᵀ = op(B)·gᵀ
                : tape.apply(TransposedMatMul(transposeB: !transposeB), [g, b]),
            !c.needs[1] ? nil
                : transposeB
                ? tape.apply(TransposedMatMul(transposeA: true, transposeB: transposeA), [g, a])  // (op(A)ᵀ·g)ᵀ = gᵀ·op(A)
                : tape.apply(TransposedMatMul(transposeA: !transposeA), [a, g]),
        ]
    }

    func tex(_ x: [TeXName]) -> TeXName { .infix(x[0], "", x[1], .juxtaposition) }

    func work(_ x: [Tensor], _ output: Tensor) -> Double {
        let (a, _) = operands(x.map(\.shape))
        return 2 * Double(a[0]) * Double(a[1]) * Double(output.shape[1])
    }
}

/// The m×n matrix op(a)·op(b), op(x) being x or xᵀ. - Precondition: the shapes fit (`outputShape`).
private func product(_ a: Tensor, _ b: Tensor, _ shape: [Int], transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let (m, n) = (shape[0], shape[1])
    let k = transposeA ? a.shape[0] : a.shape[1]
    // `multiply` writes every element, so the output starts uninitialized (no zeroing pass).
    let out = [Double](unsafeUninitializedCapacity: m * n) { C, count in
        a.scalars.withUnsafeBufferPointer { A in
            b.scalars.withUnsafeBufferPointer { B in
                multiply(A.baseAddress, B.baseAddress, C.baseAddress, m, k, n, transposeA: transposeA, transposeB: transposeB)
            }
        }
        count = m * n
    }
    return Tensor(shape: [m, n], scalars: out)
}

/// C = op(A)·op(B) for row-major matrices: op(A) m×k (A stored m×k, or k×m when `transposeA`),
/// op(B) k×n (B stored k×n, or n×k when `transposeB`), C m×n; every element of C is written.
///
/// Every C[i][j] sums its k products in order p = 0, 1, …, from +0.0, each product rounded before
/// it is added, exactly as the plain triple loop does: the kernel (`CEngine`'s `matrix_product.c`: register tiles,
/// a packed B, AVX where the CPU has it) changes speed, not bits.
func multiply(
    _ A: UnsafePointer<Double>?, _ B: UnsafePointer<Double>?, _ C: UnsafeMutablePointer<Double>?, _ m: Int, _ k: Int, _ n: Int,
    transposeA: Bool = false, transposeB: Bool = false
) {
    guard let C, m > 0, n > 0 else { return }
    guard let A, let B, k > 0 else {
        C.initialize(repeating: 0, count: m * n)  // an empty sum
        return
    }
    unrolled_matrix_product(A, transposeA, B, transposeB, C, m, k, n)
}

// MARK: - The ops above as functions on `Var`s, so that model code reads like the equations

/// Matrix product.
public func • (a: Var, b: Var) -> Var { a.tape.apply(MatMul(), [a, b]) }

extension OpRegistry {
    /// This file's op kinds, in the order of the docs' op table.
    static let linearAlgebra: [any Op.Type] = [MatMul.self]
}
