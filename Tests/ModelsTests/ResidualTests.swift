import Engine
import Foundation
import Models
import Testing
import Trace

/// One case of `Tests/Fixtures/reference_residual.py`: the fixture layout of `models/`, each
/// tensor with the variant it belongs to (none for the shared image and target).
struct ResidualFixture: Decodable, Sendable, CustomTestStringConvertible {
    struct Expected: Decodable, Sendable {
        let name: String
        let variant: String?
        /// For parameters: 0 is the initial value, 1 the value after the first update.
        let version: Int?
        let gradientOf: String?
        let shape: [Int]
        let data: [Double]
    }

    let `case`: String
    let parameters: [String: JSONValue]
    let tensors: [Expected]
    let history: ModelFixture.History

    var testDescription: String { self.case }

    static let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("images")

    static var cases: [ResidualFixture] {
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
        return files.filter { $0.lastPathComponent.hasPrefix("residual-") && $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
            .compactMap { try? JSONDecoder().decode(ResidualFixture.self, from: Data(contentsOf: $0)) }
    }
}

/// A residual trace read by its declarations: which variant (root scope) each step belongs to.
struct VariantIndex {
    let trace: TraceDocument
    /// The `variant` attribute of each step's root scope.
    let variantOfStep: [String?]

    init(_ trace: TraceDocument) {
        self.trace = trace
        var root: [Int] = []
        for scope in trace.scopes { root.append(scope.parent.map { root[$0] } ?? scope.id) }
        variantOfStep = trace.steps.map { step in
            step.scope.flatMap { trace.scopes[root[$0]].attributes?["variant"]?.stringValue }
        }
    }

    /// The tensor named `name` (of that parameter `version`) in `variant`: made by one of its
    /// steps, or a leaf one of them reads.
    func value(_ name: String, in variant: String?, version: Int = 0) -> TensorRecord? {
        // An update's output belongs to no scope: it is found from the version it updates.
        if version > 0 {
            return value(name, in: variant).flatMap { base in trace.tensors.first { $0.of == base.id && $0.version == version } }
        }
        let ids = trace.steps.indices.filter { variant == nil || variantOfStep[$0] == variant }
            .flatMap { trace.steps[$0].inputs + [trace.steps[$0].output] }
        return Set(ids).sorted().map { trace.tensors[$0] }
            .first { $0.name == name && $0.role != .gradient && ($0.version ?? 0) == version }
    }

    /// The last gradient of `of` that `variant`'s backward pass made: the accumulated one.
    func gradient(of tensor: TensorRecord, in variant: String) -> TensorRecord? {
        trace.steps.indices.last { variantOfStep[$0] == variant && trace.tensors[trace.steps[$0].output].of == tensor.id }
            .map { trace.tensors[trace.steps[$0].output] }
    }

    /// The steps of `variant` in scope `layer k`.
    func layerSteps(_ k: Int, in variant: String) -> [Step] {
        trace.steps.indices.filter { index in
            guard variantOfStep[index] == variant, let scope = trace.steps[index].scope else { return false }
            return trace.scopes[scope].kind == "layer" && trace.scopes[scope].attributes?["layer"]?.intValue == k
        }.map { trace.steps[$0] }
    }
}

@Suite("residual: numpy reference, the + I in the backward pass, vanishing without skips")
struct ResidualTests {
    @Test func fixturesArePresent() {
        let fixtures = ResidualFixture.cases
        #expect(fixtures.count >= 4)
        #expect(Set(fixtures.map { $0.parameters["activation"]?.stringValue ?? "tanh" }) == ["tanh", "sigmoid", "relu"])
    }

