import Engine
import Trace

/// The `cnn` demo: `SmallCNN` trained by minibatch SGD on `ShapeImages`, the first batch's
/// iteration traced, each epoch's loss, accuracy and one image's feature maps in `history`.
///
/// Random draws: the parameters (`SmallCNN.initialParameters`), then the images, then, with
/// `augment`, each batch's augmentation as training reaches it (`ImageAugmentation`): nothing
/// drawn before changes, so a run without augmentation is the run it was before.
///
/// The defaults (4 shapes, 64 images, batches of 8, lr 0.5, 30 epochs) take the accuracy over
/// the 64 images from chance (0.25 after epoch 1) to 1 (from epoch 21 on, seed 1; at least 0.98
/// after epoch 30 for seeds 1–5); the trace, 46 steps for a batch of 8, is about 0.3 MB.
extension Demos {
    private typealias p = CNNParameters

    static let cnn = Demo(
        name: "cnn",
        summary: "A small CNN (conv, ReLU, max-pool, conv, ReLU, global average pooling, dense) trained by SGD on seeded shape images",
        parameters: [
            p.channels, p.kernel, p.classes, p.samples, p.noise, p.batch, p.training, p.image, p.validation, p.augment, p.shift,
            p.augmentNoise, Common.seed,
        ],
        views: ["feature-maps", "convolution"],  // `training` follows: every trace with a history gets it
        build: buildCNN
    )

    @Sendable static func buildCNN(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let (channels, kernel, classes, samples) = (config[p.channels], config[p.kernel], config[p.classes], config[p.samples])
        let (batch, image) = (config[p.batch], config[p.image])
        if kernel % 2 == 0 {
            throw .conflict("{kernel} \(kernel) is even: padding (k − 1)/2 keeps an image's size only for an odd k; use \(kernel - 1) or \(kernel + 1)")
        }
        if samples < classes {
            throw .conflict("{samples} \(samples) leaves some of the \(classes) {classes} without an image: raise {samples} to at least \(classes)")
        }
        let heldOut = try heldOutImages(config)
        if batch > samples - heldOut {
            let images = heldOut == 0 ? "the \(samples) images of {samples}" : "the \(samples - heldOut) training images ({samples} \(samples) less the \(heldOut) {validation} holds out)"
            throw .conflict("{batch} \(batch) is more than \(images): lower {batch} or raise {samples}")
        }
        if image > samples {
            throw .conflict("{image} \(image) is past the last image: {samples} is \(samples), so choose an image in 1…\(samples)")
        }

        let network = SmallCNN(channels: (channels[0], channels[1]), kernel: kernel, classes: classes)
        var random = config.generator
        let initial = network.initialParameters(using: &random)
        let data = ShapeImages(samples: samples, classes: classes, noise: config[p.noise], using: &random)

        let tape = Tape()
        let epochs = config[p.training.iterations]
        let augment = config[p.augment]
        var training = CNNTraining(
            network: network, data: data, batch: batch, epochs: epochs, learningRate: config[p.training.learningRate], image: image - 1)
        training.heldOut = heldOut
        training.augmentation = ImageAugmentation(
            flip: augment.includes("flip"), shift: augment.includes("shift") ? config[p.shift] : 0,
            noise: augment.includes("noise") ? config[p.augmentNoise] : 0)
        let run = training.run(on: tape, initial: initial, config: config, random: &random)
        let history = run.history

        let title = "CNN \(channels[0])→\(channels[1]) channels, \(kernel)×\(kernel) kernels, on \(samples) images of \(classes) shapes: "
            + "\(epochs) epoch\(epochs == 1 ? "" : "s") of SGD in batches of \(batch)"
        var trace = tape.trace(title: title, model: "cnn", config: config.values, history: history)
        // Every epoch's series first, then what only the snapshotted epochs keep (parameters, maps).
        let series = HistorySeries.describe(history, per: "epoch", described: training.series + run.maps)
        let snapshotted = { (s: SeriesDescription) in s.quantity == "parameter" || s.quantity == "activation" }
        trace.series = series.filter { !snapshotted($0) } + series.filter(snapshotted)
        // An epoch is several SGD steps: its loss is their mean, each before its own step.
        let what = training.augmentation.isEnabled ? "augmented image" : "image"
        trace.series?[0].meaning = "the mean over the epoch of each \(what)'s loss in its batch, before that batch's SGD step"
        return trace
    }

    /// v = ⌊validation · m⌋, the images held out; an error when a split asked for holds out none.
    private static func heldOutImages(_ config: DemoConfig) throws(DemoError) -> Int {
        let (fraction, samples) = (config[p.validation], config[p.samples])
        let heldOut = Int((fraction * Double(samples)).rounded(.down))
        if fraction > 0 && heldOut == 0 {
            let least = (1000 / Double(samples)).rounded(.up) / 1000
            throw .conflict(
                "{validation} \(fraction) of the \(samples) images of {samples} holds out no image: raise {validation} to at least \(least) or {samples} to at least \(Int((1 / fraction).rounded(.up)))")
        }
        return heldOut
    }
}

/// The `cnn` demo's parameters.
enum CNNParameters {
    static let channels = Parameter<[Int]>("channels", "channels C_1, C_2 of the two convolutions", count: 2...2, each: 1...16, default: [4, 8], scales: .size)
    static let kernel = Parameter<Int>("kernel", "side k of both convolutions' kernels (odd: padding (k − 1)/2 keeps the size)", 1...7, default: 3, scales: .size)
    static let classes = Parameter<Int>("classes", "shapes to tell apart: horizontal bar, vertical bar, diagonal, square outline (the first K)", 2...4, default: 4)
    static let samples = Parameter<Int>("samples", "images in the training set (classes in turn)", 2...512, default: 64, scales: .repetitions)
    static let noise = Parameter<Double>("noise", "amplitude of the uniform noise added to every pixel", min: 0, max: 2, default: 0.3)
    static let batch = Parameter<Int>("batch", "images per SGD step (the first batch is traced)", 1...64, default: 8, scales: .size)
    /// `train` counts epochs here, as in word2vec: every demo's training length has that one name.
    static let training = Training("epochs over the images (only the first batch is traced)", 1...500, default: 30, learningRate: 0.5)
    static let image = Parameter<Int>("image", "which image's feature maps history keeps after each epoch (1-based)", 1...512, default: 1)
    static let validation = Parameter<Double>(
        "validation", "fraction of the images held out (the last ⌊fraction · samples⌋) to measure the loss on images never trained on", min: 0, max: 0.9,
        default: 0)
    static let augment = Parameter<Augmentations>(
        "augment", "augmentations of each training batch: a left–right flip of each image with probability ½ (never a diagonal's), a shift, noise",
        default: .none)
    static let shift = Parameter<Int>("shift", "largest shift of an augmented batch, in pixels along each axis (zeros fill in)", 1...3, default: 1)
    static let augmentNoise = Parameter<Double>("augment-noise", "amplitude a of the uniform noise in [−a, a) augmentation adds to each pixel", min: 0, max: 1, default: 0.1)
}
