/// A trace, format v1: one recorded computation (forward, backward and update steps)
/// with every tensor it touched. `docs/trace-format.md` documents each field and op.
public struct TraceDocument: Codable, Equatable, Sendable {
    public static let formatName = "unrolled-trace"
    public static let currentVersion = 1

    public var format: String
    public var version: Int
    public var title: String
    /// The demo (network) that produced the trace, e.g. `mlp`.
    public var model: String
    /// The demo's parameters as resolved (defaults filled in).
    public var config: [String: JSONValue]
    public var scopes: [Scope]
    public var tensors: [TensorRecord]
    public var steps: [Step]
    /// The id of the scalar loss, when the trace has one.
    public var loss: Int?
    /// Maps the id (as a decimal string) of every parameter and input that the loss depends on
    /// to the id of its final, fully accumulated gradient.
    public var gradients: [String: Int]
    /// Per-iteration snapshots of a training run; absent when nothing was trained.
    public var history: [HistoryEntry]?
    /// What each key of `history` holds (the loss, the snapshots); absent when undeclared.
    public var series: [SeriesDescription]?
    /// The demo's suggested views (viewer view ids), in order; absent when undeclared.
    public var views: [String]?

    public init(
        title: String, model: String, config: [String: JSONValue], scopes: [Scope], tensors: [TensorRecord],
        steps: [Step], loss: Int?, gradients: [String: Int], history: [HistoryEntry]? = nil
    ) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.title = title
        self.model = model
        self.config = config
        self.scopes = scopes
        self.tensors = tensors
        self.steps = steps
        self.loss = loss
        self.gradients = gradients
        self.history = history
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(version, forKey: .version)
        try container.encode(title, forKey: .title)
        try container.encode(model, forKey: .model)
        try container.encode(config, forKey: .config)
        try container.encode(scopes, forKey: .scopes)
        try container.encode(tensors, forKey: .tensors)
        try container.encode(steps, forKey: .steps)
        try container.encode(loss, forKey: .loss)  // null when there is no loss
        try container.encode(gradients, forKey: .gradients)
        try container.encodeIfPresent(history, forKey: .history)
        try container.encodeIfPresent(series, forKey: .series)
        try container.encodeIfPresent(views, forKey: .views)
    }
}

/// A named region of the computation (`t = 2` › `LSTM cell` › `forget gate`) and the equation it computes.
public struct Scope: Codable, Equatable, Sendable {
    public var id: Int
    public var name: String
    public var parent: Int?
    /// TeX source of the equation this scope computes, if any.
    public var equation: String?
    /// What the region is (`time_step`, `cell`, `head`, …), declared so readers need not parse `name`.
    public var kind: String?
    /// The kind's attributes (`{"t": 2, "direction": "forward"}`): integers, strings or booleans.
    public var attributes: [String: JSONValue]?

    public init(id: Int, name: String, parent: Int?, equation: String?, kind: String? = nil, attributes: [String: JSONValue]? = nil) {
        self.id = id
        self.name = name
        self.parent = parent
        self.equation = equation
        self.kind = kind
        self.attributes = attributes
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(parent, forKey: .parent)  // explicit null at the root
        try container.encode(equation, forKey: .equation)
        try container.encodeIfPresent(kind, forKey: .kind)
        try container.encodeIfPresent(attributes, forKey: .attributes)
    }
}

// The fast path of `decode(from:)` (`JSONReader`): each type reads the fields its `CodingKeys`
// name — the keys Codable uses, so they are written once, and a field added to a type is a case
// its reader's switch must handle (there is no default) — and a field missing that Codable
// requires is a mismatch, left to the Codable path to explain.

extension TraceDocument {
    init(reading json: inout JSONReader) throws {
        var format: String?, version: Int?, title: String?, model: String?, config: [String: JSONValue]?
        var scopes: [Scope]?, tensors: [TensorRecord]?, steps: [Step]?, loss: Int?, gradients: [String: Int]?
        var history: [HistoryEntry]?, series: [SeriesDescription]?, views: [String]?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .format: format = try json.string()
            case .version: version = try json.int()
            case .title: title = try json.string()
            case .model: model = try json.string()
            case .config: config = try json.dictionary { try $0.value() }
            case .scopes: scopes = try json.array { try Scope(reading: &$0) }
            case .tensors: tensors = try json.array { try TensorRecord(reading: &$0) }
            case .steps: steps = try json.array { try Step(reading: &$0) }
            case .loss: loss = try json.optional { try $0.int() }
            case .gradients: gradients = try json.dictionary { try $0.int() }
            case .history: history = try json.optional { try $0.array { try HistoryEntry(reading: &$0) } }
            case .series: series = try json.optional { try $0.array { try SeriesDescription(reading: &$0) } }
            case .views: views = try json.optional { try $0.array { try $0.string() } }
            case nil: try json.skip()
            }
        }
        guard let format, let version, let title, let model, let config, let scopes, let tensors, let steps, let gradients
        else { throw JSONReader.Mismatch() }
        self.init(title: title, model: model, config: config, scopes: scopes, tensors: tensors, steps: steps, loss: loss, gradients: gradients, history: history)
        self.format = format
        self.version = version
        self.series = series
        self.views = views
    }
}

extension Scope {
    init(reading json: inout JSONReader) throws {
        var id: Int?, name: String?, parent: Int?, equation: String?, kind: String?, attributes: [String: JSONValue]?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .id: id = try json.int()
            case .name: name = try json.string()
            case .parent: parent = try json.optional { try $0.int() }
            case .equation: equation = try json.optional { try $0.string() }
            case .kind: kind = try json.optional { try $0.string() }
            case .attributes: attributes = try json.optional { try $0.dictionary { try $0.value() } }
            case nil: try json.skip()
            }
        }
        guard let id, let name else { throw JSONReader.Mismatch() }
        self.init(id: id, name: name, parent: parent, equation: equation, kind: kind, attributes: attributes)
    }
}
