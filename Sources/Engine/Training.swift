import Trace

/// Trains with plain SGD, tracing only the first iterations.
///
/// The first `tracedIterations` run on the recording tape: their forward, backward and update
/// steps are all in the trace, and each update makes new versions of the parameters. The rest
/// run on a fresh non-recording tape per iteration, so memory stays flat however long the run;
/// they appear only in `history` (the loss of every iteration, and parameter snapshots when asked).
///
/// In a metered run the iterations are one loop of alike rounds for the `Meter`: the first one's
/// work, projected over all of them, and the history they will write are checked before the second
/// starts, and a run over its budget ends the loop.
public struct SGDTrainer {
    public var learningRate: Double
    public var iterations: Int
    public var tracedIterations: Int
    /// When set, each parameter's gradient is clipped to this norm (`clip_norm`) before its update.
    public var clipNorm: Double?
    /// Iterations (1-based) after which every parameter is snapshotted into `history`.
    public var snapshotAt: (Int) -> Bool
    /// Called after every iteration with its number (1-based) and loss: for progress reports.
    public var onIteration: ((Int, Double) -> Void)?
    /// Tag quantities (`attention_weights`, `gate` …) recomputed at every snapshot: after the
    /// iteration's update, the forward pass runs again on a tape that records nothing and keeps
    /// the tensors tagged so, and the entry holds them beside the parameters (see `Activations`).
    public var keeping: Set<String> = []
    /// What `observe` will keep per iteration, when the caller knows it ahead: the meter's
    /// projections before the first iteration has shown it count it (tensors, numbers).
    public var observing: (tensors: Int, numbers: Int) = (0, 0)

    public init(
        learningRate: Double, iterations: Int, tracedIterations: Int = 1, clipNorm: Double? = nil,
        snapshotAt: @escaping (Int) -> Bool = { _ in false }, onIteration: ((Int, Double) -> Void)? = nil
    ) {
        self.clipNorm = clipNorm
        self.onIteration = onIteration
        self.learningRate = learningRate
        self.iterations = iterations
        self.tracedIterations = tracedIterations
        self.snapshotAt = snapshotAt
    }

    public struct Result {
        /// One entry per iteration: the loss computed in it (before its update).
        public var history: [HistoryEntry]
        /// The parameters after the last iteration.
        public var parameters: [Tensor]
    }

    /// Runs the training loop. `loss` builds the forward pass on the tape it is given, from the
    /// parameters bound there (in the order of `parameters`), and returns the scalar loss.
    ///
    /// - Parameters:
    ///   - tape: the recording tape; `parameters` must be on it.
    ///   - iterationScope: names the scope of each traced iteration (e.g. "iteration 1"), or nil for none.
    ///   - observe: reads each iteration's gradients (before clipping) and returns tensors to keep in
    ///     that iteration's history entry, by name (e.g. the norms of ∂L/∂h_t).
    public func run(
        on tape: Tape, parameters: [Var], iterationScope: ((Int) -> String)? = { "iteration \($0)" },
        observe: (Gradients) -> [String: TensorSnapshot] = { _ in [:] },
        loss: (Tape, [Var]) -> Var
    ) -> Result {
        var history: [HistoryEntry] = []
        var activations = Activations(tape: tape, parameterNames: parameters.map(\.name))
        var current = parameters
        let names = parameters.map(\.name)
        var values = parameters.map(\.value)
        // The history is known but for what `observe` keeps, the later traced iterations not at all:
        // both are added once the first iteration shows them.
        let meter = tape.meter
        meter?.beginLoop(rounds: iterations, addingTraceBytes: historyBytes(observed: observing, parameters: values))
        defer { meter?.endLoop() }
        for iteration in stride(from: 1, through: iterations, by: 1) {
            let recordedBefore = meter?.traceBytes ?? 0
            let traced = iteration <= tracedIterations
            let workTape = traced ? tape : Tape(recording: false)
            let bound =
                traced ? current : zip(values, names).map { workTape.parameter($0, name: $1) }
            let (lossValue, updated, observed) =
                if traced, let iterationScope {
                    tape.scope(iterationScope(iteration), kind: .iteration(iteration)) { self.step(workTape, bound, loss, observe) }
                } else {
                    step(workTape, bound, loss, observe)
                }
            if traced { current = updated }
            values = updated.map(\.value)
            let snapshotted = snapshotAt(iteration)
            var snapshots =
                snapshotted
                ? Dictionary(
                    zip(names, values).map { ($0, TensorSnapshot(shape: $1.shape, data: $1.scalars)) },
                    uniquingKeysWith: { first, _ in first })
                : nil
            if !observed.isEmpty { snapshots = (snapshots ?? [:]).merging(observed) { _, seen in seen } }
            // Only at the snapshots: what `observe` keeps makes an entry every iteration.
            if snapshotted, !keeping.isEmpty {
                let kept = activations.recompute(keeping, parameters: zip(values, names).map { ($0, $1) }, loss: loss)
                snapshots = snapshots!.merging(kept) { first, _ in first }
            }
            history.append(HistoryEntry(iteration: iteration, loss: lossValue.value.scalar, traced: traced, tensors: snapshots))
            onIteration?(iteration, lossValue.value.scalar)
            if iteration == 1, let meter {
                let tracedLater = Double(max(min(tracedIterations, iterations) - 1, 0)) * (meter.traceBytes - recordedBefore)
                let kept = (observed.count, observed.values.reduce(0) { $0 + $1.data.count })
                meter.expectLoopTraceBytes(historyBytes(observed: kept, parameters: values + activations.lastValues) + tracedLater)
            }
            guard meter?.finishRound() ?? true else { break }
        }
        tape.historySeries += activations.series
        return Result(history: history, parameters: values)
    }

    /// JSON bytes of the whole history: every entry a loss and what `observe` kept, the
    /// snapshotted ones every parameter too.
    private func historyBytes(observed: (tensors: Int, numbers: Int), parameters: [Tensor]) -> Double {
        let snapshots = (1...max(iterations, 1)).count(where: snapshotAt)
        let entry = HistoryEntry.estimatedBytes(tensors: observed.tensors, numbers: observed.numbers)
        let snapshot = HistoryEntry.estimatedBytes(tensors: parameters.count, numbers: parameters.reduce(0) { $0 + $1.count })
        return Double(iterations) * entry + Double(snapshots) * snapshot
    }

    /// One iteration: forward, backward, (clipping,) update. Returns the loss, the updated
    /// parameters and what `observe` kept.
    private func step(
        _ tape: Tape, _ parameters: [Var], _ loss: (Tape, [Var]) -> Var, _ observe: (Gradients) -> [String: TensorSnapshot]
    ) -> (Var, [Var], [String: TensorSnapshot]) {
        let value = loss(tape, parameters)
        let gradients = tape.backward(value)
        let observed = observe(gradients)
        let used = clipNorm.map { tape.clipGradients(of: parameters, gradients, maxNorm: $0) } ?? gradients
        return (value, tape.sgd(parameters, used, learningRate: learningRate), observed)
    }
}
