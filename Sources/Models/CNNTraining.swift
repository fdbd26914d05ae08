import Engine
import Trace

/// Minibatch SGD for `SmallCNN` over `ShapeImages`, epoch by epoch.
///
/// The first m − v images train; the last v (`heldOut`) are the validation set, never trained on.
/// An epoch visits the training images in their fixed order, in batches of `batch` (the last one
/// smaller when `batch` does not divide m − v), each an SGD step on its batch's mean loss, after
/// `augmentation` (when on) with its draws for that batch. Only the very first batch runs on the
/// recording tape, in the scope `iteration 1`: its augmentation, forward, backward and update
/// steps are the trace. Every other batch runs on a fresh tape that records nothing.
///
/// After each epoch the whole set goes through the updated network once more (recording off,
/// no augmentation), for that epoch's `history` entry: the mean loss of the epoch's batches (each
/// image's loss as computed in its batch, before the batch's update; Σ_b n_b Q_b / (m − v)), the
/// accuracy over the training images (argmax of y against the label, the first of equal maxima
/// winning), the chosen image's maps a₁ and h₂, and with v > 0 the validation set's mean loss and
/// accuracy. Trained more than one epoch, the snapshotted epochs (`SGDTrainer.snapshotted`: 1, 2,
/// 5 × 10^k and the last) also keep every parameter and the feature maps of one image of the traced
/// batch recomputed from them (`activation` series with `item`), for the convolution view at any
/// epoch (`snapshot`).
struct CNNTraining {
    let network: SmallCNN
    let data: ShapeImages
    /// Images per SGD step (the last batch of an epoch may have fewer).
    let batch: Int
    /// Passes over the training images.
    let epochs: Int
    let learningRate: Double
    /// The image whose feature maps each epoch keeps, 0-based among all m.
    let image: Int
    /// v, the images held out at the end of the set for validation.
    var heldOut = 0
    var augmentation = ImageAugmentation()

    static let mapKeys = ["feature_maps_1", "feature_maps_2"]
    /// The parameters' names, in `SmallCNN.Parameters.list` order (as `SmallCNN.bind` names them).
    static let parameterNames = ["w_1", "b_1", "w_2", "b_2", "W_3", "b_3"]

    /// What `run` gives: one history entry per epoch, and the `activation` series its snapshotted
    /// entries hold (none for one epoch).
    struct Run {
        var history: [HistoryEntry]
        var maps: [SeriesDescription]
    }

    var training: Range<Int> { 0..<data.count - heldOut }
    var validation: Range<Int> { data.count - heldOut..<data.count }

    /// The batches of an epoch, in order.
    var batches: [Range<Int>] {
        stride(from: 0, to: training.count, by: batch).map { $0..<min($0 + batch, training.count) }
    }

    /// The 1-based image of the traced (first) batch whose maps the snapshots keep: the chosen
    /// image when the batch holds it, else the batch's first.
    var tracedItem: Int { image < batches[0].count ? image + 1 : 1 }

    /// Trains from `initial`, tracing the first batch on `tape`, the augmentation drawing from
    /// `random`. Returns the history, one entry per epoch, and the series of its recomputed maps.
    func run(on tape: Tape, initial: [Tensor], config: DemoConfig, random: inout SeededGenerator) -> Run {
        var values = initial
        var history: [HistoryEntry] = []
        var maps = Activations(tape: tape, parameterNames: Self.parameterNames + otherKeys, per: "epoch")
        maps.item = tracedItem
        // The traced batch as the first convolution read it (augmented, when augmenting).
        var tracedInput: Tensor?
        let meter = Meter.current
        meter?.beginLoop(rounds: epochs, stepsPerRound: batches.count + 1, addingTraceBytes: historyBytes)
        defer { meter?.endLoop() }
        training: for epoch in 1...epochs {
            var total = 0.0
            for (b, range) in batches.enumerated() {
                let loss: Double
                if epoch == 1 && b == 0 {
                    (loss, values, tracedInput) = tape.scope("iteration 1", kind: .iteration(1)) {
                        step(on: tape, network.bind(values, on: tape), range, random: &random)
                    }
                } else {
                    let untraced = Tape(recording: false)
                    (loss, values, _) = step(on: untraced, network.bind(values, on: untraced), range, random: &random)
                }
                total += loss * Double(range.count)
                guard meter?.finishStep() ?? true else { break training }
            }
            let meanLoss = total / Double(training.count)
            var tensors = evaluate(values)
            if epochs > 1, SGDTrainer.snapshotted(epoch, of: epochs), let tracedInput {
                tensors.merge(snapshot(values, input: tracedInput, maps: &maps)) { first, _ in first }
            }
            history.append(HistoryEntry(iteration: epoch, loss: meanLoss, traced: epoch == 1, tensors: tensors))
            config.report(epoch, of: epochs, "epochs", loss: meanLoss)
            guard meter?.finishRound() ?? true else { break }
        }
        return Run(history: history, maps: maps.series)
    }

    /// Every parameter after a snapshotted epoch, and the feature maps z₁, a₁, h₁, z₂, h₂ of the
    /// traced batch's image `tracedItem` recomputed from them, on that image as the first
    /// convolution read it: what each convolution of the trace reads and makes at that epoch
    /// (the parameters alone would leave layer 2's input h₁ to the viewer).
    private func snapshot(_ values: [Tensor], input: Tensor, maps: inout Activations) -> [String: TensorSnapshot] {
        let parameters = zip(Self.parameterNames, values).map { ($0, TensorSnapshot(shape: $1.shape, data: $1.scalars)) }
        let plane = input.count / input.shape[0], n = tracedItem - 1
        let x = Tensor(shape: [1] + input.shape.dropFirst(), scalars: Array(input.scalars[n * plane..<(n + 1) * plane]))
        let kept = maps.recompute(["feature_map"], parameters: Array(zip(values, Self.parameterNames))) { tape, list in
            network(tape.input(x, name: "x", requiresGradient: false), SmallCNN.Parameters(list[...])).logits
        }
        return Dictionary(uniqueKeysWithValues: parameters).merging(kept) { first, _ in first }
    }

