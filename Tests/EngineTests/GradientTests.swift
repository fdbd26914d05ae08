import Engine
import Testing
import Trace

/// One gradient check: a computation of some seeded inputs, named for the op it exercises.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let op: String
    let label: String
    let inputs: [Tensor]
    let f: @Sendable ([Var]) -> Var

    init(_ op: String, _ label: String, _ inputs: [Tensor], _ f: @escaping @Sendable ([Var]) -> Var) {
        self.op = op
        self.label = label
        self.inputs = inputs
        self.f = f
    }

    var testDescription: String { "\(op): \(label)" }
}

// Inputs: seeded uniform in [−1, 1) unless the op needs otherwise (positive for log and sqrt,
// away from 0 for relu and denominators). Each seed differs so no two inputs coincide.
private func x(_ shape: [Int], _ seed: UInt64) -> Tensor { seeded(shape, seed: seed) }
private func positive(_ shape: [Int], _ seed: UInt64) -> Tensor { seeded(shape, seed: seed, 0.5, 2) }
private func nonzero(_ shape: [Int], _ seed: UInt64) -> Tensor { awayFromZero(shape, seed: seed) }

enum GradientCases {
    static let binaryBroadcasting: [GradientCase] = {
        // (shape of a, shape of b): the broadcasting patterns, each summed back by sum_to in the gradient
        let shapes: [([Int], [Int])] = [
            ([2, 3], [2, 3]), ([2, 3], [3]), ([2, 3], [2, 1]), ([2, 3], [1, 3]), ([2, 3], []), ([], [2, 3]),
            ([2, 1], [1, 3]), ([1, 3], [2, 3]), ([2, 1, 2], [3, 1]),
        ]
        var cases: [GradientCase] = []
        for (n, (a, b)) in shapes.enumerated() {
            let s = UInt64(100 + 10 * n)
            let label = "\(a) with \(b)"
            cases.append(GradientCase("add", label, [x(a, s), x(b, s + 1)]) { $0[0] + $0[1] })
            cases.append(GradientCase("sub", label, [x(a, s + 2), x(b, s + 3)]) { $0[0] - $0[1] })
            cases.append(GradientCase("mul", label, [x(a, s + 4), x(b, s + 5)]) { $0[0] * $0[1] })
            cases.append(GradientCase("div", label, [x(a, s + 6), nonzero(b, s + 7)]) { $0[0] / $0[1] })
        }
        return cases
    }()

    static let all: [GradientCase] = binaryBroadcasting + [
        GradientCase("matmul", "2×3 • 3×4", [x([2, 3], 1), x([3, 4], 2)]) { $0[0] • $0[1] },
        GradientCase("matmul", "W • column", [x([3, 2], 3), x([2, 1], 4)]) { $0[0] • $0[1] },
        GradientCase("matmul", "5×3 • 3×2", [x([5, 3], 71), x([3, 2], 72)]) { $0[0] • $0[1] },

        GradientCase("mul", "x ⊙ x (one tensor twice)", [x([2, 3], 5)]) { $0[0] * $0[0] },
        GradientCase("div", "x / x + x (one tensor three times)", [nonzero([3], 6)]) { $0[0] / $0[0] + $0[0] },
        GradientCase("neg", "2×3", [x([2, 3], 7)]) { -$0[0] },
        GradientCase("exp", "2×3", [x([2, 3], 8)]) { exp($0[0]) },
        GradientCase("log", "positive 2×3", [positive([2, 3], 9)]) { log($0[0]) },
        GradientCase("sqrt", "positive 2×3", [positive([2, 3], 10)]) { sqrt($0[0]) },
        GradientCase("square", "2×3", [x([2, 3], 11)]) { square($0[0]) },
        GradientCase("tanh", "2×3", [seeded([2, 3], seed: 12, -2, 2)]) { tanh($0[0]) },
        GradientCase("sigmoid", "2×3", [seeded([2, 3], seed: 13, -3, 3)]) { sigmoid($0[0]) },
        GradientCase("relu", "away from 0", [nonzero([3, 3], 14)]) { relu($0[0]) },
        GradientCase("scale", "factor −1.5", [x([2, 3], 15)]) { -1.5 * $0[0] },

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
        GradientCase("pad", "axis 0", [x([2, 2], 53)]) { pad($0[0], axis: 0, before: 1, after: 2) },
        GradientCase("pad", "axis 1", [x([2, 2], 54)]) { pad($0[0], axis: 1, before: 2, after: 1) },
        GradientCase("rows", "repeated indices", [x([4, 2], 55)]) { rows($0[0], [2, 0, 2, 3]) },
        GradientCase("rows_backward", "repeated indices", [x([3, 2], 56)]) {
            $0[0].tape.apply(RowsBackward(indices: [2, 0, 2], count: 4), [$0[0]])
        },
        GradientCase("where", "same-shape mask", [x([2, 3], 57)]) {
            masked($0[0], where: $0[0].tape.constant(T([2, 3], [1, 0, 1, 1, 1, 0]), name: "mask"), else: -3)
        },
        GradientCase("where", "mask 3 over 2×3", [x([2, 3], 58)]) {
            masked($0[0], where: $0[0].tape.constant(T([3], [0, 1, 1]), name: "mask"), else: 2)
        },

        // compositions: a tensor reaching the loss along several paths
        GradientCase("add", "x ⊙ x + x", [x([2, 2], 59)]) { $0[0] * $0[0] + $0[0] },
        GradientCase("tanh", "W used at two steps", [x([2, 2], 60), x([2, 1], 61)]) { v in
            let h1 = tanh(v[0] • v[1])
            return tanh(v[0] • h1)
        },
        GradientCase("sub", "1 − x", [x([2, 2], 62)]) { 1 - $0[0] },
        GradientCase("add", "x + 2", [x([2, 2], 63)]) { $0[0] + 2 },
    ]

