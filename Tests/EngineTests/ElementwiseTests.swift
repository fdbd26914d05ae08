import Engine
import Foundation
import Testing
import Trace

// Forward values of the element-wise ops, worked out by hand.
// a23 = [[1, 2, 3], [4, 5, 6]] is the 2×3 operand of most broadcasting cases.

private let a23 = T([2, 3], [1, 2, 3, 4, 5, 6])
private let e = 2.718281828459045  // e, to double precision
private let ln2 = 0.6931471805599453  // ln 2
private let ln3 = 1.0986122886681098  // ln 3

extension ForwardCases {
    static let elementwise: [ForwardCase] = [
        // add
        ForwardCase("same shape", Add(), [T([2, 2], [1, 2, 3, 4]), T([2, 2], [10, 20, 30, 40])], T([2, 2], [11, 22, 33, 44])),
        // each row + [10, 20, 30]
        ForwardCase("2×3 + 3", Add(), [a23, T([3], [10, 20, 30])], T([2, 3], [11, 22, 33, 14, 25, 36])),
        // row 0 + 100, row 1 + 200
        ForwardCase("2×3 + 2×1", Add(), [a23, T([2, 1], [100, 200])], T([2, 3], [101, 102, 103, 204, 205, 206])),
        ForwardCase("2×3 + 1×3", Add(), [a23, T([1, 3], [10, 20, 30])], T([2, 3], [11, 22, 33, 14, 25, 36])),
        ForwardCase("2×3 + scalar", Add(), [a23, T([], [0.5])], T([2, 3], [1.5, 2.5, 3.5, 4.5, 5.5, 6.5])),
        ForwardCase("scalar + 2×3", Add(), [T([], [10]), a23], T([2, 3], [11, 12, 13, 14, 15, 16])),
        // out[i][j] = a[i] + b[j]: [[1+10, 1+20, 1+30], [2+10, 2+20, 2+30]]
        ForwardCase("2×1 + 1×3 → 2×3", Add(), [T([2, 1], [1, 2]), T([1, 3], [10, 20, 30])], T([2, 3], [11, 21, 31, 12, 22, 32])),
        // a is 2×1×2 [[[1, 2]], [[3, 4]]], b is 3×1 [[10], [20], [30]]: out[i][j][k] = a[i][0][k] + b[j][0], 2×3×2
        ForwardCase(
            "2×1×2 + 3×1 → 2×3×2", Add(), [T([2, 1, 2], [1, 2, 3, 4]), T([3, 1], [10, 20, 30])],
            T([2, 3, 2], [11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34])),
        ForwardCase("scalar + scalar", Add(), [T([], [1.5]), T([], [2.25])], T([], [3.75])),

        // sub
        ForwardCase("2×3 − 3", Sub(), [a23, T([3], [1, 1, 2])], T([2, 3], [0, 1, 1, 3, 4, 4])),
        ForwardCase("2×3 − 2×1", Sub(), [a23, T([2, 1], [1, 2])], T([2, 3], [0, 1, 2, 2, 3, 4])),
        // out[i][j] = a[i] − b[j]
        ForwardCase("2×1 − 1×3", Sub(), [T([2, 1], [1, 2]), T([1, 3], [10, 20, 30])], T([2, 3], [-9, -19, -29, -8, -18, -28])),
        // the scalar is the left operand: 1 − x
        ForwardCase("scalar − 2×2", Sub(), [T([], [1]), T([2, 2], [1, 2, 3, 4])], T([2, 2], [0, -1, -2, -3])),
        ForwardCase("2×3 − scalar", Sub(), [a23, T([], [1])], T([2, 3], [0, 1, 2, 3, 4, 5])),
        ForwardCase("2×3 − 1×3", Sub(), [a23, T([1, 3], [1, 2, 3])], T([2, 3], [0, 0, 0, 3, 3, 3])),
        ForwardCase("1×3 − 2×3", Sub(), [T([1, 3], [10, 10, 10]), a23], T([2, 3], [9, 8, 7, 6, 5, 4])),

        // mul
        ForwardCase("2×3 ⊙ 3", Mul(), [a23, T([3], [1, 0, -1])], T([2, 3], [1, 0, -3, 4, 0, -6])),
        ForwardCase("2×3 ⊙ 2×1", Mul(), [a23, T([2, 1], [2, -1])], T([2, 3], [2, 4, 6, -4, -5, -6])),
        // the outer product of [1, 2] and [3, 4, 5]
        ForwardCase("2×1 ⊙ 1×3", Mul(), [T([2, 1], [1, 2]), T([1, 3], [3, 4, 5])], T([2, 3], [3, 4, 5, 6, 8, 10])),
        ForwardCase("2×3 ⊙ scalar", Mul(), [a23, T([], [2])], T([2, 3], [2, 4, 6, 8, 10, 12])),
        ForwardCase("2×3 ⊙ 1×3", Mul(), [a23, T([1, 3], [0.5, 2, -1])], T([2, 3], [0.5, 4, -3, 2, 10, -6])),
        ForwardCase("1×3 ⊙ 2×3", Mul(), [T([1, 3], [1, 2, 3]), T([2, 3], [1, 1, 1, 2, 2, 2])], T([2, 3], [1, 2, 3, 2, 4, 6])),

        // div
        ForwardCase("2×3 / 3", Div(), [a23, T([3], [1, 2, 4])], T([2, 3], [1, 1, 0.75, 4, 2.5, 1.5])),
        ForwardCase("2×3 / 2×1", Div(), [a23, T([2, 1], [2, 4])], T([2, 3], [0.5, 1, 1.5, 1, 1.25, 1.5])),
        ForwardCase("2×1 / 1×3", Div(), [T([2, 1], [1, 2]), T([1, 3], [1, 2, 4])], T([2, 3], [1, 0.5, 0.25, 2, 1, 0.5])),
        ForwardCase("2×3 / 1×3", Div(), [a23, T([1, 3], [2, 4, 8])], T([2, 3], [0.5, 0.5, 0.375, 2, 1.25, 0.75])),
        ForwardCase("2×2 / scalar", Div(), [T([2, 2], [1, 2, 3, 4]), T([], [4])], T([2, 2], [0.25, 0.5, 0.75, 1])),
        ForwardCase("scalar / 3", Div(), [T([], [1]), T([3], [2, 4, 8])], T([3], [0.5, 0.25, 0.125])),
        // IEEE: 1/0 = ∞, −1/0 = −∞, 0/0 = NaN
        ForwardCase("division by zero", Div(), [T([3], [1, -1, 0]), T([3], [0, 0, 0])], T([3], [.infinity, -.infinity, .nan])),

        // unary
        ForwardCase("neg", Neg(), [T([2, 2], [1, -2, 0, 3.5])], T([2, 2], [-1, 2, 0, -3.5])),
        // e⁰ = 1, e¹ = e, e⁻¹ = 1/e, e^(ln 2) = 2, e^(−∞) = 0, e^800 overflows to ∞
        ForwardCase("exp", Exp(), [T([6], [0, 1, -1, ln2, -.infinity, 800])], T([6], [1, e, 1 / e, 2, 0, .infinity])),
        // ln 1 = 0, ln e = 1, ln ½ = −ln 2, ln 0 = −∞, ln(−1) = NaN
        ForwardCase("log", Log(), [T([5], [1, e, 0.5, 0, -1])], T([5], [0, 1, -ln2, -.infinity, .nan])),
        ForwardCase("sqrt", Sqrt(), [T([5], [0, 1, 4, 2.25, -1])], T([5], [0, 1, 2, 1.5, .nan])),
        ForwardCase("square", Square(), [T([4], [-3, 0.5, 0, 2])], T([4], [9, 0.25, 0, 4])),
        // tanh(ln 2) = (4 − 1)/(4 + 1) = 0.6; tanh(±20) rounds to ±1
        ForwardCase("tanh", Tanh(), [T([5], [0, ln2, -ln2, 20, -20])], T([5], [0, 0.6, -0.6, 1, -1])),
        // σ(ln 3) = 1/(1 + 1/3) = 3/4, σ(−ln 3) = 1/4; σ(±800) is 1 and 0 with no overflow to NaN
        ForwardCase("sigmoid", Sigmoid(), [T([5], [0, ln3, -ln3, 800, -800])], T([5], [0.5, 0.75, 0.25, 1, 0])),
        // relu(0) = 0; NaN passes through
        ForwardCase("relu", ReLU(), [T([5], [-2, 0, 3, -0.0, .nan])], T([5], [0, 0, 3, 0, .nan])),
        // step(0) = 1 (the perceptron fires at net ≥ 0), −0 ≥ 0 too; ±∞ and tiny values; NaN passes through
        ForwardCase("step", Heaviside(), [T([7], [-2, 0, -0.0, 3, 1e-300, -.infinity, .nan])], T([7], [0, 1, 1, 1, 1, 0, .nan])),
        ForwardCase("scale 2.5", Scale(2.5), [T([2, 2], [1, -2, 0, 4])], T([2, 2], [2.5, -5, 0, 10])),
        ForwardCase("scale −1", Scale(-1), [T([3], [1, -2, 0.5])], T([3], [-1, 2, -0.5])),

        // where(mask, a) {value}
        ForwardCase(
            "same-shape mask, −∞", Where(value: -.infinity), [T([2, 3], [1, 0, 1, 0, 1, 0]), a23],
            T([2, 3], [1, -.infinity, 3, -.infinity, 5, -.infinity])),
        ForwardCase("mask 3 over 2×3", Where(value: 0), [T([3], [1, 1, 0]), a23], T([2, 3], [1, 2, 0, 4, 5, 0])),
        ForwardCase("mask 2×1 over 2×3", Where(value: 9), [T([2, 1], [0, 1]), a23], T([2, 3], [9, 9, 9, 4, 5, 6])),
        ForwardCase("mask 1×3 over 2×3", Where(value: -1), [T([1, 3], [0, 2, 0]), a23], T([2, 3], [-1, 2, -1, -1, 5, -1])),
        ForwardCase("scalar mask 0", Where(value: 7), [T([], [0]), a23], T([2, 3], [7, 7, 7, 7, 7, 7])),
        // a causal mask: position j is visible from i when j ≤ i
        ForwardCase(
            "causal 3×3", Where(value: -.infinity),
            [T([3, 3], [1, 0, 0, 1, 1, 0, 1, 1, 1]), T([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])],
            T([3, 3], [1, -.infinity, -.infinity, 4, 5, -.infinity, 7, 8, 9])),
    ]
}

