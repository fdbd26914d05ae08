import Trace

/// One stochastic-gradient-descent step: sgd(p, g) {lr} = p − lr · g.
/// Recorded in phase `update`; its output is the parameter's next version. No gradient rule.
public struct SGD: Op {
    public static let name = "sgd"
    public static var arity: Int? { 2 }
    public static var isDifferentiable: Bool { false }
    public let learningRate: Double
    public init(learningRate: Double) { self.learningRate = learningRate }
    public init(attrs: [String: JSONValue]) throws(OpError) { learningRate = try decodeNumber(Attributes(Self.name, attrs), "lr") }
    public var attrs: [String: JSONValue] { ["lr": number(learningRate)] }

    public func forward(_ x: [Tensor]) throws(OpError) -> Tensor {
        guard x[0].shape == x[1].shape else {
            throw OpError(op: Self.name, "parameter \(describe(x[0].shape)) and gradient \(describe(x[1].shape)) differ")
        }
        let lr = learningRate
        return Tensor(shape: x[0].shape, scalars: zip(x[0].scalars, x[1].scalars).map { p, g in p - lr * g })
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil] }
}
