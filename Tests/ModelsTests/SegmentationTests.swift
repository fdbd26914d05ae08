import Engine
import Foundation
import Models
import Testing
import Trace

/// The `segmentation` fixtures (Tests/Fixtures/segmentation, written by reference_segmentation.py)
/// with the one number they add: the fraction of background pixels, the all-background baseline.
enum SegmentationFixtures {
    struct Extras: Decodable { let backgroundFraction: Double }

    static let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("segmentation")

    static func files() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static var cases: [ModelFixture] {
        ((try? files()) ?? []).compactMap { try? JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: $0)) }
    }

    static func baseline(of fixture: ModelFixture) throws -> Double {
        let file = directory.appendingPathComponent("\(fixture.case).json")
        return try JSONDecoder().decode(Extras.self, from: Data(contentsOf: file)).backgroundFraction
    }
}

@Suite("segmentation: numpy reference, the skip and the dilated convolution in the trace, receptive field, accuracy")
struct SegmentationTests {
    @Test func fixturesArePresent() {
        let fixtures = SegmentationFixtures.cases
        #expect(fixtures.count >= 5)
        #expect(fixtures.allSatisfy { $0.demo == "segmentation" && $0.history != nil })
        #expect(fixtures.contains { $0.parameters["upsampling"] == "transposed" })
    }

