import Trace

/// A tensor on a tape: what model code computes with. Ops on `Var`s are recorded.
public struct Var {
    public let tape: Tape
    public let id: Int

    public var value: Tensor { tape.value(id) }
    public var shape: [Int] { value.shape }

    /// Gives the tensor a name and its TeX form for the trace (e.g. `"f_t"`, `"f_{2}"`); returns it.
    /// On a non-recording tape the strings are never built: names are for traces only.
    @discardableResult
    public func named(_ name: @autoclosure () -> String, tex: @autoclosure () -> String? = nil) -> Var {
        guard tape.isRecording else { return self }
        let name = name()
        tape.nodes[id].name = name
        tape.nodes[id].tex = tex() ?? name
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
        tape.accountLabels(labels)
        return self
    }

    /// The tensor's name: as given by `named`, `dQ/dW` for a gradient (Q the loss, W the tensor
    /// it is the gradient of), or the op's label and the id (`matmul_12`).
    public var name: String {
        let node = tape.nodes[id]
        if let name = node.name { return name }
        if node.role == .gradient, let of = node.of, let loss = node.gradientLoss {
            return "d\(Var(tape: tape, id: loss).name)/d\(Var(tape: tape, id: of).name)"
        }
        return "\(node.op?.name ?? "tensor")_\(id)"
    }

    /// The tensor's TeX: as given, `\frac{\partial Q}{\partial W}` for a gradient, or the reading
    /// of the op that made it from its operands' (`f_{2} \odot c_{1}`; see `TeXName`).
    public var tex: String { tape.nodes[id].tex ?? tape.texName(of: id).tex }

    public var role: Role { tape.nodes[id].role }
}

extension String {
    var replacingUnderscores: String { split(separator: "_", omittingEmptySubsequences: false).joined(separator: "\\_") }
}
