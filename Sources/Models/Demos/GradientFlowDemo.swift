import Engine
import Trace

/// Vanishing and exploding gradients, made visible: one long sequence through an `rnn` or an
/// `lstm` whose recurrent weights are scaled, with the norm ‖∂Q/∂h_t‖ of every step's state
/// gradient kept in `history`.
///
/// **Loss on the last step only**, Q = Q_T (½‖y_T − target_T‖², or cross-entropy), so the only
/// way from Q back to h_t is through h_{t+1}, …, h_T: ∂Q/∂h_t = (∂h_{t+1}/∂h_t)ᵀ ∂Q/∂h_{t+1}, a
/// product of T − t step Jacobians, and ‖∂Q/∂h_t‖ against t shows that product alone. (With a loss
/// at every step each h_t would also get a fresh term of its own, hiding the decay.) The output
/// layer runs only at step T.
///
/// **weight-scale g** multiplies the recurrent weights — the columns of W_1 that read h_{t−1} (the
/// rnn), of W_f, W_i, W_c, W_o (the lstm) — by g·√3 after they are drawn as in the `rnn` and
/// `lstm` demos (uniform in ±1/√H). Their entries then have standard deviation g/√H, so g is the
/// gain of the recurrent matrix, its spectral radius ≈ g. For the rnn, a step back multiplies the
/// gradient by W_hhᵀ diag(1 − h_t²), whose norm is at most ‖W_hh‖: with g < 1 the gradient
/// shrinks geometrically going back (vanishes); with g > 1 it can grow (explodes) wherever tanh
/// is not saturated. The `rnn` demo's own draw is g = 1/√3 ≈ 0.58.
///
/// **Overflow.** Saturation bounds the growth: at T ≤ 200 a tanh RNN's gradients reach ~1e70, not
/// the 1.8e308 where doubles overflow. Longer sequences get there: `record: history` runs up to
/// T = 1000 without tracing steps (e.g. T = 1000, H = 64, g = 10), and then ∂Q/∂h_t becomes ∞ and
/// NaN (∞ · 0, ∞ − ∞) going back, the parameters' gradients NaN, and the next iteration's loss
/// NaN: `history` carries them as "Infinity" and "NaN".
///
/// **The lstm** carries a second path back through time, the cell state: ∂c_t/∂c_{t−1} includes
/// diag(f_t), so the gradient along it is multiplied by the forget gate, never more than 1, and
/// does not explode however the weights are scaled. At the usual initialization f_t ≈ σ(0) = ½ and
/// it still vanishes; **forget-bias b** adds b to the drawn b_f (Gers et al. 2000; Jozefowicz et
/// al. 2015 suggest 1), so f_t starts near σ(b) and the cell path carries the gradient far back
/// (with b = 5, f_t ≈ 0.99).
///
/// **clip c** clips each parameter's gradient to norm c (op `clip_norm`, phase `update`) before
/// the update; the state gradients in `history` are the unclipped ones.
///
/// History per iteration: `grad_norm_h` ([T]: ‖∂Q/∂h_t‖ for t = 1…T, of that iteration's
/// backward pass), for the lstm also `grad_norm_c` (‖∂Q/∂c_t‖), and the parameters after
/// iterations 1, 2, 5 × 10^k and the last; there a traced lstm's cell wires are recomputed too
/// (`activation` series, for the cell diagram at any snapshotted iteration).
///
/// Random draws: the sequence (as `SequenceTask`; targets are drawn for every step, as in `rnn`,
/// though only target_T is used), then the network's parameters as its own demo draws them.
enum GradientFlow {
    static let maxTracedSteps = 200

    enum Network: String, ParameterChoice { case rnn, lstm }
    enum Record: String, ParameterChoice { case steps, history }

    static let sequence = SequenceInput(
        maxSteps: 1000, steps: ("sequence length T (when inputs and text are not given); over 200 needs record history", 30),
        targets: "the targets, one row per step; only the last enters the loss (default: drawn from the seed)",
        loss: "objective at the last step (default: mse, or cross-entropy with text)")
    static let network = Parameter<Network>("network", "the recurrent network the gradient flows back through", default: .rnn)
    static let hidden = Parameter<Int>("hidden", "hidden state size H", 1...256, default: 32, scales: .size)
    static let weightScale = Parameter<Double>(
        "weight-scale", "gain g of the recurrent weights (std g/√H): below 1 gradients vanish, above 1 they can explode",
        min: 0, max: 100, default: 1)
    static let forgetBias = OptionalParameter<Double>(
        "forget-bias", "lstm only: added to the drawn b_f, so the forget gate starts near σ(bias)", min: -10, max: 10)
    static let clip = OptionalParameter<Double>(
        "clip", "clip each parameter's gradient to this norm before the update (default: no clipping)", min: 0, max: 1e6, minExclusive: true)
    static let record = Parameter<Record>(
        "record", "steps: the first iteration traced step by step (T ≤ 200); history: only the per-iteration history (T ≤ 1000)",
        default: .steps)
    static let training = Training("SGD iterations (each one's gradient norms are kept in history)", 1...500, learningRate: 0.1)

