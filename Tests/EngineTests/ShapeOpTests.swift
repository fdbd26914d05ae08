import Engine
import Testing
import Trace

// Forward values of the ops that move values: transpose, reshape, concat, slice, pad, rows, rows_backward.
// x232 is 2×3×2 with x[i][j][k] = 6i + 2j + k, i.e. the values 0…11.
// x34 is 3×4 with x[i][j] = 4i + j, the values 0…11.

private let x232 = T([2, 3, 2], (0..<12).map(Double.init))
private let x34 = T([3, 4], (0..<12).map(Double.init))

extension ForwardCases {
    static let shapes: [ForwardCase] = [
        // flip: x23 = [[1, 2, 3], [4, 5, 6]] mirrored left-right, upside down, both
        ForwardCase("flip axis 1", Flip(axes: [1]), [T([2, 3], [1, 2, 3, 4, 5, 6])], T([2, 3], [3, 2, 1, 6, 5, 4])),
        ForwardCase("flip axis 0", Flip(axes: [0]), [T([2, 3], [1, 2, 3, 4, 5, 6])], T([2, 3], [4, 5, 6, 1, 2, 3])),
        ForwardCase("flip both axes", Flip(axes: [0, 1]), [T([2, 3], [1, 2, 3, 4, 5, 6])], T([2, 3], [6, 5, 4, 3, 2, 1])),
        // 2×2×2 holding 1…8, last axis reversed: pairs swap
        ForwardCase("flip last of three", Flip(axes: [2]), [T([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])], T([2, 2, 2], [2, 1, 4, 3, 6, 5, 8, 7])),
        // transpose
        ForwardCase("matrix", Transpose(), [T([2, 3], [1, 2, 3, 4, 5, 6])], T([3, 2], [1, 4, 2, 5, 3, 6])),
        // perm [2, 0, 1]: out[k][i][j] = x[i][j][k]; k=0: [0, 2, 4, 6, 8, 10], k=1: [1, 3, 5, 7, 9, 11]
        ForwardCase(
            "rank 3, perm [2, 0, 1]", Transpose(perm: [2, 0, 1]), [x232],
            T([2, 2, 3], [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11])),
        // perm [0, 2, 1]: out[i][k][j] = x[i][j][k]
        ForwardCase(
            "rank 3, perm [0, 2, 1]", Transpose(perm: [0, 2, 1]), [x232],
            T([2, 2, 3], [0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11])),
        // no perm reverses the axes: out[k][j][i] = x[i][j][k]
        ForwardCase(
            "rank 3, axes reversed", Transpose(), [x232], T([2, 3, 2], [0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11])),
        ForwardCase("identity perm", Transpose(perm: [0, 1, 2]), [x232], x232),
        ForwardCase("column to row", Transpose(), [T([3, 1], [1, 2, 3])], T([1, 3], [1, 2, 3])),

        // reshape: same values, row-major
        ForwardCase("2×3 to 3×2", Reshape(shape: [3, 2]), [T([2, 3], [1, 2, 3, 4, 5, 6])], T([3, 2], [1, 2, 3, 4, 5, 6])),
        ForwardCase("2×3 to 6", Reshape(shape: [6]), [T([2, 3], [1, 2, 3, 4, 5, 6])], T([6], [1, 2, 3, 4, 5, 6])),
        ForwardCase("1 to scalar", Reshape(shape: []), [T([1], [5])], T([], [5])),
        ForwardCase("scalar to 1×1", Reshape(shape: [1, 1]), [T([], [5])], T([1, 1], [5])),

        // concat of three inputs
        ForwardCase(
            "axis 0, three inputs", Concat(axis: 0), [T([1, 2], [1, 2]), T([2, 2], [3, 4, 5, 6]), T([1, 2], [7, 8])],
            T([4, 2], [1, 2, 3, 4, 5, 6, 7, 8])),
        // [[1] [3 4] [7]; [2] [5 6] [8]]
        ForwardCase(
            "axis 1, three inputs", Concat(axis: 1), [T([2, 1], [1, 2]), T([2, 2], [3, 4, 5, 6]), T([2, 1], [7, 8])],
            T([2, 4], [1, 3, 4, 7, 2, 5, 6, 8])),
        // [h; x] as in the course: columns stacked
        ForwardCase("columns [h; x]", Concat(axis: 0), [T([2, 1], [1, 2]), T([3, 1], [3, 4, 5])], T([5, 1], [1, 2, 3, 4, 5])),
        ForwardCase("one input", Concat(axis: 0), [T([2], [1, 2])], T([2], [1, 2])),
        // rank 3 along the middle axis: out[i] = [x[i]; y[i]], x 2×1×2 = [[[1, 2]], [[3, 4]]], y 2×1×2 = [[[5, 6]], [[7, 8]]]
        ForwardCase(
            "rank 3, axis 1", Concat(axis: 1), [T([2, 1, 2], [1, 2, 3, 4]), T([2, 1, 2], [5, 6, 7, 8])],
            T([2, 2, 2], [1, 2, 5, 6, 3, 4, 7, 8])),

        // slice
        ForwardCase("rows 1..<3", Slice(axis: 0, start: 1, end: 3), [x34], T([2, 4], [4, 5, 6, 7, 8, 9, 10, 11])),
        ForwardCase("columns 1..<3", Slice(axis: 1, start: 1, end: 3), [x34], T([3, 2], [1, 2, 5, 6, 9, 10])),
        ForwardCase("empty 2..<2", Slice(axis: 1, start: 2, end: 2), [x34], T([3, 0], [])),
        ForwardCase("whole axis", Slice(axis: 0, start: 0, end: 3), [x34], x34),
        // out[i][0][k] = x[i][2][k] = 6i + 4 + k
        ForwardCase("rank 3, axis 1, 2..<3", Slice(axis: 1, start: 2, end: 3), [x232], T([2, 1, 2], [4, 5, 10, 11])),

        // pad with zeros along one axis
        ForwardCase(
            "axis 0, 1 before, 2 after", Pad(axis: 0, before: 1, after: 2), [T([2, 2], [1, 2, 3, 4])],
            T([5, 2], [0, 0, 1, 2, 3, 4, 0, 0, 0, 0])),
        ForwardCase(
            "axis 1, 2 before, 1 after", Pad(axis: 1, before: 2, after: 1), [T([2, 2], [1, 2, 3, 4])],
            T([2, 5], [0, 0, 1, 2, 0, 0, 0, 3, 4, 0])),
        ForwardCase("nothing", Pad(axis: 0, before: 0, after: 0), [T([2], [1, 2])], T([2], [1, 2])),

        // rows: an embedding lookup, repeats allowed
        ForwardCase(
            "repeated indices", Rows(indices: [2, 0, 2]), [T([3, 2], [1, 2, 3, 4, 5, 6])], T([3, 2], [5, 6, 1, 2, 5, 6])),
        ForwardCase("rank 1", Rows(indices: [3, 3, 1]), [T([4], [10, 20, 30, 40])], T([3], [40, 40, 20])),
        ForwardCase("no indices", Rows(indices: []), [T([3, 2], [1, 2, 3, 4, 5, 6])], T([0, 2], [])),
        // rank 3: whole 1×2 blocks
        ForwardCase("rank 3", Rows(indices: [1]), [T([2, 1, 2], [1, 2, 3, 4])], T([1, 1, 2], [3, 4])),

        // rows_backward: row k of dy added into row indices[k]; row 2 gets [1, 2] + [5, 6], rows 1 and 3 stay 0
        ForwardCase(
            "repeated indices", RowsBackward(indices: [2, 0, 2], count: 4), [T([3, 2], [1, 2, 3, 4, 5, 6])],
            T([4, 2], [3, 4, 0, 0, 6, 8, 0, 0])),
        ForwardCase("rank 1", RowsBackward(indices: [1, 1], count: 3), [T([2], [0.5, 0.25])], T([3], [0, 0.75, 0])),
        ForwardCase("no indices", RowsBackward(indices: [], count: 2), [T([0, 3], [])], T([2, 3], [0, 0, 0, 0, 0, 0])),
    ]
}

