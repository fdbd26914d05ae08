import Trace

extension TraceCheck {
    /// Ids are positions (`tensors[i].id == i`, likewise scopes and step indices), and every id the
    /// trace names exists: step inputs and outputs, scopes and their parents, `of`, `loss` and both
    /// sides of `gradients`. Inputs come before the output they make (so no step reads its own
    /// output), and no tensor is made twice. (`history` names tensors by name, not by id.)
    static func checkReferences(_ trace: TraceDocument) throws(TraceError) {
        let tensors = trace.tensors.count, scopes = trace.scopes.count
        func tensor(_ id: Int, at path: JSONPath, _ role: String) throws(TraceError) {
            guard (0..<tensors).contains(id) else {
                throw TraceError("\(role) tensor \(id), which the trace does not have (it has \(tensors) tensors)", at: path)
            }
        }
        for (position, scope) in trace.scopes.enumerated() {
            guard scope.id == position else {
                throw TraceError("scope \(position) has id \(scope.id); a scope's id is its position", at: ["scopes", .index(position), "id"])
            }
            if let parent = scope.parent, !(0..<scopes).contains(parent) {
                throw TraceError(
                    "the parent of scope \(position) is scope \(parent), which the trace does not have (it has \(scopes) scopes)",
                    at: ["scopes", .index(position), "parent"])
            }
        }
        for (position, record) in trace.tensors.enumerated() {
            guard record.id == position else {
                throw TraceError("tensor \(position) has id \(record.id); a tensor's id is its position", at: ["tensors", .index(position), "id"])
            }
            if let of = record.of { try tensor(of, at: ["tensors", .index(position), "of"], "tensor \(position) is of") }
        }
        var madeBy: [Int: Int] = [:]
        for (position, step) in trace.steps.enumerated() {
            let path: JSONPath = ["steps", .index(position)]
            guard step.index == position else {
                throw TraceError("step \(position) has index \(step.index); a step's index is its position", at: path.appending("index"))
            }
            try tensor(step.output, at: path.appending("output"), "step \(position) makes")
            if let earlier = madeBy.updateValue(position, forKey: step.output) {
                throw TraceError("step \(position) makes tensor \(step.output), which step \(earlier) made already", at: path.appending("output"))
            }
            for (k, input) in step.inputs.enumerated() {
                try tensor(input, at: path.appending("inputs", .index(k)), "step \(position) reads")
                guard input < step.output else {
                    throw TraceError(
                        "step \(position) reads tensor \(input) to make tensor \(step.output); inputs come before the output",
                        at: path.appending("inputs", .index(k)))
                }
            }
            if let scope = step.scope, !(0..<scopes).contains(scope) {
                throw TraceError("step \(position) is in scope \(scope), which the trace does not have (it has \(scopes) scopes)", at: path.appending("scope"))
            }
        }
        if let loss = trace.loss { try tensor(loss, at: ["loss"], "the loss is") }
        for (key, gradient) in trace.gradients.sorted(by: { $0.key < $1.key }) {
            guard let id = Int(key), String(id) == key else {
                throw TraceError("the key \"\(key)\" is not a tensor id (a decimal integer)", at: ["gradients", .key(key)])
            }
            try tensor(id, at: ["gradients", .key(key)], "gradients has a key for")
            try tensor(gradient, at: ["gradients", .key(key)], "the gradient of tensor \(id) is")
        }
    }
}