    static let parameters: [any DemoParameters] = [sequence, network, hidden, weightScale, forgetBias, clip, record, training, Common.seed]

    @Sendable static func build(_ config: DemoConfig) throws(DemoError) -> TraceDocument {
        var config = config
        var random = config.generator
        let task = try SequenceTask.make(&config, sequence, using: &random)
        if config[record] == .steps, task.steps > maxTracedSteps {
            throw .conflict(
                "a sequence of \(task.steps) steps is too long to trace step by step (at most \(maxTracedSteps)); "
                    + "add {record} history to keep only the gradient norms, for up to 1000 steps")
        }
        let (H, I, O) = (config[hidden], task.inputSize, task.outputSize)
        let scale = config[weightScale]
        switch config[network] {
        case .lstm:
            let network = LSTM(inputSize: I, hiddenSize: H, outputSize: O)
            // The gates read [h_{t−1}; x_t]: the first H columns of W_f, W_i, W_c, W_o.
            var initial = scaled(network, network.initialParameters(using: &random), columns: 0..<H, by: scale)
            if let bias = config[forgetBias], let b_f = index(of: "b_f", in: network) {
                initial[b_f] = Tensor(shape: initial[b_f].shape, scalars: initial[b_f].scalars.map { $0 + bias })
            }
            return run(network, "LSTM", config: config, task: task, initial: initial, cellState: { $0.c })
        case .rnn:
            if config.given(forgetBias) {
                throw .conflict("{forget-bias} sets the LSTM's forget gate; add {network} lstm or leave it out")
            }
            let network = RNN(inputSize: I, hiddenSize: H, outputSize: O)
            // W_1 reads [x_t; h_{t−1}]: its last H columns.
            let initial = scaled(network, network.initialParameters(using: &random), columns: I..<(I + H), by: scale)
            return run(network, "RNN", config: config, task: task, initial: initial, cellState: { _ in nil })
        }
    }

    /// The position of the parameter named `name` in `network`'s drawing order.
    private static func index(of name: String, in network: some RecurrentNetwork) -> Int? {
        network.recurrentParameters.firstIndex { Direction.oneWay.parameter($0).name == name }
    }

    /// The parameters with the given columns of the recurrent part's matrices (its W's: W_1, or
    /// W_f, W_i, W_c, W_o) multiplied by g·√3.
    static func scaled(_ network: some RecurrentNetwork, _ parameters: [Tensor], columns: Range<Int>, by gain: Double) -> [Tensor] {
        let factor = gain * 3.0.squareRoot()
        var result = parameters
        for index in network.recurrentParameters.indices where network.recurrentParameters[index].symbol == "W" {
            let columnCount = result[index].shape[1]
            for row in 0..<result[index].shape[0] {
                for column in columns { result[index].scalars[row * columnCount + column] *= factor }
            }
        }
        return result
    }

    /// Trains `network` on the last step's loss and writes the trace (or, with `record: history`,
    /// only the history).
    private static func run<Network: RecurrentNetwork>(
        _ network: Network, _ label: String, config: DemoConfig, task: SequenceTask, initial: [Tensor],
        cellState: (Network.State) -> Var?
    ) -> TraceDocument {
        let traced = config[record] == .steps
        let iterations = config[training.iterations]
        let tape = Tape(recording: traced)
        // An lstm's cell diagram follows the history position: its wires recomputed at the snapshots.
        let drawn = traced && network is LSTM ? DrawnQuantities.recurrentCell : []
        var trainer = SGDTrainer(training, config, tracedIterations: traced ? 1 : 0, clipNorm: config[clip], keeping: drawn)
        // The norms it keeps every iteration, one per time step (and the cell state's): the bulk of a long run's history.
        let normSeriesCount = network is LSTM ? 2 : 1
        trainer.observing = (normSeriesCount, normSeriesCount * task.steps)

        var states: [Network.State] = []
        let result = trainer.run(
            on: tape, parameters: network.bind(initial, on: tape).list,
            observe: { gradients in
                var norms = ["grad_norm_h": snapshot(states.map { gradients[network.hidden($0)] })]
                if cellState(states[0]) != nil { norms["grad_norm_c"] = snapshot(states.map { cellState($0).flatMap { gradients[$0] } }) }
                return norms
            },
            loss: { tape, list in
                let inputs = task.bindInputs(on: tape)
                let parameters = OneWayParameters<Network>(list)
                var last: Var?
                states = Array(
                    network.run(inputs, parameters.cell) { t, state in
                        if t == task.steps { last = network.output(network.hidden(state), parameters, step: t) }
                    }.dropFirst())
                return lastStepLoss(last!, task: task, on: tape)
            })

        var title = "Gradient flow through an \(label), H = \(network.hiddenSize), weight scale \(plain(config[weightScale]))"
        title += ": \(task.steps) steps, \(task.loss.rawValue) on the last"
        if let clip = config[Self.clip] { title += ", gradients clipped to norm \(plain(clip))" }
        title += iterations == 1 ? ", one SGD step" : ", \(iterations) SGD iterations"
        var trace =
            traced
            ? tape.trace(title: title, model: "gradient-flow", config: config.values, history: result.history)
            : TraceDocument(
                title: title + " (history only)", model: "gradient-flow", config: config.values, scopes: [], tensors: [],
                steps: [], loss: nil, gradients: [:], history: result.history)
        trace.series = HistorySeries.describe(result.history, per: "iteration", described: normSeries + tape.historySeries)
        return trace
    }

