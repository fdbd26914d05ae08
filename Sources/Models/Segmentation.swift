import Engine
import Trace

/// How the decoder doubles the encoder's resolution: copy each value into a 2×2 block (`nearest`,
/// nothing learned) or a transposed convolution with a learned 2×2 kernel, stride 2 (`transposed`).
public enum Upsampling: String, ParameterChoice {
    case nearest, transposed
}

/// A tiny U-Net: an encoder that halves the resolution and widens the view, a decoder that brings
/// the resolution back and concatenates the encoder's full-resolution features (the skip), and a
/// 1×1 convolution that scores every pixel for each of K classes. On images x of N×1×S×S
/// (⋆ is conv2d, ⋆_d with dilation d, ⋆ᵀ conv_transpose2d):
///
///     encoder  h_1 = relu(W_1 ⋆ x + b_1)                3×3, padding 1        N×C×S×S
///              m_2 = maxpool_2(h_1)                     2×2, stride 2         N×C×S/2×S/2
///              h_2 = relu(W_2 ⋆_d m_2 + b_2)            3×3, dilation d, padding d (size kept)
///     decoder  u_3 = up(h_2)                            nearest ×2, or W_3 ⋆ᵀ h_2 + b_3 (2×2, stride 2)
///              s_4 = [u_3; h_1]                         concatenated along channels: N×2C×S×S (u_3 without the skip)
///              h_4 = relu(W_4 ⋆ s_4 + b_4)              3×3, padding 1        N×C×S×S
///              y   = W_5 ⋆ h_4 + b_5                    1×1                   N×K×S×S
///     loss     P = softmax(y) over the class axis,   Q = −(1/(N·S²)) Σ T ⊙ log softmax(y)
///
/// Layer k's kernel is W_k (C_out×C_in×k×k, PyTorch's layout; W_3 is C×C×2×2), its bias b_k (C_out).
/// The skip is what lets the decoder put edges back where they were: m_2 keeps one value of every
/// 2×2 block, so h_2, and u_3 built from it, cannot say where in the block an edge lies; h_1 can.
public struct Segmentation: Sendable {
    public let channels: Int
    public let classes: Int
    public let dilation: Int
    public let upsampling: Upsampling
    /// Whether layer 4 reads [u_3; h_1] (the U-Net) or u_3 alone (W_4 then C×C×3×3): the comparison
    /// that shows what the skip brings.
    public let skip: Bool

    /// - Parameters: C feature channels, K classes, the dilation d of the encoder's second
    ///   convolution (1 or 2), how the decoder upsamples, whether it concatenates the skip.
    public init(channels: Int, classes: Int, dilation: Int, upsampling: Upsampling, skip: Bool = true) {
        (self.channels, self.classes, self.dilation, self.upsampling, self.skip) = (channels, classes, dilation, upsampling, skip)
    }

    /// The learnable tensors, named as in the equations; W_3, b_3 only with transposed upsampling.
    public struct Parameters: ParameterSet {
        public let W_1, b_1, W_2, b_2: Var
        public let W_3: (W: Var, b: Var)?
        public let W_4, b_4, W_5, b_5: Var

        public var list: [Var] { [W_1, b_1, W_2, b_2] + (W_3.map { [$0.W, $0.b] } ?? []) + [W_4, b_4, W_5, b_5] }
        public init(_ list: ArraySlice<Var>) {
            let p = Array(list)
            (W_1, b_1, W_2, b_2) = (p[0], p[1], p[2], p[3])
            W_3 = p.count == 10 ? (p[4], p[5]) : nil
            (W_4, b_4, W_5, b_5) = (p[p.count - 4], p[p.count - 3], p[p.count - 2], p[p.count - 1])
        }
    }

    /// Shapes of W_k and b_k in drawing order, with each layer's fan-in C_in·k_h·k_w.
    var parameterShapes: [(layer: Int, kernel: [Int], fanIn: Int)] {
        let C = channels
        var layers = [(1, [C, 1, 3, 3], 9), (2, [C, C, 3, 3], C * 9)]
        if upsampling == .transposed { layers.append((3, [C, C, 2, 2], C * 4)) }
        let read = skip ? 2 * C : C
        layers += [(4, [C, read, 3, 3], read * 9), (5, [classes, C, 1, 1], C)]
        return layers
    }