    /// The entries' keys besides the parameters (so no recomputed map takes one).
    private var otherKeys: [String] { ["accuracy", "validation_loss", "validation_accuracy"] + Self.mapKeys }

    /// One SGD step on the images `range`, augmented: its loss (before the update), the updated
    /// parameters and the images the network read.
    private func step(
        on tape: Tape, _ parameters: SmallCNN.Parameters, _ range: Range<Int>, random: inout SeededGenerator
    ) -> (Double, [Tensor], Tensor) {
        var x = tape.input(data.images(range), name: "x", requiresGradient: false).tagged("image")
        if augmentation.isEnabled {
            let draw = augmentation.draw(
                labels: Array(data.labels[range]), shape: [1, data.size, data.size], mirrors: ShapeImages.survivesMirror, using: &random)
            x = tape.scope("augmentation") { augmentation(x, draw) }
        }
        let T = tape.constant(data.targets(range), name: "T").tagged("target")
        let Q = network.loss(network(x, parameters).logits, T)
        let gradients = tape.backward(Q)
        let updated = tape.sgd(parameters.list, gradients, learningRate: learningRate)
        return (Q.value.scalar, updated.map(\.value), x.value)
    }

    /// The accuracy over the training images, the chosen image's maps and, with a validation set,
    /// its mean loss and accuracy, for the parameters `values` (no augmentation).
    private func evaluate(_ values: [Tensor]) -> [String: TensorSnapshot] {
        let tape = Tape(recording: false)
        let all = 0..<data.count
        let forward = network(tape.input(data.images(all), name: "x", requiresGradient: false), network.bind(values, on: tape))
        var tensors = ["accuracy": TensorSnapshot(shape: [1], data: [accuracy(forward.logits.value, over: training)])]
        for (key, map) in zip(Self.mapKeys, forward.maps) {
            let shape = Array(map.shape.dropFirst())
            let plane = shape.reduce(1, *)
            tensors[key] = TensorSnapshot(shape: shape, data: Array(map.value.scalars[image * plane..<(image + 1) * plane]))
        }
        if !validation.isEmpty {
            let y = slice(forward.logits, axis: 0, validation)
            let Q = network.loss(y, tape.constant(data.targets(validation), name: "T"))
            tensors["validation_loss"] = TensorSnapshot(shape: [1], data: [Q.value.scalar])
            tensors["validation_accuracy"] = TensorSnapshot(shape: [1], data: [accuracy(forward.logits.value, over: validation)])
        }
        return tensors
    }

    /// The fraction of the images `range` whose row of the logits y (all m images) has its
    /// largest value, the first of equals, at their class.
    private func accuracy(_ y: Tensor, over range: Range<Int>) -> Double {
        let K = network.classes
        let correct = range.filter { j in
            let row = y.scalars[j * K..<(j + 1) * K]
            return row.firstIndex(of: row.max()!)! - j * K == data.labels[j]
        }
        return Double(correct.count) / Double(range.count)
    }

    /// JSON bytes of the whole history: every entry the loss, the accuracy and both maps (and the
    /// validation loss and accuracy); the snapshotted ones the parameters and five maps too.
    private var historyBytes: Double {
        let (c1, c2, side, k) = (network.channels.0, network.channels.1, data.size, network.kernel)
        let scalars = validation.isEmpty ? 1 : 3
        let numbers = scalars + c1 * side * side + c2 * (side / 2) * (side / 2)
        let snapshots = epochs > 1 ? (1...epochs).count { SGDTrainer.snapshotted($0, of: epochs) } : 0
        let parameters = c1 * k * k + c1 + c2 * c1 * k * k + c2 + (c2 + 1) * network.classes
        let snapshot = parameters + 2 * c1 * side * side + c1 * (side / 2) * (side / 2) + 2 * c2 * (side / 2) * (side / 2)
        return Double(epochs) * HistoryEntry.estimatedBytes(tensors: scalars + 2, numbers: numbers)
            + Double(snapshots) * HistoryEntry.estimatedBytes(tensors: 11, numbers: snapshot)
    }

    /// What each key of an entry's `tensors` holds, as the trace declares it.
    var series: [SeriesDescription] {
        let images = heldOut == 0 ? "the images" : "the \(training.count) training images"
        return [
            SeriesDescription(key: "accuracy", quantity: "accuracy", per: "epoch", meaning: "the fraction of \(images) classified correctly after the epoch"),
            SeriesDescription(
                key: Self.mapKeys[0], quantity: "feature_map", of: "image", axis: "channel", per: "epoch",
                meaning: "the chosen image's layer-1 maps a_1 = relu(w_1 ⋆ x + b_1) after the epoch (C_1×H×W)"),
            SeriesDescription(
                key: Self.mapKeys[1], quantity: "feature_map", of: "image", axis: "channel", per: "epoch",
                meaning: "the chosen image's layer-2 maps h_2 = relu(w_2 ⋆ h_1 + b_2) after the epoch (C_2×H/2×W/2)"),
            SeriesDescription(
                key: "validation_loss", quantity: "validation_loss", per: "epoch",
                meaning: "the mean loss over the \(heldOut) held-out images after the epoch (never trained on, never augmented)"),
            SeriesDescription(
                key: "validation_accuracy", quantity: "validation_accuracy", per: "epoch",
                meaning: "the fraction of the \(heldOut) held-out images classified correctly after the epoch"),
        ]
    }
}
