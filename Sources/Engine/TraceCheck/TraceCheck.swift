import Foundation
import Trace

/// Checks a trace made elsewhere (a `src:` file of the site build, `unrolled embed x.json`) before
/// anything uses it. The viewer shows the recorded numbers without recomputing them, so a
/// hand-edited, corrupted or hostile trace must be caught here: with an error naming the offending
/// value, never a crash, a hang or an allocation of terabytes.
///
/// The checks run in an order where each relies on the ones before it:
/// 1. references: ids are positions, and every id the trace names exists (`+References`);
/// 2. the scope tree has no cycle (`+Scopes`), and the declared structure has its types (`+Declarations`);
/// 3. sizes: every shape is one a tensor may have, its data fills it, and the whole fits the
///    budget, `TraceLimits` (`+Sizes`);
/// 4. steps: every op exists, its attrs have the right types and ranges, and its shape rule gives
///    the recorded output shape: all without computing or allocating anything (`+Steps`);
/// 5. replay: every step re-executed gives the recorded output (`+Replay`).
public enum TraceCheck {
    /// Reads and checks the trace in `data`. Errors carry the line and column of the offending value.
    public static func load(_ data: Data, limits: TraceLimits = .standard) throws(TraceError) -> TraceDocument {
        guard data.count <= limits.bytes else {
            throw TraceError(
                "the file has \(data.count) bytes, more than the \(limits.bytes) a trace may have (TraceLimits)", at: [])
        }
        let trace = try TraceDocument.decode(from: data)
        do {
            try check(trace, limits: limits)
        } catch {
            throw error.located(in: data)
        }
        return trace
    }

    /// Checks a decoded trace; the first problem found is thrown, with the path of the offending value.
    public static func check(_ trace: TraceDocument, limits: TraceLimits = .standard) throws(TraceError) {
        try checkReferences(trace)
        try checkScopeTree(trace)
        try checkDeclarations(trace)
        try checkSizes(trace, limits: limits)
        try checkSteps(trace)
        try checkReplay(trace, operations: limits.operations)
    }
}
