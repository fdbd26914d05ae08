/// What one key of a trace's `history` holds, so a reader finds a series by its meaning rather
/// than by its key: `{"key": "grad_norm_h", "quantity": "gradient_norm", "of": "hidden_state",
/// "axis": "time_step", "per": "iteration", "meaning": "…"}`. `docs/trace-format.md`, "Declared
/// structure", lists the quantities.
public struct SeriesDescription: Codable, Equatable, Sendable {
    /// `loss` for each entry's loss, otherwise the key in each entry's `tensors`.
    public var key: String
    /// What the series measures: `loss`, `parameter`, `gradient_norm`, `embedding_projection`, …
    public var quantity: String
    /// The quantity it is taken of (`hidden_state` for the norms of ∂Q/∂h_t), when there is one.
    public var of: String?
    /// What the snapshot's first axis runs over (`time_step`, `word`), when it has one.
    public var axis: String?
    /// The `variant` it was measured on, when the trace computes several side by side (`plain`,
    /// `residual`).
    public var variant: String?
    /// What one history entry is: `iteration` or `epoch`.
    public var per: String
    /// One sentence for a person.
    public var meaning: String
    /// Named entries of the series, by their number (the entry's `iteration`): early stopping's
    /// `{"best": 7, "stop": 12}` on a `validation_loss` series.
    public var marks: [String: Int]?
    /// For an `activation` series: the tags of the traced tensor whose later values it holds (the
    /// same tensor recomputed after each snapshotted entry's update), so a view that finds the
    /// tensor by its tags finds its history too. For a `gradient_norm` series over `time_step`: the
    /// tags its states share but t (a bidirectional network's `direction`).
    public var tags: [String: JSONValue]?
    /// For an `activation` series of a batched tensor that keeps one item of the batch (the
    /// segmentation demo's chosen image): its index along the tensor's first axis, 1-based; each
    /// snapshot is then that item alone, the traced shape without its first axis.
    public var item: Int?

    public init(
        key: String, quantity: String, of: String? = nil, axis: String? = nil, variant: String? = nil, per: String, meaning: String,
        marks: [String: Int]? = nil, tags: [String: JSONValue]? = nil, item: Int? = nil
    ) {
        self.key = key
        self.quantity = quantity
        self.of = of
        self.axis = axis
        self.variant = variant
        self.per = per
        self.meaning = meaning
        self.marks = marks
        self.tags = tags
        self.item = item
    }
}

extension SeriesDescription {
    /// Read by the fast path of `TraceDocument.decode(from:)`: see `TraceDocument.init(reading:)`.
    init(reading json: inout JSONReader) throws {
        var key: String?, quantity: String?, of: String?, axis: String?, variant: String?, per: String?, meaning: String?
        var marks: [String: Int]?, tags: [String: JSONValue]?, item: Int?
        try json.object { name, json in
            switch CodingKeys(stringValue: name) {
            case .key: key = try json.string()
            case .quantity: quantity = try json.string()
            case .of: of = try json.optional { try $0.string() }
            case .axis: axis = try json.optional { try $0.string() }
            case .variant: variant = try json.optional { try $0.string() }
            case .per: per = try json.string()
            case .meaning: meaning = try json.string()
            case .marks: marks = try json.optional { try $0.dictionary { try $0.int() } }
            case .tags: tags = try json.optional { try $0.dictionary { try $0.value() } }
            case .item: item = try json.optional { try $0.int() }
            case nil: try json.skip()
            }
        }
        guard let key, let quantity, let per, let meaning else { throw JSONReader.Mismatch() }
        self.init(key: key, quantity: quantity, of: of, axis: axis, variant: variant, per: per, meaning: meaning, marks: marks, tags: tags, item: item)
    }
}
