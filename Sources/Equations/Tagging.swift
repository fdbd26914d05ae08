import Engine
import Trace

/// `tag h hidden_state`: the author says what a sequence is, in the trace's declared vocabulary,
/// so that the viewer's views find it by its tag and not by its name (docs/trace-format.md,
/// "Declared structure"). Each tensor h[t] is tagged with its index as `t`: a recurrence written
/// as equations, its states tagged, gets the Unrolled view (the cells t = 1…T and the gradient
/// norm per time step), as the rnn demo does.
enum Tagging {
    /// The quantities a tag may give, with what each means to the viewer.
    static let quantities: [String: String] = [
        "hidden_state": "the state a recurrence carries from one time step to the next (the Unrolled view)",
        "cell_state": "an LSTM's cell state",
    ]
}

extension Resolver {
    /// Every `tag` names a sequence defined in the program and a quantity of `Tagging.quantities`;
    /// a sequence is tagged once.
    mutating func readTags() {
        for tag in syntax.tags {
            guard let description = Tagging.quantities[tag.quantity.value] else {
                let near = suggestion(for: tag.quantity.value, in: Array(Tagging.quantities.keys))
                error(
                    tag.quantity.position,
                    "unknown tag '\(tag.quantity.value.prefix(40))'" + (near.map { "; did you mean \($0)?" } ?? "")
                        + " (tags: \(Tagging.quantities.keys.sorted().joined(separator: ", ")))")
                continue
            }
            _ = description
            guard let kind = kinds[tag.name.value] else {
                let near = suggestion(for: tag.name.value, in: Array(kinds.keys))
                error(tag.name.position, "unknown name '\(tag.name.value.prefix(40))'" + (near.map { "; did you mean '\($0)'?" } ?? ""))
                continue
            }
            guard kind.sequence else {
                error(tag.name.position, "\(tag.name.value) is a single tensor; a tag gives each element of a sequence its index t, so tag a sequence (h[t])")
                continue
            }
            guard tags[tag.name.value] == nil else {
                error(tag.name.position, "\(tag.name.value) is tagged twice; give it one tag")
                continue
            }
            tags[tag.name.value] = tag.quantity.value
        }
    }
}

extension EquationProgram {
    /// `var` with the tag its sequence was given, if any (`hidden_state` with `t`).
    func tagged(_ variable: Var, _ key: TensorKey) -> Var {
        guard let quantity = tags[key.name], let index = key.index else { return variable }
        return variable.tagged(quantity, ["t": .int(index)])
    }

    /// Whether the program tags a sequence (`tag h hidden_state`).
    public var isTagged: Bool { !tags.isEmpty }
}