@Suite("Shape ops")
struct ShapeOpTests {
    @Test("forward output equals the hand-derived values", arguments: ForwardCases.shapes)
    func forwardMatchesHandDerivedValues(_ c: ForwardCase) throws {
        try c.check()
    }

    @Test("transposing by a permutation and then by its inverse gives back the tensor")
    func transposeByInversePermutationRestores() throws {
        let x = seeded([2, 3, 4], seed: 5)
        let y = try Transpose(perm: [1, 2, 0]).forward([x])
        #expect(y.shape == [3, 4, 2])
        // inverse of [1, 2, 0]: axis 1 went to 0, axis 2 to 1, axis 0 to 2 → [2, 0, 1]
        #expect(try Transpose(perm: [2, 0, 1]).forward([y]) == x)
        // element check by index arithmetic: y[j][k][i] = x[i][j][k]
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 { #expect(y.scalars[(j * 4 + k) * 2 + i] == x.scalars[(i * 3 + j) * 4 + k]) }
            }
        }
    }

    @Test("slice and pad undo each other; rows_backward is the adjoint of rows")
    func sliceAndPadAndRowsAreAdjoints() throws {
        let x = seeded([3, 4], seed: 6)
        let padded = try Pad(axis: 1, before: 1, after: 2).forward([x])
        #expect(try Slice(axis: 1, start: 1, end: 5).forward([padded]) == x)

        // ⟨rows(x), dy⟩ = ⟨x, rows_backward(dy)⟩ for every x and dy
        let table = seeded([4, 3], seed: 7)
        let dy = seeded([5, 3], seed: 8)
        let indices = [3, 0, 3, 1, 3]
        let picked = try Rows(indices: indices).forward([table])
        let spread = try RowsBackward(indices: indices, count: 4).forward([dy])
        let left = zip(picked.scalars, dy.scalars).map(*).reduce(0, +)
        let right = zip(table.scalars, spread.scalars).map(*).reduce(0, +)
        #expect(close(left, right, tolerance: 1e-14))
    }

    @Test("concat with the free function defaults to axis 0")
    func concatDefaultsToAxisZero() {
        let tape = Tape()
        let h = tape.constant(T([2, 1], [1, 2]), name: "h")
        let x = tape.constant(T([1, 1], [3]), name: "x")
        #expect(concat([h, x]).value == T([3, 1], [1, 2, 3]))
    }
}