    /// W_1, b_1, W_2, b_2, (W_3, b_3,) W_4, b_4, W_5, b_5, each drawn row-major, uniform in ±1/√fan-in
    /// (PyTorch's default bound for a convolution's weights and bias).
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        parameterShapes.flatMap { _, kernel, fanIn in
            [Tensor.fanInUniform(kernel, fanIn: fanIn, using: &random), Tensor.fanInUniform([kernel[0]], fanIn: fanIn, using: &random)]
        }
    }

    /// The parameters as tape tensors `W_k`, `b_k`, each kernel tagged with its layer.
    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        let bound = zip(parameterShapes, values.chunked(2)).flatMap { shape, pair in
            let k = shape.layer
            return [
                tape.parameter(pair.first!, name: "W_\(k)", tex: "W_{\(k)}").tagged("kernel", ["layer": .int(k)]),
                tape.parameter(pair.last!, name: "b_\(k)", tex: "b_{\(k)}"),
            ]
        }
        return Parameters(bound)
    }

    /// The class scores y (N×K×S×S) of images x (N×1×S×S).
    public func callAsFunction(_ x: Var, _ p: Parameters) -> Var {
        let tape = x.tape
        let d = dilation
        let (h_1, h_2) = tape.scope("encoder", kind: .block("encoder")) {
            let h_1 = tape.scope("layer 1", kind: .layer(1), equation: "h_{1} = \\operatorname{relu}(W_{1} \\star x + b_{1})") {
                let a_1 = conv2d(x, p.W_1, p.b_1, ConvGeometry(padding: 1)).named("a_1", tex: "a_{1}").tagged("feature_map", stage(1, "conv"))
                return relu(a_1).named("h_1", tex: "h_{1}").tagged("feature_map", stage(1, "relu"))
            }
            let h_2 = tape.scope(
                "layer 2", kind: .layer(2),
                equation: "h_{2} = \\operatorname{relu}(W_{2} \\star_{\(d)} \\operatorname{maxpool}_2(h_{1}) + b_{2})"
            ) {
                let m_2 = maxPool2d(h_1, PoolWindow(2)).named("m_2", tex: "m_{2}").tagged("feature_map", stage(2, "pool"))
                let a_2 = conv2d(m_2, p.W_2, p.b_2, ConvGeometry(padding: d, dilation: d)).named("a_2", tex: "a_{2}")
                    .tagged("feature_map", stage(2, "conv"))
                return relu(a_2).named("h_2", tex: "h_{2}").tagged("feature_map", stage(2, "relu"))
            }
            return (h_1, h_2)
        }
        return tape.scope("decoder", kind: .block("decoder")) {
            let u_3 = tape.scope("layer 3", kind: .layer(3), equation: upEquation) {
                let up =
                    if let (W_3, b_3) = p.W_3 {
                        convTranspose2d(h_2, W_3, b_3, ConvGeometry(stride: 2))
                    } else {
                        upsampleNearest2d(h_2, scale: 2)
                    }
                return up.named("u_3", tex: "u_{3}").tagged("feature_map", stage(3, "up"))
            }
            let h_4 = tape.scope(
                "layer 4", kind: .layer(4), equation: "h_{4} = \\operatorname{relu}(W_{4} \\star \(skip ? "[u_{3}; h_{1}]" : "u_{3}") + b_{4})"
            ) {
                let s_4 = skip ? concat([u_3, h_1], axis: 1).named("s_4", tex: "s_{4}").tagged("feature_map", stage(4, "skip")) : u_3
                let a_4 = conv2d(s_4, p.W_4, p.b_4, ConvGeometry(padding: 1)).named("a_4", tex: "a_{4}").tagged("feature_map", stage(4, "conv"))
                return relu(a_4).named("h_4", tex: "h_{4}").tagged("feature_map", stage(4, "relu"))
            }
            return tape.scope("output layer", kind: .layer(5), equation: "y = W_{5} \\star h_{4} + b_{5}") {
                conv2d(h_4, p.W_5, p.b_5).named("y").tagged("feature_map", ["layer": .int(5)])
            }
        }
    }

    private var upEquation: String {
        upsampling == .transposed ? "u_{3} = W_{3} \\star^{\\top} h_{2} + b_{3}" : "u_{3} = \\operatorname{up}_2(h_{2})"
    }

    /// The tags' context of a feature map of `layer` at `stage` (`conv`, `relu`, `pool`, `up`, `skip`).
    private func stage(_ layer: Int, _ stage: String) -> [String: JSONValue] { ["layer": .int(layer), "stage": .string(stage)] }

    /// P = softmax(y) over the class axis (tagged `probabilities`, for the reader: the loss does not
    /// use it) and the mean per-pixel cross-entropy Q against the one-hot targets T (N×K×S×S).
    /// log_softmax and softmax take any axis, so the class axis 1 of N×K×S×S is normalised where it
    /// is, with no transpose to rows.
    public func loss(_ y: Var, _ T: Var) -> Var {
        let tape = y.tape
        return tape.scope("loss", kind: .loss, equation: "Q = -\\frac{1}{N S^2} \\sum T \\odot \\log \\operatorname{softmax}_{k}(y)") {
            softmax(y, axis: 1).named("P").tagged("probabilities")
            return softmaxCrossEntropy(logits: y, target: T, axis: 1).named("Q")
        }
    }
}

extension Array {
    /// Consecutive runs of `size` elements (the last may be shorter).
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