@Suite("Element-wise ops")
struct ElementwiseTests {
    @Test("forward output equals the hand-derived values", arguments: ForwardCases.elementwise)
    func forwardMatchesHandDerivedValues(_ c: ForwardCase) throws {
        try c.check()
    }

    @Test("sigmoid of ±800 and ±40 is finite and correct, with no NaN from overflow")
    func sigmoidOfLargeMagnitudesDoesNotOverflow() {
        let tape = Tape()
        let y = sigmoid(tape.constant(T([4], [800, -800, 40, -40]), name: "x")).value
        #expect(y.scalars.allSatisfy { $0.isFinite })
        #expect(y.scalars[0] == 1)
        #expect(y.scalars[1] == 0)
        // σ(40) = 1 − e⁻⁴⁰ rounds to 1; σ(−40) = e⁻⁴⁰ / (1 + e⁻⁴⁰) ≈ 4.248354255291589e-18, not 0
        #expect(y.scalars[2] == 1)
        #expect(close(y.scalars[3], 4.248354255291589e-18, tolerance: 1e-14))
    }

    @Test("the Var operators record the ops they name")
    func operatorsRecordTheirOps() {
        let tape = Tape()
        let a = tape.constant(T([2], [6, 3]), name: "a")
        let b = tape.constant(T([2], [2, 3]), name: "b")
        let results: [(Var, String, [Double])] = [
            (a + b, "add", [8, 6]), (a - b, "sub", [4, 0]), (a * b, "mul", [12, 9]), (a / b, "div", [3, 1]),
            (-a, "neg", [-6, -3]), (2 * a, "scale", [12, 6]), (a * 0.5, "scale", [3, 1.5]),
            (square(b), "square", [4, 9]), (relu(-a), "relu", [0, 0]),
        ]
        let trace = tape.trace(title: "ops", model: "test", config: [:])
        for (variable, op, values) in results {
            #expect(trace.steps.first { $0.output == variable.id }?.op == op)
            #expect(variable.value.scalars == values, "\(op)")
        }
    }

