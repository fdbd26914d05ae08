import Trace

/// What a demo's trace declares at the top level (docs/trace-format.md, "Declared structure"):
/// the viewer's views the demo suggests, in order, and what each key of its `history` holds.
/// The viewer's views decide from the declared scopes and tags whether they can draw a trace;
/// `views` is the demo's choice among them (the attention-vs-tdl demo has time steps, but the
/// lesson is its attention map, not the unrolled delay line).
enum DemoViews {
    /// `trace` with `views` and `series` filled in for `demo`.
    static func declare(_ trace: TraceDocument, demo: String) -> TraceDocument {
        var trace = trace
        let history = trace.history ?? []
        var views = suggested[demo] ?? []
        if demo == "gradient-flow", !trace.steps.isEmpty, trace.config["network"]?.stringValue == "lstm" {
            views.insert("lstm-cell", at: 0)
        }
        if !history.isEmpty { views.append("training") }
        trace.views = views
        if !history.isEmpty { trace.series = series(of: history, per: epochDemos.contains(demo) ? "epoch" : "iteration") }
        return trace
    }

    /// The special views each demo suggests, before `training` (every demo with a history has it).
    private static let suggested: [String: [String]] = [
        "neuron": [], "mlp": [],
        "rnn": ["unrolled"], "birnn": ["unrolled"], "tdl": ["unrolled"], "gradient-flow": ["unrolled"],
        "lstm": ["lstm-cell", "unrolled"], "peephole-lstm": ["lstm-cell", "unrolled"], "bilstm": ["lstm-cell", "unrolled"],
        "gru": ["gru-cell", "unrolled"], "bigru": ["gru-cell", "unrolled"],
        "cbow": ["word2vec"], "skipgram": ["word2vec"], "skipgram-ns": ["word2vec"],
        "attention": ["attention"], "self-attention": ["attention"], "attention-vs-tdl": ["attention"],
        "multi-head-attention": ["attention"], "transformer-encoder": ["attention"], "encoder-decoder": ["attention"],
    ]

    /// The word2vec demos keep one history entry per epoch; the others one per SGD iteration.
    private static let epochDemos: Set<String> = ["cbow", "skipgram", "skipgram-ns"]

    /// The keys demos write into `history[i].tensors` beside parameter snapshots: gradient-flow's
    /// norms (GradientFlow.swift) and word2vec's projection (Word2VecTraining.swift).
    private static let derived: [String: (quantity: String, of: String, axis: String, meaning: String)] = [
        "grad_norm_h": ("gradient_norm", "hidden_state", "time_step", "‖∂Q/∂h_t‖ for t = 1…T in the entry's backward pass"),
        "grad_norm_c": ("gradient_norm", "cell_state", "time_step", "‖∂Q/∂c_t‖ for t = 1…T in the entry's backward pass"),
        "W_in_pca": ("embedding_projection", "embedding", "word", "the rows of W_in after the epoch, projected to 2-D by PCA"),
    ]

    /// The loss, then every snapshot key in the order of its first appearance.
    private static func series(of history: [HistoryEntry], per unit: String) -> [SeriesDescription] {
        var keys: [String] = []
        for entry in history {
            for key in (entry.tensors ?? [:]).keys.sorted() where !keys.contains(key) { keys.append(key) }
        }
        return [SeriesDescription(key: "loss", quantity: "loss", per: unit, meaning: "the loss of the \(unit), before its update")]
            + keys.map { key in
                guard let described = derived[key] else {
                    return SeriesDescription(key: key, quantity: "parameter", per: unit, meaning: "\(key) after the \(unit)'s update")
                }
                return SeriesDescription(
                    key: key, quantity: described.quantity, of: described.of, axis: described.axis, per: unit, meaning: described.meaning)
            }
    }
}
