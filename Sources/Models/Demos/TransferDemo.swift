import Engine
import Trace

/// The `transfer` demo: `SmallCNN` (4→8 channels, 3×3 kernels, two classes) pretrained on task A,
/// the bars (horizontal against vertical), then reused on task B, the diagonal against the square
/// outline, from a few images (`TransferLearning`):
///
/// 1. pretraining: `pretrain-epochs` epochs on A's `samples-a` images at `lr`, recording off;
/// 2. head: a new head (W₃, b₃ drawn afresh) for `head-epochs` epochs on B's `samples-b` images at
///    `lr`, the convolutions frozen; the first batch is traced (iteration scope, `training_stage`
///    `head`): its backward pass stops at the head, and only W₃ and b₃ get update steps;
/// 3. fine-tuning: every layer, as new ordinary parameters holding the current values, for
///    `fine-tune-epochs` epochs at `fine-tune-lr`; the first batch traced (`fine_tune`).
///
/// Beside stages 2 and 3, the same network trains from scratch (all six parameters drawn afresh)
/// on the same few images at `lr`, an epoch for each of theirs: both are measured after every
/// epoch on `test-b` held-out images of task B, which neither trains on.
///
/// Random draws, in order: the initial parameters (`SmallCNN.initialParameters`), A's images
/// (`ShapeImages`, two classes), B's training images, then B's held-out images (each
/// `ShapeImages(shapes: [2, 3], …)`), the new head's W₃ and b₃ (uniform in ±1/√C₂), and last the
/// from-scratch network's parameters.
///
/// History, one entry per epoch through the three stages: the training loss of the epoch on its
/// stage's images, `training_stage` (1 pretraining, 2 head, 3 fine-tuning) and, in stages 2 and 3,
/// the held-out loss and accuracy of both networks and the from-scratch network's training loss.
/// The snapshotted epochs (1, 2, 5 × 10^k and the last, counted through the three stages) also keep
/// the pretrained network's parameters and the maps of task B's first training image (the traced
/// batch's first) recomputed from them (`convolutionSnapshots`): the convolution view at any epoch.
///
/// With the defaults (64 images of A for 15 epochs, 4 of B, 20 head and 10 fine-tune epochs), the
/// held-out accuracy on B after the 30 epochs on B is 1 with the pretrained features against 0.52
/// from scratch (seed 1; 0.98 against 0.91 for seed 2, 0.95 against 0.77 for seed 3).
enum Transfer {
    static let samplesA = Parameter<Int>(
        "samples-a", "images of task A (horizontal against vertical bar) the network is pretrained on", 2...256, default: 64,
        scales: .repetitions)
    static let pretrainEpochs = Parameter<Int>(
        "pretrain-epochs", "epochs of pretraining on task A (recording off)", 1...100, default: 15, scales: .repetitions)
    static let samplesB = Parameter<Int>(
        "samples-b", "training images of task B (diagonal against square outline): few, where transfer helps", 2...64, default: 4,
        scales: .repetitions)
    static let testB = Parameter<Int>(
        "test-b", "held-out images of task B that measure both networks after each epoch", 2...256, default: 64, scales: .repetitions)
    static let headEpochs = Parameter<Int>(
        "head-epochs", "epochs training the new head on task B, the convolutions frozen (the first batch traced)", 1...300,
        default: 20, scales: .repetitions)
    static let fineTuneEpochs = Parameter<Int>(
        "fine-tune-epochs", "epochs fine-tuning every layer on task B (the first batch traced)", 1...300, default: 10,
        scales: .repetitions)
    static let learningRate = Common.learningRate(default: 0.5)
    static let fineTuneLearningRate = Parameter<Double>(
        "fine-tune-lr", "learning rate of fine-tuning, at most lr (small steps keep the pretrained features)", min: 0, max: 10,
        minExclusive: true, default: 0.05)
    static let batch = Parameter<Int>("batch", "images per SGD step in every stage (the first batch of a stage is traced)", 1...64, default: 8, scales: .size)
    static let noise = Parameter<Double>("noise", "amplitude of the uniform noise added to every pixel", min: 0, max: 2, default: 0.3)