    @Test("Every feature map, gradient, parameter, loss and norm matches the hand-written numpy to 1e-10", arguments: ResidualFixture.cases)
    func matchesReference(_ fixture: ResidualFixture) throws {
        let trace = try runDemo("residual", fixture.parameters)
        let index = VariantIndex(trace)
        var worst = 0.0
        func check(_ label: String, _ actual: [Double], _ expected: [Double]) {
            #expect(actual.count == expected.count, "\(fixture.case): \(label)")
            for (a, e) in zip(actual, expected) {
                worst = max(worst, abs(a - e) / max(abs(e), 1e-3))
                #expect(abs(a - e) <= 1e-10 * abs(e) + 1e-13, "\(fixture.case): \(label) = \(a), reference \(e)")
            }
        }
        for expected in fixture.tensors {
            let label = "\(expected.name) (\(expected.variant ?? "shared"))"
            let found: TensorRecord?
            if let of = expected.gradientOf, let variant = expected.variant {
                found = index.value(of, in: variant).flatMap { index.gradient(of: $0, in: variant) }
            } else if let of = expected.gradientOf {
                // The image, read by both stacks: its gradient sums both, the final one.
                found = index.value(of, in: nil).flatMap { x in trace.gradients[String(x.id)].map { trace.tensors[$0] } }
            } else {
                found = index.value(expected.name, in: expected.variant, version: expected.version ?? 0)
            }
            guard let found else {
                Issue.record("\(fixture.case): no tensor \(label)")
                continue
            }
            #expect(found.shape == expected.shape, "\(fixture.case): \(label)")
            check(label, found.data, expected.data)
        }
        let entries = try #require(trace.history)
        #expect(entries.map(\.iteration) == Array(1...fixture.history.losses.count))
        check("history loss", entries.map(\.loss), fixture.history.losses)
        for (iteration, snapshots) in fixture.history.snapshots {
            let entry = try #require(entries.first { String($0.iteration) == iteration })
            for (key, expected) in snapshots {
                check("\(key) of iteration \(iteration)", try #require(entry.tensors?[key]).data, expected.data)
            }
        }
        print("ResidualTests: \(fixture.case): max relative error \(worst)")
    }

    @Test("The norms in history are those of the final gradients of the tensors tagged feature_map {layer, variant}")
    func historyNormsAreTheRecordedGradients() throws {
        let trace = try runDemo("residual", ["layers": 5, "channels": 2, "size": 4])
        let index = VariantIndex(trace)
        let entry = try #require(trace.history?.only)
        for variant in ["plain", "residual"] {
            let series = try #require(trace.series?.first { $0.variant == variant && $0.quantity == "gradient_norm" })
            #expect(series.quantity == "gradient_norm" && series.of == "feature_map" && series.axis == "layer")
            let norms = try #require(entry.tensors?[series.key]).data
            #expect(norms.count == 5)
            for k in 1...5 {
                let tags: [String: JSONValue] = ["quantity": "feature_map", "layer": .int(k), "variant": .string(variant)]
                let y = try #require(trace.tensors.first { $0.tags == tags }, "\(variant) layer \(k)")
                let g = try #require(index.gradient(of: y, in: variant))
                let norm = g.data.map { $0 * $0 }.reduce(0, +).squareRoot()
                #expect(abs(norms[k - 1] - norm) <= 1e-14 * norm, "\(variant) ‖∂L/∂y_\(k)‖")
            }
        }
    }

    /// ‖∂L/∂y_L‖ / ‖∂L/∂y_1‖ per variant.
    static func ratios(_ trace: TraceDocument) throws -> [String: Double] {
        let entry = try #require(trace.history?.only?.tensors)
        var ratios: [String: Double] = [:]
        for variant in ["plain", "residual"] {
            let norms = try #require(entry["grad_norm_\(variant)"]).data
            ratios[variant] = norms[norms.count - 1] / norms[0]
        }
        return ratios
    }

    @Test("The defaults: the plain stack's gradient at layer 1 is over 1000 times smaller than at the top, the residual one's is not smaller",
          arguments: [1, 2, 3, 4, 5] as [Int])
    func vanishesWithoutSkips(_ seed: Int) throws {
        let ratios = try Self.ratios(runDemo("residual", ["seed": .int(seed)]))
        #expect(try #require(ratios["plain"]) > 1e3, "seed \(seed): \(ratios)")
        #expect(try #require(ratios["residual"]) < 1, "seed \(seed): \(ratios)")
    }

    @Test("The update reads it: ‖∂L/∂w_1‖ / ‖∂L/∂w_L‖ is below 1e-3 in the plain stack and above 0.1 in the residual one",
          arguments: [1, 2, 3, 4, 5] as [Int])
    func bottomKernelLearnsOnlyWithSkips(_ seed: Int) throws {
        let trace = try runDemo("residual", ["seed": .int(seed)])
        let index = VariantIndex(trace)
        for (variant, within) in [("plain", 0.0...1e-3), ("residual", 0.1...10)] {
            // The gradient each sgd step reads, by the parameter it updates.
            func read(layer k: Int) throws -> Double {
                let tags: [String: JSONValue] = ["quantity": "kernel", "layer": .int(k), "variant": .string(variant)]
                let step = try #require(trace.steps.first { $0.op == "sgd" && trace.tensors[$0.inputs[0]].tags == tags })
                let g = trace.tensors[step.inputs[1]].data
                return g.map { $0 * $0 }.reduce(0, +).squareRoot()
            }
            let ratio = try read(layer: 1) / read(layer: 16)
            #expect(within.contains(ratio), "seed \(seed), \(variant): \(ratio)")
        }
    }

    @Test("The + I: each residual layer's backward add sums the skip's copy of ∂L/∂y_k with what came back through the convolution")
    func identityPathInTheBackwardSteps() throws {
        let trace = try runDemo("residual", ["layers": 4, "channels": 2, "size": 3])
        let index = VariantIndex(trace)
        for k in 1...4 {
            let y = try #require(index.value("y_\(k)", in: "residual"))
            let below = try #require(index.value(k == 1 ? "x" : "y_\(k - 1)", in: "residual"))
            let incoming = try #require(index.gradient(of: y, in: "residual"))
            let steps = index.layerSteps(k, in: "residual")
            let adds = steps.filter { $0.phase == .backward && $0.op == "add" }
            #expect(adds.count == 1, "layer \(k): one backward add")
            let add = try #require(adds.first)
            #expect(trace.tensors[add.output].of == below.id)
            // Its operands: the identity copy (sum_to of ∂L/∂y_k) and the convolution's transpose.
            let producers = add.inputs.map { input in trace.steps.first { $0.output == input } }
            let identity = try #require(producers.first { $0?.op == "sum_to" } ?? nil)
            let convolution = try #require(producers.first { $0?.op == "conv_transpose2d" } ?? nil)
            #expect(identity.inputs == [incoming.id] && trace.tensors[identity.output].data == incoming.data, "layer \(k)")
            #expect(convolution.scope == add.scope)
            let sum = zip(trace.tensors[identity.output].data, trace.tensors[convolution.output].data).map { $0 + $1 }
            #expect(trace.tensors[add.output].data == sum)
            // The plain layer has no such add: ∂L/∂y_{k−1} is the transposed convolution alone. (In
            // layer 1 an add sums the two stacks' contributions to ∂L/∂x: x is read by both.)
            let plainAdds = index.layerSteps(k, in: "plain").filter { $0.phase == .backward && $0.op == "add" }
            if k > 1 {
                #expect(plainAdds.isEmpty, "plain layer \(k)")
            } else {
                #expect(plainAdds.map(\.output) == [trace.gradients[String(below.id)]])
            }
        }
    }

    @Test("Two root scopes of kind variant on the same image and the same initial kernels, then L = L_plain + L_residual; skip only in the residual layers")
    func variantsShareTheirStart() throws {
        let trace = try runDemo("residual", ["layers": 3, "channels": 2, "size": 3, "activation": "relu"])
        let roots = trace.scopes.filter { $0.parent == nil }
        #expect(roots.map(\.kind) == ["variant", "variant", "loss"])
        #expect(roots.prefix(2).map { $0.attributes?["variant"] } == ["plain", "residual"])
        let layers = trace.scopes.filter { $0.kind == "layer" }
        #expect(layers.count == 6)
        #expect(layers.map { $0.attributes?["skip"] } == [nil, nil, nil, true, true, true])
        for k in 1...3 {
            let kernels = trace.tensors.filter { $0.tags?["quantity"] == "kernel" && $0.tags?["layer"] == .int(k) }
            #expect(kernels.map { $0.tags?["variant"] } == ["plain", "residual"])
            #expect(kernels[0].data == kernels[1].data && kernels[0].id != kernels[1].id)
        }
        #expect(trace.tensors.filter { $0.tags?["quantity"] == "image" }.count == 1)
        #expect(trace.views == ["residual", "convolution", "training"])
        // One SGD step on L = L_plain + L_residual updates every kernel and bias of both stacks.
        let updates = trace.steps.filter { $0.phase == .update }
        #expect(updates.count == 2 * 2 * 3 && updates.allSatisfy { $0.op == "sgd" })
        let L = try #require(trace.loss.map { trace.tensors[$0] })
        let parts = trace.tensors.filter { ["L_plain", "L_residual"].contains($0.name) }.map { $0.data[0] }
        #expect(parts.count == 2 && L.data[0] == parts[0] + parts[1])
        #expect(trace.history?.first?.tensors?["loss_plain"]?.data == [parts[0]])
    }

    @Test("Out-of-range parameters are errors that name the parameter and its range")
    func errors() throws {
        #expect(demoError { _ = try runDemo("residual", ["layers": 31]) }?.message().contains("layers") == true)
        #expect(demoError { _ = try runDemo("residual", ["layers": 1]) }?.message().contains("2") == true)
        #expect(demoError { _ = try runDemo("residual", ["activation": "gelu"]) }?.message().contains("tanh") == true)
        #expect(demoError { _ = try runDemo("residual", ["init-scale": -1]) }?.message().contains("init-scale") == true)
    }
}

extension Array {
    /// The one element, or nil when there are none or several.
    fileprivate var only: Element? { count == 1 ? first : nil }
}