extension GradientCases {
    /// Gradient checks of this family's ops (GradientTests runs them against finite differences).
    static let shape: [GradientCase] = [
        GradientCase("transpose", "matrix", [x([2, 3], 39)]) { transpose($0[0]) },
        GradientCase("transpose", "rank 3, perm [2, 0, 1]", [x([2, 3, 4], 40)]) { transpose($0[0], [2, 0, 1]) },
        GradientCase("transpose", "rank 3, axes reversed", [x([2, 3, 4], 41)]) { transpose($0[0]) },
        GradientCase("reshape", "2×3 to 3×2", [x([2, 3], 42)]) { reshape($0[0], [3, 2]) },
        GradientCase("reshape", "2×3 to 6", [x([2, 3], 43)]) { reshape($0[0], [6]) },
        GradientCase("concat", "axis 0, three inputs", [x([1, 2], 44), x([2, 2], 45), x([1, 2], 46)]) { concat($0, axis: 0) },
        GradientCase("concat", "axis 1, three inputs", [x([2, 1], 47), x([2, 2], 48), x([2, 1], 49)]) { concat($0, axis: 1) },
        GradientCase("concat", "one tensor twice", [x([2, 1], 50)]) { concat([$0[0], $0[0]], axis: 0) },
        GradientCase("slice", "axis 0", [x([3, 4], 51)]) { slice($0[0], axis: 0, 1..<3) },
        GradientCase("slice", "axis 1", [x([3, 4], 52)]) { slice($0[0], axis: 1, 1..<3) },
        GradientCase("flip", "axis 1", [x([3, 4], 53)]) { flip($0[0], axes: [1]) },
        GradientCase("flip", "axes [0, 2] of three", [x([2, 3, 2], 54)]) { flip($0[0], axes: [0, 2]) },
        GradientCase("pad", "axis 0", [x([2, 2], 53)]) { pad($0[0], axis: 0, before: 1, after: 2) },
        GradientCase("pad", "axis 1", [x([2, 2], 54)]) { pad($0[0], axis: 1, before: 2, after: 1) },
        GradientCase("rows", "repeated indices", [x([4, 2], 55)]) { rows($0[0], [2, 0, 2, 3]) },
        GradientCase("rows_backward", "repeated indices", [x([3, 2], 56)]) {
            $0[0].tape.apply(RowsBackward(indices: [2, 0, 2], count: 4), [$0[0]])
        },
    ]
}
