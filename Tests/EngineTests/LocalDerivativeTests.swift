import Engine
import Testing
import Trace

// The local-derivative ops have no gradient rule of their own. They are checked two ways: by hand on
// small values, and as what they stand for: op_backward(saved, dy) is the vector-Jacobian product of the
// primal op, i.e. the gradient of Σ primal(x) ⊙ dy with respect to x, which central differences give.

extension ForwardCases {
    static let localDerivatives: [ForwardCase] = [
        // dy · s · (1 − s): 2 · ½ · ½, 4 · ¼ · ¾, 3 · 1 · 0
        ForwardCase("by hand", SigmoidBackward(), [T([3], [0.5, 0.25, 1]), T([3], [2, 4, 3])], T([3], [0.5, 0.75, 0])),
        // dy · (1 − t²): 3 · 1, 4 · ¾, 5 · 0
        ForwardCase("by hand", TanhBackward(), [T([3], [0, 0.5, -1]), T([3], [3, 4, 5])], T([3], [3, 3, 0])),
        // dy · [x > 0]: nothing passes at 0
        ForwardCase(
            "by hand", ReLUBackward(), [T([2, 2], [-1, 0, 2, 1e-300]), T([2, 2], [5, 6, 7, 8])], T([2, 2], [0, 0, 7, 8])),
        // 0 wherever the step has a derivative, and at x = 0 too; ∞ and NaN in dy do not pass
        ForwardCase("by hand", StepBackward(), [T([4], [-1, 0, 2, 3]), T([4], [5, 6, .infinity, .nan])], T([4], [0, 0, 0, 0])),
        // s · (dy − Σ dy·s): row [¼, ¾] with dy [1, 0]: Σ = ¼ → [¼ · ¾, ¾ · (−¼)]; row [½, ½], dy [2, 2]: Σ = 2 → [0, 0]
        ForwardCase(
            "axis 1 by hand", SoftmaxBackward(axis: 1), [T([2, 2], [0.25, 0.75, 0.5, 0.5]), T([2, 2], [1, 0, 2, 2])],
            T([2, 2], [0.1875, -0.1875, 0, 0])),
        // columns: [¼, ¾] with dy [1, 0] → [0.1875, −0.1875]; [½, ½] with dy [2, 0]: Σ = 1 → [½, −½]
        ForwardCase(
            "axis 0 by hand", SoftmaxBackward(axis: 0), [T([2, 2], [0.25, 0.5, 0.75, 0.5]), T([2, 2], [1, 2, 0, 0])],
            T([2, 2], [0.1875, 0.5, -0.1875, -0.5])),
    ]
}

@Suite("Local derivatives")
struct LocalDerivativeTests {
    @Test("forward output equals the hand-derived values", arguments: ForwardCases.localDerivatives)
    func forwardMatchesHandDerivedValues(_ c: ForwardCase) throws {
        try c.check()
    }

    /// Expects `local(x, dy)` to equal ∂(Σ primal(x) ⊙ dy)/∂x by central differences.
    func expectVectorJacobianProduct(
        x: Tensor, dy: Tensor, sourceLocation: SourceLocation = #_sourceLocation, primal: ([Var]) -> Var,
        local: (Tape, Var, Var) -> Var
    ) {
        let tape = Tape()
        let input = tape.constant(x, name: "x")
        let result = local(tape, input, tape.constant(dy, name: "dy")).value
        let numeric = GradientCheck.numericGradients([x], weights: dy, primal)[0]
        #expect(numeric.scalars.contains { abs($0) > 1e-3 }, sourceLocation: sourceLocation)
        expectTensor(result, numeric, tolerance: GradientCheck.tolerance, sourceLocation: sourceLocation)
    }

    @Test("sigmoid_backward(sigmoid(x), dy) is the finite-difference VJP of sigmoid")
    func sigmoidBackwardIsTheVJPOfSigmoid() {
        expectVectorJacobianProduct(x: seeded([2, 3], seed: 31, -3, 3), dy: seeded([2, 3], seed: 32)) { sigmoid($0[0]) } local: {
            tape, x, dy in tape.apply(SigmoidBackward(), [sigmoid(x), dy])
        }
    }

    @Test("tanh_backward(tanh(x), dy) is the finite-difference VJP of tanh")
    func tanhBackwardIsTheVJPOfTanh() {
        expectVectorJacobianProduct(x: seeded([2, 3], seed: 33, -2, 2), dy: seeded([2, 3], seed: 34)) { tanh($0[0]) } local: {
            tape, x, dy in tape.apply(TanhBackward(), [tanh(x), dy])
        }
    }

    @Test("relu_backward(x, dy) is the finite-difference VJP of relu away from 0")
    func reluBackwardIsTheVJPOfReLU() {
        expectVectorJacobianProduct(x: awayFromZero([3, 3], seed: 35), dy: seeded([3, 3], seed: 36)) { relu($0[0]) } local: {
            tape, x, dy in tape.apply(ReLUBackward(), [x, dy])
        }
    }

    @Test("step_backward(x, dy) is the finite-difference VJP of the step away from 0: zero")
    func stepBackwardIsTheVJPOfStep() {
        let (x, dy) = (awayFromZero([3, 3], seed: 41), seeded([3, 3], seed: 42))
        let tape = Tape()
        let local = tape.apply(StepBackward(), [tape.constant(x, name: "x"), tape.constant(dy, name: "dy")]).value
        let numeric = GradientCheck.numericGradients([x], weights: dy) { step($0[0]) }[0]
        #expect(numeric.scalars.allSatisfy { $0 == 0 })
        #expect(local.scalars == numeric.scalars)
    }

    @Test("softmax_backward(softmax(x), dy) is the finite-difference VJP of softmax, along either axis", arguments: [0, 1])
    func softmaxBackwardIsTheVJPOfSoftmax(axis: Int) {
        expectVectorJacobianProduct(x: seeded([3, 4], seed: 37, -2, 2), dy: seeded([3, 4], seed: 38)) { softmax($0[0], axis: axis) } local: {
            tape, x, dy in tape.apply(SoftmaxBackward(axis: axis), [softmax(x, axis: axis), dy])
        }
    }

    @Test("softmax_backward along the middle axis of a rank-3 tensor is the VJP of softmax")
    func softmaxBackwardRank3() {
        expectVectorJacobianProduct(x: seeded([2, 3, 2], seed: 39, -2, 2), dy: seeded([2, 3, 2], seed: 40)) { softmax($0[0], axis: 1) } local: {
            tape, x, dy in tape.apply(SoftmaxBackward(axis: 1), [softmax(x, axis: 1), dy])
        }
    }

    @Test("local-derivative ops, the image ops' backward ops and the update ops (sgd, clip_norm, running_average, perceptron) are not differentiable; every other op is")
    func onlyLocalDerivativesAndSGDLackAGradientRule() {
        let nonDifferentiable = Set(OpRegistry.kinds.filter { !$0.isDifferentiable }.map { $0.name })
        #expect(
            nonDifferentiable == [
                "sigmoid_backward", "tanh_backward", "relu_backward", "softmax_backward", "conv2d_weight", "max_pool2d_backward",
                "avg_pool2d_backward", "upsample_nearest2d_backward", "sgd", "clip_norm", "running_average", "step_backward", "perceptron",
            ])
    }
}
