import Engine
import Foundation
import Models
import Testing
import Trace

/// One case of `Tests/Fixtures/inception`, written by `Tests/Fixtures/reference_inception.py`
/// (numpy by hand, gradients checked against central differences there).
struct InceptionFixture: Decodable, Sendable, CustomTestStringConvertible {
    /// A value by name and variant (none for x and L); with `gradient`, dL/d(that value); with
    /// `version` 1, a parameter after the SGD step.
    struct Expected: Decodable, Sendable {
        let name: String, variant: String?, gradient: Bool?, version: Int?
        let shape: [Int], data: [Double]
    }

    struct Cost: Decodable, Sendable, Equatable {
        let parameters: Int
        let multiplications: Int
    }

    let `case`: String
    let parameters: [String: JSONValue]
    let costs: [String: [String: Cost]]
    let loss: Double
    let tensors: [Expected]

    var testDescription: String { self.case }

    static let directory = ModelFixture.directory.deletingLastPathComponent().appendingPathComponent("inception")

    static func all() throws -> [InceptionFixture] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
            .map { try JSONDecoder().decode(InceptionFixture.self, from: Data(contentsOf: $0)) }
    }

    static var cases: [InceptionFixture] { (try? all()) ?? [] }
}

/// Reading an inception trace the way the viewer does: by declared kinds and tags.
extension TraceDocument {
    /// The nearest enclosing scope of `kind` (the scope itself included).
    func enclosing(_ scope: Int?, kind: String) -> Scope? {
        var current = scope
        while let id = current {
            if scopes[id].kind == kind { return scopes[id] }
            current = scopes[id].parent
        }
        return nil
    }

    /// A tensor's variant: its tag when it is tagged (the image has none), else the variant scope
    /// of the step that makes it or first reads it (biases, the loss).
    func variant(of tensor: TensorRecord) -> String? {
        if let tags = tensor.tags { return tags["variant"]?.stringValue }
        let step = steps.first { $0.output == tensor.id } ?? steps.first { $0.inputs.contains(tensor.id) }
        return enclosing(step?.scope, kind: "variant")?.attributes?["variant"]?.stringValue
    }

    /// The one non-gradient tensor named `name` in `variant` (nil: outside both), at `version`
    /// (0: as drawn; 1: after the update, whose variant is that of the parameter it updates).
    func inceptionValue(_ name: String, variant: String?, version: Int = 0) -> TensorRecord? {
        let matches = tensors.filter {
            $0.name == name && $0.role != .gradient && ($0.version ?? 0) == version
                && self.variant(of: tensors[$0.of ?? $0.id]) == variant
        }
        return matches.count == 1 ? matches[0] : nil
    }
}

