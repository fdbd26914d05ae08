import Engine
import Trace

/// The declared structure (docs/trace-format.md, "Declared structure") as the recurrent models
/// write it: a time-indexed tensor is tagged with its t and, for a bidirectional network, its direction.
extension Direction {
    /// The direction as a trace declares it: none for a one-way network.
    var declared: String? {
        switch self {
        case .oneWay: nil
        case .forward: "forward"
        case .backward: "backward"
        }
    }

    /// The tags' context of a tensor of time step `t` read in this direction, plus `more`.
    func at(_ t: Int, _ more: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var context = more
        context["t"] = .int(t)
        if let declared { context["direction"] = .string(declared) }
        return context
    }

    /// The kind of the scope of time step `t` read in this direction.
    func timeStep(_ t: Int) -> ScopeKind { .timeStep(t, direction: declared) }
}

extension MultiHeadAttention {
    /// Which attention a head's weights belong to, for the tags of A_i and the `attention` scope:
    /// `block` (encoder, decoder) when the network has several blocks, and `attention` (self,
    /// masked_self, cross).
    var declaredContext: [String: JSONValue] {
        let attention: JSONValue = tag == "cross" ? "cross" : causal ? "masked_self" : "self"
        switch tag {
        case "enc": return ["block": "encoder", "attention": attention]
        case "dec", "cross": return ["block": "decoder", "attention": attention]
        default: return ["attention": attention]
        }
    }
}
