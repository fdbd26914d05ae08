import Trace

/// The viewer's views a demo suggests for its traces, in order, given at the demo's registration
/// (`Demo(…, views: ["lstm-cell", "unrolled"])`). The viewer's views decide from the declared
/// scopes and tags whether they can draw a trace; these are the demo's choice among them (the
/// attention-vs-tdl demo has time steps, but the lesson is its attention map, not the unrolled
/// delay line). `training` follows them in every trace with a history.
public struct SuggestedViews: Sendable, ExpressibleByArrayLiteral {
    let views: @Sendable (TraceDocument) -> [String]

    /// The same views for every trace of the demo.
    public init(arrayLiteral views: String...) { self.views = { _ in views } }

    /// Views that depend on the trace (gradient-flow's LSTM cell, only with an lstm and steps).
    public init(_ views: @escaping @Sendable (TraceDocument) -> [String]) { self.views = views }
}

/// What a demo's trace declares at the top level (docs/trace-format.md, "Declared structure"):
/// the views its demo suggests and what each key of its `history` holds.
enum DemoViews {
    /// `trace` with `views` filled in from `suggested`, and `series` (unless the demo described
    /// its history itself) as the SGD trainer's: the loss, then the parameter snapshots.
    static func declare(_ trace: TraceDocument, suggested: SuggestedViews) -> TraceDocument {
        var trace = trace
        let history = trace.history ?? []
        trace.views = suggested.views(trace) + (history.isEmpty ? [] : ["training"])
        // A demo that described its history itself described the loss too; the trainer describes
        // only the activations it kept (`SGDTrainer.keeping`).
        if !history.isEmpty, !(trace.series ?? []).contains(where: { $0.key == "loss" }) {
            trace.series = HistorySeries.describe(history, per: "iteration", described: trace.series ?? [])
        }
        return trace
    }
}

/// The tag quantities a view draws that training changes, by view: the trainer recomputes them at
/// its snapshots (`SGDTrainer.keeping`), so the view shows them after any snapshotted iteration.
enum DrawnQuantities {
    /// The attention view's maps (and an incremental decoder's rows).
    static let attention: Set<String> = ["attention_weights"]
    /// The cell diagram's wires that depend on the weights (x_t does not).
    static let recurrentCell: Set<String> = ["gate", "candidate", "cell_state", "hidden_state", "stacked_input"]
}
