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
    /// iteration's loss in `history` (and the parameters at a few iterations).
    ///
    /// - Parameters:
    ///   - initial: the parameters' starting values, in the order `bind` names them.
    ///   - bind: puts the parameters on a tape, named (`W_1`, `b_1`, …).
    ///   - outputs: y_1…y_T for x_1…x_T, given the bound parameters.
    static func run<Parameters: ParameterSet>(
        title: String, model: String, config: DemoConfig, task: SequenceTask, initial: [Tensor],
        bind: ([Tensor], Tape) -> Parameters, outputs: ([Var], Parameters) -> [Var]
    ) -> TraceDocument {
        let tape = Tape()
        let result = SGDTrainer(training, config, keeping: DrawnQuantities.recurrentCell).run(on: tape, parameters: bind(initial, tape)) { tape, parameters in
            let inputs = task.bindInputs(on: tape)
            let targets = task.bindTargets(on: tape)
            return task.loss(outputs(inputs, parameters), targets)
        }
        return tape.trace(title: title, model: model, config: config.values, history: result.history)
    }

    /// "…, 3 steps, trained for 10 iterations" for titles.
    static func describe(_ task: SequenceTask, _ config: DemoConfig) -> String {
        "\(task.steps) step\(task.steps == 1 ? "" : "s"), \(task.loss.rawValue), \(training.describe(config))"
    }
}
