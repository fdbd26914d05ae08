import Engine
import Equations
import Trace

/// An instructor's own computation: declarations and equations in the notes' notation
/// (docs/equations.md), recorded like any demo. Forward, each equation a scope with its equation;
/// backward from the tensor named `loss` to every parameter and input; then SGD on the parameters
/// (one step, or `train` iterations with the first traced and every one in `history`).
///
/// The default is the notes' neuron written as equations.
extension Demos {
    static let equations = Demo(
        name: "equations",
        summary: "Your own equations (net = W x + b, y = sigmoid(net), loss Q = …): forward, backward, SGD, traced step by step",
        parameters: [EquationsParameters.text, EquationsParameters.file, EquationsParameters.training, EquationsParameters.clip, Common.seed],
        // A recurrence whose states the author tagged (`tag h hidden_state`) is drawn unrolled.
        views: SuggestedViews { trace in
            trace.tensors.contains { $0.tags?["quantity"] == .string("hidden_state") } ? ["unrolled"] : []
        },
        build: buildEquations
    )

    @Sendable static func buildEquations(_ given: DemoConfig) throws(DemoError) -> TraceDocument {
        var config = given
        let p = EquationsParameters.self
        let program = try EquationsParameters.program(&config)
        // Like the neuron demo: one SGD step when there is something to descend, unless `train` says otherwise.
        let canTrain = program.loss != nil && !program.parameters.isEmpty
        let iterations = config.given(p.training.iterations) ? config[p.training.iterations] : canTrain ? 1 : 0
        config.derive(p.training.iterations, iterations)
        guard iterations == 0 || program.loss != nil else {
            throw .conflict("{train} needs a loss to descend: name one in the equations (loss Q = …)")
        }
        guard iterations == 0 || !program.parameters.isEmpty else {
            throw .conflict("{train} updates parameters, and the equations declare none (param W : 2×3)")
        }
        var random = config.generator
        let values = program.values(drawingFrom: &random)
        let tape = Tape()
        let title = "Your equations: \(program.computed.count) tensor\(program.computed.count == 1 ? "" : "s") computed"

        guard iterations > 0 else {
            // The views take a trace's root scopes for its passes (a training iteration each): a
            // recurrence's t = k scopes, whose states a tag shows, go inside one.
            let pass = {
                let bound = program.bind(values, on: tape)
                let computed = program.forward(on: tape, leaves: bound)
                if let loss = program.loss, let Q = computed[loss] { _ = tape.backward(Q) }
            }
            if program.isTagged { tape.scope("forward and backward", pass) } else { pass() }
            return tape.trace(title: title + (program.loss == nil ? ", forward" : ", forward and backward"), model: "equations", config: config.values)
        }
        let bound = program.bind(values, on: tape)
        let parameters = program.parameters.map { bound[$0]! }
        let trainer = SGDTrainer(p.training, config, clipNorm: config[p.clip])
        let result = trainer.run(on: tape, parameters: parameters) { workTape, current in
            let leaves = workTape === tape ? bound.merging(zip(program.parameters, current)) { _, new in new }
                : program.bind(values, on: workTape, parameters: current)
            return program.forward(on: workTape, leaves: leaves)[program.loss!]!
        }
        var trace = tape.trace(title: title + ", " + p.training.describe(config), model: "equations", config: config.values)
        // One step is the trace itself; a history (and its Training tab) starts at two.
        if iterations > 1 {
            trace.history = result.history
            trace.series = HistorySeries.describe(result.history, per: "iteration")
        }
        return trace
    }
}

/// The `equations` demo's parameters.
enum EquationsParameters {
    static let text = Parameter<String>(
        "equations", "declarations and equations, one per line (docs/equations.md), in a directive; on the command line --equations FILE reads them from FILE; default: the notes' neuron",
        length: 1...200_000, default: neuron, scales: .size, givenMatters: true)
    static let file = OptionalParameter<String>.file("equations-file", "a UTF-8 file of equations to read instead of equations (what --equations FILE gives)", scales: .size)
    static let training = Training(
        "SGD iterations on the parameters (default: one when a loss is named and parameters declared; 0 for forward and backward only; the first is traced step by step)", 0...100_000,
        default: 1, learningRate: 0.1, givenMatters: true)

    static let clip = OptionalParameter<Double>(
        "clip", "clip each parameter's gradient to this norm before its update (default: no clipping)", min: 0, max: 1e6, minExclusive: true)

    /// One sigmoid neuron, as the notes' first chapter writes it.
    static let neuron = """
        input x = [1; 2]
        param w = [0.5, 0.25]
        param b = -0.5
        const t = 1
        net = w x + b
        y = sigmoid(net)
        loss Q = 1/2 * (y - t)^2
        """

    /// The program of `equations` or `equations-file` (whose text then stands in `config` as
    /// `equations`, so the trace holds what ran); its errors as one line each.
    static func program(_ config: inout DemoConfig) throws(DemoError) -> EquationProgram {
        var source = config[text]
        var name = "equations"
        if let path = config[file] {
            if config.explicit.contains(text.name) { throw .conflict("give {equations} or {equations-file}, not both") }
            do {
                source = try config.readFile(path)
            } catch {
                throw .conflict("{equations-file}: cannot read '\(path.excerpt)' (\(error))")
            }
            name = "equations-file"
            config.derive(text, source)
        }
        do {
            return try EquationProgram(parsing: source)
        } catch {
            let errors = error.errors
            let more = errors.count > 1 ? " (and \(errors.count - 1) more error\(errors.count == 2 ? "" : "s"))" : ""
            throw .conflict("{\(name)} line \(errors[0].position.line), column \(errors[0].position.column): \(errors[0].message)\(more)")
        }
    }
}
