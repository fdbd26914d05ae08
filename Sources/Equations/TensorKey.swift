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
