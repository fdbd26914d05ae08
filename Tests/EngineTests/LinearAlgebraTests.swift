import Engine
import Testing
import Trace

extension ForwardCases {
    static let linearAlgebra: [ForwardCase] = [
        // [[1·7 + 2·9 + 3·11, 1·8 + 2·10 + 3·12], [4·7 + 5·9 + 6·11, 4·8 + 5·10 + 6·12]]
        ForwardCase(
            "2×3 • 3×2", MatMul(), [T([2, 3], [1, 2, 3, 4, 5, 6]), T([3, 2], [7, 8, 9, 10, 11, 12])],
            T([2, 2], [58, 64, 139, 154])),
        // W • x with a column: [1·5 + 2·6, 3·5 + 4·6]
        ForwardCase("2×2 • column", MatMul(), [T([2, 2], [1, 2, 3, 4]), T([2, 1], [5, 6])], T([2, 1], [17, 39])),
        // a row times a column: the dot product 4 + 10 + 18
        ForwardCase("row • column", MatMul(), [T([1, 3], [1, 2, 3]), T([3, 1], [4, 5, 6])], T([1, 1], [32])),
        // a column times a row: the outer product
        ForwardCase("column • row", MatMul(), [T([3, 1], [1, 2, 3]), T([1, 2], [4, 5])], T([3, 2], [4, 5, 8, 10, 12, 15])),
        // five rows: a block of four rows and one more; rows of A pick and mix the rows [1, 2] and [3, 4] of B
        ForwardCase(
            "5×2 • 2×2", MatMul(), [T([5, 2], [1, 0, 0, 1, 1, 1, 2, 0, 0, 3]), T([2, 2], [1, 2, 3, 4])],
            T([5, 2], [1, 2, 3, 4, 4, 6, 2, 4, 9, 12])),
        // a 5×1 column times a 1×2 row: row i is (i + 1) · [1, 10]
        ForwardCase(
            "5×1 • 1×2", MatMul(), [T([5, 1], [1, 2, 3, 4, 5]), T([1, 2], [1, 10])], T([5, 2], [1, 10, 2, 20, 3, 30, 4, 40, 5, 50])),
        ForwardCase("identity", MatMul(), [T([2, 2], [1, 0, 0, 1]), T([2, 3], [1, 2, 3, 4, 5, 6])], T([2, 3], [1, 2, 3, 4, 5, 6])),
        // an empty inner dimension sums nothing
        ForwardCase("2×0 • 0×3", MatMul(), [T([2, 0], []), T([0, 3], [])], T([2, 3], [0, 0, 0, 0, 0, 0])),
    ]
}

@Suite("Linear algebra")
struct LinearAlgebraTests {
    @Test("forward output equals the hand-derived values", arguments: ForwardCases.linearAlgebra)
    func forwardMatchesHandDerivedValues(_ c: ForwardCase) throws {
        try c.check()
    }

    @Test(
        "matmul equals the triple-loop definition on seeded matrices of many row counts",
        arguments: [(1, 3, 2), (3, 4, 5), (4, 2, 3), (6, 4, 5), (9, 3, 2), (8, 1, 7)])
    func matmulMatchesTheDefinition(m: Int, k: Int, n: Int) throws {
        let a = seeded([m, k], seed: UInt64(21 + m)), b = seeded([k, n], seed: UInt64(41 + n))
        let c = try MatMul().forward([a, b])
        #expect(c.shape == [m, n])
        for i in 0..<m {
            for j in 0..<n {
                var expected = 0.0
                for p in 0..<k { expected += a[i, p] * b[p, j] }
                #expect(close(c[i, j], expected, tolerance: 1e-15), "C[\(i), \(j)]")
            }
        }
    }

    @Test("the • operator records matmul")
    func bulletOperatorIsMatmul() {
        let tape = Tape()
        let w = tape.parameter(T([1, 2], [2, 3]), name: "W")
        let x = tape.input(T([2, 1], [4, 5]), name: "x")
        let y = w • x
        #expect(y.value == T([1, 1], [23]))
        #expect(tape.trace(title: "mm", model: "test", config: [:]).steps.map(\.op) == ["matmul"])
    }
}

extension GradientCases {
    /// Gradient checks of this family's ops (GradientTests runs them against finite differences).
    static let linearAlgebra: [GradientCase] = [
        GradientCase("matmul", "2×3 • 3×4", [x([2, 3], 1), x([3, 4], 2)]) { $0[0] • $0[1] },
        GradientCase("matmul", "W • column", [x([3, 2], 3), x([2, 1], 4)]) { $0[0] • $0[1] },
        GradientCase("matmul", "5×3 • 3×2", [x([5, 3], 71), x([3, 2], 72)]) { $0[0] • $0[1] },
    ]
}
