import Trace

/// Records a computation: every tensor it creates and every op that produced one.
///
/// A recording tape (the default) keeps scopes, names and one step per op, and can be turned
/// into a `TraceDocument`. A tape made with `recording: false` computes the same values and
/// gradients but records no steps and no scopes: use a fresh one per training iteration when
/// only the numbers are wanted (see `SGDTrainer`).
///
/// Tensor ids are positions on the tape, so they are a topological order: every op's inputs
/// come before its output. Reverse mode walks the ids backwards, with no recursion.
///
/// A tape made inside a metered run (`Meter.current`) counts what it records, holds and computes
/// against that run's budget (see `Tape+Cost.swift`).
public final class Tape {
    public let isRecording: Bool
    /// The run's meter, if the tape was made inside one.
    let meter: Meter?
    /// Bytes of the tensor values this tape holds.
    var heldBytes = 0.0
    /// The phase new steps are recorded in (read at every recorded step: unchecked, as `nodes` is).
    @exclusivity(unchecked) public internal(set) var phase: Phase = .forward

    struct Node {
        var value: Tensor
        var op: (any Op)?
        var inputs: [Int]
        var requiresGradient: Bool
        var scope: Int?
        var name: String?
        var tex: String?
        var role: Role
        var of: Int?
        var version: Int?
        var labels: [[String]?]?
        var tags: [String: JSONValue]?
        /// For a gradient: the loss of the backward pass that computed it.
        var gradientLoss: Int?
        /// A parameter that training holds fixed (see `parameter(_:name:tex:frozen:)`).
        var frozen = false
    }

    struct RecordedStep {
        let output: Int
        let phase: Phase
    }

    /// Not checked for exclusive access at run time: every op reads and appends it, and the checks
    /// (a thread-local set per access) cost about 4 % of a small network's iteration in a profile.
    /// No code holds an access to it across a call that changes it, which the checks would trap.
    /// The same holds for the other stores a recording tape touches at every op or scope (about
    /// 2 % of a small network's recorded iteration was their checks).
    @exclusivity(unchecked) var nodes: [Node] = []
    @exclusivity(unchecked) var recordedSteps: [RecordedStep] = []
    @exclusivity(unchecked) var scopes: [Scope] = []
    @exclusivity(unchecked) var currentScope: Int?
    var lossID: Int?
    /// The recorded transpose of each tensor that has one (see `transpose(_:)`).
    @exclusivity(unchecked) var transposes: [Int: Int] = [:]
    /// Final gradient per parameter/input id, from the latest `backward`.
    var finalGradients: [Int: Int] = [:]
    /// On a tape that does not record: the tag quantities whose tensors `tagged` keeps in `kept`,
    /// so a trainer can recompute what a view draws (attention maps, gates) after an update.
    public var keeping: Set<String> = []
    /// The tensors tagged with a quantity of `keeping`, in the order they were tagged.
    public internal(set) var kept: [(tags: [String: JSONValue], value: Tensor)] = []
    /// Series the trainer describes for the history keys it adds (`trace()` writes them).
    public var historySeries: [SeriesDescription] = []

    public init(recording: Bool = true) {
        self.isRecording = recording
        self.meter = Meter.current
    }

    /// Number of tensors on the tape.
    public var tensorCount: Int { nodes.count }
    /// Number of recorded steps.
    public var stepCount: Int { recordedSteps.count }

    // MARK: Leaves

    /// A learnable tensor: gets a gradient and can be updated by `sgd`. A `frozen` one (a
    /// pretrained layer while a new head trains) is still a parameter of the network, but it gets
    /// no gradient, so backward stops before it and `sgd` leaves it alone; the trace says so
    /// (`frozen: true`).
    public func parameter(_ value: Tensor, name: String, tex: String? = nil, frozen: Bool = false) -> Var {
        let p = leaf(value, name: name, tex: tex, role: .parameter, requiresGradient: !frozen)
        nodes[p.id].frozen = frozen
        return p
    }

    /// Data fed to the network. Gets a gradient unless `requiresGradient` is false.
    public func input(_ value: Tensor, name: String, tex: String? = nil, requiresGradient: Bool = true) -> Var {
        leaf(value, name: name, tex: tex, role: .input, requiresGradient: requiresGradient)
    }

    /// A fixed tensor (targets, masks, literal numbers): never gets a gradient.
    public func constant(_ value: Tensor, name: String, tex: String? = nil) -> Var {
        leaf(value, name: name, tex: tex, role: .constant, requiresGradient: false)
    }

    func leaf(_ value: Tensor, name: String?, tex: String?, role: Role, requiresGradient: Bool) -> Var {
        nodes.append(
            Node(
                value: value, op: nil, inputs: [], requiresGradient: requiresGradient, scope: currentScope, name: name,
                tex: tex ?? name, role: role))
        account(value, work: 0, isStep: false)
        return Var(tape: self, id: nodes.count - 1)
    }

    // MARK: Ops

    /// Runs `op` on `inputs` and records the step, or throws naming the op, the scope and the shapes.
    public func tryApply(_ op: any Op, _ inputs: [Var]) throws(OpError) -> Var {
        for input in inputs {
            precondition(input.tape === self, "\(op.name): an input belongs to another tape")
        }
        var values: [Tensor] = []
        var ids: [Int] = []
        values.reserveCapacity(inputs.count)
        ids.reserveCapacity(inputs.count)
        var requiresGradient = false
        for input in inputs {
            values.append(nodes[input.id].value)
            ids.append(input.id)
            requiresGradient = requiresGradient || nodes[input.id].requiresGradient
        }
        let value: Tensor
        do {
            value = try op.forward(values)
        } catch {
            var located = error
            located.scope = scopePath
            throw located
        }
        nodes.append(
            Node(
                value: value, op: op, inputs: ids, requiresGradient: requiresGradient, scope: currentScope,
                role: .activation))
        let id = nodes.count - 1
        if isRecording { recordedSteps.append(RecordedStep(output: id, phase: phase)) }
        if meter != nil { account(value, work: op.work(values, value), isStep: true) }
        return Var(tape: self, id: id)
    }

    /// Runs `op` on `inputs`. A shape mismatch is a programming error: it stops with the message of `tryApply`.
    public func apply(_ op: any Op, _ inputs: [Var]) -> Var {
        do {
            return try tryApply(op, inputs)
        } catch {
            fatalError(error.description)
        }
    }

    // MARK: Scopes

    /// Runs `body` inside a named scope; steps recorded there belong to it. Scopes nest.
    /// `kind` declares what the scope is (see `ScopeKind`). A non-recording tape runs `body` alone,
    /// without building the name, the kind or the equation.
    public func scope<T>(
        _ name: @autoclosure () -> String, kind: @autoclosure () -> ScopeKind? = nil,
        equation: @autoclosure () -> String? = nil, _ body: () throws -> T
    ) rethrows -> T {
        guard isRecording else { return try body() }
        let parent = currentScope
        let kind = kind()
        scopes.append(
            Scope(id: scopes.count, name: name(), parent: parent, equation: equation(), kind: kind?.name, attributes: kind?.attributes))
        accountScope(scopes[scopes.count - 1])
        currentScope = scopes.count - 1
        defer { currentScope = parent }
        return try body()
    }

    /// The names of the enclosing scopes, outermost first, joined by ` › `.
    public var scopePath: String {
        var names: [String] = []
        var scope = currentScope
        while let id = scope {
            names.append(scopes[id].name)
            scope = scopes[id].parent
        }
        return names.reversed().joined(separator: " › ")
    }

    func value(_ id: Int) -> Tensor { nodes[id].value }
}
