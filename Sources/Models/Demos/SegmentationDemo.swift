import Engine
import Trace

/// The `segmentation` demo: a tiny U-Net (`Segmentation`) classifying every pixel of the synthetic
/// squares of `SegmentationTask`, trained by gradient descent on the whole set: one epoch is one
/// SGD step over all N images (N is small, so the batch is the set), the first epoch traced step
/// by step. History per epoch: the loss (before the epoch's update) and `accuracy`, the fraction
/// of pixels whose highest score is their class, after the epoch's update. At the snapshotted
/// epochs (1, 2, 5 × 10^k and the last) also the chosen image's feature maps after the update, for
/// the feature-maps view at any epoch: the network runs again on that image alone from the epoch's
/// parameters (`Activations` with `item`), each map kept under the traced map's name (`a_1`, `h_1`,
/// … `y`) as an `activation` series with its tags.
///
/// Draws from the seed: the images first (as `SegmentationTask`), so that networks of every
/// shape (channels, upsampling, skip) see the same images for the same seed; then the parameters
/// (W_1, b_1, W_2, b_2, [W_3, b_3,] W_4, b_4, W_5, b_5, as `Segmentation.initialParameters`).
extension Demos {
    static let segmentation = Demo(
        name: "segmentation",
        summary: "A tiny U-Net: dilated convolution, upsampling and a skip concatenation classify every pixel (first epoch traced)",
        parameters: SegmentationDemo.parameters, views: ["feature-maps", "convolution"], build: SegmentationDemo.build)
}

enum SegmentationDemo {
    static let size = Parameter<Int>("size", "image side S in pixels (even: pooled by 2, then upsampled by 2)", 6...16, default: 8, scales: .size)
    static let channels = Parameter<Int>("channels", "feature channels C of every hidden layer", 1...8, default: 4, scales: .size)
    static let classes = Parameter<Int>("classes", "2: background, object; 3: background, object, edge", 2...3, default: 2)
    static let upsampling = Parameter<Upsampling>("upsampling", "how the decoder doubles the resolution", default: .nearest)
    static let dilation = Parameter<Int>("dilation", "dilation d of the encoder's second 3×3 convolution (padding d)", 1...2, default: 2)
    static let skip = Parameter<Bool>("skip", "concatenate the encoder's full-resolution h_1 to the upsampled u_3 (false: decode from u_3 alone)", default: true)
    static let samples = Parameter<Int>("samples", "images N in the training set", 1...32, default: 4, scales: .size)
    static let image = Parameter<Int>("image", "which image's feature maps history keeps after each snapshotted epoch (1-based)", 1...32, default: 1)
    /// `train` counts epochs here, as it does for word2vec: every demo's training length is `train`.
    static let training = Training("epochs, each one SGD step over all images (the first is traced step by step)", 1...1000, default: 60, learningRate: 0.8)

    static let parameters: [any DemoParameters] = [size, channels, classes, upsampling, dilation, skip, samples, image, training, Common.seed]

    @Sendable static func build(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let S = config[size]
        guard S.isMultiple(of: 2) else {
            throw .conflict(
                "{size} \(S) is odd: max-pooling by 2 and upsampling by 2 give back \(S - 1) pixels, not the \(S) of the skip and the targets; use {size} \(S - 1) or \(S + 1)")
        }
        if config[image] > config[samples] {
            throw .conflict("{image} \(config[image]) is past the last image: {samples} is \(config[samples]), so choose an image in 1…\(config[samples])")
        }
        let network = Segmentation(channels: config[channels], classes: config[classes], dilation: config[dilation], upsampling: config[upsampling], skip: config[skip])
        var random = config.generator
        let task = SegmentationTask(samples: config[samples], size: S, classes: config[classes], using: &random)
        let initial = network.initialParameters(using: &random)

        let tape = Tape()
        let total = config[training.iterations]
        let trainer = SGDTrainer(training, config)
        // Each epoch's accuracy is measured on its forward pass, that is, before its update: it is
        // the previous epoch's accuracy after the update.
        var accuracyBefore: [Double] = []
        let bound = network.bind(initial, on: tape).list
        let result = trainer.run(on: tape, parameters: bound, iterationScope: { "epoch \($0)" }) { tape, list in
            let x = tape.input(task.images, name: "x", requiresGradient: false).tagged("image")
            let T = tape.constant(task.targets, name: "T").tagged("target")
            let y = network(x, Segmentation.Parameters(list))
            accuracyBefore.append(task.pixelAccuracy(y.value))
            return network.loss(y, T)
        }
        let final = Tape(recording: false)
        let last = network(final.input(task.images, name: "x", requiresGradient: false), network.bind(result.parameters, on: final))
        let accuracyAfter = accuracyBefore.dropFirst() + [task.pixelAccuracy(last.value)]

        var history = result.history
        for (index, accuracy) in zip(history.indices, accuracyAfter) {
            history[index].tensors = (history[index].tensors ?? [:]).merging(["accuracy": TensorSnapshot(shape: [], data: [accuracy])]) { a, _ in a }
        }
        let maps = total > 1 ? chosenMaps(&history, network: network, task: task, image: config[image], tape: tape, names: bound.map(\.name)) : []
        let up = config[upsampling] == .nearest ? "nearest upsampling" : "transposed convolution"
        var trace = tape.trace(
            title: "Tiny U-Net on \(task.samples) \(S)×\(S) squares, \(task.classes) classes: dilation \(network.dilation), \(up), \(network.skip ? "skip concatenation" : "no skip"); \(total) epoch\(total == 1 ? "" : "s")",
            model: "segmentation", config: config.values, history: history)
        trace.series = HistorySeries.describe(history, per: "epoch", described: [accuracySeries] + maps)
        return trace
    }

    /// Adds the feature maps of image `image` (1-based) after each snapshotted epoch to its entry
    /// (those holding the parameters `names`), recomputed from that epoch's parameters on the image
    /// alone, and returns their series. One epoch has no course to follow: its view shows the
    /// traced step alone.
    private static func chosenMaps(
        _ history: inout [HistoryEntry], network: Segmentation, task: SegmentationTask, image: Int, tape: Tape, names: [String]
    ) -> [SeriesDescription] {
        var maps = Activations(tape: tape, parameterNames: names + ["accuracy"], per: "epoch")
        maps.item = image
        let area = task.size * task.size
        let x = Tensor(shape: [1, 1, task.size, task.size], scalars: Array(task.images.scalars[(image - 1) * area..<image * area]))
        for index in history.indices {
            guard let tensors = history[index].tensors, names.allSatisfy({ tensors[$0] != nil }) else { continue }
            let parameters = names.map { (Tensor(shape: tensors[$0]!.shape, scalars: tensors[$0]!.data), $0) }
            let kept = maps.recompute(["feature_map"], parameters: parameters) { tape, list in
                network(tape.input(x, name: "x", requiresGradient: false), Segmentation.Parameters(list[...]))
            }
            history[index].tensors = tensors.merging(kept) { first, _ in first }
        }
        return maps.series
    }

    static let accuracySeries = SeriesDescription(
        key: "accuracy", quantity: "accuracy", per: "epoch",
        meaning: "the fraction of pixels of the training images whose highest score is their class, after the epoch's update")
}