    /// What `observe` keeps in each history entry beside the loss and the parameters.
    private static let normSeries = [
        hiddenNormSeries,
        SeriesDescription(
            key: "grad_norm_c", quantity: "gradient_norm", of: "cell_state", axis: "time_step", per: "iteration",
            meaning: "‖∂Q/∂c_t‖ for t = 1…T in the entry's backward pass"),
    ]

    /// ‖∂Q/∂h_t‖ per time step, each iteration (the sequence demos keep it too).
    static let hiddenNormSeries = SeriesDescription(
        key: "grad_norm_h", quantity: "gradient_norm", of: "hidden_state", axis: "time_step", per: "iteration",
        meaning: "‖∂Q/∂h_t‖ for t = 1…T in the entry's backward pass")

    /// Q = Q_T, in the scope `loss`, named `Q`.
    private static func lastStepLoss(_ y: Var, task: SequenceTask, on tape: Tape) -> Var {
        let T = task.steps
        var target = tape.constant(task.targets[T - 1], name: "target_\(T)", tex: "\\mathrm{target}_{\(T)}").tagged("target", ["t": .int(T)])
        if let vocabulary = task.vocabulary {
            y.labeled([vocabulary, nil])
            target = target.labeled([vocabulary, nil])
        }
        if task.loss == .crossEntropy {
            return tape.scope("loss", kind: .loss, equation: "Q = -\\sum \\mathrm{target}_{\(T)} \\odot \\log \\operatorname{softmax}(y_{\(T)})") {
                softmaxCrossEntropy(logits: y, target: target, axis: 0).named("Q")
            }
        }
        return tape.scope("loss", kind: .loss, equation: "Q = \\tfrac{1}{2} \\lVert y_{\(T)} - \\mathrm{target}_{\(T)} \\rVert^2") {
            halfSquaredError(y, target).named("Q")
        }
    }

    /// The norms of the gradients, in order, as a [T] snapshot (0 where there is none).
    static func snapshot(_ gradients: [Var?]) -> TensorSnapshot {
        TensorSnapshot(shape: [gradients.count], data: gradients.map { $0.map { norm($0.value.scalars) } ?? 0 })
    }

    /// ‖g‖₂, computed as max|gᵢ| · √(Σ (gᵢ / max|gᵢ|)²) so that finite entries beyond 1e154 (whose
    /// squares would overflow) still give a finite norm: ∞ appears only when an entry is ∞.
    /// NaN when an entry is NaN.
    static func norm(_ values: [Double]) -> Double {
        if values.contains(where: \.isNaN) { return .nan }
        let largest = values.reduce(0.0) { max($0, abs($1)) }
        guard largest > 0, largest.isFinite else { return largest }
        var total = 0.0
        for value in values {
            let ratio = value / largest
            total += ratio * ratio
        }
        return largest * total.squareRoot()
    }

    private static func plain(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

extension Demos {
    static let gradientFlow = Demo(
        name: "gradient-flow",
        summary: "Vanishing and exploding gradients: ‖∂Q/∂h_t‖ over a long sequence through an rnn or lstm with scaled recurrent weights",
        parameters: GradientFlow.parameters,
        // The cell view draws an LSTM's traced steps; an rnn's, or a history alone, has none.
        views: SuggestedViews { trace in
            !trace.steps.isEmpty && trace.config["network"]?.stringValue == "lstm" ? ["lstm-cell", "unrolled"] : ["unrolled"]
        },
        build: GradientFlow.build)
}
