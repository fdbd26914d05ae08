import Engine
import Foundation
@testable import Models
import Testing
import Trace

/// The `conv` reference cases in `Tests/Fixtures/conv`, written by `Tests/Fixtures/reference_conv.py`
/// (independent numpy loops, gradients by hand, checked there against central differences).
enum ConvFixtures {
    static func all() throws -> [ModelFixture] { try ModelFixture.all(in: "conv") }
    static var cases: [ModelFixture] { (try? all()) ?? [] }
}

@Suite("conv: numpy reference, output size, declared structure, recorded backward, errors")
struct ConvTests {
    @Test func fixturesArePresent() throws {
        #expect(try ConvFixtures.all().count == 5)
    }

    @Test("Image, kernel, every stage, the loss and ∂X, ∂W, ∂b match the reference to 1e-12", arguments: ConvFixtures.cases)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo("conv", fixture.parameters)
        let deviation = compare(trace, with: fixture)
        #expect(deviation.values >= fixture.tensors.reduce(0) { $0 + $1.data.count })
    }

    @Test("The layer's equation states the output size with the numbers, and the size is the traced one")
    func outputSizeEquation() throws {
        let trace = try runDemo("conv", ["image": "seeded", "size": 7, "kernel": 3, "stride": 2, "padding": 2, "dilation": 2, "pool": "none"])
        let layer = try #require(trace.scopes.first { $0.kind == "layer" })
        // ⌊(7 + 4 − 4 − 1)/2⌋ + 1 = 4, worked out by hand.
        #expect(layer.equation == "H_o = W_o = \\left\\lfloor \\frac{7 + 2 \\cdot 2 - 2 \\cdot (3 - 1) - 1}{2} \\right\\rfloor + 1 = 4")
        #expect(trace.value(named: "Y")?.shape == [1, 2, 4, 4])
        let pooled = try runDemo("conv", ["image": "cross", "padding": 0])
        #expect(try #require(pooled.scopes.first { $0.kind == "layer" }).equation?.hasSuffix("H_p = W_p = \\left\\lfloor \\frac{3}{2} \\right\\rfloor = 1") == true)
        #expect(pooled.value(named: "P")?.shape == [1, 2, 1, 1])
    }

    @Test("Tags: the image, the kernel of layer 1, a feature map per stage")
    func tags() throws {
        let trace = try runDemo("conv")
        func tagged(_ name: String) -> [String: JSONValue]? { trace.value(named: name)?.tags }
        #expect(tagged("X")?["quantity"] == "image")
        #expect(tagged("W") == ["quantity": "kernel", "layer": 1])
        #expect(Set(trace.steps.filter { $0.phase == .update }.map { trace.tensors[$0.output].name }) == ["W", "b"])
        for (name, stage) in [("Y", "conv"), ("A", "relu"), ("P", "pool")] {
            #expect(tagged(name) == ["quantity": "feature_map", "layer": 1, "stage": .string(stage)])
        }
        #expect(trace.views == ["convolution", "feature-maps"])
    }

    @Test("The backward pass is recorded as the convolution family's ops: ∂X by conv_transpose2d, ∂W by conv2d_weight")
    func recordedBackward() throws {
        let trace = try runDemo("conv", ["stride": 2])
        let backward = Set(trace.steps.filter { $0.phase == .backward }.map(\.op))
        #expect(backward.isSuperset(of: ["conv_transpose2d", "conv2d_weight", "max_pool2d_backward", "relu_backward", "sum_to"]))
        let dX = try #require(trace.gradient(of: "X"))
        let producer = try #require(trace.steps.first { $0.output == dX.id })
        #expect(producer.op == "conv_transpose2d")
        #expect(producer.attrs["stride"] == [2, 2])
        let averaged = try runDemo("conv", ["pool": "avg", "relu": "false"])
        #expect(averaged.steps.contains { $0.op == "avg_pool2d_backward" })
        #expect(!averaged.steps.contains { $0.op == "relu" })
    }

    @Test("A 1×1 convolution has C_out·C_in weights and mixes the channels of each pixel alone")
    func oneByOne() throws {
        let trace = try runDemo("conv", ["kernel": 1, "padding": 0, "channels-in": 3, "channels-out": 4, "pool": "none", "relu": "false"])
        let (X, W, b, Y) = try (#require(trace.value(named: "X")), #require(trace.value(named: "W")), #require(trace.value(named: "b")), #require(trace.value(named: "Y")))
        #expect(W.shape == [4, 3, 1, 1])
        // Pixel (5, 2) of output channel 3, summed by hand from the traced numbers.
        let pixel = 5 * 8 + 2
        let expected = b.data[3] + (0..<3).reduce(0.0) { $0 + W.data[3 * 3 + $1] * X.data[$1 * 64 + pixel] }
        #expect(abs(Y.data[3 * 64 + pixel] - expected) <= 1e-15)
    }

    @Test("Images: built-in pictures with seeded extra channels, seeded, given")
    func images() throws {
        let three = try runDemo("conv", ["image": "three", "channels-in": 2])
        let X = try #require(three.value(named: "X"))
        #expect(X.shape == [1, 2, 8, 8])
        #expect(Array(X.data[8..<16]) == [0, 0, 1, 1, 1, 1, 0, 0])
        #expect(X.data[64...].contains { $0 != 0 && $0 != 1 })
        #expect(three.config["size"] == 8)
        let given = try runDemo("conv", ["values": [1, 2, 3, 4, 5, 6, 7, 8, 9], "kernel": 2, "padding": 0, "pool": "none"])
        #expect(given.config["image"] == "given")
        #expect(given.config["size"] == 3)
    }

    @Test("Shapes that do not fit are errors naming the parameter and the fix")
    func errors() {
        func message(_ parameters: [String: JSONValue]) -> String? {
            demoError { _ = try runDemo("conv", parameters) }?.message()
        }
        #expect(message(["image": "cross", "kernel": 7, "padding": 0])
            == "the kernel 7 with dilation 1 spans 7 pixels, more than the padded image's 5 + 2·0 = 5: use a smaller kernel or dilation, or more padding")
        #expect(message(["channels-in": 3, "groups": 2])
            == "groups 2 must divide both channels-in 3 and channels-out 2: use 1 (every output channel reads every input channel), or a common divisor (depthwise: groups = channels-in, channels-out a multiple of it)")
        #expect(message(["image": "cross", "pool-size": 4, "padding": 0]) == "the pool-size 4 window is larger than the 3×3 feature map: use a smaller pool-size, or pool none")
        #expect(message(["pool": "none", "pool-size": 3]) == "pool-size sets the pooling window; add pool max or avg, or leave it out")
        #expect(message(["image": "given"]) == "image given needs the pixels in values (row by row, channel after channel), or choose seven, three, cross or seeded")
        #expect(message(["values": [1, 2, 3, 4, 5]])
            == "values has 5 numbers; a square image of channels-in 1 needs 1·size² of them (e.g. 4 for size 2): give size and that many values")
        #expect(message(["image": "seven", "values": [1, 2, 3, 4]]) == "values gives the pixels, but image is seven; leave image out (or write image given)")
        #expect(message(["image": "seven", "size": 5]) == "image seven is 8×8, but size is 5; leave size out, or use image seeded")
        #expect(demoError { _ = try runDemo("conv", ["kernel": 8]) } == .outOfRange(parameter: "kernel", value: "8", allowed: "1…7"))
    }
}
