extension Resolver {
    /// Two tensors the trace would name alike — `x_1` declared, and `x[1]` of a sequence x (both
    /// `x_1`) — are an error: the notes refer to a traced value by its name, which could not tell
    /// them apart.
    mutating func checkTraceNames() {
        let defined = leaves.map { ($0.key, $0.position) } + instances.map { ($0.key, syntax.equations[$0.equation].name.position) }
        var seen: [String: TensorKey] = [:]
        for (key, position) in defined {
            if let other = seen[key.traceName], other != key {
                error(position, "\(key) and \(other) would both be named \(key.traceName) in the trace; rename one")
                continue
            }
            seen[key.traceName] = key
        }
    }
}
