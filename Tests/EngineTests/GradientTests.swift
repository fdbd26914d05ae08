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

enum GradientCases {
    // Inputs: seeded uniform in [−1, 1) unless the op needs otherwise (positive for log and sqrt,
    // away from 0 for relu and denominators). Each seed differs, across every family's cases, so
    // no two inputs coincide.
    static func x(_ shape: [Int], _ seed: UInt64) -> Tensor { seeded(shape, seed: seed) }
    static func positive(_ shape: [Int], _ seed: UInt64) -> Tensor { seeded(shape, seed: seed, 0.5, 2) }
    static func nonzero(_ shape: [Int], _ seed: UInt64) -> Tensor { awayFromZero(shape, seed: seed) }

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

    /// Every op's gradient checks: each family's, in its own test file, and compositions here.
    static let all: [GradientCase] = binaryBroadcasting + linearAlgebra + elementwise + reductions + shape + convolution + compositions

    /// A tensor reaching the loss along several paths.
    static let compositions: [GradientCase] = [
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
