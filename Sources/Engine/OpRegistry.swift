import Trace

/// Every op kind the engine records, by its trace label: how a recorded step is re-executed.
public enum OpRegistry {
    /// Each family of ops lists its kinds in its own file (Ops/): a new op is registered where
    /// it is written. The families come in the order of the docs' op table.
    public static let kinds: [any Op.Type] = linearAlgebra + elementwise + reductions + shape + convolution + localDerivatives + update

    /// The labels of all op kinds, in the order of the docs' op table.
    public static var names: [String] { kinds.map { $0.name } }

    /// The op a step with this label and attrs recorded.
    public static func op(named name: String, attrs: [String: JSONValue]) throws(OpError) -> any Op {
        guard let kind = kinds.first(where: { $0.name == name }) else {
            throw OpError(op: name, "unknown op (this build knows \(names.joined(separator: ", ")))")
        }
        let declared = kind.attributes.map(\.key)
        if let unknown = attrs.keys.sorted().first(where: { !declared.contains($0) }) {
            let takes = declared.isEmpty ? "takes no attributes" : "takes \(declared.joined(separator: ", "))"
            throw OpError(op: name, "unknown attribute '\(unknown)' (\(name) \(takes))")
        }
        return try kind.init(attrs: attrs)
    }

    /// Re-executes a recorded step of `trace` from its input tensors and attrs. Safe on any trace:
    /// a missing tensor, a shape its data does not fill, or attrs that ask for an absurd output are
    /// errors, and nothing larger than `Tensor.maxCount` values is allocated.
    public static func replay(_ step: Step, in trace: TraceDocument) throws(OpError) -> Tensor {
        let op = try op(named: step.op, attrs: step.attrs)
        var inputs: [Tensor] = []
        for id in step.inputs {
            guard trace.tensors.indices.contains(id) else {
                throw OpError(op: step.op, "step \(step.index) reads tensor \(id), which the trace does not have")
            }
            let record = trace.tensors[id]
            guard Tensor.checkedCount(of: record.shape) == record.data.count else {
                throw OpError(op: step.op, "tensor \(id) has \(record.data.count) values for shape \(describe(record.shape))")
            }
            inputs.append(Tensor(shape: record.shape, scalars: record.data))
        }
        return try op.forward(inputs)
    }
}
