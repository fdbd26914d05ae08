import Engine
import Trace

/// Minibatch SGD for `SmallCNN` over `ShapeImages`, epoch by epoch.
///
/// An epoch visits the images in their fixed order, in batches of `batch` (the last one smaller
/// when `batch` does not divide m), each an SGD step on its batch's mean loss. Only the very first
/// batch runs on the recording tape, in the scope `iteration 1`: its forward, backward and update
/// steps are the trace. Every other batch runs on a fresh tape that records nothing.
///
/// After each epoch the whole set goes through the updated network once more (recording off),
/// for that epoch's `history` entry: the mean loss of the epoch's batches (each image's loss as
/// computed in its batch, before the batch's update; Σ_b n_b Q_b / m), the accuracy (argmax of y
/// against the label, the first of equal maxima winning), and the chosen image's maps a₁ and h₂.
struct CNNTraining {
    let network: SmallCNN
    let data: ShapeImages
    /// Images per SGD step (the last batch of an epoch may have fewer).
    let batch: Int
    /// Passes over the images.
    let epochs: Int
    let learningRate: Double
    /// The image whose feature maps each epoch keeps, 0-based.
    let image: Int

    static let mapKeys = ["feature_maps_1", "feature_maps_2"]

    /// The batches of an epoch, in order.
    var batches: [Range<Int>] {
        stride(from: 0, to: data.count, by: batch).map { $0..<min($0 + batch, data.count) }
    }

    /// Trains from `initial`, tracing the first batch on `tape`. Returns the history, one entry per epoch.
    func run(on tape: Tape, initial: [Tensor], config: DemoConfig) -> [HistoryEntry] {
        var values = initial
        var history: [HistoryEntry] = []
        let meter = Meter.current
        meter?.beginLoop(rounds: epochs, stepsPerRound: batches.count + 1, addingTraceBytes: historyBytes)
        defer { meter?.endLoop() }
        training: for epoch in 1...epochs {
            var total = 0.0
            for (b, range) in batches.enumerated() {
                let loss: Double
                if epoch == 1 && b == 0 {
                    (loss, values) = tape.scope("iteration 1", kind: .iteration(1)) {
                        step(on: tape, network.bind(values, on: tape), range, traced: true)
                    }
                } else {
                    let untraced = Tape(recording: false)
                    (loss, values) = step(on: untraced, network.bind(values, on: untraced), range, traced: false)
                }
                total += loss * Double(range.count)
                guard meter?.finishStep() ?? true else { break training }
            }
            let meanLoss = total / Double(data.count)
            history.append(HistoryEntry(iteration: epoch, loss: meanLoss, traced: epoch == 1, tensors: evaluate(values)))
            config.report(epoch, of: epochs, "epochs", loss: meanLoss)
            guard meter?.finishRound() ?? true else { break }
        }
        return history
    }

    /// One SGD step on the images `range`: its loss (before the update) and the updated parameters.
    private func step(on tape: Tape, _ parameters: SmallCNN.Parameters, _ range: Range<Int>, traced: Bool) -> (Double, [Tensor]) {
        let x = tape.input(data.images(range), name: "x", requiresGradient: false).tagged("image")
        let T = tape.constant(data.targets(range), name: "T").tagged("target")
        let Q = network.loss(network(x, parameters).logits, T)
        let gradients = tape.backward(Q)
        let updated = tape.sgd(parameters.list, gradients, learningRate: learningRate)
        return (Q.value.scalar, updated.map(\.value))
    }

    /// The accuracy over the whole set and the chosen image's maps, for the parameters `values`.
    private func evaluate(_ values: [Tensor]) -> [String: TensorSnapshot] {
        let tape = Tape(recording: false)
        let all = 0..<data.count
        let forward = network(tape.input(data.images(all), name: "x", requiresGradient: false), network.bind(values, on: tape))
        let y = forward.logits.value
        let K = network.classes
        var correct = 0
        for j in all {
            let row = y.scalars[j * K..<(j + 1) * K]
            if row.firstIndex(of: row.max()!)! - j * K == data.labels[j] { correct += 1 }
        }
        var tensors = ["accuracy": TensorSnapshot(shape: [1], data: [Double(correct) / Double(data.count)])]
        for (key, map) in zip(Self.mapKeys, forward.maps) {
            let shape = Array(map.shape.dropFirst())
            let plane = shape.reduce(1, *)
            tensors[key] = TensorSnapshot(shape: shape, data: Array(map.value.scalars[image * plane..<(image + 1) * plane]))
        }
        return tensors
    }

    /// JSON bytes of the whole history: every entry the loss, the accuracy and both maps.
    private var historyBytes: Double {
        let (c1, c2, side) = (network.channels.0, network.channels.1, data.size)
        let numbers = 1 + c1 * side * side + c2 * (side / 2) * (side / 2)
        return Double(epochs) * HistoryEntry.estimatedBytes(tensors: 3, numbers: numbers)
    }

    /// What each key of an entry's `tensors` holds, as the trace declares it.
    static let series = [
        SeriesDescription(key: "accuracy", quantity: "accuracy", per: "epoch", meaning: "the fraction of the images classified correctly after the epoch"),
        SeriesDescription(
            key: mapKeys[0], quantity: "feature_map", of: "image", axis: "channel", per: "epoch",
            meaning: "the chosen image's layer-1 maps a_1 = relu(w_1 ⋆ x + b_1) after the epoch (C_1×H×W)"),
        SeriesDescription(
            key: mapKeys[1], quantity: "feature_map", of: "image", axis: "channel", per: "epoch",
            meaning: "the chosen image's layer-2 maps h_2 = relu(w_2 ⋆ h_1 + b_2) after the epoch (C_2×H/2×W/2)"),
    ]
}
