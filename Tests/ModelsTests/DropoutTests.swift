import Engine
import Foundation
@testable import Models
import Testing
import Trace

/// The `dropout` demo against `Tests/Fixtures/reference_dropout.py` (numpy by hand: the masks from
/// the documented generator, backpropagation through them, the early-stopping rule), the masks'
/// statistics, what the trace shows of dropout, the early-stopping rule worked by hand, and errors.
@Suite("dropout: numpy reference, masks, zero gradients, early stopping, errors")
struct DropoutTests {
    static let fixtures: [ModelFixture] = (try? ModelFixture.all(in: "dropout")) ?? []

    /// The marks the reference computed with its own early-stopping rule.
    struct Marks: Decodable { let marks: [String: Int] }
    static func marks(of fixture: ModelFixture) throws -> [String: Int] {
        let file = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("dropout/\(fixture.case).json")
        return try JSONDecoder().decode(Marks.self, from: Data(contentsOf: file)).marks
    }

    @Test func fixturesArePresent() {
        #expect(Self.fixtures.count >= 3)
        #expect(Self.fixtures.contains { $0.parameters["p"] == 0 })
    }

    @Test("Epoch 1 (masks, forward, every gradient, the update), each epoch's losses, Q_train and Q_val match numpy to 1e-12; so do the marks",
          arguments: fixtures)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo("dropout", fixture.parameters)
        compare(trace, with: fixture)
        let series = try #require(trace.series?.first { $0.quantity == "validation_loss" })
        #expect(series.marks == (try Self.marks(of: fixture)))
    }

    @Test("Over 10⁵ draws per rate the keep-mask keeps a fraction 1 − p, within 5 standard deviations")
    func keepRateIsOneMinusP() {
        for p in [0.1, 0.5, 0.8] {
            let model = DropoutMLP(network: MLP(layers: [1, 100, 1], activation: .tanh), rate: p)
            var random = SeededGenerator(seed: 17)
            let masks = (0..<10).flatMap { _ in model.drawMasks(samples: 100, using: &random)! }
            let values = masks.flatMap(\.scalars)
            #expect(values.count == 100_000 && values.allSatisfy { $0 == 0 || $0 == 1 })
            let kept = values.reduce(0, +) / Double(values.count)
            let sigma = (p * (1 - p) / Double(values.count)).squareRoot()
            #expect(abs(kept - (1 - p)) < 5 * sigma, "p \(p): kept \(kept)")
        }
        var random = SeededGenerator(seed: 1)
        #expect(DropoutMLP(network: MLP(layers: [2, 3, 1], activation: .tanh), rate: 0).drawMasks(samples: 4, using: &random) == nil)
    }

    @Test("The trace: M_1 tagged dropout_mask, scaled by 1/(1 − p), dropped units' ∂Q/∂h_1 exactly 0, kept ones not; no mask in the evaluation")
    func dropoutIsVisible() throws {
        let p = 0.5
        let trace = try runDemo("dropout", ["layers": [3, 12, 1], "samples": 10, "p": .double(p), "train": 3, "patience": 0])
        let mask = try #require(trace.tensors.first { $0.tags?["quantity"] == "dropout_mask" })
        #expect(mask.tags?["layer"] == 1 && mask.role == .constant && mask.name == "M_1")
        #expect(mask.data.contains(0) && mask.data.contains(1))
        let scale = try #require(trace.steps.first { $0.op == "scale" && $0.phase == .forward })
        #expect(scale.attrs["factor"]?.doubleValue == 1 / (1 - p))
        #expect(trace.tensors[scale.inputs[0]].name == "M_1⊙h_1")
        let gradient = try #require(trace.gradient(of: "h_1"))
        for (kept, g) in zip(mask.data, gradient.data) {
            if kept == 0 { #expect(g == 0) } else { #expect(g != 0) }
        }
        // The evaluation runs the network as it is: no mask, no scaling.
        let evaluation = try #require(trace.scopes.first { $0.parent == nil && $0.name.hasPrefix("evaluation") })
        let inside = Set(trace.scopes.filter { scope in
            var s: Int? = scope.id
            while let id = s, id != evaluation.id { s = trace.scopes[id].parent }
            return s == evaluation.id
        }.map(\.id))
        let steps = trace.steps.filter { $0.scope.map(inside.contains) ?? false }
        #expect(!steps.isEmpty && steps.allSatisfy { $0.op != "scale" && $0.phase == .forward })
        #expect(steps.allSatisfy { $0.inputs.allSatisfy { trace.tensors[$0].tags?["quantity"] != "dropout_mask" } })
    }

    @Test("Q_val of the restored weights is the best epoch's validation loss; without early stopping, the last epoch's")
    func restoresTheBestWeights() throws {
        let stopped = try runDemo("dropout", ["layers": [4, 16, 1], "train": 200, "patience": 5])
        let marks = try #require(stopped.series?.last?.marks)
        let best = try #require(marks["best"]), stop = try #require(marks["stop"])
        #expect(best < stop && stopped.history?.count == stop)
        #expect(stopped.value(named: "Q_val")?.data == stopped.history?[best - 1].tensors?["validation_loss"]?.data)
        let all = try runDemo("dropout", ["layers": [4, 16, 1], "train": 30, "patience": 0])
        #expect(all.history?.count == 30 && all.series?.last?.marks?["stop"] == nil)
        #expect(all.value(named: "Q_val")?.data == all.history?.last?.tensors?["validation_loss"]?.data)
    }

    @Test("Early stopping by hand: improvements beyond min-delta, patience counted from the best, 0 never stops")
    func earlyStoppingRule() {
        func run(_ losses: [Double], patience: Int, minDelta: Double) -> (best: Int?, stop: Int?) {
            var rule = EarlyStopping(patience: patience, minDelta: minDelta)
            for (epoch, loss) in zip(1..., losses) where rule.observe(epoch: epoch, validationLoss: loss) == .stop {
                return (rule.best?.epoch, epoch)
            }
            return (rule.best?.epoch, nil)
        }
        #expect(run([1.0, 0.9, 0.95, 0.91, 0.92], patience: 2, minDelta: 0) == (2, 4))
        // 0.96 is not below 1.0 − 0.05; 0.94 is, and resets the count.
        #expect(run([1.0, 0.96, 0.94, 0.93, 0.92, 0.95], patience: 3, minDelta: 0.05) == (3, 6))
        #expect(run([1.0, 2, 3, 4, 5, 6], patience: 0, minDelta: 0) == (1, nil))
        #expect(run([.nan, 1.0, .nan, .nan], patience: 2, minDelta: 0) == (2, 4))
    }

    @Test("Errors name the parameter and the fix: p = 1, a split with no validation or no training sample, more than one output")
    func errors() {
        let cases: [([String: JSONValue], String)] = [
            (["p": 1], "p 1 drops every unit: choose p < 1"),
            (["validation": 0.001, "samples": 10], "holds out no sample: raise validation to at least 0.0500"),
            (["validation": 1, "samples": 10], "leaves no training sample: lower validation below 0.9500"),
            (["layers": [4, 8, 2]], "layers must end in 1 output"),
        ]
        for (parameters, message) in cases {
            let error = demoError { _ = try runDemo("dropout", parameters) }
            #expect(error.map { "\($0)".contains(message) } == true, "\(parameters): \(String(describing: error))")
        }
    }
}
