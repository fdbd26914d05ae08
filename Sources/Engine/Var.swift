import Trace

/// A tensor on a tape: what model code computes with. Ops on `Var`s are recorded.
public struct Var {
    public let tape: Tape
    public let id: Int

    public var value: Tensor { tape.value(id) }
    public var shape: [Int] { value.shape }

    /// Gives the tensor a name and its TeX form for the trace (e.g. `"f_t"`, `"f_{2}"`); returns it.
    @discardableResult
    public func named(_ name: String, tex: String? = nil) -> Var {
        tape.nodes[id].name = name
        tape.nodes[id].tex = tex ?? name
        return self
    }

    /// Names the positions along each axis (tokens, vocabulary); `nil` leaves an axis unlabelled.
    @discardableResult
    public func labeled(_ labels: [[String]?]) -> Var {
        precondition(labels.count == shape.count, "labels for \(labels.count) axes on a tensor of rank \(shape.count)")
        for (axis, names) in labels.enumerated() {
            if let names {
                precondition(names.count == shape[axis], "\(names.count) labels for an axis of length \(shape[axis])")
            }
        }
        tape.nodes[id].labels = labels
        return self
    }

    public var name: String { tape.nodes[id].name ?? "\(tape.nodes[id].op?.name ?? "tensor")_\(id)" }
    public var tex: String { tape.nodes[id].tex ?? "\\mathrm{\(name.replacingUnderscores)}" }
    public var role: Role { tape.nodes[id].role }
}

extension String {
    var replacingUnderscores: String { split(separator: "_", omittingEmptySubsequences: false).joined(separator: "\\_") }
}
