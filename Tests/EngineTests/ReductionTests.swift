import Engine
import Foundation
import Testing
import Trace

// Forward values of the reductions, sum_to / broadcast_to and the softmaxes, worked out by hand.
// x23 = [[1, 2, 3], [4, 5, 6]]: column sums [5, 7, 9], row sums [6, 15], total 21.
// x222 is 2×2×2 with x[i][j][k] = 1 + 4i + 2j + k, i.e. the values 1…8.

private let x23 = T([2, 3], [1, 2, 3, 4, 5, 6])
private let x222 = T([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])
private let ln3 = 1.0986122886681098  // ln 3
private let ln4 = 1.3862943611198906  // ln 4

extension ForwardCases {
    static let reductions: [ForwardCase] = [
        // sum
        ForwardCase("all", Sum(), [x23], T([], [21])),
        ForwardCase("all, keepdims", Sum(keepdims: true), [x23], T([1, 1], [21])),
        ForwardCase("axis 0", Sum(axis: 0), [x23], T([3], [5, 7, 9])),
        ForwardCase("axis 0, keepdims", Sum(axis: 0, keepdims: true), [x23], T([1, 3], [5, 7, 9])),
        ForwardCase("axis 1", Sum(axis: 1), [x23], T([2], [6, 15])),
        ForwardCase("axis 1, keepdims", Sum(axis: 1, keepdims: true), [x23], T([2, 1], [6, 15])),
        // over j: [i][k] = x[i][0][k] + x[i][1][k] = [[1+3, 2+4], [5+7, 6+8]]
        ForwardCase("rank 3, axis 1", Sum(axis: 1), [x222], T([2, 2], [4, 6, 12, 14])),
        // over k: [i][j] = x[i][j][0] + x[i][j][1] = [[3, 7], [11, 15]]
        ForwardCase("rank 3, axis 2, keepdims", Sum(axis: 2, keepdims: true), [x222], T([2, 2, 1], [3, 7, 11, 15])),
        ForwardCase("scalar", Sum(), [T([], [4])], T([], [4])),

        // mean
        ForwardCase("all", Mean(), [x23], T([], [3.5])),
        ForwardCase("all, keepdims", Mean(keepdims: true), [x23], T([1, 1], [3.5])),
        ForwardCase("axis 0", Mean(axis: 0), [x23], T([3], [2.5, 3.5, 4.5])),
        ForwardCase("axis 1, keepdims", Mean(axis: 1, keepdims: true), [x23], T([2, 1], [2, 5])),
        // over i: [j][k] = (x[0][j][k] + x[1][j][k]) / 2 = [[3, 4], [5, 6]]
        ForwardCase("rank 3, axis 0", Mean(axis: 0), [x222], T([2, 2], [3, 4, 5, 6])),

        // several axes at once (batch normalization's statistics over N, H, W)
        // over i and k: out[j] = Σ_i Σ_k x[i][j][k]: j=0: 1+2+5+6, j=1: 3+4+7+8
        ForwardCase("axes [0, 2]", Sum(axes: [0, 2]), [x222], T([2], [14, 22])),
        ForwardCase("axes [0, 2], keepdims", Sum(axes: [0, 2], keepdims: true), [x222], T([1, 2, 1], [14, 22])),
        ForwardCase("axes [1] is axis 1", Sum(axes: [1]), [x222], T([2, 2], [4, 6, 12, 14])),
        // over j and k: i=0: (1+2+3+4)/4, i=1: (5+6+7+8)/4
        ForwardCase("axes [1, 2]", Mean(axes: [1, 2]), [x222], T([2], [2.5, 6.5])),
        ForwardCase("axes [0, 1, 2], keepdims", Mean(axes: [0, 1, 2], keepdims: true), [x222], T([1, 1, 1], [4.5])),
        // mean over i and k, kept: j=0: 14/4, j=1: 22/4
        ForwardCase("axes [0, 2], keepdims", Mean(axes: [0, 2], keepdims: true), [x222], T([1, 2, 1], [3.5, 5.5])),

        // sum_to: undoes broadcasting
        ForwardCase("2×3 to 3", SumTo(shape: [3]), [x23], T([3], [5, 7, 9])),
        ForwardCase("2×3 to 1×3", SumTo(shape: [1, 3]), [x23], T([1, 3], [5, 7, 9])),
        ForwardCase("2×3 to 2×1", SumTo(shape: [2, 1]), [x23], T([2, 1], [6, 15])),
        ForwardCase("2×3 to scalar", SumTo(shape: []), [x23], T([], [21])),
        ForwardCase("2×3 to 1×1", SumTo(shape: [1, 1]), [x23], T([1, 1], [21])),
        ForwardCase("2×3 to itself", SumTo(shape: [2, 3]), [x23], x23),
        // target 2×1 read as 1×2×1: out[j] = Σ_i Σ_k x[i][j][k]: j=0: 1+2+5+6, j=1: 3+4+7+8
        ForwardCase("2×2×2 to 2×1", SumTo(shape: [2, 1]), [x222], T([2, 1], [14, 22])),

        // broadcast_to
        ForwardCase("3 to 2×3", BroadcastTo(shape: [2, 3]), [T([3], [1, 2, 3])], T([2, 3], [1, 2, 3, 1, 2, 3])),
        ForwardCase("2×1 to 2×3", BroadcastTo(shape: [2, 3]), [T([2, 1], [1, 2])], T([2, 3], [1, 1, 1, 2, 2, 2])),
        ForwardCase("scalar to 2×2", BroadcastTo(shape: [2, 2]), [T([], [7])], T([2, 2], [7, 7, 7, 7])),
        ForwardCase(
            "1×3 to 2×2×3", BroadcastTo(shape: [2, 2, 3]), [T([1, 3], [1, 2, 3])],
            T([2, 2, 3], [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3])),
        ForwardCase("2×3 to itself", BroadcastTo(shape: [2, 3]), [x23], x23),

        // softmax: row [0, ln 3] → [1, 3] / 4; row [5, 5] → [½, ½]
        ForwardCase("axis 1", Softmax(axis: 1), [T([2, 2], [0, ln3, 5, 5])], T([2, 2], [0.25, 0.75, 0.5, 0.5])),
        // columns: [0, ln 4] → [1, 4] / 5; [7, 7] → [½, ½]
        ForwardCase("axis 0", Softmax(axis: 0), [T([2, 2], [0, 7, ln4, 7])], T([2, 2], [0.2, 0.5, 0.8, 0.5])),
        // 1×2×2 along axis 1: [[0, 0], [ln 3, 0]] → column-wise [¼, ¾] and [½, ½]
        ForwardCase("rank 3, axis 1", Softmax(axis: 1), [T([1, 2, 2], [0, 0, ln3, 0])], T([1, 2, 2], [0.25, 0.5, 0.75, 0.5])),
        // −∞ entries get probability 0; the rest share the mass
        ForwardCase(
            "row with −∞", Softmax(axis: 1), [T([2, 3], [-.infinity, 0, ln3, 0, -.infinity, 0])],
            T([2, 3], [0, 0.25, 0.75, 0.5, 0, 0.5])),
        // shifted by the max: no overflow at 1000, e^(−1000) underflows to 0
        ForwardCase("large logits", Softmax(axis: 1), [T([2, 2], [1000, 1000, -1000, 0])], T([2, 2], [0.5, 0.5, 0, 1])),
        ForwardCase("one element", Softmax(axis: 0), [T([1], [-3])], T([1], [1])),

        // log_softmax: ln ¼ = −2 ln 2, ln ¾ = ln 3 − 2 ln 2
        ForwardCase(
            "axis 1", LogSoftmax(axis: 1), [T([1, 2], [0, ln3])],
            T([1, 2], [-1.3862943611198906, -0.2876820724517809]), tolerance: 1e-13),
        ForwardCase(
            "axis 0", LogSoftmax(axis: 0), [T([2, 1], [ln3, 0])],
            T([2, 1], [-0.2876820724517809, -1.3862943611198906]), tolerance: 1e-13),
        // large logits stay finite: ln ½ = −ln 2
        ForwardCase(
            "large logits", LogSoftmax(axis: 1), [T([1, 2], [1000, 1000])], T([1, 2], [-0.6931471805599453, -0.6931471805599453])),
        ForwardCase("row with −∞", LogSoftmax(axis: 1), [T([1, 2], [-.infinity, 0])], T([1, 2], [-.infinity, 0])),
    ]
}

