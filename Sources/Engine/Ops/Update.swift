import Trace

/// One stochastic-gradient-descent step: sgd(p, g) {lr} = p − lr · g.
/// Recorded in phase `update`; its output is the parameter's next version. No gradient rule.
public struct SGD: Op {
    public static let name = "sgd"
    public static var arity: Int? { 2 }
    public static var isDifferentiable: Bool { false }
    public let learningRate: Double
    public init(learningRate: Double) { self.learningRate = learningRate }
    public static let learningRateAttribute = OpAttribute<Double>.real("lr")
    public static let attributes: [any AnyOpAttribute] = [learningRateAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { learningRate = try Attributes(Self.name, attrs)[Self.learningRateAttribute] }
    public var attrs: [String: JSONValue] { recorded(Self.learningRateAttribute.record(learningRate)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard s[0] == s[1] else { throw OpError(op: Self.name, "parameter \(describe(s[0])) and gradient \(describe(s[1])) differ") }
        return s[0]
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let lr = learningRate
        return Tensor(shape: try outputShape(of: x), scalars: zip(x[0].scalars, x[1].scalars).map { p, g in p - lr * g })
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil] }
}

/// Gradient clipping by norm: clip_norm(g) {max_norm} = g · (max_norm / ‖g‖) when ‖g‖ > max_norm,
/// otherwise g unchanged, with ‖g‖ = √(Σ g²) summed in index order from +0.0.
///
/// Recorded in phase `update`, between a backward pass and the `sgd` step that uses its output.
/// Edge cases follow from IEEE arithmetic: a NaN norm never exceeds max_norm (g passes unchanged,
/// NaN included); an infinite norm gives the factor 0, so finite entries become ±0 and infinite
/// ones NaN. No gradient rule.
public struct ClipNorm: Op {
    public static let name = "clip_norm"
    public static var isDifferentiable: Bool { false }
    public let maxNorm: Double
    public init(maxNorm: Double) { self.maxNorm = maxNorm }
    public static let maxNormAttribute = OpAttribute<Double>.real("max_norm")
    public static let attributes: [any AnyOpAttribute] = [maxNormAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { maxNorm = try Attributes(Self.name, attrs)[Self.maxNormAttribute] }
    public var attrs: [String: JSONValue] { recorded(Self.maxNormAttribute.record(maxNorm)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard maxNorm >= 0 else { throw OpError(op: Self.name, "max_norm must be a number ≥ 0, got \(maxNorm)") }
        return s[0]
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let g = x[0]
        let norm = ClipNorm.norm(g.scalars)
        guard norm > maxNorm else { return g }
        let factor = maxNorm / norm
        return Tensor(shape: shape, scalars: g.scalars.map { $0 * factor })
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil] }

    /// √(Σ v²), the terms added in index order from +0.0 (what the op compares with max_norm).
    static func norm(_ values: [Double]) -> Double {
        var total = 0.0
        for v in values { total += v * v }
        return total.squareRoot()
    }
}

/// A running average's next value: running_average(r, s) {momentum} = (1 − momentum) · r + momentum · s.
/// Batch normalization keeps its running mean and variance this way (PyTorch's rule, momentum 0.1
/// by default): each training batch's statistic s moves r a fraction `momentum` of the way.
///
/// Recorded in phase `update`, like `sgd`: its output is the running tensor's next version (role
/// `constant`: it is state the network keeps, not something it learns). No gradient rule.
public struct RunningAverage: Op {
    public static let name = "running_average"
    public static var arity: Int? { 2 }
    public static var isDifferentiable: Bool { false }
    public let momentum: Double
    public init(momentum: Double) { self.momentum = momentum }
    public static let momentumAttribute = OpAttribute<Double>.real("momentum")
    public static let attributes: [any AnyOpAttribute] = [momentumAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { momentum = try Attributes(Self.name, attrs)[Self.momentumAttribute] }
    public var attrs: [String: JSONValue] { recorded(Self.momentumAttribute.record(momentum)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard (0...1).contains(momentum) else {
            throw OpError(op: Self.name, "momentum must be a number in [0, 1], got \(momentum)")
        }
        guard s[0] == s[1] else { throw OpError(op: Self.name, "running value \(describe(s[0])) and statistic \(describe(s[1])) differ") }
        return s[0]
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let m = momentum
        return Tensor(shape: try outputShape(of: x), scalars: zip(x[0].scalars, x[1].scalars).map { r, s in (1 - m) * r + m * s })
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil] }
}

/// Rosenblatt's perceptron rule: perceptron(p, a, t, y) {lr} = p + lr · (t − y) aᵀ.
/// p is a layer's K×n weights (or its K×1 bias, with a = [1]: the bias is the weight of an input
/// that is always 1), a the n×1 input, t and y the K×1 target and output. A correct output
/// (t = y) leaves p as it was; a wrong one adds or subtracts lr · a. It reads no gradient: the
/// rule works with the step function, whose gradient is zero. Recorded in phase `update`; its
/// output is the parameter's next version. No gradient rule.
public struct Perceptron: Op {
    public static let name = "perceptron"
    public static var arity: Int? { 4 }
    public static var isDifferentiable: Bool { false }
    public let learningRate: Double
    public init(learningRate: Double) { self.learningRate = learningRate }
    public static let attributes: [any AnyOpAttribute] = [SGD.learningRateAttribute]
    public init(attrs: [String: JSONValue]) throws(OpError) { learningRate = try Attributes(Self.name, attrs)[SGD.learningRateAttribute] }
    public var attrs: [String: JSONValue] { recorded(SGD.learningRateAttribute.record(learningRate)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        guard s[0].count == 2 else { throw OpError(op: Self.name, "parameter \(describe(s[0])) is not a matrix (K×n)") }
        let (k, n) = (s[0][0], s[0][1])
        guard s[1] == [n, 1] else { throw OpError(op: Self.name, "input \(describe(s[1])) is not a column of \(n) for parameter \(describe(s[0]))") }
        guard s[2] == [k, 1], s[3] == [k, 1] else {
            throw OpError(op: Self.name, "target \(describe(s[2])) and output \(describe(s[3])) must both be \(describe([k, 1]))")
        }
        return s[0]
    }
    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: x)
        let (p, a, t, y) = (x[0].scalars, x[1].scalars, x[2].scalars, x[3].scalars)
        let n = shape[1]
        var out = p
        for row in 0..<shape[0] {
            let step = learningRate * (t[row] - y[row])
            for column in 0..<n { out[row * n + column] += step * a[column] }
        }
        return Tensor(shape: shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil, nil, nil] }
}

extension OpRegistry {
    /// This file's op kinds, in the order of the docs' op table.
    static let update: [any Op.Type] = [SGD.self, ClipNorm.self, RunningAverage.self, Perceptron.self]
}
