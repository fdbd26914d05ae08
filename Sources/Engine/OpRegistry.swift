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

    /// The arithmetic a step's replay takes (`Op.work`), from its recorded tensors, without running it.
    public static func work(of step: Step, in trace: TraceDocument) throws(OpError) -> Double {
        let op = try op(named: step.op, attrs: step.attrs)
        let (inputs, output) = (try recordedInputs(of: step, in: trace), trace.tensors[step.output])
        return op.work(inputs, Tensor(shape: output.shape, scalars: output.data))
    }

    /// Re-executes a recorded step of `trace` from its input tensors and attrs. Safe on any trace:
    /// a missing tensor, a shape its data does not fill, or attrs that ask for an absurd output are
    /// errors, and nothing larger than `Tensor.maxCount` values is allocated.
    public static func replay(_ step: Step, in trace: TraceDocument) throws(OpError) -> Tensor {
        let op = try op(named: step.op, attrs: step.attrs)
        return try op.forward(try recordedInputs(of: step, in: trace))
    }

    /// A step's input tensors as the trace records them; an error for a missing or ill-filled one.
    private static func recordedInputs(of step: Step, in trace: TraceDocument) throws(OpError) -> [Tensor] {
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
        return inputs
    }
}