@Suite("Reductions, sum_to, broadcast_to, softmax")
struct ReductionTests {
    @Test("forward output equals the hand-derived values", arguments: ForwardCases.reductions)
    func forwardMatchesHandDerivedValues(_ c: ForwardCase) throws {
        try c.check()
    }

    @Test("a fully masked softmax row is NaN, as in numpy, and leaves other rows intact")
    func fullyMaskedSoftmaxRowIsNaN() throws {
        let y = try Softmax(axis: 1).forward([T([2, 2], [-.infinity, -.infinity, 0, 0])])
        #expect(y.scalars[0].isNaN && y.scalars[1].isNaN)
        #expect(y.scalars[2] == 0.5 && y.scalars[3] == 0.5)
    }

    @Test("softmax rows sum to 1 and log_softmax is the log of softmax")
    func softmaxIsANormalizedExponential() throws {
        let x = seeded([3, 4], seed: 11, -5, 5)
        let s = try Softmax(axis: 1).forward([x])
        let l = try LogSoftmax(axis: 1).forward([x])
        for row in 0..<3 {
            let values = (0..<4).map { s[row, $0] }
            #expect(abs(values.reduce(0, +) - 1) < 1e-15)
            // softmax(x)_j / softmax(x)_0 = e^(x_j − x_0): the definition, independent of the max shift
            for j in 1..<4 { #expect(close(values[j] / values[0], Foundation.exp(x[row, j] - x[row, 0]), tolerance: 1e-13)) }
            for j in 0..<4 { #expect(close(l[row, j], Foundation.log(s[row, j]), tolerance: 1e-13)) }
        }
    }

    @Test("the free functions take negative axes from the end")
    func negativeAxesCountFromTheEnd() {
        let tape = Tape()
        let x = tape.constant(x23, name: "x")
        #expect(sum(x, axis: -1).value == T([2], [6, 15]))
        #expect(mean(x, axis: -2, keepdims: true).value == T([1, 3], [2.5, 3.5, 4.5]))
        #expect(softmax(x, axis: -1).value == softmax(x, axis: 1).value)
        #expect(logSoftmax(x, axis: -2).value == logSoftmax(x, axis: 0).value)
    }
}

extension GradientCases {
    /// Gradient checks of this family's ops (GradientTests runs them against finite differences).
    static let reductions: [GradientCase] = [
        GradientCase("sum", "all", [x([2, 3], 16)]) { sum($0[0]) },
        GradientCase("sum", "all, keepdims", [x([2, 3], 17)]) { sum($0[0], keepdims: true) },
        GradientCase("sum", "axis 0", [x([2, 3], 18)]) { sum($0[0], axis: 0) },
        GradientCase("sum", "axis 1, keepdims", [x([2, 3], 19)]) { sum($0[0], axis: 1, keepdims: true) },
        GradientCase("sum", "rank 3, axis 1", [x([2, 3, 2], 20)]) { sum($0[0], axis: 1) },
        GradientCase("sum", "axis −1", [x([2, 3], 21)]) { sum($0[0], axis: -1) },
        GradientCase("mean", "all", [x([2, 3], 22)]) { mean($0[0]) },
        GradientCase("mean", "axis 0", [x([2, 3], 23)]) { mean($0[0], axis: 0) },
        GradientCase("mean", "axis 1, keepdims", [x([2, 3], 24)]) { mean($0[0], axis: 1, keepdims: true) },
        GradientCase("mean", "rank 3, axis 2", [x([2, 3, 2], 25)]) { mean($0[0], axis: 2) },
        GradientCase("sum", "axes [0, 2]", [x([2, 3, 2], 25)]) { sum($0[0], axes: [0, 2]) },
        GradientCase("mean", "axes [0, 2, 3], keepdims", [x([2, 3, 2, 2], 25)]) { mean($0[0], axes: [0, 2, 3], keepdims: true) },
        GradientCase("mean", "axes [1, 2]", [x([2, 3, 2], 26)]) { mean($0[0], axes: [-2, -1]) },
        GradientCase("sum_to", "2×3 to 3", [x([2, 3], 26)]) { sumTo($0[0], [3]) },
        GradientCase("sum_to", "2×3 to 2×1", [x([2, 3], 27)]) { sumTo($0[0], [2, 1]) },
        GradientCase("sum_to", "2×3 to scalar", [x([2, 3], 28)]) { sumTo($0[0], []) },
        GradientCase("sum_to", "2×3×2 to 3×1", [x([2, 3, 2], 29)]) { sumTo($0[0], [3, 1]) },
        GradientCase("broadcast_to", "3 to 2×3", [x([3], 30)]) { broadcastTo($0[0], [2, 3]) },
        GradientCase("broadcast_to", "2×1 to 2×3", [x([2, 1], 31)]) { broadcastTo($0[0], [2, 3]) },
        GradientCase("broadcast_to", "scalar to 2×2", [x([], 32)]) { broadcastTo($0[0], [2, 2]) },
        GradientCase("broadcast_to", "1×3 to 2×2×3", [x([1, 3], 33)]) { broadcastTo($0[0], [2, 2, 3]) },
        GradientCase("softmax", "axis 1", [seeded([2, 3], seed: 34, -2, 2)]) { softmax($0[0], axis: 1) },
        GradientCase("softmax", "axis 0", [seeded([3, 2], seed: 35, -2, 2)]) { softmax($0[0], axis: 0) },
        GradientCase("softmax", "rank 3, axis 1", [seeded([2, 3, 2], seed: 36, -2, 2)]) { softmax($0[0], axis: 1) },
        GradientCase("log_softmax", "axis 1", [seeded([2, 3], seed: 37, -2, 2)]) { logSoftmax($0[0], axis: 1) },
        GradientCase("log_softmax", "axis 0", [seeded([3, 2], seed: 38, -2, 2)]) { logSoftmax($0[0], axis: 0) },
    ]
}