    static let parameters: [any DemoParameters] = [
        samplesA, pretrainEpochs, samplesB, testB, headEpochs, fineTuneEpochs, learningRate, fineTuneLearningRate, batch, noise,
        Common.seed,
    ]

    /// Task B's shapes (`ShapeImages` classes); task A's are the first two.
    static let shapesB = [2, 3]

    @Sendable static func build(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        let (lr, fineTuneLR) = (config[learningRate], config[fineTuneLearningRate])
        if fineTuneLR > lr {
            throw .conflict(
                "{fine-tune-lr} \(fineTuneLR) is more than {lr} \(lr): fine-tuning takes smaller steps than training so that it adjusts the pretrained features instead of overwriting them; lower {fine-tune-lr} to at most \(lr)")
        }
        let network = SmallCNN(channels: (4, 8), kernel: 3, classes: 2)
        var random = config.generator
        let initial = network.initialParameters(using: &random)
        let noise = config[Self.noise]
        let taskA = ShapeImages(samples: config[samplesA], classes: 2, noise: noise, using: &random)
        let taskB = ShapeImages(shapes: shapesB, count: config[samplesB], noise: noise, using: &random)
        let heldOut = ShapeImages(shapes: shapesB, count: config[testB], noise: noise, using: &random)
        let C2 = network.channels.1
        let head = [
            Tensor.fanInUniform([C2, 2], fanIn: C2, using: &random), Tensor.fanInUniform([1, 2], fanIn: C2, using: &random),
        ]
        var scratch = network.initialParameters(using: &random)

        let learning = TransferLearning(network: network, batch: config[batch])
        let tape = Tape()
        var history: [HistoryEntry] = []
        let total = config[pretrainEpochs] + config[headEpochs] + config[fineTuneEpochs]
        // The parameters after each snapshotted epoch, by entry: their maps are recomputed once the
        // traced iterations have named the tensors.
        var snapshotted: [(entry: Int, values: [Tensor])] = []
        func record(_ stage: Int, _ epoch: TransferLearning.Epoch, traced: Bool = false, measured: [String: Double] = [:]) {
            var tensors = ["training_stage": TensorSnapshot(shape: [1], data: [Double(stage)])]
            for (key, value) in measured { tensors[key] = TensorSnapshot(shape: [1], data: [value]) }
            history.append(HistoryEntry(iteration: history.count + 1, loss: epoch.loss, traced: traced, tensors: tensors))
            if SGDTrainer.snapshotted(history.count, of: total) { snapshotted.append((history.count - 1, epoch.values)) }
            config.report(history.count, of: total, "epochs", loss: epoch.loss)
        }

        // Each stage's epochs are alike, so the run's meter projects a stage from its first epochs
        // and refuses an over-budget run early.
        let meter = Meter.current

        // 1. Pretraining on task A, recording off.
        var values = initial
        meter?.beginLoop(rounds: config[pretrainEpochs])
        for _ in 1...config[pretrainEpochs] {
            let epoch = learning.epoch(values, on: taskA, frozen: false, learningRate: lr)
            values = epoch.values
            record(1, epoch)
            guard meter?.finishRound() ?? true else { break }
        }
        meter?.endLoop()
        // 2. The pretrained convolutions with a new head; 3. every layer at the smaller rate. The
        // from-scratch network takes an epoch on the same images beside each of theirs.
        values = Array(values.prefix(4)) + head
        let stages = [
            (number: 2, name: "head", epochs: config[headEpochs], frozen: true, rate: lr),
            (number: 3, name: "fine_tune", epochs: config[fineTuneEpochs], frozen: false, rate: fineTuneLR),
        ]
        for stage in stages {
            meter?.beginLoop(rounds: stage.epochs)
            defer { meter?.endLoop() }
            for e in 1...stage.epochs {
                let traced = e == 1 ? (tape: tape, iteration: history.count + 1, stage: stage.name) : nil
                let epoch = learning.epoch(values, on: taskB, frozen: stage.frozen, learningRate: stage.rate, traced: traced)
                values = epoch.values
                let fromScratch = learning.epoch(scratch, on: taskB, frozen: false, learningRate: lr)
                scratch = fromScratch.values
                let (transferred, alone) = (learning.measure(values, on: heldOut), learning.measure(scratch, on: heldOut))
                record(stage.number, epoch, traced: e == 1, measured: [
                    "validation_loss": transferred.loss, "validation_accuracy": transferred.accuracy,
                    "loss_scratch": fromScratch.loss, "validation_loss_scratch": alone.loss, "validation_accuracy_scratch": alone.accuracy,
                ])
                guard meter?.finishRound() ?? true else { break }
            }
        }

        let title = "Transfer learning: a CNN pretrained on bars (\(taskA.count) images), its convolutions reused for diagonals "
            + "against squares (\(taskB.count) images): new head, then fine-tuning"
        let maps = convolutionSnapshots(&history, snapshotted, network: network, image: taskB.images(0..<1), tape: tape)
        var trace = tape.trace(title: title, model: "transfer", config: config.values, history: history)
        trace.series = series + maps
        return trace
    }

