import Engine
import Testing
import Trace

/// A tensor from its shape and row-major values.
func T(_ shape: [Int], _ scalars: [Double]) -> Tensor {
    Tensor(shape: shape, scalars: scalars)
}

/// Values drawn uniformly from [lo, hi) by the engine's seeded generator.
func seeded(_ shape: [Int], seed: UInt64, _ lo: Double = -1, _ hi: Double = 1) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<Tensor.count(of: shape)).map { _ in generator.uniform(lo, hi) })
}

/// Values with |v| in [lo, hi) and a random sign: inputs kept away from 0 (relu's kink, a denominator's pole).
func awayFromZero(_ shape: [Int], seed: UInt64, _ lo: Double = 0.3, _ hi: Double = 1.5) -> Tensor {
    var generator = SeededGenerator(seed: seed)
    return Tensor(
        shape: shape,
        scalars: (0..<Tensor.count(of: shape)).map { _ in
            let magnitude = generator.uniform(lo, hi)
            return generator.nextInt(below: 2) == 0 ? magnitude : -magnitude
        })
}

/// Whether two numbers agree: both NaN, the same infinity, or within `tolerance` (relative above 1, absolute below).
func close(_ a: Double, _ b: Double, tolerance: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= tolerance * max(1, abs(a), abs(b))
}

/// Bitwise equality of doubles, with every NaN equal to every NaN.
func sameBits(_ a: Double, _ b: Double) -> Bool {
    (a.isNaN && b.isNaN) || a.bitPattern == b.bitPattern
}

func sameBits(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { sameBits($0, $1) }
}

/// Expects `actual` to have `expected`'s shape and values (NaN matching NaN, infinities exactly).
func expectTensor(
    _ actual: Tensor, _ expected: Tensor, tolerance: Double = 1e-14, _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, comment, sourceLocation: sourceLocation)
    guard actual.shape == expected.shape else { return }
    for (index, (a, e)) in zip(actual.scalars, expected.scalars).enumerated() where !close(a, e, tolerance: tolerance) {
        Issue.record(
            "element \(index): got \(a), expected \(e)\(comment.map { " (\($0))" } ?? "")", sourceLocation: sourceLocation)
    }
}

/// A forward case: an op, its inputs and the output worked out by hand.
struct ForwardCase: Sendable, CustomTestStringConvertible {
    let label: String
    let op: any Op
    let inputs: [Tensor]
    let expected: Tensor
    let tolerance: Double

    init(_ label: String, _ op: any Op, _ inputs: [Tensor], _ expected: Tensor, tolerance: Double = 1e-14) {
        self.label = label
        self.op = op
        self.inputs = inputs
        self.expected = expected
        self.tolerance = tolerance
    }

    var testDescription: String { "\(op.name): \(label)" }

    /// Runs the op on a recording tape (inputs as constants) and checks the output.
    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tape = Tape()
        let vars = inputs.enumerated().map { tape.constant($1, name: "x\($0)") }
        let output = try tape.tryApply(op, vars)
        expectTensor(output.value, expected, tolerance: tolerance, Comment(rawValue: testDescription), sourceLocation: sourceLocation)
        #expect(tape.stepCount == 1, sourceLocation: sourceLocation)
    }
}

/// Every forward case of every family, for the coverage and attrs round-trip tests.
enum ForwardCases {
    static let all: [ForwardCase] =
        elementwise + reductions + shapes + convolution + linearAlgebra + localDerivatives + update + clipping
}

/// A JSON attribute value as a number where it stands for one: integers, reals and the strings
/// "NaN", "Infinity", "-Infinity" (a decoded trace may give any of these for the same number).
private func numeric(_ value: JSONValue) -> Double? {
    switch value {
    case .string("NaN"): return .nan
    case .string("Infinity"): return .infinity
    case .string("-Infinity"): return -.infinity
    default: return value.doubleValue
    }
}

/// Whether two attribute values mean the same: numbers by value (NaN equal to NaN), arrays element-wise.
func sameMeaning(_ a: JSONValue, _ b: JSONValue) -> Bool {
    if let x = numeric(a), let y = numeric(b) { return sameBits(x, y) || x == y }
    if case .array(let xs) = a, case .array(let ys) = b {
        return xs.count == ys.count && zip(xs, ys).allSatisfy { sameMeaning($0, $1) }
    }
    return a == b
}

/// Whether two steps are the same step, their attrs compared by meaning.
func sameStep(_ a: Step, _ b: Step) -> Bool {
    a.index == b.index && a.phase == b.phase && a.op == b.op && a.inputs == b.inputs && a.output == b.output
        && a.scope == b.scope && Set(a.attrs.keys) == Set(b.attrs.keys)
        && a.attrs.allSatisfy { key, value in sameMeaning(value, b.attrs[key]!) }
}