    @Test("c − x and x + c record the number as a scalar constant")
    func numberOperandsBecomeConstants() {
        let tape = Tape()
        let x = tape.input(T([2], [0.25, 2]), name: "x")
        let oneMinus = 1 - x
        let plusTwo = x + 2
        #expect(oneMinus.value.scalars == [0.75, -1])
        #expect(plusTwo.value.scalars == [2.25, 4])
        let trace = tape.trace(title: "c", model: "test", config: [:])
        let constants = trace.tensors.filter { $0.role == .constant }
        #expect(constants.map(\.data) == [[1], [2]])
        #expect(constants.allSatisfy { $0.shape == [] })
    }
}

extension GradientCases {
    /// Gradient checks of this family's ops (GradientTests runs them against finite differences).
    static let elementwise: [GradientCase] = [
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
        // x ⊙ step(x) is ReLU: its difference quotient is [x > 0], which the step's recorded 0 leaves intact
        GradientCase("step", "x ⊙ step(x) away from 0", [nonzero([3, 3], 59)]) { $0[0] * step($0[0]) },
        GradientCase("scale", "factor −1.5", [x([2, 3], 15)]) { -1.5 * $0[0] },
        GradientCase("where", "same-shape mask", [x([2, 3], 57)]) {
            masked($0[0], where: $0[0].tape.constant(T([2, 3], [1, 0, 1, 1, 1, 0]), name: "mask"), else: -3)
        },
        GradientCase("where", "mask 3 over 2×3", [x([2, 3], 58)]) {
            masked($0[0], where: $0[0].tape.constant(T([3], [0, 1, 1]), name: "mask"), else: 2)
        },
    ]
}