    @Test("Every activation, probability, loss, gradient, update, loss and accuracy per epoch matches the reference to 1e-10",
          arguments: SegmentationFixtures.cases)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        var relative = 0.0
        let deviation = compare(trace, with: fixture) { actual, expected in
            if abs(expected) >= 1e-12 { relative = max(relative, abs(actual - expected) / abs(expected)) }
            return abs(actual - expected) <= 1e-10 * abs(expected) + 1e-13
        }
        #expect(deviation.values > 1000)
        print("SegmentationTests \(fixture.case): \(deviation.values) values, max relative error \(relative)")
    }

    @Test("Trained with the defaults, the pixel accuracy beats calling every pixel background")
    func accuracyBeatsTheAllBackgroundBaseline() throws {
        let fixture = try #require(SegmentationFixtures.cases.first { $0.case == "segmentation-defaults" })
        let trace = try runDemo("segmentation")
        // The baseline counted from the traced one-hot targets: the share of pixels whose class is 0.
        let T = try #require(trace.value(named: "T"))
        let (N, K, area) = (T.shape[0], T.shape[1], T.shape[2] * T.shape[3])
        let background = (0..<N).reduce(0.0) { total, n in total + T.data[(n * K * area)..<(n * K * area + area)].reduce(0, +) }
        let baseline = background / Double(N * area)
        #expect(baseline == (try SegmentationFixtures.baseline(of: fixture)))
        let accuracy = try #require(trace.history?.last?.tensors?["accuracy"]?.data.first)
        print("segmentation defaults: pixel accuracy \(accuracy) after \(trace.history!.count) epochs; all background \(baseline)")
        #expect(accuracy >= baseline + 0.15)
        #expect(trace.series?.contains { $0.key == "accuracy" && $0.quantity == "accuracy" && $0.per == "epoch" } == true)
    }

    @Test("The decoder concatenates the upsampled h_2 and the encoder's h_1 along channels; h_1's gradient adds the pool's and the skip's")
    func skipConcatenation() throws {
        let trace = try runDemo("segmentation", ["train": 1])
        let (u, h_1, s) = try (#require(trace.value(named: "u_3")), #require(trace.value(named: "h_1")), #require(trace.value(named: "s_4")))
        let concat = try #require(trace.steps.first { $0.output == s.id })
        #expect(concat.op == "concat" && concat.inputs == [u.id, h_1.id] && concat.attrs["axis"] == 1)
        #expect(s.shape == [4, 8, 8, 8] && u.shape == [4, 4, 8, 8])
        let gradient = try #require(trace.gradient(of: "h_1"))
        let sum = try #require(trace.steps.first { $0.output == gradient.id })
        #expect(sum.op == "add" && sum.phase == .backward)
        let producers = Set(sum.inputs.compactMap { input in trace.steps.first { $0.output == input }?.op })
        #expect(producers == ["max_pool2d_backward", "slice"])
    }

    @Test("Without the skip, layer 4 reads u_3 alone: no concatenation, W_4 is C×C×3×3, h_1's gradient comes through the pool only")
    func withoutTheSkip() throws {
        let trace = try runDemo("segmentation", ["train": 1, "skip": false])
        #expect(!trace.steps.contains { $0.op == "concat" } && trace.value(named: "s_4") == nil)
        #expect(trace.value(named: "W_4")?.shape == [4, 4, 3, 3])
        let a_4 = try #require(trace.value(named: "a_4"))
        #expect(trace.steps.first { $0.output == a_4.id }?.inputs.first == trace.value(named: "u_3")?.id)
        let gradient = try #require(trace.gradient(of: "h_1"))
        #expect(trace.steps.first { $0.output == gradient.id }?.op == "max_pool2d_backward")
        // The images are drawn before the weights: the same squares with and without the skip.
        #expect(trace.value(named: "x")?.data == (try runDemo("segmentation", ["train": 1])).value(named: "x")?.data)
    }

    @Test("The encoder's second convolution is dilated (padding = dilation, size kept); the decoder upsamples as asked",
          arguments: [(1, "nearest", "upsample_nearest2d"), (2, "transposed", "conv_transpose2d")])
    func dilationAndUpsampling(_ dilation: Int, _ upsampling: String, _ op: String) throws {
        let trace = try runDemo("segmentation", ["train": 1, "dilation": .int(dilation), "upsampling": .string(upsampling)])
        let a_2 = try #require(trace.value(named: "a_2"))
        let conv = try #require(trace.steps.first { $0.output == a_2.id })
        #expect(conv.op == "conv2d" && conv.attrs["dilation"] == [.int(dilation), .int(dilation)])
        #expect(conv.attrs["padding"] == [.int(dilation), .int(dilation)] && a_2.shape == [4, 4, 4, 4])
        let u_3 = try #require(trace.value(named: "u_3"))
        let up = try #require(trace.steps.first { $0.output == u_3.id })
        #expect(up.op == op && u_3.shape == [4, 4, 8, 8])
        #expect((trace.value(named: "W_3") != nil) == (upsampling == "transposed"))
    }

    @Test("The scopes: encoder › layers 1, 2; decoder › layers 3, 4, 5; kernels and feature maps tagged by layer and stage")
    func declaredStructure() throws {
        let trace = try runDemo("segmentation", ["train": 1, "upsampling": "transposed"])
        func block(_ name: String) -> Int? { trace.scopes.first { $0.kind == "block" && $0.attributes?["block"] == .string(name) }?.id }
        let (encoder, decoder) = try (#require(block("encoder")), #require(block("decoder")))
        let layers = trace.scopes.filter { $0.kind == "layer" }
        #expect(layers.filter { $0.parent == encoder }.compactMap { $0.attributes?["layer"] } == [1, 2])
        #expect(layers.filter { $0.parent == decoder }.compactMap { $0.attributes?["layer"] } == [3, 4, 5])
        let kernels = trace.tensors.filter { $0.tags?["quantity"] == "kernel" }.map(\.name)
        #expect(kernels == ["W_1", "W_2", "W_3", "W_4", "W_5"])
        let stages = trace.tensors.filter { $0.tags?["quantity"] == "feature_map" }.map { "\($0.name):\($0.tags?["stage"]?.stringValue ?? "-")" }
        #expect(stages == ["a_1:conv", "h_1:relu", "m_2:pool", "a_2:conv", "h_2:relu", "u_3:up", "s_4:skip", "a_4:conv", "h_4:relu", "y:-"])
        #expect(trace.tensors.contains { $0.name == "x" && $0.tags?["quantity"] == "image" })
        #expect(trace.tensors.contains { $0.name == "P" && $0.tags?["quantity"] == "probabilities" })
        #expect(trace.views == ["feature-maps", "convolution", "training"])
        #expect(trace.history?.map(\.traced) == [true])
    }

    @Test("Receptive field of one output pixel: rows 1…14 of the input with dilation 2, 3…12 with dilation 1 (worked out by hand)",
          arguments: [(2, 1...14), (1, 3...12)])
    func receptiveField(_ dilation: Int, _ rows: ClosedRange<Int>) {
        // y[·, ·, 8, 8] reads h_4 rows 7…9, so s_4 rows 7…9: the skip's h_1 rows 7…9 (x rows 6…10),
        // and u_3 rows 7…9, copies of h_2 rows 3…4; those read m_2 rows 3 − d … 4 + d, pooled from
        // h_1 rows 6 − 2d … 9 + 2d, which read x rows 5 − 2d … 10 + 2d.
        // All weights positive and x ≥ 0, so nothing cancels and no ReLU closes: an input pixel
        // changes y[0, 0, 8, 8] exactly when a path leads from it there (a bump of 100 wins its pool).
        let network = Segmentation(channels: 1, classes: 2, dilation: dilation, upsampling: .nearest)
        var random = SeededGenerator(seed: 3)
        let halves = network.initialParameters(using: &random).map { Tensor(shape: $0.shape, scalars: $0.scalars.map { _ in 0.5 }) }
        let image = Tensor(shape: [1, 1, 16, 16], scalars: (0..<256).map { _ in random.nextUniform() })
        func centre(_ x: Tensor) -> Double {
            let tape = Tape(recording: false)
            return network(tape.input(x, name: "x"), network.bind(halves, on: tape)).value.scalars[8 * 16 + 8]
        }
        let unchanged = centre(image)
        var reached = Set<Int>()
        for pixel in 0..<256 {
            var bumped = image
            bumped.scalars[pixel] += 100
            if centre(bumped) != unchanged { reached.insert(pixel / 16) }
        }
        #expect(reached == Set(rows))
    }

    @Test("An odd size is an error naming size and the fix")
    func oddSizeIsAnError() {
        let message = demoError { _ = try runDemo("segmentation", ["size": 9]) }?.message() ?? ""
        #expect(message.contains("size") && message.contains("9 is odd") && message.contains("use size 8 or 10"))
    }

    @Test("A chosen image past the last one is an error naming image, samples and the range")
    func imagePastTheSetIsAnError() {
        let message = demoError { _ = try runDemo("segmentation", ["samples": 3, "image": 4]) }?.message() ?? ""
        #expect(message.contains("image 4 is past the last image") && message.contains("samples is 3") && message.contains("1…3"))
    }

    @Test("The default trace stays under 2 MB for the viewer")
    func defaultTraceIsSmall() throws {
        let bytes = try runDemo("segmentation").jsonData().count
        print("segmentation default trace: \(bytes) bytes")
        #expect(bytes < 2_000_000)
    }
}
