import Engine
import Trace

/// `train` and `lr`, how a demo trains: declared here once, each demo saying only what differs
/// (what the iterations update, their limit, the learning rate's default).
struct Training: DemoParameters {
    /// `train`: SGD iterations (or, for word2vec, epochs after the traced example).
    let iterations: Parameter<Int>
    /// `lr`: the learning rate of every update.
    let learningRate: Parameter<Double>

    var declarations: [DemoParameter] { [iterations.declaration, learningRate.declaration] }

    /// `givenMatters`: the demo asks whether `train` was given (its default depends on `lr`).
    init(_ summary: String, _ range: ClosedRange<Int>, default iterations: Int = 1, learningRate: Double, givenMatters: Bool = false) {
        self.iterations = Parameter("train", summary, range, default: iterations, scales: .repetitions, givenMatters: givenMatters)
        self.learningRate = Common.learningRate(default: learningRate, givenMatters: givenMatters)
    }

    /// SGD iterations, the first traced step by step: "SGD iterations on Q, K and V (the first is …)".
    static func sgd(on updated: String? = nil, upTo limit: Int = 100_000, learningRate: Double = 0.1) -> Training {
        Training(
            "SGD iterations\(updated.map { " on \($0)" } ?? "") (the first is traced step by step)", 1...limit, learningRate: learningRate)
    }

    /// Epochs with recording off after one traced example: "epochs over the corpus after the traced example (…)".
    static func epochs(over what: String, learningRate: Double) -> Training {
        Training("epochs over \(what) (recording off)", 0...1000, default: 0, learningRate: learningRate)
    }

    /// "one SGD step" or "10 SGD iterations", for titles.
    func describe(_ config: DemoConfig) -> String {
        let iterations = config[self.iterations]
        return iterations == 1 ? "one SGD step" : "\(iterations) SGD iterations"
    }
}

extension SGDTrainer {
    /// The trainer `training`'s parameters ask for: the first iteration traced (unless
    /// `tracedIterations` says otherwise), the parameters snapshotted into `history` after the
    /// iterations of `snapshotted(_:of:)`, with the tensors tagged with a quantity of `keeping`
    /// (what the demo's views draw) recomputed there when it trains more than one iteration,
    /// progress reported to the caller's handler.
    init(_ training: Training, _ config: DemoConfig, tracedIterations: Int = 1, clipNorm: Double? = nil, keeping: Set<String> = []) {
        let iterations = config[training.iterations]
        self.init(
            learningRate: config[training.learningRate], iterations: iterations, tracedIterations: tracedIterations,
            clipNorm: clipNorm,
            snapshotAt: { Self.snapshotted($0, of: iterations) },
            onIteration: config.progress == nil ? nil : { config.report($0, of: iterations, "iterations", loss: $1) })
        // One iteration has no course to follow: its views show the traced step alone.
        self.keeping = iterations > 1 ? keeping : []
    }

    /// Whether iteration `i` of `n` is snapshotted: the first, the last and 1, 2, 5 × 10^k in
    /// between (1, 2, 5, 10, 20, 50, 100, 200, 300 of 300). Early iterations change the model
    /// most, and a log-spaced handful keeps a long run's history light: a page holds it whole.
    static func snapshotted(_ i: Int, of n: Int) -> Bool {
        if i == 1 || i == n { return true }
        var decade = 1
        while decade * 10 <= i { decade *= 10 }
        return i == decade || i == 2 * decade || i == 5 * decade
    }
}

/// What each key of a training `history` holds, as the trace declares it in `series`.
enum HistorySeries {
    /// The loss, then every snapshot key in the order of its first appearance: `described` says
    /// what a key holds (a demo's own measurements, written where it writes them); any other key
    /// is a parameter the trainer snapshotted after the entry's update.
    static func describe(_ history: [HistoryEntry], per unit: String, described: [SeriesDescription] = []) -> [SeriesDescription] {
        var keys: [String] = []
        for entry in history {
            for key in (entry.tensors ?? [:]).keys.sorted() where !keys.contains(key) { keys.append(key) }
        }
        return [SeriesDescription(key: "loss", quantity: "loss", per: unit, meaning: "the loss of the \(unit), before its update")]
            + keys.map { key in
                described.first { $0.key == key }
                    ?? SeriesDescription(key: key, quantity: "parameter", per: unit, meaning: "\(key) after the \(unit)'s update")
            }
    }
}

extension SGDTrainer {
    /// `run` over a network's named parameters: the trainer updates their `list`, and `loss` reads
    /// each iteration's, rebuilt from it, by name.
    func run<Parameters: ParameterSet>(on tape: Tape, parameters: Parameters, loss: (Tape, Parameters) -> Var) -> Result {
        run(on: tape, parameters: parameters.list) { tape, list in loss(tape, Parameters(list)) }
    }
}