@Suite("inception: numpy reference, costs worked out by hand, the seed notes' example")
struct InceptionTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try InceptionFixture.all()
        #expect(fixtures.count >= 4)
        #expect(Set(fixtures.map { $0.parameters["mode"]?.stringValue ?? "both" }) == ["naive", "reduced", "both"])
    }

    @Test("Every map, parameter, loss and gradient matches the numpy reference to 1e-12", arguments: InceptionFixture.cases)
    func matchesReference(_ fixture: InceptionFixture) throws {
        let trace = try runDemo("inception", fixture.parameters)
        var deviation = Deviation()
        for expected in fixture.tensors {
            let label = "\(fixture.case): \(expected.gradient == true ? "dL/d" : "")\(expected.name) v\(expected.version ?? 0) (\(expected.variant ?? "-"))"
            let base = trace.inceptionValue(expected.name, variant: expected.variant, version: expected.version ?? 0)
            guard let tensor = expected.gradient == true ? base.flatMap({ trace.gradient(ofID: $0.id) }) : base else {
                Issue.record("\(label): not found")
                continue
            }
            #expect(tensor.shape == expected.shape, "\(label): shape \(tensor.shape)")
            #expect(tensor.data.count == expected.data.count, "\(label)")
            for (actual, wanted) in zip(tensor.data, expected.data) {
                deviation.record(actual, wanted)
                #expect(Tolerance.accepts(actual, wanted), "\(label): \(actual) vs reference \(wanted)")
            }
        }
        #expect(deviation.values > 0)
        #expect(Tolerance.accepts(try #require(trace.loss.map { trace.tensors[$0].data[0] }), fixture.loss))
        #expect(costs(trace) == fixture.costs.mapValues { $0.mapValues { [$0.parameters, $0.multiplications] } })
    }

    /// variant → branch → [parameters, multiplications], as the branch scopes declare them.
    func costs(_ trace: TraceDocument) -> [String: [String: [Int]]] {
        var table: [String: [String: [Int]]] = [:]
        for scope in trace.scopes where scope.kind == "branch" {
            let variant = trace.enclosing(scope.parent, kind: "variant")?.attributes?["variant"]?.stringValue ?? "?"
            let a = scope.attributes ?? [:]
            table[variant, default: [:]][a["branch"]?.stringValue ?? "?"] = [a["parameters"]?.intValue ?? -1, a["multiplications"]?.intValue ?? -1]
        }
        return table
    }

    /// Site/notes/14-inception.md works out the 5×5 branches' counts of the default module by hand.
    @Test("The defaults' costs, worked out by hand from C_in·C_out·k² + C_out and H·W·C_in·C_out·k²")
    func defaultCostsByHand() throws {
        let trace = try runDemo("inception")
        // 8×6×6 input, 36 pixels. naive: 1×1 8→2; 3×3 8→4; 5×5 8→2; pool passes 8 channels.
        // reduced: 1×1 8→2; 1×1 8→3, 3×3 3→4; 1×1 8→1, 5×5 1→2; pool, 1×1 8→2.
        #expect(costs(trace) == [
            "naive": ["1x1": [18, 576], "3x3": [292, 10368], "5x5": [402, 14400], "pool": [0, 0]],
            "reduced": ["1x1": [18, 576], "3x3": [27 + 112, 864 + 3888], "5x5": [9 + 52, 288 + 1800], "pool": [18, 576]],
        ])
        let roots = trace.scopes.filter { $0.parent == nil && $0.kind == "variant" }.map { $0.attributes?["variant"]?.stringValue }
        #expect(roots == ["naive", "reduced"])
        // The concatenations: 2 + 4 + 2 + 8 = 16 channels naive, 2 + 4 + 2 + 2 = 10 reduced.
        let outputs = trace.tensors.filter { $0.tags?["stage"] == "concat" }.map(\.shape)
        #expect(outputs == [[1, 16, 6, 6], [1, 10, 6, 6]])
    }

    @Test("Each branch's declared multiplications equal the products of the conv2d steps run inside it")
    func declaredCostsMatchTheRecordedConvolutions() throws {
        let trace = try runDemo("inception", ["channels-in": 5, "size": 3, "c3": 6, "seed": 4])
        var counted: [Int: Int] = [:]
        for step in trace.steps where step.phase == .forward && step.op == "conv2d" {
            let (x, w, y) = (trace.tensors[step.inputs[0]].shape, trace.tensors[step.inputs[1]].shape, trace.tensors[step.output].shape)
            #expect(x[1] == w[1])
            let branch = try #require(trace.enclosing(step.scope, kind: "branch"))
            counted[branch.id, default: 0] += y[2] * y[3] * w[0] * w[1] * w[2] * w[3]
        }
        for scope in trace.scopes where scope.kind == "branch" {
            #expect(scope.attributes?["multiplications"]?.intValue == counted[scope.id] ?? 0, "\(scope.name)")
        }
    }

    /// The seed notes (002, unit 3): "a 5x5 convolution with 48 filters can be replaced by a 1x1
    /// convolution with 16 filters followed by a 5x5 convolution with 48 filters". They give no input;
    /// 16 → 48 is GoogLeNet's inception (4a) 5×5 branch, whose input is 14×14×480.
    /// By hand: 14·14·48·5·5·480 = 196·576,000 = 112,896,000 straight; through 16 channels
    /// 14·14·16·480 = 1,505,280 plus 14·14·48·5·5·16 = 3,763,200, together 5,268,480 (21.4 times fewer).
    /// Parameters: 480·48·25 + 48 = 576,048 against 480·16 + 16 + 16·48·25 + 48 = 26,944.
    /// Site/notes/14-inception.md and docs/models.md quote these counts (the trace is too big to embed).
    @Test("The seed notes' 5×5-to-48 example (docs/models.md): the engine's counts")
    func seedNotesExample() throws {
        let trace = try runDemo("inception", ["channels-in": 480, "size": 14, "c5-reduce": 16, "c5": 48])
        let table = costs(trace)
        #expect(table["naive"]?["5x5"] == [576_048, 112_896_000])
        #expect(table["reduced"]?["5x5"] == [26_944, 1_505_280 + 3_763_200])
        #expect(1_505_280 + 3_763_200 == 5_268_480)
    }

    @Test("Conflicts and limits are clear errors naming the parameter")
    func errors() {
        #expect(demoError { _ = try runDemo("inception", ["mode": "naive", "pool-proj": 3]) }?.message(flagPrefix: "--")
            == "--pool-proj sets a 1×1 reduction, which the naive module does not have: add --mode reduced or both, or leave it out")
        #expect(demoError { _ = try runDemo("inception", ["mode": "naive", "c3-reduce": 3]) } != nil)
        #expect(demoError { _ = try runDemo("inception", ["mode": "naive", "c5": 3]) } == nil)
        #expect(demoError { _ = try runDemo("inception", ["size": 0]) } == .outOfRange(parameter: "size", value: "0", allowed: "1…32"))
        #expect(demoError { _ = try runDemo("inception", ["c5": 513]) } == .outOfRange(parameter: "c5", value: "513", allowed: "1…512"))
        // Kernels too big for a trace are refused once bound, before the forward pass, naming what to lower.
        let big = demoError { _ = try runDemo("inception", ["channels-in": 512, "size": 32, "c1": 512, "c3": 512, "c5": 512]) }
        guard case .overBudget(_, let lower)? = big else {
            Issue.record("expected a refusal over the budget, got \(String(describing: big))")
            return
        }
        #expect(lower.contains("channels-in") && lower.contains("c5"))
    }
}
