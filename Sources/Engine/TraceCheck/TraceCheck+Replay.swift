import Trace

extension TraceCheck {
    /// Every step re-executed from its recorded inputs and attrs gives its recorded output, to 1e-9
    /// relative (NaN equals NaN, an infinity only itself): the guarantee that lets the viewer show
    /// the numbers without recomputing them. The earlier checks make each replay safe and its
    /// output's shape the recorded one.
    /// Before each step runs, the work of all so far must stay within `operations`.
    static func checkReplay(_ trace: TraceDocument, operations: Double) throws(TraceError) {
        var work = 0.0
        for (position, step) in trace.steps.enumerated() {
            let replayed: Tensor
            do throws(OpError) {
                work += try OpRegistry.work(of: step, in: trace)
                guard work <= operations else {
                    throw OpError(op: step.op, "replaying the trace up to here takes \(Int(min(work, 0x1p62))) operations, more than the \(Int(min(operations, 0x1p62))) a trace may take (TraceLimits)")
                }
                replayed = try OpRegistry.replay(step, in: trace)
            } catch {
                throw TraceError("step \(position) (\(step.op)): \(error.message)", at: ["steps", .index(position)])
            }
            let recorded = trace.tensors[step.output].data
            for (index, (value, expected)) in zip(replayed.scalars, recorded).enumerated() where !close(value, expected) {
                throw TraceError(
                    "step \(position) (\(step.op)) gives \(value) at position \(index), the trace records \(expected)",
                    at: ["tensors", .index(step.output), "data", .index(index)])
            }
        }
    }

    private static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    }
}
