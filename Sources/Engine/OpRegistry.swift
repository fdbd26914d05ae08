import Trace

/// Every op kind the engine records, by its trace label: how a recorded step is re-executed.
public enum OpRegistry {
    public static let kinds: [any Op.Type] = [
        MatMul.self,
        Add.self, Sub.self, Mul.self, Div.self,
        Neg.self, Exp.self, Log.self, Sqrt.self, Square.self, Tanh.self, Sigmoid.self, ReLU.self, Scale.self,
        Sum.self, Mean.self, SumTo.self, BroadcastTo.self, Softmax.self, LogSoftmax.self,
        Transpose.self, Reshape.self, Concat.self, Slice.self, Pad.self, Rows.self, RowsBackward.self,
        Where.self,
        SigmoidBackward.self, TanhBackward.self, ReLUBackward.self, SoftmaxBackward.self,
        SGD.self, ClipNorm.self,
    ]

    /// The labels of all op kinds, in the order of the docs' op table.
    public static var names: [String] { kinds.map { $0.name } }

    /// The op a step with this label and attrs recorded.
    public static func op(named name: String, attrs: [String: JSONValue]) throws(OpError) -> any Op {
        guard let kind = kinds.first(where: { $0.name == name }) else {
            throw OpError(op: name, "unknown op (this build knows \(names.joined(separator: ", ")))")
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
