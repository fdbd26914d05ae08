import Engine
import Foundation
@testable import Models
import Testing
import Trace

/// The `cnn` demo's data augmentation and validation split against
/// `Tests/Fixtures/reference_augmentation.py` (numpy by hand: the draws, flip, shift with zero fill,
/// noise, the split), the augmentation ops on images worked out by hand, and the errors.
@Suite("cnn augmentation: numpy reference, ops by hand, runs without it unchanged, errors")
struct AugmentationTests {
    static let fixtures = (try? ModelFixture.all(in: "augmentation")) ?? []

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 4)
        #expect(Self.fixtures.contains { $0.parameters["augment"] == "flip+shift+noise" && $0.parameters["validation"] != nil })
    }

    @Test("The augmented first batch (f, x_f, x_s, ε, x_aug), the iteration, and each epoch's training and validation values match numpy to 1e-12",
          arguments: fixtures)
    func matchesReference(_ fixture: ModelFixture) throws {
        compare(try runDemo("cnn", fixture.parameters), with: fixture)
    }

    /// One 2×3 image, 1…6 row by row, so every moved pixel can be told by its value.
    static func image(on tape: Tape) -> Var {
        tape.input(Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6]), name: "x", requiresGradient: false)
    }

    @Test("Flip mirrors left–right, shift moves down and left with zeros filling in, noise adds: values worked out by hand")
    func opsByHand() {
        let tape = Tape()
        let draw = ImageAugmentation.Draw(
            flips: Tensor(shape: [1, 1, 1, 1], scalars: [1]), offset: (dy: 1, dx: -1),
            noise: Tensor(shape: [1, 1, 2, 3], scalars: [0.5, 0, 0, 0, -0.25, 0]))
        let augmented = ImageAugmentation(flip: true, shift: 1, noise: 0.5)(Self.image(on: tape), draw)
        // mirror: [3 2 1; 6 5 4]; one row down: [0 0 0; 3 2 1]; one column left: [0 0 0; 2 1 0]; + ε.
        #expect(augmented.value.scalars == [0.5, 0, 0, 2, 0.75, 0])
        let ops = tape.trace(title: "augmentation", model: "cnn", config: [:]).steps.map(\.op)
        #expect(ops == ["flip", "sub", "mul", "add", "pad", "slice", "pad", "slice", "add"])
    }

    @Test("An image whose coin says no, or a shift of −1 row and +2 columns, moves as worked out by hand")
    func unflippedAndShiftedTheOtherWay() {
        let tape = Tape()
        let draw = ImageAugmentation.Draw(flips: Tensor(shape: [1, 1, 1, 1], scalars: [0]), offset: (dy: -1, dx: 2), noise: nil)
        let augmented = ImageAugmentation(flip: true, shift: 2)(Self.image(on: tape), draw)
        #expect(augmented.value.scalars == [0, 0, 4, 0, 0, 0])
    }

    @Test("A mirror keeps the bars and the square in their class, not the diagonal (it would run the other way)")
    func mirrorsKeepTheClassButTheDiagonal() {
        #expect((0..<4).map(ShapeImages.survivesMirror) == [true, true, false, true])
    }

    @Test("Draws per batch: n coins, then Δy and Δx in −s…s, then n·H·W noise values in [−a, a), none when switched off")
    func drawsInTheDocumentedOrder() {
        var random = SeededGenerator(seed: 3)
        var mirror = random
        let draw = ImageAugmentation(flip: true, shift: 2, noise: 0.3)
            .draw(labels: [2, 0, 1], shape: [1, 4, 4], mirrors: ShapeImages.survivesMirror, using: &random)
        let coins = (0..<3).map { _ in Double(mirror.nextInt(below: 2)) }
        #expect(draw.flips?.scalars == [0, coins[1], coins[2]])
        let (dy, dx) = (mirror.nextInt(below: 5) - 2, mirror.nextInt(below: 5) - 2)
        #expect(draw.offset?.dy == dy && draw.offset?.dx == dx)
        #expect(draw.noise?.shape == [3, 1, 4, 4])
        #expect(draw.noise?.scalars == (0..<48).map { _ in mirror.uniform(-0.3, 0.3) })
        #expect(random.next() == mirror.next())
        let none = ImageAugmentation().draw(labels: [0], shape: [1, 4, 4], mirrors: { _ in true }, using: &random)
        #expect(none.flips == nil && none.offset == nil && none.noise == nil && random.next() == mirror.next())
    }

    @Test("The traced batch: x as drawn tagged image, x_aug tagged image {stage: augmented}, made in scope augmentation, read by layer 1")
    func tracesTheAugmentedSample() throws {
        let trace = try runDemo("cnn", ["augment": "flip+shift+noise", "train": 1])
        let images = trace.tensors.filter { $0.tags?["quantity"] == "image" }
        #expect(images.map(\.name) == ["x", "x_aug"])
        #expect(images.map { $0.tags?["stage"] } == [nil, "augmented"])
        let made = try #require(trace.steps.first { $0.output == images[1].id })
        #expect(trace.scopes[try #require(made.scope)].name == "augmentation")
        let conv = try #require(trace.steps.first { $0.op == "conv2d" })
        #expect(conv.inputs.first == images[1].id)
        #expect(!trace.steps.contains { $0.phase == .backward && trace.scopes[$0.scope ?? 0].name == "augmentation" })
    }

    @Test("Without augment, the other augmentation parameters change nothing, and no augmentation step is recorded")
    func withoutAugmentNothingChanges() throws {
        let plain = try runDemo("cnn", ["train": 2, "samples": 16])
        let given = try runDemo("cnn", ["train": 2, "samples": 16, "shift": 3, "augment-noise": 0.9])
        #expect(plain.steps == given.steps && plain.tensors == given.tensors && plain.history == given.history)
        #expect(!plain.scopes.contains { $0.name == "augmentation" })
        // Every epoch's series (the snapshotted epochs' parameters and maps follow them).
        #expect(plain.series?.prefix(4).map(\.key) == ["loss", "accuracy", "feature_maps_1", "feature_maps_2"])
    }

    @Test("A validation split adds validation_loss and validation_accuracy series per epoch, described with the shared words")
    func describesTheValidationSeries() throws {
        let trace = try runDemo("cnn", ["train": 2, "samples": 16, "validation": 0.25])
        let series = try #require(trace.series)
        #expect(series.prefix(6).map(\.key) == ["loss", "accuracy", "feature_maps_1", "feature_maps_2", "validation_accuracy", "validation_loss"])
        #expect(series.first { $0.key == "validation_loss" }?.quantity == "validation_loss")
        #expect(trace.history?.allSatisfy { $0.tensors?["validation_loss"]?.shape == [1] } == true)
    }

    @Test("A split that holds out nothing, or a batch larger than the training images, is an error naming the parameter and the fix",
          arguments: [
            (["validation": 0.05, "samples": 16], ["{validation}", "0.063", "20"]),
            (["validation": 0.5, "samples": 16, "batch": 12], ["{batch}", "8 training images", "{validation}"]),
          ] as [([String: JSONValue], [String])])
    func refusesSplitsWithoutData(_ parameters: [String: JSONValue], _ words: [String]) {
        let error = demoError { _ = try runDemo("cnn", parameters) }
        let text = error.map { String(describing: $0) } ?? ""
        for word in words { #expect(text.contains(word.trimmingCharacters(in: ["{", "}"])), "\(text)") }
    }
}
