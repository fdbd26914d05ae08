import Engine
import Trace

/// The `cnn` demo: `SmallCNN` trained by minibatch SGD on `ShapeImages`, the first batch's
/// iteration traced, each epoch's loss, accuracy and one image's feature maps in `history`.
///
/// Random draws: the parameters (`SmallCNN.initialParameters`), then the images.
///
/// The defaults (4 shapes, 64 images, batches of 8, lr 0.5, 30 epochs) take the accuracy over
/// the 64 images from chance (0.25 after epoch 1) to 1 (from epoch 21 on, seed 1; at least 0.98
/// after epoch 30 for seeds 1–5); the trace, 46 steps for a batch of 8, is about 0.3 MB.
extension Demos {
    private typealias p = CNNParameters

    static let cnn = Demo(
        name: "cnn",
        summary: "A small CNN (conv, ReLU, max-pool, conv, ReLU, global average pooling, dense) trained by SGD on seeded shape images",
        parameters: [p.channels, p.kernel, p.classes, p.samples, p.noise, p.batch, p.training, p.image, Common.seed],
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
        if batch > samples {
            throw .conflict("{batch} \(batch) is more than the \(samples) images of {samples}: lower {batch} or raise {samples}")
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
        let training = CNNTraining(
            network: network, data: data, batch: batch, epochs: epochs, learningRate: config[p.training.learningRate], image: image - 1)
        let history = training.run(on: tape, initial: initial, config: config)

        let title = "CNN \(channels[0])→\(channels[1]) channels, \(kernel)×\(kernel) kernels, on \(samples) images of \(classes) shapes: "
            + "\(epochs) epoch\(epochs == 1 ? "" : "s") of SGD in batches of \(batch)"
        var trace = tape.trace(title: title, model: "cnn", config: config.values, history: history)
        trace.series = HistorySeries.describe(history, per: "epoch", described: CNNTraining.series)
        // An epoch is several SGD steps: its loss is their mean, each before its own step.
        trace.series?[0].meaning = "the mean over the epoch of each image's loss in its batch, before that batch's SGD step"
        return trace
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
}
