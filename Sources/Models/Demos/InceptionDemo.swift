import Engine
import Trace

/// The `inception` demo: one Inception module on one seeded image, naive and with 1×1 reductions
/// side by side (`mode: both`), each branch's parameters and multiplications in its scope, and the
/// backward pass of L = ½ Σ_variants ‖y − t‖² so every gradient is traced, then one SGD step
/// (p ← p − lr·∂L/∂p, in the order the parameters are drawn).
///
/// Random draws, in order: the image x (1×C_in×H×W, uniform in [−1, 1)); then, for each variant
/// that runs (naive first), its parameters (`InceptionModule.initialParameters`); then each
/// variant's target t (1×C_out×H×W, uniform in [−1, 1)), naive first.
///
/// The seed notes' example (a 5×5 convolution to 48 channels, straight or through 16 1×1
/// channels) is GoogLeNet's inception (4a), whose input is 14×14×480: `channels-in 480 size 14
/// c5-reduce 16 c5 48` (docs/models.md, "Inception") gives 112,896,000 multiplications in the
/// naive 5×5 branch and 1,505,280 + 3,763,200 in the reduced one.
extension Demos {
    static let inception = Demo(
        name: "inception", summary: "GoogLeNet's Inception module: 1×1, 3×3, 5×5 and pool branches concatenated, naive vs with 1×1 reductions, each branch's cost",
        parameters: InceptionParameters.all, views: ["inception", "convolution"], build: buildInception)

    private typealias p = InceptionParameters

    @Sendable static func buildInception(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let mode = config[p.mode]
        if mode == .naive {
            for width in [p.c3Reduce, p.c5Reduce, p.poolProjection] where config.given(width) {
                throw .conflict("{\(width.name)} sets a 1×1 reduction, which the naive module does not have: add {mode} reduced or both, or leave it out")
            }
        }
        let (channels, size) = (config[p.channelsIn], config[p.size])
        let widths = InceptionModule.Widths(
            c1: config[p.c1], c3Reduce: config[p.c3Reduce], c3: config[p.c3], c5Reduce: config[p.c5Reduce], c5: config[p.c5],
            poolProjection: config[p.poolProjection])
        let modules = mode.variants.map { InceptionModule(channelsIn: channels, widths: widths, variant: $0) }

        var random = config.generator
        let image = Tensor.uniform([1, channels, size, size], bound: 1, using: &random)
        let initial = modules.map { $0.initialParameters(using: &random) }
        let targets = modules.map { Tensor.uniform([1, $0.outputChannels, size, size], bound: 1, using: &random) }

        let tape = Tape()
        let x = tape.input(image, name: "x", requiresGradient: false).tagged("image")
        let bound = zip(modules, initial).map { module, values in module.bind(values, on: tape) }
        let title = "Inception module on a \(channels)×\(size)×\(size) image, \(mode.described): forward, backward and one SGD step"
        // Kernels too big for a trace stop the run as soon as they are bound: skip the forward pass,
        // which would otherwise still run, and let the demo report what to lower.
        if Meter.current?.isStopped == true {
            return TraceDocument(
                title: title, model: "inception", config: config.values, scopes: [], tensors: [], steps: [], loss: nil, gradients: [:], history: nil)
        }
        let outputs = zip(modules, bound).map { module, parameters in
            let variant = module.variant.rawValue
            return tape.scope("\(variant) module", kind: .variant(variant), equation: "y = [h_1; h_3; h_5; \(module.variant == .naive ? "m" : "h_p")]") {
                module(x, parameters)
            }
        }
        let loss = tape.scope("loss", kind: .loss, equation: "L = \\tfrac{1}{2} \\sum_{\\text{variants}} \\lVert y - t \\rVert^2") {
            let terms = zip(modules, zip(outputs, targets)).map { module, pair in
                let t = tape.constant(pair.1, name: "t").tagged("target", ["variant": .string(module.variant.rawValue)])
                return halfSquaredError(pair.0, t)
            }
            return terms.dropFirst().reduce(terms[0], +).named("L")
        }
        // One SGD step, so that the trace shows what the gradients are for (and records every phase).
        _ = tape.sgd(bound.flatMap { $0 }, tape.backward(loss), learningRate: config[p.learningRate])
        return tape.trace(title: title, model: "inception", config: config.values)
    }
}

/// The `inception` demo's parameters.
enum InceptionParameters {
    enum Mode: String, ParameterChoice {
        case naive, reduced, both
        var described: String { self == .both ? "naive and with 1×1 reductions" : self == .naive ? "naive" : "with 1×1 reductions" }
        var variants: [InceptionModule.Variant] {
            switch self {
            case .naive: [.naive]
            case .reduced: [.reduced]
            case .both: [.naive, .reduced]
            }
        }
    }

    static let all: [any DemoParameters] = [mode, channelsIn, size, c1, c3Reduce, c3, c5Reduce, c5, poolProjection, learningRate, Common.seed]

    static let learningRate = Common.learningRate(default: 0.1)
    static let mode = Parameter<Mode>("mode", "naive (no 1×1 reductions), reduced, or both side by side on the same image", default: .both)
    static let channelsIn = Parameter<Int>("channels-in", "channels C_in of the input image", 1...512, default: 8, scales: .size)
    static let size = Parameter<Int>("size", "height = width of the input image (every branch keeps it)", 1...32, default: 6, scales: .size)
    static let c1 = width("c1", "output channels of the 1×1 branch", default: 2)
    static let c3Reduce = width("c3-reduce", "reduced only: channels of the 1×1 reduction before the 3×3", default: 3, reducedOnly: true)
    static let c3 = width("c3", "output channels of the 3×3 branch", default: 4)
    static let c5Reduce = width("c5-reduce", "reduced only: channels of the 1×1 reduction before the 5×5", default: 1, reducedOnly: true)
    static let c5 = width("c5", "output channels of the 5×5 branch", default: 2)
    static let poolProjection = width("pool-proj", "reduced only: channels of the 1×1 projection after the max-pool", default: 2, reducedOnly: true)

    /// A branch width; one that only the reduced module has is an error with `mode: naive`, so
    /// whether it was given matters.
    static func width(_ name: String, _ summary: String, default value: Int, reducedOnly: Bool = false) -> Parameter<Int> {
        Parameter(name, summary, 1...512, default: value, scales: .size, givenMatters: reducedOnly)
    }
}
