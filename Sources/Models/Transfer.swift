import Engine
import Trace

/// Transfer learning with `SmallCNN`: features learned on one task reused on another.
///
/// Three stages, each epochs of minibatch SGD on Q = −(1/N) Σ T ⊙ log softmax(y):
///
///     pretraining   every parameter θ = (w₁, b₁, w₂, b₂, W₃, b₃) on task A, rate η
///     head          a new head (W₃′, b₃′) on task B, the convolutions frozen, rate η:
///                   W₃′ ← W₃′ − η ∂Q/∂W₃′, b₃′ likewise; w₁, b₁, w₂, b₂ unchanged
///     fine-tuning   every parameter on task B, rate η_ft ≤ η
///
/// A frozen parameter is a leaf that needs no gradient (`tape.parameter(…, frozen: true)`), and so
/// is the image: nothing below g = GAP(h₂) needs ∂Q/∂·, so the recorded backward pass ends at
/// ∂Q/∂W₃′ = gᵀ ∂Q/∂y and ∂Q/∂b₃′, and `sgd` has nothing to update in the frozen layers.
/// Fine-tuning binds the same values as ordinary parameters, so backward reaches w₁ again.
struct TransferLearning {
    let network: SmallCNN
    /// Images per SGD step (an epoch's last batch may have fewer).
    let batch: Int

    /// What an epoch's steps report: the mean of each image's loss in its batch (before the
    /// batch's step), and the parameters after the epoch.
    struct Epoch {
        let loss: Double
        let values: [Tensor]
    }

    /// One epoch over `data` in its order, in batches. With `traced`, the first batch runs on
    /// `traced` inside its iteration scope and `stage` scope; every other batch on a tape that
    /// records nothing.
    func epoch(
        _ values: [Tensor], on data: ShapeImages, frozen: Bool, learningRate: Double,
        traced: (tape: Tape, iteration: Int, stage: String)? = nil
    ) -> Epoch {
        var values = values
        var total = 0.0
        for start in stride(from: 0, to: data.count, by: batch) {
            let range = start..<min(start + batch, data.count)
            let loss: Double
            if let traced, start == 0 {
                (loss, values) = traced.tape.scope("iteration \(traced.iteration)", kind: .iteration(traced.iteration)) {
                    traced.tape.scope(traced.stage.replacingOccurrences(of: "_", with: "-"), kind: .trainingStage(traced.stage)) {
                        step(values, on: traced.tape, data, range, frozen: frozen, learningRate: learningRate)
                    }
                }
            } else {
                (loss, values) = step(values, on: Tape(recording: false), data, range, frozen: frozen, learningRate: learningRate)
            }
            total += loss * Double(range.count)
        }
        return Epoch(loss: total / Double(data.count), values: values)
    }

    /// One SGD step on the images `range`: the batch's loss before the step, and every parameter
    /// after it (a frozen one as it was).
    private func step(
        _ values: [Tensor], on tape: Tape, _ data: ShapeImages, _ range: Range<Int>, frozen: Bool, learningRate: Double
    ) -> (Double, [Tensor]) {
        let parameters = network.bind(values, on: tape, convolutionsFrozen: frozen)
        let x = tape.input(data.images(range), name: "x", requiresGradient: false).tagged("image")
        let T = tape.constant(data.targets(range), name: "T").tagged("target")
        let Q = network.loss(network(x, parameters).logits, T)
        let updated = tape.sgd(parameters.list, tape.backward(Q), learningRate: learningRate)
        return (Q.value.scalar, updated.map(\.value))
    }

    /// The loss Q and the accuracy (argmax of y against the label, the first of equal maxima
    /// winning) of the parameters `values` over all of `data`, recording nothing.
    func measure(_ values: [Tensor], on data: ShapeImages) -> (loss: Double, accuracy: Double) {
        let tape = Tape(recording: false)
        let everything = 0..<data.count
        let y = network(tape.input(data.images(everything), name: "x", requiresGradient: false), network.bind(values, on: tape)).logits
        let Q = network.loss(y, tape.constant(data.targets(everything), name: "T"))
        let K = network.classes
        let predicted = (0..<data.count).map { n in
            let row = Array(y.value.scalars[(n * K)..<((n + 1) * K)])
            return row.indices.first { row[$0] == row.max()! }!
        }
        let right = zip(predicted, data.labels).filter { $0 == $1 }.count
        return (Q.value.scalar, Double(right) / Double(data.count))
    }
}

extension ShapeImages {
    /// The first `count` images of `set` whose class is one of `shapes`, relabelled by their
    /// position in `shapes` (a task of its own: `shapes` [2, 3] makes diagonals class 0 and square
    /// outlines class 1).
    init(keeping shapes: [Int], of set: ShapeImages, count: Int) {
        let kept = set.labels.indices.filter { shapes.contains(set.labels[$0]) }.prefix(count)
        precondition(kept.count == count, "ShapeImages: \(set.count) images hold only \(kept.count) of the shapes \(shapes)")
        let plane = set.size * set.size
        size = set.size
        classes = shapes.count
        labels = kept.map { shapes.firstIndex(of: set.labels[$0])! }
        pixels = kept.flatMap { set.pixels[($0 * plane)..<(($0 + 1) * plane)] }
    }

    /// `count` images of the shapes `shapes` (two of the four), relabelled 0, 1, …: drawn as a set of
    /// all four shapes large enough to hold them (classes take turns, so 4·⌈count/2⌉ images for
    /// two shapes), then kept in order.
    init(shapes: [Int], count: Int, noise: Double, using random: inout SeededGenerator) {
        let rounds = (count + shapes.count - 1) / shapes.count
        let all = ShapeImages(samples: 4 * rounds, classes: 4, noise: noise, using: &random)
        self.init(keeping: shapes, of: all, count: count)
    }
}
