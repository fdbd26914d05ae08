/// Which tensors each equation instance reads, and the order they are computed in (a cycle is an error).
extension Resolver {
    // MARK: Dependencies and order

    mutating func findDependencies() {
        var reported: Set<Int> = []
        for i in instances.indices {
            let instance = instances[i]
            let equation = syntax.equations[instance.equation]
            var references = References(resolver: self, substitution: instance.substitution, isLossLine: equation.isLoss)
            references.collect(equation.expression)
            if let problem = references.problem {
                if !reported.contains(instance.equation) {
                    reported.insert(instance.equation)
                    diagnostics.append(problem)
                }
                continue
            }
            instances[i].dependencies = references.keys
        }
    }

    mutating func orderInstances() {
        var indexOf: [TensorKey: Int] = [:]
        for (i, instance) in instances.enumerated() { indexOf[instance.key] = i }
        var waiting = [Int](repeating: 0, count: instances.count)
        var dependents = [[Int]](repeating: [], count: instances.count)
        for (i, instance) in instances.enumerated() {
            for key in Set(instance.dependencies) {
                guard let j = indexOf[key] else { continue }  // a leaf
                waiting[i] += 1
                dependents[j].append(i)
            }
        }
        var ready = ReadyQueue()
        func push(_ i: Int) {
            let own = instances[i].substitution?.value
            let read = instances[i].dependencies.compactMap { indexOf[$0].flatMap { instances[$0].substitution?.value } }.max()
            ready.push(i, index: own ?? read, indexed: own != nil, line: syntax.equations[instances[i].equation].line)
        }
        for i in instances.indices where waiting[i] == 0 { push(i) }
        while !ready.isEmpty {
            let i = ready.pop()
            order.append(instances[i])
            for d in dependents[i] {
                waiting[d] -= 1
                if waiting[d] == 0 { push(d) }
            }
        }
        guard order.count < instances.count else { return }
        // A cycle: walk from a waiting instance along waiting dependencies until one repeats.
        var path: [Int] = []
        var seen: [Int: Int] = [:]
        var current = instances.indices.first { waiting[$0] > 0 }!
        while seen[current] == nil {
            seen[current] = path.count
            path.append(current)
            current = instances[current].dependencies.compactMap { indexOf[$0] }.first { waiting[$0] > 0 }!
        }
        let cycle = path[seen[current]!...] + [current]
        let first = syntax.equations[instances[cycle.first!].equation]
        let steps = cycle.map { instances[$0].key.description }.joined(separator: " → ")
        let lines = Set(cycle.map { syntax.equations[instances[$0].equation].line }).sorted().map(String.init).joined(separator: ", ")
        error(
            first.name.position,
            cycle.count == 2
                ? "\(instances[cycle[0]].key) is computed from itself; a recurrence reads an earlier index (h[t-1])"
                : "these equations depend on each other in a cycle: \(steps) (lines \(lines)); one of them must use an earlier value")
    }
}

/// A min-heap of instances to emit, ordered by (index, indexed first, line): a recurrence unrolls
/// one step at a time (h[1], y[1], h[2], y[2] …), an equation without an index that reads index k
/// comes after that step's own equations (so the step's scope stays whole), and otherwise the text's
/// order is kept.
struct ReadyQueue {
    private var items: [(key: (Int, Int, Int, Int), instance: Int)] = []

    var isEmpty: Bool { items.isEmpty }

    /// `index`: the instance's own index, or for an equation without one the largest index it reads.
    mutating func push(_ instance: Int, index: Int?, indexed: Bool, line: Int) {
        items.append(((index ?? Int.min, indexed ? 0 : 1, line, instance), instance))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].key < items[parent].key else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Int {
        let top = items[0].instance
        items[0] = items[items.count - 1]
        items.removeLast()
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var smallest = parent
            if left < items.count, items[left].key < items[smallest].key { smallest = left }
            if right < items.count, items[right].key < items[smallest].key { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
