import Engine
import Trace

/// A small convolutional classifier of one-channel images x (N×1×H×W), two convolution layers
/// and a dense output layer:
///
///     z₁ = w₁ ⋆ x + b₁,   a₁ = relu(z₁),   h₁ = maxpool₂ₓ₂(a₁)          (layer 1)
///     z₂ = w₂ ⋆ h₁ + b₂,  h₂ = relu(z₂)                                 (layer 2)
///     g = GAP(h₂),        y = g W₃ + b₃                                  (output layer)
///     p = softmax(y),     Q = −(1/N) Σ T ⊙ log softmax(y)               (loss)
///
/// ⋆ is `conv2d` with stride 1 and zero padding (k − 1)/2, so a convolution keeps the image's
/// size (k odd); max-pooling halves it; GAP (global average pooling) takes each channel's mean,
/// N×C₂×H/2×W/2 → N×C₂, so the dense layer has C₂·K weights whatever the image's size.
/// Shapes: w₁ C₁×1×k×k, b₁ C₁, w₂ C₂×C₁×k×k, b₂ C₂, W₃ C₂×K, b₃ 1×K (added to every row); y and
/// p are N×K (a row per image), T the one-hot targets N×K. p is shown; the loss takes log_softmax
/// of y, which stays finite where log(p) would not.
public struct SmallCNN: Sendable {
    /// C₁ and C₂, the channels of the two convolutions.
    public let channels: (Int, Int)
    /// k, the kernels' side (odd).
    public let kernel: Int
    /// K, the classes.
    public let classes: Int

    public init(channels: (Int, Int), kernel: Int, classes: Int) {
        precondition(kernel % 2 == 1, "SmallCNN: the kernel side must be odd, for padding (k − 1)/2 to keep the size")
        (self.channels, self.kernel, self.classes) = (channels, kernel, classes)
    }

    /// w₁, b₁, w₂, b₂, W₃, b₃ in that order, each row-major, uniform in ±1/√fan-in, where a
    /// convolution's fan-in is C_in·k·k (PyTorch's default for Conv2d and Linear) and the dense
    /// layer's is C₂.
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let (c1, c2, k) = (channels.0, channels.1, kernel)
        return [
            Tensor.fanInUniform([c1, 1, k, k], fanIn: k * k, using: &random),
            Tensor.fanInUniform([c1], fanIn: k * k, using: &random),
            Tensor.fanInUniform([c2, c1, k, k], fanIn: c1 * k * k, using: &random),
            Tensor.fanInUniform([c2], fanIn: c1 * k * k, using: &random),
            Tensor.fanInUniform([c2, classes], fanIn: c2, using: &random),
            Tensor.fanInUniform([1, classes], fanIn: c2, using: &random),
        ]
    }

    /// The parameters named as in the equations, in drawing and update order.
    public struct Parameters: ParameterSet {
        public let w_1: Var, b_1: Var, w_2: Var, b_2: Var, W_3: Var, b_3: Var

        public var list: [Var] { [w_1, b_1, w_2, b_2, W_3, b_3] }
        public init(_ list: ArraySlice<Var>) {
            let p = Array(list)
            (w_1, b_1, w_2, b_2, W_3, b_3) = (p[0], p[1], p[2], p[3], p[4], p[5])
        }
    }

    /// The parameters as tape tensors, the kernels tagged `kernel` with their layer. With
    /// `convolutionsFrozen` (transfer learning's pretrained features), w₁, b₁, w₂, b₂ are frozen:
    /// no gradient, no update.
    public func bind(_ values: [Tensor], on tape: Tape, convolutionsFrozen: Bool = false) -> Parameters {
        let names = [("w_1", "w_1"), ("b_1", "b_1"), ("w_2", "w_2"), ("b_2", "b_2"), ("W_3", "W_3"), ("b_3", "b_3")]
        let bound = zip(values, names).enumerated().map { index, pair in
            tape.parameter(pair.0, name: pair.1.0, tex: pair.1.1, frozen: convolutionsFrozen && index < 4)
        }
        bound[0].tagged("kernel", ["layer": 1])
        bound[2].tagged("kernel", ["layer": 2])
        return Parameters(bound)
    }

    /// What a forward pass computes: the logits y (N×K) and the maps after each layer's ReLU
    /// (a₁, N×C₁×H×W, and h₂, N×C₂×H/2×W/2): the maps the demo keeps per epoch.
    public struct Forward {
        public let logits: Var
        public let maps: [Var]
    }

    /// The network on the images x, each layer in its scope, its maps tagged `feature_map`.
    public func callAsFunction(_ x: Var, _ p: Parameters) -> Forward {
        let tape = x.tape
        let same = ConvGeometry(padding: (kernel - 1) / 2)
        let (a_1, h_1) = tape.scope("layer 1", kind: .layer(1), equation: "h_1 = \\operatorname{maxpool}(\\operatorname{relu}(w_1 \\star x + b_1))") {
            let z_1 = conv2d(x, p.w_1, p.b_1, same).named("z_1").tagged("feature_map", ["layer": 1, "stage": "conv"])
            let a_1 = relu(z_1).named("a_1").tagged("feature_map", ["layer": 1, "stage": "relu"])
            let h_1 = maxPool2d(a_1, PoolWindow(2)).named("h_1").tagged("feature_map", ["layer": 1, "stage": "pool"])
            return (a_1, h_1)
        }
        let h_2 = tape.scope("layer 2", kind: .layer(2), equation: "h_2 = \\operatorname{relu}(w_2 \\star h_1 + b_2)") {
            let z_2 = conv2d(h_1, p.w_2, p.b_2, same).named("z_2").tagged("feature_map", ["layer": 2, "stage": "conv"])
            return relu(z_2).named("h_2").tagged("feature_map", ["layer": 2, "stage": "relu"])
        }
        let y = tape.scope("output layer", kind: .layer(3), equation: "y = \\operatorname{GAP}(h_2)\\, W_3 + b_3") {
            let g = globalAvgPool2d(h_2).named("g")
            return (g • p.W_3 + p.b_3).named("y")
        }
        return Forward(logits: y, maps: [a_1, h_2])
    }

    /// Q = −(1/N) Σ T ⊙ log softmax(y), with p = softmax(y) beside it for the reader.
    public func loss(_ y: Var, _ T: Var) -> Var {
        y.tape.scope("loss", kind: .loss, equation: "Q = -\\frac{1}{N} \\sum T \\odot \\log \\operatorname{softmax}(y)") {
            softmax(y, axis: 1).named("p").tagged("probabilities")
            return softmaxCrossEntropy(logits: y, target: T, axis: 1).named("Q")
        }
    }
}
