import Engine
import Foundation
@testable import Models
import Testing
import Trace

/// The `normalization` reference cases in `Tests/Fixtures/normalization`, written by
/// `Tests/Fixtures/reference_normalization.py` (plain loops over the elements that share each
/// statistic, gradients by hand, checked there against central differences).
enum NormalizationFixtures {
    static func all() throws -> [ModelFixture] { try ModelFixture.all(in: "normalization") }
    static var cases: [ModelFixture] { (try? all()) ?? [] }
}

@Suite("normalization: numpy reference, the axes of each mode, running statistics, evaluation, errors")
struct NormalizationTests {
    @Test func fixturesArePresent() throws {
        #expect(try NormalizationFixtures.all().count == 7)
    }

    @Test("x, t, γ, β, μ, σ², x̂, y, L, every gradient, the updates, running statistics and evaluation match the reference to 1e-12",
          arguments: NormalizationFixtures.cases)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo("normalization", fixture.parameters)
        let deviation = compare(trace, with: fixture)
        #expect(deviation.values >= fixture.tensors.reduce(0) { $0 + $1.data.count })
    }

    @Test("Each mode takes μ and σ² over its own axes, group normalization over a view of the channels as G groups",
          arguments: [("batch", [0, 2, 3], [1, 4, 1, 1]), ("layer", [1, 2, 3], [3, 1, 1, 1]), ("instance", [2, 3], [3, 4, 1, 1]),
                      ("group", [2, 3, 4], [3, 2, 1, 1, 1])])
    func axesOfEachMode(_ mode: String, _ axes: [Int], _ statisticShape: [Int]) throws {
        let trace = try runDemo("normalization", ["mode": .string(mode)])
        let means = trace.steps.filter { $0.phase == .forward && $0.op == "mean" }
        #expect(means.count == 2)   // μ, then σ² = mean of the squares
        for step in means {
            #expect(step.attrs["axes"] == .array(axes.map { .int($0) }))
            #expect(step.attrs["keepdims"] == true)
            #expect(trace.tensors[step.output].shape == statisticShape)
        }
        #expect(trace.steps.contains { $0.op == "reshape" && $0.phase == .forward } == (mode == "group"))
        let scope = try #require(trace.scopes.first { $0.kind == "normalization" })
        #expect(scope.attributes?["mode"] == .string(mode))
        #expect(scope.attributes?["groups"] == (mode == "group" ? 2 : nil))
        // γ and β: per channel, or per normalized element for layer normalization (LayerNorm([C, H, W])).
        #expect(trace.value(named: "gamma")?.shape == (mode == "layer" ? [4, 2, 2] : [4, 1, 1]))
    }

    @Test("Tags name x, μ, σ², x̂, γ, β, y, t and the running statistics; the view is suggested")
    func tags() throws {
        let trace = try runDemo("normalization")
        func quantity(_ name: String, version: Int = 0) -> JSONValue? { trace.value(named: name, version: version)?.tags?["quantity"] }
        let expected: [(String, JSONValue)] = [
            ("x", "input"), ("mu", "mean"), ("var", "variance"), ("xhat", "normalized"), ("gamma", "scale"), ("beta", "shift"),
            ("y", "output"), ("t", "target"), ("running_mean", "running_mean"), ("running_var", "running_variance"),
            ("xhat_eval", "normalized"), ("y_eval", "output"),
        ]
        for (name, tag) in expected { #expect(quantity(name) == tag, "\(name)") }
        // The updated running statistics keep their tags, so the evaluation finds what it reads.
        #expect(quantity("running_mean", version: 1) == "running_mean" && quantity("running_var", version: 1) == "running_variance")
        #expect(trace.views == ["normalization"])
        let phases = trace.scopes.filter { $0.kind == "normalization" }.map { $0.attributes?["phase"] }
        #expect(phases == ["train", "eval"])
    }

    @Test("Training moves the running statistics by momentum, the variance's statistic unbiased (× n/(n−1) = 12/11); evaluation reads them")
    func runningStatistics() throws {
        let trace = try runDemo("normalization", ["momentum": 0.25])
        let updates = trace.steps.filter { $0.phase == .update }
        #expect(updates.map(\.op) == ["sgd", "sgd", "running_average", "running_average"])
        #expect(updates[2].attrs["momentum"] == 0.25)
        let unbiased = try #require(trace.steps.first { trace.tensors[$0.output].name == "var_unbiased" })
        #expect(unbiased.op == "scale" && unbiased.attrs["factor"]?.doubleValue == 12.0 / 11.0)   // n = N·H·W = 3·2·2
        #expect(updates[3].inputs[1] == unbiased.output)
        // The evaluation's x − μ reads the running mean's version 1, not the batch's μ.
        let runningMean = try #require(trace.value(named: "running_mean", version: 1))
        let evalScope = try #require(trace.scopes.first { $0.attributes?["phase"] == "eval" })
        let evalSteps = trace.steps.filter { step in
            var scope = step.scope
            while let id = scope, id != evalScope.id { scope = trace.scopes[id].parent }
            return scope == evalScope.id
        }
        #expect(evalSteps.first?.op == "sub" && evalSteps.first?.inputs == [trace.value(named: "x")!.id, runningMean.id])
        #expect(!evalSteps.contains { $0.op == "mean" })
        // And with evaluate false, or another mode, neither running statistics nor evaluation.
        let noEval = try runDemo("normalization", ["evaluate": "false"])
        #expect(noEval.value(named: "y_eval") == nil && noEval.steps.filter { $0.op == "running_average" }.count == 2)
        let layer = try runDemo("normalization", ["mode": "layer"])
        #expect(!layer.steps.contains { $0.op == "running_average" } && layer.value(named: "y_eval") == nil)
    }

    @Test("Normalized values have mean 0 and variance σ²/(σ² + ε) over each statistic's members (here: batch norm, channel 2)")
    func normalizedStatistics() throws {
        let trace = try runDemo("normalization", ["eps": 0.5])
        let xhat = try #require(trace.value(named: "xhat"))
        let variance = try #require(trace.value(named: "var"))
        // Channel c = 1 of a 3×4×2×2 tensor: positions n·16 + 4 + (0..<4).
        let members = (0..<3).flatMap { n in (0..<4).map { xhat.data[n * 16 + 4 + $0] } }
        let mean = members.reduce(0, +) / 12
        let spread = members.map { $0 * $0 }.reduce(0, +) / 12
        #expect(abs(mean) < 1e-14)
        #expect(abs(spread - variance.data[1] / (variance.data[1] + 0.5)) < 1e-13)
    }

    @Test("Bad shapes and parameters that do nothing are errors naming the parameter and the fix")
    func errors() throws {
        func message(_ parameters: [String: JSONValue]) -> String? {
            demoError { _ = try runDemo("normalization", parameters) }?.message()
        }
        #expect(message(["mode": "group", "groups": 3]) == "groups 3 does not divide channels 4: choose 1, 2 or 4")
        #expect(message(["mode": "group", "groups": 4, "channels": 6]) == "groups 4 does not divide channels 6: choose 1, 2, 3 or 6")
        #expect(message(["groups": 2]) == "groups sets the groups of group normalization, but mode is batch: write mode group, or leave groups out")
        #expect(message(["batch": 1, "height": 1, "width": 1])
            == "batch normalization with batch 1 and a 1×1 map has one value per channel, whose variance is undefined (PyTorch refuses it too): use batch 2 or more, a larger height or width, or mode layer")
        #expect(message(["mode": "instance", "height": 1, "width": 1])
            == "instance normalization of a 1×1 map has one value per sample and channel, whose variance is undefined (PyTorch refuses it too): use a larger height or width, or mode layer")
        #expect(message(["mode": "layer", "momentum": 0.2])
            == "momentum is about batch normalization's running statistics, but mode is layer: write mode batch, or leave momentum out")
        #expect(message(["mode": "group", "evaluate": "true"])
            == "evaluate is about batch normalization's running statistics, but mode is group: write mode batch, or leave evaluate out")
        #expect(message(["values": [1, 2, 3]])
            == "values has 3 numbers; an N×C×H×W tensor of batch 3, channels 4, height 2, width 2 needs 48: give that many, sample after sample, channel after channel, row by row")
        #expect(demoError { _ = try runDemo("normalization", ["eps": 0]) } != nil)
        #expect(try runDemo("normalization", ["batch": 1]).value(named: "y") != nil)   // one sample of 2×2 maps: n = 4
    }
}