    static let losses: [GradientCase] = [
        GradientCase("log_softmax", "softmax cross-entropy, classes on axis 0", [x([3, 2], 64)]) {
            softmaxCrossEntropy(logits: $0[0], target: $0[0].tape.constant(T([3, 2], [0, 1, 1, 0, 0, 0]), name: "t"))
        },
        GradientCase("log_softmax", "softmax cross-entropy, classes on axis 1", [x([2, 3], 65)]) {
            softmaxCrossEntropy(logits: $0[0], target: $0[0].tape.constant(T([2, 3], [0, 0, 1, 1, 0, 0]), name: "t"), axis: 1)
        },
        GradientCase("square", "half squared error", [x([3, 1], 66), x([3, 1], 67)]) { halfSquaredError($0[0], $0[1]) },
        GradientCase("mean", "mean squared error", [x([2, 2], 68), x([2, 2], 69)]) { meanSquaredError($0[0], $0[1]) },
    ]
}

@Suite("Gradients against finite differences")
struct GradientTests {
    @Test("backward equals central finite differences", arguments: GradientCases.all + GradientCases.losses)
    func backwardMatchesCentralDifferences(_ c: GradientCase) {
        GradientCheck.expectGradientsMatch(c.inputs, c.testDescription, c.f)
    }

    @Test("every differentiable op in the registry has a gradient check")
    func everyDifferentiableOpIsChecked() {
        let differentiable = Set(OpRegistry.kinds.filter { $0.isDifferentiable }.map { $0.name })
        let checked = Set(GradientCases.all.map(\.op))
        #expect(differentiable.subtracting(checked).isEmpty, "unchecked: \(differentiable.subtracting(checked).sorted())")
        #expect(checked.subtracting(differentiable).isEmpty)
    }

    @Test("each gradient check records the op it is named for")
    func gradientCasesExerciseTheirOp() {
        for c in GradientCases.all {
            let tape = Tape()
            _ = c.f(c.inputs.enumerated().map { tape.input($1, name: "x\($0)") })
            let ops = Set(tape.trace(title: "", model: "", config: [:]).steps.map(\.op))
            #expect(ops.contains(c.op), "\(c.testDescription) records \(ops.sorted())")
        }
    }

    @Test("softmax cross-entropy's gradient is (softmax(z) − t) / n")
    func crossEntropyGradientIsSoftmaxMinusTarget() throws {
        let z = seeded([3, 2], seed: 70, -2, 2)
        let t = T([3, 2], [1, 0, 0, 0, 0, 1])
        let tape = Tape()
        let logits = tape.input(z, name: "z")
        let loss = softmaxCrossEntropy(logits: logits, target: tape.constant(t, name: "t"))
        let gradient = try #require(tape.backward(loss)[logits]).value
        let s = try Softmax(axis: 0).forward([z])
        // two samples (columns): ∂Q/∂z = (s − t) / 2
        expectTensor(gradient, T([3, 2], zip(s.scalars, t.scalars).map { ($0 - $1) / 2 }), tolerance: 1e-14)
    }
}
