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

/// A tensor's shape and values at one point of a training run.
public struct TensorSnapshot: Codable, Equatable, Sendable {
    public var shape: [Int]
    public var data: [Double]

    public init(shape: [Int], data: [Double]) {
        self.shape = shape
        self.data = data
    }
}

// Read by the fast path of `TraceDocument.decode(from:)`: see `TraceDocument.init(reading:)`.

extension TensorRecord {
    init(reading json: inout JSONReader) throws {
        var id: Int?, name: String?, tex: String?, role: Role?, shape: [Int]?, data: [Double]?, of: Int?, version: Int?
        var labels: [[String]?]?, tags: [String: JSONValue]?, frozen: Bool?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .id: id = try json.int()
            case .name: name = try json.string()
            case .tex: tex = try json.string()
            case .role: role = try json.enumCase()
            case .shape: shape = try json.array { try $0.int() }
            case .data: data = try json.array { try $0.double() }
            case .of: of = try json.optional { try $0.int() }
            case .version: version = try json.optional { try $0.int() }
            case .labels: labels = try json.optional { try $0.array { try $0.optional { try $0.array { try $0.string() } } } }
            case .tags: tags = try json.optional { try $0.dictionary { try $0.value() } }
            case .frozen: frozen = try json.optional { try $0.bool() }
            case nil: try json.skip()
            }
        }
        guard let id, let name, let tex, let role, let shape, let data else { throw JSONReader.Mismatch() }
        self.init(id: id, name: name, tex: tex, role: role, shape: shape, data: data, of: of, version: version, labels: labels, tags: tags, frozen: frozen)
    }
}

extension TensorSnapshot {
    init(reading json: inout JSONReader) throws {
        var shape: [Int]?, data: [Double]?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .shape: shape = try json.array { try $0.int() }
            case .data: data = try json.array { try $0.double() }
            case nil: try json.skip()
            }
        }
        guard let shape, let data else { throw JSONReader.Mismatch() }
        self.init(shape: shape, data: data)
    }
}
