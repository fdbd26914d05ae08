import Engine

extension SGDTrainer {
    /// The trainer a demo's `train` and `lr` parameters ask for: the first iteration traced
    /// (unless `tracedIterations` says otherwise), the parameters snapshotted into `history`
    /// at the first and last iterations and about 50 in between, progress reported to the
    /// caller's handler.
    init(demo config: DemoConfig, tracedIterations: Int = 1, clipNorm: Double? = nil) {
        let iterations = config.int("train")
        self.init(
            learningRate: config.double("lr"), iterations: iterations, tracedIterations: tracedIterations,
            clipNorm: clipNorm,
            snapshotAt: { $0 == 1 || $0 == iterations || $0.isMultiple(of: max(1, iterations / 50)) },
            onIteration: config.progress == nil ? nil : { config.report($0, of: iterations, "iterations", loss: $1) })
    }
}
