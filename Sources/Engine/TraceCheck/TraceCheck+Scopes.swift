import Trace

extension TraceCheck {
    /// The scopes form a tree: following parents from any scope reaches the top level. A cycle
    /// (scope 2's parent is 5, whose parent is 2) would send every reader that walks a scope's
    /// path, such as the viewer's outline, round forever.
    ///
    /// Each scope is visited once: a walk up the parents stops at a scope already known to reach
    /// the top, and meeting a scope of the walk itself is the cycle. Runs after `checkReferences`,
    /// so every parent exists.
    static func checkScopeTree(_ trace: TraceDocument) throws(TraceError) {
        var reachesTop = [Bool](repeating: false, count: trace.scopes.count)
        for start in trace.scopes.indices where !reachesTop[start] {
            var walk: [Int] = [], onWalk: Set<Int> = []
            var current: Int? = start
            while let id = current, !reachesTop[id] {
                if onWalk.contains(id) {
                    let cycle = walk[walk.firstIndex(of: id)!...] + [id]
                    throw TraceError(
                        "the scopes' parents form a cycle: \(cycle.map { "scope \($0)" }.joined(separator: " → ")); "
                            + "following parents must reach the top level (parent null)",
                        at: ["scopes", .index(id), "parent"])
                }
                walk.append(id)
                onWalk.insert(id)
                current = trace.scopes[id].parent
            }
            for id in walk { reachesTop[id] = true }
        }
    }
}
