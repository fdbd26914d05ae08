import Engine
import Trace

/// Skip connections against the vanishing gradient: one image through the same deep stack of
/// convolution layers twice, once plain (y_k = φ(z_k)) and once residual (y_k = φ(z_k) + y_{k−1}),
/// from the same initial kernels, each with its own loss and backward pass (`ResidualStack`).
///
/// The trace holds two root scopes of kind `variant` ("plain", then "residual"), each with its
/// forward pass, its loss L and the backward pass from it, in that order; the trace's `loss` and
/// `gradients` are the last backward pass's, the residual stack's. Its one history entry keeps
/// ‖∂L/∂y_k‖ for k = 1…L of both passes (`grad_norm_plain`, `grad_norm_residual`, series of
/// `gradient_norm` over `layer`, each naming its variant); the entry's loss is the residual L.
///
/// With the defaults (16 layers of 3 channels on a 6×6 image, tanh, PyTorch's kernel bound), the
/// plain stack's gradient at the bottom is about 10⁴ times smaller than at the top, the residual
/// one's a few times larger: each plain layer multiplies it by roughly s/√3 · E[φ′] < 1, while
/// each residual layer adds that product to an identity copy.
///
/// Random draws: the image x (1×C×H×W, uniform in [−1, 1)), the target (the same shape and range),
/// then w_1, b_1, …, w_L, b_L as `ResidualStack.initialParameters` draws them.
enum Residual {
    static let layers = Parameter<Int>("layers", "depth L: the number of convolution layers in each stack", 2...30, default: 16, scales: .size)
    static let channels = Parameter<Int>("channels", "channels C of the image and of every layer", 1...8, default: 3, scales: .size)
    static let size = Parameter<Int>("size", "height and width of the image (3×3 kernels with padding 1 keep it)", 1...16, default: 6, scales: .size)
    static let activation = Parameter<Activation>("activation", "φ after each convolution", default: .tanh)
    static let initScale = Parameter<Double>(
        "init-scale", "kernels uniform in ±s/√(9C): 1 is PyTorch's default; smaller makes the plain stack's gradient vanish faster",
        min: 0, max: 10, default: 1)

    static let parameters: [any DemoParameters] = [layers, channels, size, activation, initScale, Common.seed]

    static let variants = [(name: "plain", skip: false), (name: "residual", skip: true)]

    @Sendable static func build(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let (C, S) = (config[channels], config[size])
        let stack = ResidualStack(depth: config[layers], channels: C, activation: config[activation])
        var random = config.generator
        let image = Tensor.uniform([1, C, S, S], bound: 1, using: &random)
        let goal = Tensor.uniform([1, C, S, S], bound: 1, using: &random)
        let initial = stack.initialParameters(initScale: config[initScale], using: &random)

        let tape = Tape()
        let x = tape.input(image, name: "x").tagged("image")
        let target = tape.constant(goal, name: "target", tex: "\\mathrm{target}").tagged("target")
        var norms: [String: TensorSnapshot] = [:]
        var loss: Var?
        for variant in variants {
            let (L, outputs) = tape.scope(variant.name, kind: .variant(variant.name)) {
                let outputs = stack(x, stack.bind(initial, on: tape, variant: variant.name), skip: variant.skip, variant: variant.name)
                return (stack.loss(outputs[outputs.count - 1], target), outputs)
            }
            let gradients = tape.backward(L)
            norms["grad_norm_\(variant.name)"] = TensorSnapshot(
                shape: [outputs.count], data: outputs.map { gradients[$0].map { GradientFlow.norm($0.value.scalars) } ?? 0 })
            loss = L
        }

        let title =
            "\(stack.depth) convolution layers (\(C)×\(S)×\(S), 3×3, \(config[activation].rawValue)) without and with skip connections"
        var trace = tape.trace(
            title: title, model: "residual", config: config.values,
            history: [HistoryEntry(iteration: 1, loss: loss!.value.scalar, traced: true, tensors: norms)])
        trace.series = [
            SeriesDescription(key: "loss", quantity: "loss", per: "iteration", meaning: "the residual stack's loss L (the plain stack's is in its own scope)")
        ]
            + variants.map { variant in
                SeriesDescription(
                    key: "grad_norm_\(variant.name)", quantity: "gradient_norm", of: "feature_map", axis: "layer", variant: variant.name,
                    per: "iteration", meaning: "‖∂L/∂y_k‖ for k = 1…L in the \(variant.name) stack's backward pass")
            }
        return trace
    }
}

extension Demos {
    static let residual = Demo(
        name: "residual",
        summary: "Skip connections: ‖∂L/∂y_k‖ per layer of a deep convolution stack, plain against residual, from the same weights",
        parameters: Residual.parameters,
        views: ["residual", "convolution"],
        build: Residual.build)
}
