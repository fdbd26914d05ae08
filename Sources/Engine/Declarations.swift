import Trace

/// What a scope is, written into the trace as its `kind` and `attributes` so that a reader (the
/// viewer's views, the course's references) finds time steps, cells or heads without parsing the
/// scope's display name. The vocabulary is documented in docs/trace-format.md, "Declared structure".
public struct ScopeKind: Sendable {
    public let name: String
    public let attributes: [String: JSONValue]

    public init(_ name: String, _ attributes: [String: JSONValue] = [:]) {
        self.name = name
        self.attributes = attributes
    }

    /// One traced training iteration, 1-based.
    public static func iteration(_ iteration: Int) -> ScopeKind { ScopeKind("iteration", ["iteration": .int(iteration)]) }
    /// Time step t of a sequence, in `direction` (`forward`, `backward`) when the network reads both ways.
    public static func timeStep(_ t: Int, direction: String? = nil) -> ScopeKind {
        ScopeKind("time_step", ["t": .int(t)].merging(direction.map { ["direction": .string($0)] } ?? [:]) { a, _ in a })
    }
    /// One direction of a bidirectional network: `forward` or `backward`.
    public static func direction(_ direction: String) -> ScopeKind { ScopeKind("direction", ["direction": .string(direction)]) }
    /// A recurrent cell: `rnn`, `lstm` or `gru`; `peephole` for an LSTM whose gates read the cell state.
    public static func cell(_ cell: String, peephole: Bool = false) -> ScopeKind {
        ScopeKind("cell", peephole ? ["cell": .string(cell), "peephole": true] : ["cell": .string(cell)])
    }
    /// A part of a cell: `forget_gate`, `input_gate`, `output_gate`, `update_gate`, `reset_gate`,
    /// `candidate`, `cell_state`, `hidden_state`.
    public static func cellPart(_ part: String) -> ScopeKind { ScopeKind("cell_part", ["part": .string(part)]) }
    /// Layer k of a network, 1-based; `skip` when the layer adds its input to what it computes
    /// (a residual block, y = F(x) + x).
    public static func layer(_ layer: Int, skip: Bool = false) -> ScopeKind {
        ScopeKind("layer", skip ? ["layer": .int(layer), "skip": true] : ["layer": .int(layer)])
    }
    /// One of several ways of computing the same thing, side by side in one trace: `naive` or
    /// `reduced` (an Inception module without or with 1×1 reductions), `plain` or `residual` (a
    /// stack without or with skip connections); `transfer` or `scratch` name the history series of
    /// a network trained from pretrained features or from scratch.
    public static func variant(_ variant: String) -> ScopeKind { ScopeKind("variant", ["variant": .string(variant)]) }
    /// One branch of an Inception module (`1x1`, `3x3`, `5x5`, `pool`), with what it costs: its
    /// learnable parameters and the multiplications of its convolutions for one input.
    public static func branch(_ branch: String, parameters: Int, multiplications: Int) -> ScopeKind {
        ScopeKind("branch", ["branch": .string(branch), "parameters": .int(parameters), "multiplications": .int(multiplications)])
    }
    /// Attention head k, 1-based.
    public static func head(_ head: Int) -> ScopeKind { ScopeKind("head", ["head": .int(head)]) }
    /// The `encoder` or `decoder` of a transformer.
    public static func block(_ block: String) -> ScopeKind { ScopeKind("block", ["block": .string(block)]) }
    /// An attention sublayer: `self`, `masked_self` or `cross`.
    public static func attention(_ attention: String) -> ScopeKind { ScopeKind("attention", ["attention": .string(attention)]) }
    /// A stage of the word2vec pipeline: `hidden_layer`, `output_layer`, `scores`, `error`,
    /// `true_word`, `negatives`.
    public static func stage(_ stage: String) -> ScopeKind { ScopeKind("stage", ["stage": .string(stage)]) }
    /// A normalization layer: `mode` (`batch`, `layer`, `instance`, `group`), `groups` G for group
    /// normalization, and for batch normalization its `phase`: `train` (batch statistics) or `eval`
    /// (running statistics).
    public static func normalization(_ mode: String, groups: Int? = nil, phase: String? = nil) -> ScopeKind {
        var attributes: [String: JSONValue] = ["mode": .string(mode)]
        if let groups { attributes["groups"] = .int(groups) }
        if let phase { attributes["phase"] = .string(phase) }
        return ScopeKind("normalization", attributes)
    }
    /// Where the loss is computed.
    public static let loss = ScopeKind("loss")
    /// A stage of transfer learning: `head` (a new head trained on frozen features) or `fine_tune`
    /// (every layer trained again, at a smaller learning rate).
    public static func trainingStage(_ stage: String) -> ScopeKind { ScopeKind("training_stage", ["training_stage": .string(stage)]) }
}

extension Var {
    /// Declares what the tensor is in the trace's `tags`: its `quantity` (`hidden_state`, `gate`,
    /// `attention_weights`, …) and the context that tells it apart from its siblings (t, direction,
    /// head, gate, …), so a reader finds it without its name. A non-recording tape skips it, as `named` does,
    /// unless it keeps that quantity (`Tape.keeping`): then it keeps the tags and the value.
    @discardableResult
    public func tagged(_ quantity: String, _ context: @autoclosure () -> [String: JSONValue] = [:]) -> Var {
        guard tape.isRecording else {
            if tape.keeping.contains(quantity) {
                var tags = context()
                tags["quantity"] = .string(quantity)
                tape.kept.append((tags, value))
            }
            return self
        }
        var tags = context()
        tags["quantity"] = .string(quantity)
        tape.nodes[id].tags = tags
        tape.accountTags(tags)
        return self
    }
}
