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
    ///   - norms: the states of the last `outputs` call whose gradient norms every iteration keeps in
    ///     `history` when the run trains more than once (h_1…h_T as `grad_norm_h`; a bidirectional
    ///     network's two directions; a delay line's ẑ_t), so the Unrolled view shows them at any
    ///     iteration (as gradient-flow's do).
    static func run<Parameters: ParameterSet>(
        title: String, model: String, config: DemoConfig, task: SequenceTask, initial: [Tensor],
        bind: ([Tensor], Tape) -> Parameters, outputs: ([Var], Parameters) -> [Var], norms: [StateNorms] = []
    ) -> TraceDocument {
        let tape = Tape()
        var trainer = SGDTrainer(training, config, keeping: DrawnQuantities.recurrentCell)
        let norms = config[training.iterations] > 1 ? norms : []
        trainer.observing = (norms.count, norms.count * task.steps)
        let result = trainer.run(
            on: tape, parameters: bind(initial, tape).list,
            observe: { gradients in
                Dictionary(uniqueKeysWithValues: norms.map { ($0.series.key, GradientFlow.snapshot($0.states().map { gradients[$0] })) })
            },
            loss: { tape, list in
                let inputs = task.bindInputs(on: tape)
                let targets = task.bindTargets(on: tape)
                return task.loss(outputs(inputs, Parameters(list[...])), targets)
            })
        tape.historySeries += norms.map(\.series)
        return tape.trace(title: title, model: model, config: config.values, history: result.history)
    }

    /// States t = 1…T whose gradient norms ‖∂Q/∂s_t‖ each iteration keeps, as the series `series`
    /// (quantity `gradient_norm`, axis `time_step`) describes them.
    struct StateNorms {
        let series: SeriesDescription
        /// The states of the iteration running, t = 1…T.
        let states: () -> [Var]

        /// h_1…h_T of a one-way network: `grad_norm_h`.
        static func hidden(_ states: @escaping () -> [Var]) -> StateNorms {
            StateNorms(series: GradientFlow.hiddenNormSeries, states: states)
        }

        /// →h_t or ←h_t, t = 1…T, of a bidirectional network's `direction`: `grad_norm_hf`, `grad_norm_hb`,
        /// tagged with the direction its states share.
        static func hidden(_ direction: String, _ states: @escaping () -> [Var]) -> StateNorms {
            let arrow = direction == "forward" ? "→h_t" : "←h_t"
            return StateNorms(
                series: SeriesDescription(
                    key: "grad_norm_h\(direction.prefix(1))", quantity: "gradient_norm", of: "hidden_state", axis: "time_step", per: "iteration",
                    meaning: "‖∂Q/∂\(arrow)‖ of the \(direction) direction for t = 1…T in the entry's backward pass",
                    tags: ["quantity": "hidden_state", "direction": .string(direction)]),
                states: states)
        }

        /// A tapped delay line's ẑ_1…ẑ_T: `grad_norm_zhat`.
        static func delayLine(_ states: @escaping () -> [Var]) -> StateNorms {
            StateNorms(
                series: SeriesDescription(
                    key: "grad_norm_zhat", quantity: "gradient_norm", of: "delay_line_output", axis: "time_step", per: "iteration",
                    meaning: "‖∂Q/∂ẑ_t‖ for t = 1…T in the entry's backward pass"),
                states: states)
        }
    }

    /// "…, 3 steps, trained for 10 iterations" for titles.
    static func describe(_ task: SequenceTask, _ config: DemoConfig) -> String {
        "\(task.steps) step\(task.steps == 1 ? "" : "s"), \(task.loss.rawValue), \(training.describe(config))"
    }
}
