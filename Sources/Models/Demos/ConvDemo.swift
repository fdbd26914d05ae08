import Engine
import Trace

/// The `conv` demo: one convolution layer (conv2d → optional ReLU → optional max or average pool)
/// on one small image, forward and backward, so that ∂X, ∂W and ∂b are traced as recorded ops
/// (conv_transpose2d, conv2d_weight, a sum for the bias), then one SGD step on W and b (as the
/// `neuron` demo takes one), so the reader sees where the kernel's gradient goes.
///
/// **Loss**: Q = ½ Σ v² over the values v of the last stage, so ∂Q/∂v = v and the backward pass
/// starts from the output itself (see `ConvolutionLayer.loss`).
///
/// **Image**: `seven`, `three` (8×8) or `cross` (5×5), 0/1 pixels; with more than one input channel
/// the built-in picture is channel 1 and the others are drawn from the seed. `seeded`: every
/// channel drawn, `size`×`size`. `given`: `values`, row by row and channel after channel
/// (C_in·size² numbers; giving `values` alone implies `image: given`).
///
/// **Draws**, in this order, each uniform: the image's seeded channels in [−1, 1); W
/// (C_out×(C_in/G)×k×k), then b (C_out), both in ±1/√(C_in/G·k²) — PyTorch's default bound for a
/// convolution, its fan-in being the taps one output sums.
extension Demos {
    private typealias p = ConvParameters

    static let conv = Demo(
        name: "conv",
        summary: "One convolution layer on a tiny image: conv2d (stride, padding, dilation, groups) → ReLU → pool, forward, backward, one SGD step",
        parameters: p.all, views: ["convolution", "feature-maps"], build: buildConv)

    @Sendable static func buildConv(_ given: DemoConfig) throws(DemoError) -> TraceDocument {
        var config = given
        let (cIn, cOut, k, G) = (config[p.channelsIn], config[p.channelsOut], config[p.kernel], config[p.groups])
        var random = config.generator
        let image = try convImage(&config, channels: cIn, using: &random)
        let H = image.shape[2]
        guard cIn % G == 0, cOut % G == 0 else {
            throw .conflict(
                "{groups} \(G) must divide both {channels-in} \(cIn) and {channels-out} \(cOut): use 1 (every output channel reads every input channel), or a common divisor (depthwise: {groups} = {channels-in}, {channels-out} a multiple of it)")
        }
        let layer = ConvolutionLayer(
            geometry: ConvGeometry(stride: config[p.stride], padding: config[p.padding], dilation: config[p.dilation], groups: G),
            kernel: k, relu: config[p.relu], pool: config[p.pool], poolSize: config[p.poolSize])
        try checkFits(layer, imageSide: H, config: config)

        let fanIn = cIn / G * k * k
        let bound = 1 / Double(fanIn).squareRoot()
        let weights = Tensor.uniform([cOut, cIn / G, k, k], bound: bound, using: &random)
        let bias = Tensor.uniform([cOut], bound: bound, using: &random)

        let tape = Tape()
        let X = tape.input(image, name: "X").tagged("image")
        let W = tape.parameter(weights, name: "W").tagged("kernel", ["layer": .int(1)])
        let b = tape.parameter(bias, name: "b")
        let stages = layer(X, W, b)
        let Q = ConvolutionLayer.loss(stages.last, symbol: stages.lastSymbol)
        let gradients = tape.backward(Q)
        _ = tape.sgd([W, b], gradients, learningRate: config[p.learningRate])

        return tape.trace(title: convTitle(config, layer: layer, side: H), model: "conv", config: config.values)
    }

    /// The 1×C_in×H×W image the configuration asks for; records the image kind and size it ran with.
    private static func convImage(_ config: inout DemoConfig, channels: Int, using random: inout SeededGenerator) throws(DemoError) -> Tensor {
        var kind = config[p.image]
        if let values = config[p.values] {
            if config.given(p.image), kind != .given {
                throw .conflict("{values} gives the pixels, but {image} is \(kind.rawValue); leave {image} out (or write {image} given)")
            }
            kind = .given
            config.derive(p.image, .given)
            let side = config.given(p.size) ? config[p.size] : Int(Double(values.count / channels).squareRoot().rounded())
            guard values.count == channels * side * side else {
                throw .conflict(
                    "{values} has \(values.count) numbers; a square image of {channels-in} \(channels) needs \(channels)·size² of them (e.g. \(channels * side * side) for {size} \(side)): give {size} and that many {values}")
            }
            config.derive(p.size, side)
            return Tensor(shape: [1, channels, side, side], scalars: values)
        }
        if kind == .given {
            throw .conflict("{image} given needs the pixels in {values} (row by row, channel after channel), or choose seven, three, cross or seeded")
        }
        guard let rows = kind.rows else {
            let side = config[p.size]
            return Tensor.uniform([1, channels, side, side], bound: 1, using: &random)
        }
        let side = rows.count
        if config.given(p.size), config[p.size] != side {
            throw .conflict("{image} \(kind.rawValue) is \(side)×\(side), but {size} is \(config[p.size]); leave {size} out, or use {image} seeded")
        }
        config.derive(p.size, side)
        // The picture is channel 1; further channels are drawn, so that every channel differs.
        let extra = Tensor.uniform([(channels - 1) * side * side], bound: 1, using: &random)
        return Tensor(shape: [1, channels, side, side], scalars: rows.flatMap { $0 } + extra.scalars)
    }

