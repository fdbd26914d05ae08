import Trace

/// What a view draws of a trained model, recomputed at a trainer's snapshots: after an update, the
/// forward pass runs once more on the traced input, on a tape that records nothing and keeps the
/// tensors tagged with the asked quantities (`Tape.keeping`). Each kept tensor goes into the
/// history entry under the name of the traced tensor with the same tags, and is described as an
/// `activation` series carrying those tags, so a view finds it as it finds the traced tensor:
/// by its tags (docs/trace-format.md, "Series"). Public for the loops that train off the tapes
/// (word2vec's epochs), which recompute their traced example the same way.
public struct Activations {
    /// The recording tape: the traced iteration names the tensors.
    let tape: Tape
    /// Keys already taken in the entries (the parameters' names).
    let parameterNames: [String]
    /// The key of each set of tags, decided at the first snapshot.
    private var keys: [[String: JSONValue]: String] = [:]
    /// What an entry is (`iteration`, `epoch`), for the series' `per`.
    let unit: String
    /// One description per key, in the order the forward pass tags them.
    public private(set) var series: [SeriesDescription] = []
    /// The last snapshot's tensors (what one snapshot weighs, for the meter).
    private(set) var lastValues: [Tensor] = []
    /// Set when the forward pass runs on one item of the traced batch alone (1-based; the
    /// segmentation demo's chosen image, since a whole batch's maps weigh N times more): each kept
    /// tensor's first axis, of length 1, is dropped, and the series say `item`.
    public var item: Int?

    public init(tape: Tape, parameterNames: [String], per unit: String = "iteration") {
        self.tape = tape
        self.parameterNames = parameterNames
        self.unit = unit
    }

    /// The tensors tagged with a quantity of `quantities` in a forward pass from `parameters`
    /// (values and names, in the order `loss` binds them), by key.
    public mutating func recompute(
        _ quantities: Set<String>, parameters: [(Tensor, String)], loss: (Tape, [Var]) -> Var
    ) -> [String: TensorSnapshot] {
        let probe = Tape(recording: false)
        probe.keeping = quantities
        _ = loss(probe, parameters.map { probe.parameter($0, name: $1) })
        var snapshots: [String: TensorSnapshot] = [:]
        lastValues = probe.kept.map(\.value)
        for (tags, value) in probe.kept {
            let key = keys[tags] ?? describe(tags)
            if snapshots[key] == nil {
                precondition(item == nil || value.shape.first == 1, "Activations: a forward pass on one item keeps tensors of a batch of one")
                snapshots[key] = TensorSnapshot(shape: item == nil ? value.shape : Array(value.shape.dropFirst()), data: value.scalars)
            }
        }
        return snapshots
    }

    /// A new key for `tags`: the name of the first traced tensor with those tags (or, when no
    /// iteration was traced, the tags written out), made unique among the entry's keys.
    private mutating func describe(_ tags: [String: JSONValue]) -> String {
        let traced = tape.nodes.indices.first { tape.nodes[$0].tags == tags }.map { Var(tape: tape, id: $0).name }
        let base = traced ?? tags.keys.sorted().map { "\($0)=\(Self.text(tags[$0]!))" }.joined(separator: ",")
        var key = base, n = 2
        while parameterNames.contains(key) || keys.values.contains(key) || key == "loss" {
            key = "\(base) (\(n))"
            n += 1
        }
        keys[tags] = key
        let quantity = tags["quantity"].map(Self.text) ?? "tensor"
        series.append(
            SeriesDescription(
                key: key, quantity: "activation", of: quantity, per: unit,
                meaning: "\(base)\(item.map { " of item \($0) of the batch" } ?? "") recomputed on the traced input after the \(unit)'s update",
                tags: tags, item: item))
        return key
    }

    /// A declared value as the key writes it: `cross`, `2`, `true`.
    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): String(b)
        case .double(let d): String(d)
        default: "?"
        }
    }
}
