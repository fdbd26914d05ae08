import Engine
import Trace

/// A multilayer perceptron over a batch of column samples X (n₀ × m):
///
///     h₀ = X,   hₗ = φ(Wₗ hₗ₋₁ + bₗ) for the hidden layers,   y = W_L h_{L−1} + b_L (linear output),
///
/// with Wₗ of shape nₗ × nₗ₋₁ and bₗ of shape nₗ × 1 (added to every column by broadcasting).
/// Loss: `mse` = mean over all elements of (y − T)², or `cross-entropy` = −(1/m) Σ T ⊙ log softmax(y),
/// the classes along axis 0.
/// How an MLP's weights are drawn (`init`): uniform in ±1/√fan-in, or Xavier's ±√(6/(fan-in + fan-out)).
public enum WeightInitializer: String, ParameterChoice {
    case fanIn = "fan-in"
    case xavier
}

public struct MLP: Sendable {
    public let layers: [Int]
    let activation: Activation
    /// What a recording tape writes for each layer, from the first: the same at every iteration.
    private let recorded: [LayerText]

    /// - Parameters:
    ///   - layers: sizes n₀ (inputs), n₁ … n_{L−1} (hidden), n_L (outputs).
    ///   - activation: `sigmoid`, `tanh` or `relu`, applied after every hidden layer.
    public init(layers: [Int], activation: Activation) {
        precondition(layers.count >= 2, "MLP: needs at least input and output sizes")
        self.layers = layers
        self.activation = activation
        recorded = (1..<layers.count).map { LayerText($0, output: $0 == layers.count - 1, activation: activation) }
    }

    /// Layer l's scope (its name, kind and equation) and the names of the tensors it makes.
    /// Made once per network rather than at every iteration: building these strings was a tenth
    /// of a small network's recorded iteration, which training records again and again. A class,
    /// so that a layer takes one reference to it, not one to each string.
    private final class LayerText: Sendable {
        let scope: String, kind: ScopeKind, equation: String
        /// `W_l·` and `W_{l} h_{l-1}`: the product's name is this and its input's name.
        let productPrefix: String, productTeX: String
        let z: (name: String, tex: String), h: (name: String, tex: String)

        init(_ layer: Int, output: Bool, activation: Activation) {
            let previous = layer == 1 ? "X" : "h_{\(layer - 1)}"
            scope = output ? "output layer" : "layer \(layer)"
            kind = .layer(layer)
            equation =
                output
                ? "y = W_{\(layer)} \(previous) + b_{\(layer)}"
                : "h_{\(layer)} = \(activation.tex)(W_{\(layer)} \(previous) + b_{\(layer)})"
            productPrefix = "W_\(layer)·"
            productTeX = "W_{\(layer)} \(previous)"
            z = ("z_\(layer)", "z_{\(layer)}")
            h = output ? ("y", "y") : ("h_\(layer)", "h_{\(layer)}")
        }
    }

    /// W₁, b₁, W₂, b₂, …: each Wₗ then bₗ drawn in row-major order, uniform in ±1/√nₗ₋₁ (`fan-in`)
    /// or, for the weights, in ±√(6/(nₗ₋₁ + nₗ)) (`xavier`; biases keep the fan-in bound).
    public func initialParameters(initializer: WeightInitializer = .fanIn, using random: inout SeededGenerator) -> [Tensor] {
        zip(layers, layers.dropFirst()).flatMap { fanIn, fanOut in
            let weights =
                initializer == .xavier
                ? Tensor.xavierUniform([fanOut, fanIn], fanIn: fanIn, fanOut: fanOut, using: &random)
                : Tensor.fanInUniform([fanOut, fanIn], fanIn: fanIn, using: &random)
            return [weights, Tensor.fanInUniform([fanOut, 1], fanIn: fanIn, using: &random)]
        }
    }

    /// Each layer's W_l and b_l, from the first: `layers[l - 1]` is (W_l, b_l).
    public struct Parameters: ParameterSet {
        public let layers: [(W: Var, b: Var)]

        public var list: [Var] { layers.flatMap { [$0.W, $0.b] } }
        public init(_ list: ArraySlice<Var>) {
            layers = stride(from: list.startIndex, to: list.endIndex, by: 2).map { (list[$0], list[$0 + 1]) }
        }
    }

    /// The parameters as tape tensors named `W_1`, `b_1`, `W_2`, ….
    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        Parameters(
            values.enumerated().map { index, value in
                let layer = index / 2 + 1
                return index.isMultiple(of: 2)
                    ? tape.parameter(value, name: "W_\(layer)", tex: "W_{\(layer)}")
                    : tape.parameter(value, name: "b_\(layer)", tex: "b_{\(layer)}")
            })
    }

    /// The network's output y (n_L × m) for the samples X, each layer in its own scope.
    public func callAsFunction(_ X: Var, _ parameters: Parameters) -> Var {
        let tape = X.tape
        let depth = layers.count - 1
        var h = X
        for layer in 1...depth {
            let (W, b) = parameters.layers[layer - 1]
            let text = recorded[layer - 1]
            let product = { (W • h).named(text.productPrefix + h.name, tex: text.productTeX) }
            h = tape.scope(text.scope, kind: text.kind, equation: text.equation) {
                if layer == depth { return (product() + b).named(text.h.name, tex: text.h.tex) }
                let z = (product() + b).named(text.z.name, tex: text.z.tex)
                return activation(z).named(text.h.name, tex: text.h.tex)
            }
        }
        return h
    }

    /// The loss of output y against targets T: `mse` or `cross-entropy`.
    public func loss(_ y: Var, _ T: Var, kind: LossKind) -> Var {
        let tape = y.tape
        if kind == .crossEntropy {
            return tape.scope("loss", kind: .loss, equation: "Q = -\\frac{1}{m} \\sum T \\odot \\log \\operatorname{softmax}(y)") {
                softmaxCrossEntropy(logits: y, target: T, axis: 0).named("Q")
            }
        }
        return tape.scope("loss", kind: .loss, equation: "Q = \\operatorname{mean}\\,(y - T)^2") {
            meanSquaredError(y, T).named("Q")
        }
    }
}