    /// Throws when the kernel does not fit the padded image or the pool window the feature map.
    private static func checkFits(_ layer: ConvolutionLayer, imageSide H: Int, config: DemoConfig) throws(DemoError) {
        let (k, d, pad) = (layer.kernel, config[p.dilation], config[p.padding])
        let span = d * (k - 1) + 1
        guard H + 2 * pad >= span else {
            throw .conflict(
                "the {kernel} \(k) with {dilation} \(d) spans \(span) pixels, more than the padded image's \(H) + 2·\(pad) = \(H + 2 * pad): use a smaller {kernel} or {dilation}, or more {padding}")
        }
        let side = layer.outputLength(H)
        if layer.pool == .none {
            if config.given(p.poolSize) { throw .conflict("{pool-size} sets the pooling window; add {pool} max or avg, or leave it out") }
        } else if layer.poolSize > side {
            throw .conflict(
                "the {pool-size} \(layer.poolSize) window is larger than the \(side)×\(side) feature map: use a smaller {pool-size}, or {pool} none")
        }
    }

    private static func convTitle(_ config: DemoConfig, layer: ConvolutionLayer, side: Int) -> String {
        let kind = config[p.image]
        let picture = kind.rows != nil ? "“\(kind.rawValue)”" : kind.rawValue
        var title = "Convolution of a \(side)×\(side) \(picture) image, \(config[p.channelsIn]) → \(config[p.channelsOut]) channels, "
        title += "\(layer.kernel)×\(layer.kernel) kernel"
        let g = layer.geometry
        if g.stride[0] != 1 { title += ", stride \(g.stride[0])" }
        if g.padding[0] != 0 { title += ", padding \(g.padding[0])" }
        if g.dilation[0] != 1 { title += ", dilation \(g.dilation[0])" }
        if g.groups != 1 { title += ", \(g.groups) groups" }
        if layer.relu { title += ", ReLU" }
        if layer.pool != .none { title += ", \(layer.pool.rawValue) pool \(layer.poolSize)×\(layer.poolSize)" }
        return title + ": forward, backward, one SGD step"
    }
}

/// The `conv` demo's parameters.
enum ConvParameters {
    static let image = Parameter<ConvolutionImage>(
        "image", "the input: a built-in 8×8 digit (seven, three), a 5×5 cross, seeded, or given in values", .choice(ConvolutionImage.options),
        default: .seven, scales: nil, givenMatters: true)
    static let values = OptionalParameter<[Double]>(
        "values", "the pixels, row by row, channel after channel (channels-in·size² numbers)", count: 1...432, each: -1e6...1e6, scales: .size)
    static let size = Parameter<Int>("size", "side of a seeded or given image (built-in images have their own)", 1...12, default: 6, scales: .size, givenMatters: true)
    static let channelsIn = Parameter<Int>(
        "channels-in", "input channels C_in (a built-in picture is channel 1, the others drawn from the seed)", 1...3, default: 1, scales: .size)
    static let channelsOut = Parameter<Int>("channels-out", "output channels C_out (kernels)", 1...8, default: 2, scales: .size)
    static let kernel = Parameter<Int>("kernel", "kernel side k (1: a 1×1 convolution, mixing channels per pixel)", 1...7, default: 3)
    static let stride = Parameter<Int>("stride", "step s of the window", 1...4, default: 1)
    static let padding = Parameter<Int>("padding", "rings p of zeros around the image", 0...3, default: 1)
    static let dilation = Parameter<Int>("dilation", "gap d between the kernel's taps (1: adjacent)", 1...3, default: 1)
    static let groups = Parameter<Int>("groups", "channel groups G (1: full; channels-in: depthwise)", 1...8, default: 1)
    static let relu = Parameter<Bool>("relu", "apply ReLU after the convolution", default: true)
    static let pool = Parameter<ConvolutionLayer.Pool>("pool", "pooling after the convolution (and ReLU): none, max or avg", default: .max)
    static let learningRate = Common.learningRate(default: 0.1)
    static let poolSize = Parameter<Int>("pool-size", "side of the pooling window, also its stride", 2...4, default: 2, givenMatters: true)

    /// In the order help lists them.
    static let all: [any DemoParameters] = [
        image, values, size, channelsIn, channelsOut, kernel, stride, padding, dilation, groups, relu, pool, poolSize, learningRate, Common.seed,
    ]
}