    /// Adds to each snapshotted entry the pretrained network's parameters and the feature maps of
    /// `image` (task B's first, the first of each traced batch) recomputed from them; returns their
    /// series. The parameters keep their names through the stages (W_3, b_3: the head in use).
    private static func convolutionSnapshots(
        _ history: inout [HistoryEntry], _ snapshotted: [(entry: Int, values: [Tensor])], network: SmallCNN, image: Tensor, tape: Tape
    ) -> [SeriesDescription] {
        let names = ["w_1", "b_1", "w_2", "b_2", "W_3", "b_3"]
        var maps = Activations(tape: tape, parameterNames: names + series.map(\.key), per: "epoch")
        maps.item = 1
        for (entry, values) in snapshotted {
            let kept = maps.recompute(["feature_map"], parameters: Array(zip(values, names))) { tape, list in
                network(tape.input(image, name: "x", requiresGradient: false), SmallCNN.Parameters(list[...])).logits
            }
            let parameters = zip(names, values).map { ($0, TensorSnapshot(shape: $1.shape, data: $1.scalars)) }
            history[entry].tensors = (history[entry].tensors ?? [:]).merging(parameters) { first, _ in first }.merging(kept) { first, _ in first }
        }
        guard !snapshotted.isEmpty else { return [] }
        return names.map { SeriesDescription(key: $0, quantity: "parameter", per: "epoch", meaning: "\($0) of the pretrained network after the epoch's update") }
            + maps.series
    }

    /// What each history key holds.
    static let series = [
        SeriesDescription(
            key: "loss", quantity: "loss", variant: "transfer", per: "epoch",
            meaning: "the mean over the epoch of each image's loss in its batch, before that batch's SGD step, on the stage's task"),
        SeriesDescription(
            key: "training_stage", quantity: "training_stage", per: "epoch",
            meaning: "the epoch's stage: 1 pretraining on task A, 2 the new head on task B with the convolutions frozen, 3 fine-tuning every layer on task B"),
        SeriesDescription(
            key: "loss_scratch", quantity: "loss", variant: "scratch", per: "epoch",
            meaning: "the from-scratch network's mean loss on task B's training images over the epoch, each before its batch's step"),
    ]
        + [(variant: "transfer", suffix: "", network: "the pretrained network"), (variant: "scratch", suffix: "_scratch", network: "the from-scratch network")]
        .flatMap { v in
            [
                SeriesDescription(
                    key: "validation_loss" + v.suffix, quantity: "validation_loss", variant: v.variant, per: "epoch",
                    meaning: "\(v.network)'s mean loss over task B's held-out images after the epoch"),
                SeriesDescription(
                    key: "validation_accuracy" + v.suffix, quantity: "validation_accuracy", variant: v.variant, per: "epoch",
                    meaning: "the fraction of task B's held-out images \(v.network) classifies correctly after the epoch"),
            ]
        }
}

extension Demos {
    static let transfer = Demo(
        name: "transfer",
        summary: "Transfer learning: a CNN pretrained on one task, its convolutions frozen under a new head, then fine-tuned, against training from scratch",
        parameters: Transfer.parameters,
        views: ["convolution"],  // `training` follows: every trace with a history gets it
        build: Transfer.build)
}
