import Trace

extension TraceCheck {
    /// Every shape is one a tensor may have (`Tensor.checkedCount`: dimensions ≥ 0, at most
    /// `Tensor.maxCount` values, counted with overflow checks) and its data fills it exactly; labels
    /// fit their axes; the loss holds one value; and all values together, history snapshots included,
    /// stay within `limits.values`. After this, replaying a step allocates no more than its recorded
    /// output holds.
    static func checkSizes(_ trace: TraceDocument, limits: TraceLimits) throws(TraceError) {
        var total = 0
        func count(_ shape: [Int], _ data: [Double], at path: JSONPath, _ what: String) throws(TraceError) {
            guard let count = Tensor.checkedCount(of: shape) else {
                throw TraceError("the shape \(describe(shape)) of \(what) \(Tensor.invalidShapeReason)", at: path.appending("shape"))
            }
            guard data.count == count else {
                throw TraceError("\(what) has \(data.count) values, its shape \(describe(shape)) needs \(count)", at: path.appending("data"))
            }
            total += count
            guard total <= limits.values else {
                throw TraceError(
                    "with \(what) the trace holds \(total) values, more than the \(limits.values) a trace may have (TraceLimits)",
                    at: path.appending("data"))
            }
        }
        for (id, record) in trace.tensors.enumerated() {
            let path: JSONPath = ["tensors", .index(id)]
            try count(record.shape, record.data, at: path, "tensor \(id)")
            if let labels = record.labels {
                guard labels.count == record.shape.count else {
                    throw TraceError("tensor \(id) has labels for \(labels.count) axes, its shape has \(record.shape.count)", at: path.appending("labels"))
                }
                for (axis, names) in labels.enumerated() {
                    if let names, names.count != record.shape[axis] {
                        throw TraceError(
                            "tensor \(id) has \(names.count) labels for axis \(axis), which has \(record.shape[axis]) positions",
                            at: path.appending("labels", .index(axis)))
                    }
                }
            }
        }
        if let loss = trace.loss, trace.tensors[loss].data.count != 1 {
            throw TraceError("the loss, tensor \(loss), holds \(trace.tensors[loss].data.count) values; a loss holds one", at: ["loss"])
        }
        for (position, entry) in (trace.history ?? []).enumerated() {
            for (name, snapshot) in (entry.tensors ?? [:]).sorted(by: { $0.key < $1.key }) {
                try count(snapshot.shape, snapshot.data, at: ["history", .index(position), "tensors", .key(name)],
                    "the snapshot \(name) of iteration \(entry.iteration)")
            }
        }
    }
}
