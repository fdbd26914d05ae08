import Engine
import Foundation
import Testing
import Trace

@Suite("Replay of recorded steps")
struct ReplayTests {
    /// The steps whose replay differs from the recorded output (bitwise; NaN equals NaN), with a reason.
    func mismatches(_ trace: TraceDocument) -> [String] {
        trace.steps.compactMap { step in
            let recorded = trace.tensors[step.output]
            do {
                let replayed = try OpRegistry.replay(step, in: trace)
                if replayed.shape != recorded.shape { return "step \(step.index) (\(step.op)): shape \(replayed.shape) ≠ \(recorded.shape)" }
                if !sameBits(replayed.scalars, recorded.data) {
                    return "step \(step.index) (\(step.op)): \(replayed.scalars) ≠ \(recorded.data)"
                }
                return nil
            } catch {
                return "step \(step.index) (\(step.op)): \(error)"
            }
        }
    }

    @Test("every recorded step re-executed from the trace equals its recorded output bitwise", arguments: SampleTraces.names)
    func everyStepReplaysExactly(_ name: String) {
        let trace = SampleTraces.named(name)
        #expect(!trace.steps.isEmpty)
        #expect(mismatches(trace) == [])
    }

    @Test("steps replay exactly from the JSON form too, whose numbers round-trip exactly", arguments: SampleTraces.names)
    func stepsReplayFromDecodedJSON(_ name: String) throws {
        let trace = SampleTraces.named(name)
        let decoded = try TraceDocument.decode(from: trace.jsonData())
        // attrs may decode in another JSON form of the same number (2.0 as 2, "-Infinity" as −∞)
        #expect(decoded.steps.count == trace.steps.count)
        #expect(zip(decoded.steps, trace.steps).allSatisfy { sameStep($0, $1) })
        #expect(decoded.tensors.count == trace.tensors.count)
        for (a, b) in zip(decoded.tensors, trace.tensors) {
            #expect(sameBits(a.data, b.data), "tensor \(a.id)")
        }
        #expect(mismatches(decoded) == [])
    }

    @Test("the sample traces cover forward, backward and update steps and the ops replay must reproduce")
    func sampleTracesCoverTheOps() {
        let traces = SampleTraces.names.map(SampleTraces.named)
        let ops = Set(traces.flatMap { $0.steps.map(\.op) })
        let required: Set = [
            "add", "mul", "sub", "div", "matmul", "softmax", "softmax_backward", "concat", "slice", "pad", "rows",
            "rows_backward", "where", "sum_to", "broadcast_to", "sgd", "log_softmax", "relu_backward", "sigmoid_backward",
            "tanh_backward", "transpose", "reshape", "exp", "log", "sqrt", "square", "neg", "scale", "sum", "mean",
        ]
        #expect(required.subtracting(ops).isEmpty, "missing: \(required.subtracting(ops).sorted())")
        let phases = Set(traces.flatMap { $0.steps.map(\.phase) })
        #expect(phases == Set(Phase.allCases))
    }

    @Test("a changed output value or attribute makes the replay check fail")
    func replayDetectsTampering() throws {
        var trace = SampleTraces.attention()
        let softmaxStep = try #require(trace.steps.first { $0.op == "softmax" })
        let original = trace.tensors[softmaxStep.output].data
        trace.tensors[softmaxStep.output].data[0] = original[0].nextUp
        // the tampered step no longer replays; steps reading the tampered tensor disagree with their outputs too
        let found = mismatches(trace)
        #expect(found.contains { $0.hasPrefix("step \(softmaxStep.index) (softmax)") })
        #expect(found.allSatisfy { report in
            trace.steps.contains { $0.inputs.contains(softmaxStep.output) && report.hasPrefix("step \($0.index) ") }
                || report.hasPrefix("step \(softmaxStep.index) ")
        })

        trace.tensors[softmaxStep.output].data = original
        #expect(mismatches(trace) == [])
        let sgdIndex = try #require(trace.steps.firstIndex { $0.op == "sgd" })
        trace.steps[sgdIndex].attrs["lr"] = 0.2
        #expect(mismatches(trace).count == 1)
    }

    @Test("replay reports an unknown op and a wrong number of inputs (none for concat included) as errors")
    func replayChecksArity() throws {
        let trace = SampleTraces.attention()
        var step = try #require(trace.steps.first { $0.op == "matmul" })
        step.inputs = [step.inputs[0]]
        #expect(throws: OpError.self) { try OpRegistry.replay(step, in: trace) }
        var empty = try #require(trace.steps.first { $0.op == "concat" })
        empty.inputs = []
        #expect(throws: OpError.self) { try OpRegistry.replay(empty, in: trace) }
        var unknown = trace.steps[0]
        unknown.op = "conv2d"
        #expect(throws: OpError.self) { try OpRegistry.replay(unknown, in: trace) }
    }
}
