import Trace

extension Tape {
    /// The trace of everything recorded on this tape.
    /// - Precondition: the tape is recording.
    public func trace(title: String, model: String, config: [String: JSONValue], history: [HistoryEntry]? = nil)
        -> TraceDocument
    {
        precondition(isRecording, "trace(): this tape was made with recording: false")
        let texNames = texNames()
        let tensors = nodes.indices.map { id in
            let node = nodes[id]
            return TensorRecord(
                id: id, name: Var(tape: self, id: id).name, tex: texNames[id].tex, role: node.role, shape: node.value.shape,
                data: node.value.scalars, of: node.of, version: node.version, labels: node.labels, tags: node.tags,
                frozen: node.frozen ? true : nil)
        }
        let steps = recordedSteps.enumerated().map { index, step in
            let node = nodes[step.output]
            return Step(
                index: index, phase: step.phase, op: node.op!.name, inputs: node.inputs, output: step.output,
                attrs: node.op!.attrs, scope: node.scope)
        }
        var gradients: [String: Int] = [:]
        for (id, gradient) in finalGradients { gradients[String(id)] = gradient }
        var document = TraceDocument(
            title: title, model: model, config: config, scopes: scopes, tensors: tensors, steps: steps, loss: lossID,
            gradients: gradients, history: history)
        // What the trainer kept beyond the parameters (the loss and parameter series are added
        // where the demo's views are declared: DemoViews).
        if history != nil, !historySeries.isEmpty { document.series = historySeries }
        return document
    }
}
