import CEngine
@testable import Engine
import Testing
import Trace

/// The matrix product's kernel (`CEngine`'s matrix_product.c) against the plain triple loop, bit for
/// bit: every C[i][j] sums its k products in order p = 0, 1, … from +0.0, each product rounded. The
/// sizes are odd so that every partial tile (rows past a multiple of 4, columns past a multiple of 8
/// or 4) is met, and 65 runs past one block of 16 row panels.
@Suite("Matrix product kernel")
struct MatrixProductTests {
    static let sizes = [1, 3, 5, 7, 17, 33, 65]

    /// Values spread over 2⁻²⁰ … 2²⁰ in magnitude, with both signs, so that a sum taken in another
    /// order (or with a fused multiply-add) rounds differently and the comparison would see it.
    static func values(_ count: Int, seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let exponent = Double(generator.nextInt(below: 41) - 20)
            return generator.uniform(-1, 1) * Double.pow2(exponent)
        }
    }

    /// op(A)·op(B) by the definition: for each (i, j), sum = +0.0, then sum += a·b for p = 0, 1, ….
    static func tripleLoop(_ a: [Double], transposeA: Bool, _ b: [Double], transposeB: Bool, m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k {
                    let x = transposeA ? a[p * m + i] : a[i * k + p]
                    let y = transposeB ? b[j * k + p] : b[p * n + j]
                    sum += x * y
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    typealias Kernel = (UnsafePointer<Double>?, Bool, UnsafePointer<Double>?, Bool, UnsafeMutablePointer<Double>?, Int, Int, Int) -> Void

    static func run(_ kernel: Kernel, _ a: [Double], _ ta: Bool, _ b: [Double], _ tb: Bool, m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in kernel(a.baseAddress, ta, b.baseAddress, tb, c.baseAddress, m, k, n) }
            }
        }
        return c
    }

    @Test(
        "the kernel equals the in-order triple loop bit for bit, operands plain or transposed, on the dispatched and the portable path",
        arguments: sizes)
    func kernelMatchesTripleLoopBitForBit(m: Int) {
        for k in Self.sizes {
            for n in Self.sizes {
                let a = Self.values(m * k, seed: UInt64(m * 10_000 + k * 100 + n))
                let b = Self.values(k * n, seed: UInt64(7 + m * 10_000 + k * 100 + n))
                for (ta, tb) in [(false, false), (false, true), (true, false), (true, true)] {
                    let expected = Self.tripleLoop(a, transposeA: ta, b, transposeB: tb, m: m, k: k, n: n)
                    let dispatched = Self.run({ unrolled_matrix_product($0, $1, $2, $3, $4, $5, $6, $7) }, a, ta, b, tb, m: m, k: k, n: n)
                    let portable = Self.run({ unrolled_matrix_product_portable($0, $1, $2, $3, $4, $5, $6, $7) }, a, ta, b, tb, m: m, k: k, n: n)
                    #expect(sameBits(dispatched, expected), "\(m)×\(k)×\(n), transposed A \(ta), B \(tb)")
                    #expect(sameBits(portable, expected), "portable \(m)×\(k)×\(n), transposed A \(ta), B \(tb)")
                }
            }
        }
    }

    @Test("an empty inner dimension gives +0.0 everywhere")
    func emptySumIsPositiveZero() {
        let c = Self.run({ unrolled_matrix_product($0, $1, $2, $3, $4, $5, $6, $7) }, [], false, [], false, m: 3, k: 0, n: 5)
        #expect(c.allSatisfy { $0 == 0 && $0.sign == .plus })
    }

    @Test("a product of −0.0 terms sums to +0.0, as the triple loop's 0.0 + (−0.0) does")
    func negativeZeroProductsSumToPositiveZero() {
        let c = Self.run({ unrolled_matrix_product($0, $1, $2, $3, $4, $5, $6, $7) }, [-0.0, 0.0, -0.0], false, [1, 1, 0, 0, -1, -1], false, m: 1, k: 3, n: 2)
        #expect(c.allSatisfy { $0 == 0 && $0.sign == .plus })
    }

    @Test("infinities and NaN reach only the elements whose sums contain them (the zero padding adds none)")
    func nonFiniteValuesStayInTheirRowsAndColumns() {
        // 5×2 · 2×9: row 4 of A holds ∞ (in a partial row panel), column 8 of B holds NaN (a partial column panel).
        var a = Self.values(10, seed: 3), b = Self.values(18, seed: 4)
        a[4 * 2] = .infinity
        b[0 * 9 + 8] = .nan
        let c = Self.run({ unrolled_matrix_product($0, $1, $2, $3, $4, $5, $6, $7) }, a, false, b, false, m: 5, k: 2, n: 9)
        let expected = Self.tripleLoop(a, transposeA: false, b, transposeB: false, m: 5, k: 2, n: 9)
        #expect(sameBits(c, expected))
        #expect(c[0 * 9 + 0].isFinite && c[4 * 9 + 8].isNaN && c[4 * 9 + 0].isInfinite)
    }

    @Test("matmul's op equals the triple loop bit for bit")
    func matmulOpMatchesTripleLoopBitForBit() throws {
        for (m, k, n) in [(1, 1, 1), (3, 5, 7), (17, 33, 5), (65, 7, 33)] {
            let a = Self.values(m * k, seed: 11), b = Self.values(k * n, seed: 12)
            let c = try MatMul().forward([Tensor(shape: [m, k], scalars: a), Tensor(shape: [k, n], scalars: b)])
            #expect(sameBits(c.scalars, Self.tripleLoop(a, transposeA: false, b, transposeB: false, m: m, k: k, n: n)))
        }
    }

    @Test("a tape that does not record gives matmul the same gradients, bit for bit, as one that records the transposes")
    func gradientsWithoutRecordingMatchRecordedOnes() {
        for (m, k, n) in [(1, 3, 1), (5, 7, 3), (17, 5, 33)] {
            let a = Tensor(shape: [m, k], scalars: Self.values(m * k, seed: 21))
            let b = Tensor(shape: [k, n], scalars: Self.values(k * n, seed: 22))
            let weights = Tensor(shape: [m, n], scalars: Self.values(m * n, seed: 23))
            func gradients(recording: Bool) -> [Tensor] {
                let tape = Tape(recording: recording)
                let (A, B) = (tape.parameter(a, name: "A"), tape.parameter(b, name: "B"))
                let g = tape.backward(sum((A • B) * tape.constant(weights, name: "w")))
                return [g[A]!.value, g[B]!.value]
            }
            let (recorded, unrecorded) = (gradients(recording: true), gradients(recording: false))
            for (r, u) in zip(recorded, unrecorded) {
                #expect(r.shape == u.shape && sameBits(r.scalars, u.scalars), "\(m)×\(k)×\(n)")
            }
            // ∂A = w · Bᵀ by the definition.
            let dA = Self.tripleLoop(weights.scalars, transposeA: false, b.scalars, transposeB: true, m: m, k: n, n: k)
            #expect(sameBits(unrecorded[0].scalars, dA))
        }
    }

    @Test(
        "the transposed product's own gradients equal those of the recorded transpose and matmul, bit for bit",
        arguments: [(false, false), (false, true), (true, false), (true, true)])
    func transposedProductGradientsMatchTransposeAndMatmul(transposeA: Bool, transposeB: Bool) {
        let (m, k, n) = (5, 3, 7)
        let a = Tensor(shape: transposeA ? [k, m] : [m, k], scalars: Self.values(m * k, seed: 31))
        let b = Tensor(shape: transposeB ? [n, k] : [k, n], scalars: Self.values(k * n, seed: 32))
        let weights = Tensor(shape: [m, n], scalars: Self.values(m * n, seed: 33))
        func gradients(fused: Bool) -> [Tensor] {
            let tape = Tape(recording: !fused)
            let (A, B) = (tape.parameter(a, name: "A"), tape.parameter(b, name: "B"))
            let product =
                fused
                ? tape.apply(TransposedMatMul(transposeA: transposeA, transposeB: transposeB), [A, B])
                : (transposeA ? transpose(A) : A) • (transposeB ? transpose(B) : B)
            let g = tape.backward(sum(product * tape.constant(weights, name: "w")))
            return [product.value, g[A]!.value, g[B]!.value]
        }
        for (recorded, fused) in zip(gradients(fused: false), gradients(fused: true)) {
            #expect(recorded.shape == fused.shape && sameBits(recorded.scalars, fused.scalars))
        }
    }

    @Test("a matrix's transpose (made in blocks of 8) puts element (i, j) at (j, i)", arguments: [(1, 1), (3, 17), (8, 8), (9, 16), (33, 5)])
    func transposeMovesEveryElement(m: Int, n: Int) throws {
        let x = Tensor(shape: [m, n], scalars: (0..<m * n).map(Double.init))
        let y = try Transpose().forward([x])
        #expect(y.shape == [n, m])
        for i in 0..<m {
            for j in 0..<n { #expect(y[j, i] == x[i, j]) }
        }
    }
}

extension Double {
    /// 2ˣ for an integral x.
    static func pow2(_ x: Double) -> Double { Double(sign: .plus, exponent: Int(x), significand: 1) }
}
