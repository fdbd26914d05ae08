import Engine
import Foundation
import Models
import Testing
import Trace

/// The `transfer` demo's structure: frozen layers get no gradient and no update in the head
/// iteration, fine-tuning updates every layer, the stages are declared, the measured comparison
/// with training from scratch, and its errors. Its numbers are checked against numpy by hand in
/// Tests/Python/test_transfer_reference.py (Tests/Fixtures/reference_transfer.py).
@Suite("transfer: frozen layers, fine-tuning, declared stages, against training from scratch, errors")
struct TransferTests {
    static let short: [String: JSONValue] = [
        "samples-a": 8, "pretrain-epochs": 2, "samples-b": 5, "batch": 3, "test-b": 4, "head-epochs": 3, "fine-tune-epochs": 2,
    ]

    /// The steps of the traced iteration whose `training_stage` is `stage`, and the tensors they touch.
    struct Iteration {
        let steps: [Step]
        let tensors: [TensorRecord]

        init(_ trace: TraceDocument, _ stage: String) throws {
            let inner = try #require(trace.scopes.first { $0.kind == "training_stage" && $0.attributes?["training_stage"] == .string(stage) })
            let root = try #require(inner.parent)
            func root(of scope: Int) -> Int { trace.scopes[scope].parent.map(root(of:)) ?? scope }
            steps = trace.steps.filter { $0.scope.map(root(of:)) == root }
            let ids = Set(steps.flatMap { $0.inputs + [$0.output] })
            tensors = trace.tensors.filter { ids.contains($0.id) }
        }

        /// The parameters the iteration reads (its leaves), by name.
        var parameters: [String: TensorRecord] {
            let made = Set(steps.map(\.output))
            return Dictionary(uniqueKeysWithValues: tensors.filter { $0.role == .parameter && !made.contains($0.id) }.map { ($0.name, $0) })
        }
        /// The names of the tensors it computes a gradient of.
        func differentiated(in trace: TraceDocument) -> Set<String> {
            Set(tensors.filter { $0.role == .gradient }.compactMap { $0.of.map { trace.tensors[$0].name } })
        }
        /// The names of the parameters its update steps write.
        func updated(in trace: TraceDocument) -> [String] {
            steps.filter { $0.phase == .update }.map { trace.tensors[$0.output].name }
        }
    }

    static let convolutions = ["w_1", "b_1", "w_2", "b_2"]

    @Test("Head: the convolutions are frozen parameters; backward stops at the head (no gradient of g or below); only W_3 and b_3 are updated")
    func headStopsAtTheFrozenLayers() throws {
        let trace = try runDemo("transfer", Self.short)
        let head = try Iteration(trace, "head")
        let parameters = head.parameters
        #expect(Set(parameters.keys) == Set(Self.convolutions + ["W_3", "b_3"]))
        for name in Self.convolutions { #expect(parameters[name]?.frozen == true, "\(name)") }
        #expect(parameters["W_3"]?.frozen == nil && parameters["b_3"]?.frozen == nil)
        let differentiated = head.differentiated(in: trace)
        #expect(differentiated.isSuperset(of: ["y", "W_3", "b_3"]))
        #expect(differentiated.isDisjoint(with: Self.convolutions + ["g", "h_2", "z_2", "h_1", "a_1", "z_1", "x"]), "\(differentiated)")
        #expect(head.updated(in: trace).sorted() == ["W_3", "b_3"])
        #expect(head.steps.filter { $0.phase == .update }.allSatisfy { $0.op == "sgd" })
    }

    @Test("Fine-tune: every parameter is an ordinary one again, gets a gradient and an update at fine-tune-lr")
    func fineTuneUpdatesEveryLayer() throws {
        let trace = try runDemo("transfer", Self.short.merging(["fine-tune-lr": 0.02]) { $1 })
        let fineTune = try Iteration(trace, "fine_tune")
        #expect(fineTune.parameters.values.allSatisfy { $0.frozen == nil })
        #expect(fineTune.differentiated(in: trace).isSuperset(of: Self.convolutions + ["W_3", "b_3", "z_1"]))
        #expect(fineTune.updated(in: trace).sorted() == (Self.convolutions + ["W_3", "b_3"]).sorted())
        let rates = fineTune.steps.filter { $0.phase == .update }.compactMap { $0.attrs["lr"]?.doubleValue }
        #expect(rates == Array(repeating: 0.02, count: 6))
    }

    @Test("Stages declared: iteration scopes at the first epoch of each stage, history's training_stage 1, 2, 3, series of both variants")
    func declaresItsStages() throws {
        let trace = try runDemo("transfer", Self.short)
        let iterations = trace.scopes.filter { $0.kind == "iteration" }.compactMap { $0.attributes?["iteration"]?.intValue }
        #expect(iterations == [3, 6])  // after 2 pretraining epochs, then 3 head epochs
        let stages = trace.scopes.filter { $0.kind == "training_stage" }.compactMap { $0.attributes?["training_stage"]?.stringValue }
        #expect(stages == ["head", "fine_tune"])
        let history = try #require(trace.history)
        #expect(history.map { $0.tensors?["training_stage"]?.data.first ?? 0 } == [1, 1, 2, 2, 2, 3, 3])
        #expect(history.map(\.traced) == [false, false, true, false, false, true, false])
        #expect(history.prefix(2).allSatisfy { $0.tensors?["validation_accuracy"] == nil })
        #expect(history.dropFirst(2).allSatisfy { $0.tensors?["validation_accuracy_scratch"]?.shape == [1] })
        let series = try #require(trace.series)
        #expect(Set(series.compactMap(\.variant)) == ["transfer", "scratch"])
        #expect(series.first { $0.key == "training_stage" }?.quantity == "training_stage")
        #expect(trace.views == ["convolution", "training"])
    }

    @Test("The defaults: the pretrained features reach ≥ 0.95 held-out accuracy on task B; from scratch, the same 4 images and epochs stay below 0.8")
    func transferBeatsScratchOnFewImages() throws {
        let trace = try runDemo("transfer")
        let last = try #require(trace.history?.last?.tensors)
        let transferred = try #require(last["validation_accuracy"]?.data.first)
        let scratch = try #require(last["validation_accuracy_scratch"]?.data.first)
        #expect(transferred >= 0.95 && scratch < 0.8, "transfer \(transferred), scratch \(scratch)")
        #expect(try trace.jsonData().count < 2_000_000)
    }

    @Test("Parameters that cannot work are errors naming them and the fix",
          arguments: [
            (["fine-tune-lr": 0.6, "lr": 0.5], "fine-tune-lr"), (["samples-b": 1], "samples-b"), (["head-epochs": 0], "head-epochs"),
            (["fine-tune-epochs": 0], "fine-tune-epochs"), (["fine-tune-lr": 0], "fine-tune-lr"),
          ] as [([String: JSONValue], String)])
    func refusesImpossibleParameters(_ parameters: [String: JSONValue], _ named: String) {
        let error = demoError { _ = try runDemo("transfer", parameters) }
        let text = error.map { String(describing: $0) } ?? ""
        #expect(text.contains(named), "\(text)")
    }
}
