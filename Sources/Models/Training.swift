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
    /// `tracedIterations` says otherwise), the parameters snapshotted into `history` at the first
    /// and last iterations and about 50 in between, progress reported to the caller's handler.
    init(_ training: Training, _ config: DemoConfig, tracedIterations: Int = 1, clipNorm: Double? = nil) {
        let iterations = config[training.iterations]
        self.init(
            learningRate: config[training.learningRate], iterations: iterations, tracedIterations: tracedIterations,
            clipNorm: clipNorm,
            snapshotAt: { $0 == 1 || $0 == iterations || $0.isMultiple(of: max(1, iterations / 50)) },
            onIteration: config.progress == nil ? nil : { config.report($0, of: iterations, "iterations", loss: $1) })
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
