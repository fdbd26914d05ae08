import Engine
import Trace

/// Skip connections against the vanishing gradient: one image through the same deep stack of
/// convolution layers twice, once plain (y_k = φ(z_k)) and once residual (y_k = φ(z_k) + y_{k−1}),
/// from the same initial kernels (`ResidualStack`), both trained by SGD.
///
/// The trace holds two root scopes of kind `variant` ("plain", then "residual"), each with its
/// forward pass and its loss L_plain or L_residual, then a root scope `loss` adding them,
/// L = L_plain + L_residual, and one backward pass from L. The stacks share nothing but the image
/// and the target, so ∂L/∂y_k of each stack is exactly ∂L_v/∂y_k of its own loss, and one SGD step
/// on L is one step on each stack's loss: the same as training them apart, in one traced pass.
/// Every iteration's history entry has L as its loss, `loss_plain` and `loss_residual`, and
/// ‖∂L/∂y_k‖ for k = 1…L of both stacks (`grad_norm_plain`, `grad_norm_residual`: series of
/// `gradient_norm` over `layer`, each naming its variant).
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
    static let training = Training("SGD iterations on L = L_plain + L_residual (the first traced step by step)", 1...200, learningRate: 0.01)

    static let parameters: [any DemoParameters] = [layers, channels, size, activation, initScale, training, Common.seed]

    static let variants = [(name: "plain", skip: false), (name: "residual", skip: true)]

    @Sendable static func build(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let (C, S) = (config[channels], config[size])
        let stack = ResidualStack(depth: config[layers], channels: C, activation: config[activation])
        var random = config.generator
        let image = Tensor.uniform([1, C, S, S], bound: 1, using: &random)
        let goal = Tensor.uniform([1, C, S, S], bound: 1, using: &random)
        let initial = stack.initialParameters(initScale: config[initScale], using: &random)

        let tape = Tape()
        let iterations = config[training.iterations]
        let trainer = SGDTrainer(
            learningRate: config[training.learningRate], iterations: iterations,
            onIteration: config.progress == nil ? nil : { config.report($0, of: iterations, "iterations", loss: $1) })
        // Both stacks' parameters, plain then residual, from the same values.
        let bound = variants.flatMap { stack.bind(initial, on: tape, variant: $0.name).list }
        let count = initial.count
        var outputs: [[Var]] = []
        var losses: [Var] = []
        let result = trainer.run(
            on: tape, parameters: bound, iterationScope: nil,
            observe: { gradients in
                var kept: [String: TensorSnapshot] = [:]
                for (variant, (ys, loss)) in zip(variants, zip(outputs, losses)) {
                    let norms = ys.map { gradients[$0].map { GradientFlow.norm($0.value.scalars) } ?? 0 }
                    kept["grad_norm_\(variant.name)"] = TensorSnapshot(shape: [norms.count], data: norms)
                    kept["loss_\(variant.name)"] = TensorSnapshot(shape: [1], data: [loss.value.scalar])
                }
                return kept
            },
            loss: { tape, list in
                let x = tape.input(image, name: "x").tagged("image")
                let target = tape.constant(goal, name: "target", tex: "\\mathrm{target}").tagged("target")
                (outputs, losses) = ([], [])
                for (index, variant) in variants.enumerated() {
                    tape.scope(variant.name, kind: .variant(variant.name)) {
                        let parameters = ResidualStack.Parameters(list[(index * count)..<((index + 1) * count)])
                        outputs.append(stack(x, parameters, skip: variant.skip, variant: variant.name))
                        losses.append(stack.loss(outputs[index][stack.depth - 1], target, variant: variant.name))
                    }
                }
                return tape.scope("loss", kind: .loss, equation: "L = L_{\\text{plain}} + L_{\\text{residual}}") {
                    (losses[0] + losses[1]).named("L")
                }
            })

        let title =
            "\(stack.depth) convolution layers (\(C)×\(S)×\(S), 3×3, \(config[activation].rawValue)) without and with skip connections, "
            + training.describe(config)
        var trace = tape.trace(title: title, model: "residual", config: config.values, history: result.history)
        trace.series = series
        return trace
    }

    /// What each history key holds, with the variant it was measured on.
    static let series = [
        SeriesDescription(key: "loss", quantity: "loss", per: "iteration", meaning: "L = L_plain + L_residual, before the iteration's update")
    ]
        + variants.map { variant in
            SeriesDescription(
                key: "loss_\(variant.name)", quantity: "loss", variant: variant.name, per: "iteration",
                meaning: "the \(variant.name) stack's loss, before the iteration's update")
        }
        + variants.map { variant in
            SeriesDescription(
                key: "grad_norm_\(variant.name)", quantity: "gradient_norm", of: "feature_map", axis: "layer", variant: variant.name,
                per: "iteration", meaning: "‖∂L/∂y_k‖ for k = 1…L in the \(variant.name) stack's backward pass of the iteration")
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
