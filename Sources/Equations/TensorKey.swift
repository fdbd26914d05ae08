/// A tensor of an equations program: a name and, for an element of a sequence, its index (`h[2]`).
public struct TensorKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var name: String
    public var index: Int?

    public init(_ name: String, _ index: Int? = nil) {
        self.name = name
        self.index = index
    }

    /// As the author writes it: `W`, `h[2]`.
    public var description: String { index.map { "\(name)[\($0)]" } ?? name }

    /// The name in the trace: `W`, `h_2` (the form references to steps and values use).
    public var traceName: String {
        guard let index else { return name }
        return "\(name)_\(index < 0 ? "m\(-index)" : String(index))"
    }

    public static func < (a: TensorKey, b: TensorKey) -> Bool {
        (a.name, a.index ?? Int.min) < (b.name, b.index ?? Int.min)
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
