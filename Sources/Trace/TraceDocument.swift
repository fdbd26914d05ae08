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

/// What a tensor is in the computation.
public enum Role: String, Codable, Sendable, CaseIterable {
    case input, parameter, constant, activation, loss, gradient
}

/// One tensor of the trace, with its values.
public struct TensorRecord: Codable, Equatable, Sendable {
    public var id: Int
    public var name: String
    public var tex: String
    public var role: Role
    public var shape: [Int]
    /// Row-major values; NaN and ±∞ are written as the strings "NaN", "Infinity", "-Infinity".
    public var data: [Double]
    /// For a gradient: the tensor it is the gradient of. For a parameter's later version: the parameter.
    public var of: Int?
    /// For a parameter updated by an `update` step: 1 for the first update, 2 for the next, …
    public var version: Int?
    /// Optional names for the positions along each axis (tokens, vocabulary); `nil` for an unlabelled axis.
    public var labels: [[String]?]?
    /// What the tensor is (`{"quantity": "hidden_state", "t": 2}`), declared so readers need not parse `name`.
    public var tags: [String: JSONValue]?
    /// `true` on a parameter that training holds fixed (a pretrained layer during transfer
    /// learning): it gets no gradient and no update step. Absent otherwise.
    public var frozen: Bool?

    public init(
        id: Int, name: String, tex: String, role: Role, shape: [Int], data: [Double], of: Int? = nil,
        version: Int? = nil, labels: [[String]?]? = nil, tags: [String: JSONValue]? = nil, frozen: Bool? = nil
    ) {
        self.id = id
        self.name = name
        self.tex = tex
        self.role = role
        self.shape = shape
        self.data = data
        self.of = of
        self.version = version
        self.labels = labels
        self.tags = tags
        self.frozen = frozen
    }
}

public enum Phase: String, Codable, Sendable, CaseIterable {
    case forward, backward, update
}

/// One recorded operation: `output = op(inputs; attrs)`.
public struct Step: Codable, Equatable, Sendable {
    public var index: Int
    public var phase: Phase
    public var op: String
    public var inputs: [Int]
    public var output: Int
    public var attrs: [String: JSONValue]
    /// The innermost scope the step belongs to; `nil` at the top level.
    public var scope: Int?

    public init(index: Int, phase: Phase, op: String, inputs: [Int], output: Int, attrs: [String: JSONValue], scope: Int?) {
        self.index = index
        self.phase = phase
        self.op = op
        self.inputs = inputs
        self.output = output
        self.attrs = attrs
        self.scope = scope
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(phase, forKey: .phase)
        try container.encode(op, forKey: .op)
        try container.encode(inputs, forKey: .inputs)
        try container.encode(output, forKey: .output)
        try container.encode(attrs, forKey: .attrs)
        try container.encode(scope, forKey: .scope)
    }
}

/// One training iteration (or epoch) in a trace's `history`.
public struct HistoryEntry: Codable, Equatable, Sendable {
    /// 1-based iteration (or epoch) number.
    public var iteration: Int
    public var loss: Double
    /// Whether this iteration's steps are in the trace (fully traced) or only summarised here.
    public var traced: Bool
    /// Snapshots of chosen tensors after this iteration, by name.
    public var tensors: [String: TensorSnapshot]?

    public init(iteration: Int, loss: Double, traced: Bool, tensors: [String: TensorSnapshot]? = nil) {
        self.iteration = iteration
        self.loss = loss
        self.traced = traced
        self.tensors = tensors
    }
}

/// A tensor's shape and values at one point of a training run.
public struct TensorSnapshot: Codable, Equatable, Sendable {
    public var shape: [Int]
    public var data: [Double]

    public init(shape: [Int], data: [Double]) {
        self.shape = shape
        self.data = data
    }
}
