import Trace

extension TraceCheck {
    /// The declared structure has the types readers rely on (docs/trace-format.md, "Declared
    /// structure"): a scope's attributes and a tensor's (or a series') tags are integers, strings or
    /// booleans, tags say their `quantity` as a string, and `views` names no view twice. Kinds,
    /// quantities and view ids outside the documented vocabulary are allowed: a reader that does
    /// not know one leaves it aside.
    static func checkDeclarations(_ trace: TraceDocument) throws(TraceError) {
        for (position, scope) in trace.scopes.enumerated() {
            try checkFlat(scope.attributes, at: ["scopes", .index(position), "attributes"])
        }
        for (position, record) in trace.tensors.enumerated() {
            guard let tags = record.tags else { continue }
            let path: JSONPath = ["tensors", .index(position), "tags"]
            try checkFlat(tags, at: path)
            guard case .string = tags["quantity"] else {
                throw TraceError("tensor \(position)'s tags have no \"quantity\" string; say what the tensor is, e.g. \"quantity\": \"hidden_state\"", at: path)
            }
        }
        for (position, series) in (trace.series ?? []).enumerated() {
            if let item = series.item {
                try checkItem(item, of: series, in: trace, at: ["series", .index(position), "item"])
            }
            guard let tags = series.tags else { continue }
            let path: JSONPath = ["series", .index(position), "tags"]
            try checkFlat(tags, at: path)
            guard case .string = tags["quantity"] else {
                throw TraceError("series \"\(series.key)\"'s tags have no \"quantity\" string; give the tags of the traced tensor it follows, e.g. \"quantity\": \"attention_weights\"", at: path)
            }
        }
        if let views = trace.views, let twice = views.enumerated().first(where: { views[..<$0.offset].contains($0.element) }) {
            throw TraceError("view \"\(twice.element)\" is suggested twice; list each view once", at: ["views", .index(twice.offset)])
        }
    }

    /// An `item` picks one item of the batch of the traced tensor its series follows: 1-based, within
    /// that tensor's first axis (a series whose tensor the trace does not hold is only checked ≥ 1).
    private static func checkItem(_ item: Int, of series: SeriesDescription, in trace: TraceDocument, at path: JSONPath) throws(TraceError) {
        let batch = series.tags.flatMap { tags in trace.tensors.first { $0.tags == tags }?.shape.first }
        guard item >= 1, item <= (batch ?? Int.max) else {
            let range = batch.map { "1…\($0), the first axis of the tensor it follows" } ?? "1 or more"
            throw TraceError("series \"\(series.key)\" keeps item \(item) of its batch; the item is 1-based, in \(range)", at: path)
        }
    }

    private static func checkFlat(_ values: [String: JSONValue]?, at path: JSONPath) throws(TraceError) {
        for key in (values ?? [:]).keys.sorted() {
            switch values![key]! {
            case .int, .string, .bool: continue
            case .double(let x) where x.rounded() == x && abs(x) < 9.0e15: continue  // 2.0 reads back as a double
            default:
                throw TraceError("\"\(key)\" is not an integer, a string or a boolean; declarations hold only those", at: path.appending(.key(key)))
            }
        }
    }
}
