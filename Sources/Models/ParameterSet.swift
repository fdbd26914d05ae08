import Engine

/// A network's parameters as fields named as in its equations (`W_f`, `b_f`), so its forward code
/// reads like them. The trainer updates a flat list: `list` gives the parameters in the order they
/// are drawn, bound and updated (docs/models.md), and `init` rebuilds the set from such a list,
/// the two side by side in each network's set.
public protocol ParameterSet {
    /// Every parameter, in drawing, binding and update order.
    var list: [Var] { get }

    /// The set from exactly its parameters, in `list` order.
    init(_ list: ArraySlice<Var>)
}

extension ParameterSet {
    public init(_ list: [Var]) { self.init(list[...]) }
}

/// Reads a parameter list front to back, one part at a time: how a set made of other sets
/// (an encoder layer's attention, norms and feed-forward network) rebuilds its parts.
struct ParameterReader {
    private var rest: ArraySlice<Var>

    init(_ list: ArraySlice<Var>) { rest = list }

    /// The next `count` parameters as a set.
    mutating func next<Part: ParameterSet>(_ count: Int) -> Part {
        defer { rest = rest.dropFirst(count) }
        return Part(rest.prefix(count))
    }

    /// The next parameter.
    mutating func next() -> Var { rest.removeFirst() }
}
