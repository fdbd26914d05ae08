import Engine
import Trace

/// A deep stack of L small convolution layers over one image x (1×C×H×W), with or without skip
/// connections:
///
///     z_k = w_k ⋆ y_{k−1} + b_k                 (3×3, stride 1, zero padding 1: C×H×W stays C×H×W)
///     plain:     y_k = φ(z_k)
///     residual:  y_k = φ(z_k) + y_{k−1}         (F_k = φ(z_k), the residual branch)
///
/// from y_0 = x, with the loss L_v = ½ Σ (y_L − target)² of the variant v. Going back, the plain layer multiplies the
/// gradient by its Jacobian, ∂L/∂y_{k−1} = w_kᵀ ⋆ (φ′(z_k) ⊙ ∂L/∂y_k); the residual layer adds the
/// same term to ∂L/∂y_k itself, ∂y_k/∂y_{k−1} = ∂F_k/∂y_{k−1} + I, so the gradient reaching the
/// bottom is never only a product of L small Jacobians. The trace shows the + I as steps: the
/// skip's `add` hands its incoming gradient to both operands (two `sum_to`), and a backward `add`
/// in the layer's scope sums the identity path's copy with what came back through the convolution.
///
/// Kernels w_k are C×C×3×3, drawn uniform in ±s/√(9C) (s = `init-scale`; s = 1 is PyTorch's default
/// bound for a convolution, 1/√fan-in), biases b_k uniform in ±1/√(9C).
public struct ResidualStack: Sendable {
    public let depth: Int
    public let channels: Int
    let activation: Activation

    /// - Parameters:
    ///   - depth: the number of layers L (≥ 1).
    ///   - channels: C, the channels of the image and of every layer.
    ///   - activation: φ.
    public init(depth: Int, channels: Int, activation: Activation) {
        precondition(depth >= 1 && channels >= 1, "ResidualStack: needs at least one layer and one channel")
        self.depth = depth
        self.channels = channels
        self.activation = activation
    }

    /// 3×3 kernels with zero padding 1: every layer keeps the image's size, so y_{k−1} and F_k add.
    static let geometry = ConvGeometry(padding: 1)
    static let kernelSize = 3

    /// w_1, b_1, w_2, b_2, …: each w_k (C×C×3×3, row-major) uniform in ±s/√(9C), then b_k (C)
    /// uniform in ±1/√(9C).
    public func initialParameters(initScale s: Double, using random: inout SeededGenerator) -> [Tensor] {
        let fanIn = channels * Self.kernelSize * Self.kernelSize
        let bound = 1 / Double(fanIn).squareRoot()
        return (1...depth).flatMap { _ in
            [
                Tensor.uniform([channels, channels, Self.kernelSize, Self.kernelSize], bound: s * bound, using: &random),
                Tensor.uniform([channels], bound: bound, using: &random),
            ]
        }
    }

    /// Each layer's kernel and bias, from the first: `layers[k − 1]` is (w_k, b_k).
    public struct Parameters: ParameterSet {
        public let layers: [(w: Var, b: Var)]

        public var list: [Var] { layers.flatMap { [$0.w, $0.b] } }
        public init(_ list: ArraySlice<Var>) {
            layers = stride(from: list.startIndex, to: list.endIndex, by: 2).map { (list[$0], list[$0 + 1]) }
        }
    }

    /// The parameters as tape tensors named `w_1`, `b_1`, …, each kernel tagged with its layer and
    /// `variant` (both variants start from the same values, as tensors of their own).
    public func bind(_ values: [Tensor], on tape: Tape, variant: String) -> Parameters {
        Parameters(
            values.enumerated().map { index, value in
                let k = index / 2 + 1
                return index.isMultiple(of: 2)
                    ? tape.parameter(value, name: "w_\(k)", tex: "w_{\(k)}").tagged("kernel", ["layer": .int(k), "variant": .string(variant)])
                    : tape.parameter(value, name: "b_\(k)", tex: "b_{\(k)}")
            })
    }

    /// y_1 … y_L for the image x, each layer in a scope `layer k` (kind `layer`, `skip` when
    /// residual), each y_k tagged `feature_map` with its layer and `variant`.
    public func callAsFunction(_ x: Var, _ parameters: Parameters, skip: Bool, variant: String) -> [Var] {
        let tape = x.tape
        var outputs: [Var] = []
        var y = x
        for k in 1...depth {
            let (w, b) = parameters.layers[k - 1]
            let input = k == 1 ? "x" : "y_{\(k - 1)}"
            let branch = "\(activation.tex)(w_{\(k)} \\star \(input) + b_{\(k)})"
            let equation = skip ? "y_{\(k)} = \(branch) + \(input)" : "y_{\(k)} = \(branch)"
            let below = y
            y = tape.scope("layer \(k)", kind: .layer(k, skip: skip), equation: equation) { () -> Var in
                let z = conv2d(below, w, b, Self.geometry).named("z_\(k)", tex: "z_{\(k)}")
                if !skip { return activation(z).named("y_\(k)", tex: "y_{\(k)}") }
                let F = activation(z).named("F_\(k)", tex: "F_{\(k)}")
                return (F + below).named("y_\(k)", tex: "y_{\(k)}")
            }
            let context: [String: JSONValue] = ["layer": .int(k), "variant": .string(variant)]
            outputs.append(y.tagged("feature_map", context))
        }
        return outputs
    }

    /// L_v = ½ Σ (y_L − target)², in a scope `loss`, named `L_<variant>` (L_plain, L_residual).
    public func loss(_ y: Var, _ target: Var, variant: String) -> Var {
        let name = "L_{\\text{\(variant)}}"
        return y.tape.scope("loss", kind: .loss, equation: "\(name) = \\tfrac{1}{2} \\sum (y_{\(depth)} - \\mathrm{target})^2") {
            halfSquaredError(y, target).named("L_\(variant)", tex: name)
        }
    }
}
