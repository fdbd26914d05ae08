import Engine
import Foundation
import Models
import Testing
import Trace

/// The `cnn` demo against `Tests/Fixtures/reference_cnn.py` (numpy by hand: convolutions,
/// pooling, their gradients, SGD, the epoch history), its declarations and its errors.
@Suite("cnn: numpy reference, declarations, learning, errors")
struct CNNTests {
    /// `Tests/Fixtures/cnn/*.json`, by file name.
    static let fixtures: [ModelFixture] = {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/cnn")
        let files = ((try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? [])
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        return files.compactMap { try? JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: $0)) }
    }()

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 3)
        #expect(Self.fixtures.contains { $0.parameters["kernel"] == 5 } && Self.fixtures.contains { $0.parameters["kernel"] == 1 })
    }

    @Test("The first iteration (forward, every gradient, the update), each epoch's loss, accuracy and maps match numpy to 1e-12",
          arguments: fixtures)
    func matchesReference(_ fixture: ModelFixture) throws {
        compare(try runDemo("cnn", fixture.parameters), with: fixture)
    }

    @Test("Tags: the image, both kernels, five feature maps by layer and stage, p and T; no two alike")
    func declaresItsStructure() throws {
        let trace = try runDemo("cnn", ["train": 1])
        let tags = trace.tensors.compactMap(\.tags)
        #expect(Set(tags.map { $0.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } }).count == tags.count)
        func tagged(_ quantity: String, _ context: [String: JSONValue] = [:]) -> [TensorRecord] {
            trace.tensors.filter { tensor in
                tensor.tags?["quantity"] == .string(quantity) && context.allSatisfy { tensor.tags?[$0.key] == $0.value }
            }
        }
        #expect(tagged("image").map(\.shape) == [[8, 1, 8, 8]])
        #expect(tagged("kernel", ["layer": 1]).map(\.name) == ["w_1"])
        #expect(tagged("kernel", ["layer": 2]).map(\.shape) == [[8, 4, 3, 3]])
        let maps = [(1, "conv", "z_1"), (1, "relu", "a_1"), (1, "pool", "h_1"), (2, "conv", "z_2"), (2, "relu", "h_2")]
        for (layer, stage, name) in maps {
            #expect(tagged("feature_map", ["layer": .int(layer), "stage": .string(stage)]).map(\.name) == [name])
        }
        #expect(tagged("probabilities").map(\.shape) == [[8, 4]])
        #expect(tagged("target").map(\.name) == ["T"])
        #expect(trace.views == ["feature-maps", "convolution", "training"])
        let layers = trace.scopes.filter { $0.kind == "layer" }.compactMap { $0.attributes?["layer"]?.intValue }
        #expect(layers == [1, 2, 3])
    }

    @Test("History per epoch: loss, accuracy, and the chosen image's maps described as feature_map series over channels")
    func describesItsHistory() throws {
        let trace = try runDemo("cnn", ["train": 2, "channels": [3, 5]])
        let series = try #require(trace.series)
        #expect(series.prefix(4).map(\.key) == ["loss", "accuracy", "feature_maps_1", "feature_maps_2"])
        #expect(series.allSatisfy { $0.per == "epoch" })
        for map in series where map.quantity == "feature_map" {
            #expect(map.of == "image" && map.axis == "channel")
        }
        let entry = try #require(trace.history?.last?.tensors)
        #expect(entry["feature_maps_1"]?.shape == [3, 8, 8])
        #expect(entry["feature_maps_2"]?.shape == [5, 4, 4])
        #expect(trace.history?.map(\.traced) == [true, false])
    }

    @Test("The snapshotted epochs (1, 2, 5) keep every parameter and the five maps of the traced batch's chosen image (else its first), each by its tags with item")
    func snapshotsWhatTheConvolutionsRead() throws {
        for (image, item) in [(3, 3), (6, 1)] {
            let trace = try runDemo("cnn", ["train": 5, "samples": 8, "batch": 4, "image": .int(image)])
            let series = try #require(trace.series)
            let maps = series.filter { $0.quantity == "activation" }
            #expect(Set(maps.map(\.key)) == ["z_1", "a_1", "h_1", "z_2", "h_2"])
            #expect(maps.allSatisfy { $0.item == item && $0.per == "epoch" })
            for map in maps {
                #expect(trace.tensors.first { $0.name == map.key }?.tags == map.tags)
            }
            let names = ["w_1", "b_1", "w_2", "b_2", "W_3", "b_3"]
            #expect(Set(series.filter { $0.quantity == "parameter" }.map(\.key)) == Set(names))
            let history = try #require(trace.history)
            #expect(history.filter { $0.tensors?["w_1"] != nil }.map(\.iteration) == [1, 2, 5])
            let last = try #require(history.last?.tensors)
            #expect(last["z_1"]?.shape == [4, 8, 8] && last["h_1"]?.shape == [4, 4, 4] && last["w_2"]?.shape == [8, 4, 3, 3])
        }
        // One epoch has no course to follow: no snapshot.
        #expect(try runDemo("cnn", ["train": 1]).history?.first?.tensors?["w_1"] == nil)
    }

    @Test("Global average pooling: the dense layer has C_2·K weights whatever the kernels and channels of layer 1")
    func denseLayerSizeIsChannelsTimesClasses() throws {
        for (channels, kernel, classes) in [([4, 8], 3, 4), ([2, 6], 5, 3), ([16, 3], 1, 2)] as [([Int], Int, Int)] {
            let trace = try runDemo("cnn", ["train": 1, "channels": .array(channels.map { .int($0) }), "kernel": .int(kernel), "classes": .int(classes)])
            #expect(trace.value(named: "W_3")?.shape == [channels[1], classes])
        }
    }

    @Test("The defaults learn: accuracy from near chance (¼) after epoch 1 to at least 0.95 after epoch 30; the trace stays under 2 MB")
    func defaultsLearn() throws {
        let trace = try runDemo("cnn")
        let accuracy = try #require(trace.history).map { $0.tensors?["accuracy"]?.data.first ?? -1 }
        #expect(accuracy.count == 30)
        #expect(accuracy[0] < 0.5)
        #expect(accuracy[29] >= 0.95)
        #expect(try trace.jsonData().count < 2_000_000)
    }

    @Test("The meter's projections of its own epoch loop (trace bytes, work) are within a factor 2 of what the run records and does")
    func projectionsAreNearTheRun() throws {
        let meter = Meter()
        let parameters: [String: JSONValue] = ["channels": [8, 16], "samples": 128, "batch": 16, "train": 12]
        let trace = try Demos.named("cnn").trace(parameters, progress: nil, meter: meter)
        let bytes = Double(try trace.jsonData().count)
        #expect(!meter.projections.isEmpty)
        for projection in meter.projections {
            #expect(projection.traceBytes / bytes > 0.5 && projection.traceBytes / bytes < 2, "\(projection.traceBytes) bytes projected, \(bytes) written")
        }
        let work = meter.projections.map(\.work).max()! / meter.work
        #expect(work > 0.5 && work < 2, "\(work) × the operations counted")
    }

    @Test("Parameters that cannot work are errors naming them and the fix",
          arguments: [
            (["kernel": 4], "kernel"), (["batch": 16, "samples": 12], "batch"), (["image": 70], "image"),
            (["samples": 3, "classes": 4], "samples"),
          ] as [([String: JSONValue], String)])
    func refusesImpossibleParameters(_ parameters: [String: JSONValue], _ named: String) {
        let error = demoError { _ = try runDemo("cnn", parameters) }
        let text = error.map { String(describing: $0) } ?? ""
        #expect(text.contains(named), "\(text)")
    }
}
