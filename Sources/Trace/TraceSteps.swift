/// What a step does (`forward`, `backward`, `update`).
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

// Read by the fast path of `TraceDocument.decode(from:)`: see `TraceDocument.init(reading:)`.

extension Step {
    init(reading json: inout JSONReader) throws {
        var index: Int?, phase: Phase?, op: String?, inputs: [Int]?, output: Int?, attrs: [String: JSONValue]?, scope: Int?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .index: index = try json.int()
            case .phase: phase = try json.enumCase()
            case .op: op = try json.string()
            case .inputs: inputs = try json.array { try $0.int() }
            case .output: output = try json.int()
            case .attrs: attrs = try json.dictionary { try $0.value() }
            case .scope: scope = try json.optional { try $0.int() }
            case nil: try json.skip()
            }
        }
        guard let index, let phase, let op, let inputs, let output, let attrs else { throw JSONReader.Mismatch() }
        self.init(index: index, phase: phase, op: op, inputs: inputs, output: output, attrs: attrs, scope: scope)
    }
}

extension HistoryEntry {
    init(reading json: inout JSONReader) throws {
        var iteration: Int?, loss: Double?, traced: Bool?, tensors: [String: TensorSnapshot]?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .iteration: iteration = try json.int()
            case .loss: loss = try json.double()
            case .traced: traced = try json.bool()
            case .tensors: tensors = try json.optional { try $0.dictionary { try TensorSnapshot(reading: &$0) } }
            case nil: try json.skip()
            }
        }
        guard let iteration, let loss, let traced else { throw JSONReader.Mismatch() }
        self.init(iteration: iteration, loss: loss, traced: traced, tensors: tensors)
    }
}
