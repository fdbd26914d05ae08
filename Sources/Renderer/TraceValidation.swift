import Engine
import Trace

/// Checks a trace made elsewhere (`src:` in a directive) before the site shows it: every id it
/// refers to exists, and every step re-executed from its inputs and attrs gives the recorded
/// output (to 1e-9, relative; NaN equals NaN). The viewer shows the numbers without recomputing
/// them, so a hand-edited or corrupted trace is caught here, not by a reader.
enum TraceValidation {
    /// The first problem found, as a phrase ("step 12 (sigmoid_backward): …"), or nil.
    static func problem(in trace: TraceDocument) -> String? {
        let scopeIDs = Set(trace.scopes.map(\.id))
        for (position, tensor) in trace.tensors.enumerated() where tensor.id != position {
            return "tensor at position \(position) has id \(tensor.id)"
        }
        for step in trace.steps {
            guard trace.tensors.indices.contains(step.output) else {
                return "step \(step.index) (\(step.op)) writes tensor \(step.output), which the trace does not have"
            }
            if let scope = step.scope, !scopeIDs.contains(scope) {
                return "step \(step.index) (\(step.op)) is in scope \(scope), which the trace does not have"
            }
            let recorded = trace.tensors[step.output]
            let replayed: Tensor
            do {
                replayed = try OpRegistry.replay(step, in: trace)
            } catch {
                return "step \(step.index) (\(step.op)): \(error)"
            }
            guard replayed.shape == recorded.shape else {
                return "step \(step.index) (\(step.op)) gives shape \(replayed.shape), the trace records \(recorded.shape)"
            }
            for (index, (value, expected)) in zip(replayed.scalars, recorded.data).enumerated() where !close(value, expected) {
                return "step \(step.index) (\(step.op)) gives \(value) at position \(index), the trace records \(expected)"
            }
        }
        return nil
    }

    private static func close(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a.isInfinite || b.isInfinite { return a == b }
        return abs(a - b) <= 1e-9 * max(1, abs(a), abs(b))
    }
}
