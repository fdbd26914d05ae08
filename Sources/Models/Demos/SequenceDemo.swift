import Engine
import Trace

/// The parts of a sequence demo that do not depend on the network: its common parameters and
/// the run (bind the sequence, unroll, sum the step losses, train with SGD, write the trace).
enum SequenceDemo {
    static let hidden = Parameter<Int>("hidden", "hidden state size H", 1...256, default: 2, scales: .size)
    static let training = Training.sgd()

    /// The sequence's parameters, then `hidden`, `train`, `lr` and `seed`.
    static let parameters: [any DemoParameters] = [SequenceInput.standard, hidden, training, Common.seed]

    /// Trains `network` on `task` and returns the trace: the first iteration step by step, every
    /// iteration's loss in `history` (and the parameters at a few iterations, with the cell's wires
    /// recomputed there).
    ///
    /// - Parameters:
    ///   - initial: the parameters' starting values, in the order `bind` names them.
    ///   - bind: puts the parameters on a tape, named (`W_1`, `b_1`, …).
    ///   - outputs: y_1…y_T for x_1…x_T, given the bound parameters.
    ///   - states: h_1…h_T of the last `outputs` call (a one-way network's), whose gradient norms
    ///     every iteration keeps in `history` as `grad_norm_h` when the run trains more than once, so
    ///     the Unrolled view shows ‖∂Q/∂h_t‖ at any iteration (as gradient-flow's do).
    static func run<Parameters: ParameterSet>(
        title: String, model: String, config: DemoConfig, task: SequenceTask, initial: [Tensor],
        bind: ([Tensor], Tape) -> Parameters, outputs: ([Var], Parameters) -> [Var], states: (() -> [Var])? = nil
    ) -> TraceDocument {
        let tape = Tape()
        var trainer = SGDTrainer(training, config, keeping: DrawnQuantities.recurrentCell)
        let states = config[training.iterations] > 1 ? states : nil
        if states != nil { trainer.observing = (1, task.steps) }
        let result = trainer.run(
            on: tape, parameters: bind(initial, tape).list,
            observe: { gradients in
                guard let states else { return [:] }
                return ["grad_norm_h": GradientFlow.snapshot(states().map { gradients[$0] })]
            },
            loss: { tape, list in
                let inputs = task.bindInputs(on: tape)
                let targets = task.bindTargets(on: tape)
                return task.loss(outputs(inputs, Parameters(list[...])), targets)
            })
        if states != nil { tape.historySeries.append(GradientFlow.hiddenNormSeries) }
        return tape.trace(title: title, model: model, config: config.values, history: result.history)
    }

    /// "…, 3 steps, trained for 10 iterations" for titles.
    static func describe(_ task: SequenceTask, _ config: DemoConfig) -> String {
        "\(task.steps) step\(task.steps == 1 ? "" : "s"), \(task.loss.rawValue), \(training.describe(config))"
    }
}
