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

    /// - Parameters:
    ///   - layers: sizes n₀ (inputs), n₁ … n_{L−1} (hidden), n_L (outputs).
    ///   - activation: `sigmoid`, `tanh` or `relu`, applied after every hidden layer.
    public init(layers: [Int], activation: Activation) {
        precondition(layers.count >= 2, "MLP: needs at least input and output sizes")
        self.layers = layers
        self.activation = activation
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
            let previous = layer == 1 ? "X" : "h_{\(layer - 1)}"
            let product = { (W • h).named("W_\(layer)·\(h.name)", tex: "W_{\(layer)} \(previous)") }
            if layer < depth {
                h = tape.scope("layer \(layer)", kind: .layer(layer), equation: "h_{\(layer)} = \(activation.tex)(W_{\(layer)} \(previous) + b_{\(layer)})") {
                    let z = (product() + b).named("z_\(layer)", tex: "z_{\(layer)}")
                    return activation(z).named("h_\(layer)", tex: "h_{\(layer)}")
                }
            } else {
                h = tape.scope("output layer", kind: .layer(layer), equation: "y = W_{\(layer)} \(previous) + b_{\(layer)}") {
                    (product() + b).named("y")
                }
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
