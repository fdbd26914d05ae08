import Trace

extension TraceCheck {
    /// Every step re-executed from its recorded inputs and attrs gives its recorded output, to 1e-9
    /// relative (NaN equals NaN, an infinity only itself): the guarantee that lets the viewer show
    /// the numbers without recomputing them. The earlier checks make each replay safe and its
    /// output's shape the recorded one.
    static func checkReplay(_ trace: TraceDocument) throws(TraceError) {
        for (position, step) in trace.steps.enumerated() {
            let replayed: Tensor
            do {
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
