import Engine
import Trace

extension Demos {
    private typealias p = AttentionParameters

    static let attention = Demo(
        name: "attention",
        summary: "Scaled dot-product attention: S = QKᵀ/√d_k, A = softmax(S) row by row, Z = AV; Q, K, V learnable",
        parameters: [p.tokens, p.keySize, p.valueSize, p.queries, p.keys, p.values, p.causal, AttentionTarget.parameter, p.training, Common.seed],
        views: ["attention"],
        build: { config throws(DemoError) in
            var config = config
            var random = config.generator
            let (queries, keys, values) = (config[p.queries], config[p.keys], config[p.values])
            let keyCount = keys?.count ?? values?.count ?? queries?.count ?? config[p.tokens]
            let queryCount = queries?.count ?? keyCount
            let keySize = queries?[0].count ?? keys?[0].count ?? config[p.keySize]
            let valueSize = values?[0].count ?? config[p.valueSize]
            if let queries, let keys, queries[0].count != keys[0].count {
                throw .conflict("the rows of {queries} have \(queries[0].count) numbers and those of {keys} \(keys[0].count); a query and a key need the same size d_k")
            }
            if let values, values.count != keyCount {
                throw .conflict("{values} has \(values.count) rows but there are \(keyCount) keys; give one value per key")
            }
            let causal = config[p.causal]
            if causal, queryCount != keyCount {
                throw .conflict("{causal} true needs as many queries as keys (one per token); there are \(queryCount) and \(keyCount)")
            }
            config.derive(p.tokens, keyCount)
            config.derive(p.keySize, keySize)
            config.derive(p.valueSize, valueSize)
            let initial = [
                queries.map(Tensor.init(rows:)) ?? .uniform([queryCount, keySize], bound: 1, using: &random),
                keys.map(Tensor.init(rows:)) ?? .uniform([keyCount, keySize], bound: 1, using: &random),
                values.map(Tensor.init(rows:)) ?? .uniform([keyCount, valueSize], bound: 1, using: &random),
            ]
            let target = try AttentionTarget.make(config, rows: queryCount, columns: valueSize, using: &random)
            let tape = Tape()
            let parameters = QueriesKeysValues(zip(["Q", "K", "V"], initial).map { tape.parameter($1, name: $0) })
            let result = SGDTrainer(p.training, config, keeping: DrawnQuantities.attention).run(on: tape, parameters: parameters) { _, bound in
                AttentionTarget.loss(Attention.attend(bound.Q, bound.K, bound.V, causal: causal).Z, target, labels: nil)
            }
            let training = p.training.describe(config)
            return tape.trace(
                title: "\(causal ? "Causal scaled" : "Scaled") dot-product attention, N = \(queryCount), d_k = \(keySize), d_v = \(valueSize): \(training)",
                model: "attention", config: config.values, history: result.history)
        }
    )
}

/// The `attention` demo's parameters.
enum AttentionParameters {
    static let tokens = Parameter<Int>("tokens", "number of tokens N (rows of Q, K and V) when they are not given", 1...TokenEmbedding.maxTokens, default: 3, scales: .size)
    static let keySize = Parameter<Int>("key-size", "d_k, the size of a query and a key", 1...TokenEmbedding.maxDimension, default: 2, scales: .size)
    static let valueSize = Parameter<Int>("value-size", "d_v, the size of a value", 1...TokenEmbedding.maxDimension, default: 2, scales: .size)
    static let queries = matrix("queries", "Q, one query per row (default: drawn from the seed)")
    static let keys = matrix("keys", "K, one key per row (default: drawn from the seed)")
    static let values = matrix("values", "V, one value per row, as many rows as K (default: drawn from the seed)")
    static let causal = Parameter<Bool>("causal", "mask the scores of later tokens (weights exactly 0); needs as many queries as keys", default: false)
    static let training = Training.sgd(on: "Q, K and V")

    /// Rows of numbers, one per token.
    static func matrix(_ name: String, _ summary: String) -> OptionalParameter<[[Double]]> {
        OptionalParameter(name, summary, rows: 1...TokenEmbedding.maxTokens, columns: 1...TokenEmbedding.maxDimension, scales: .size)
    }
}

/// What the `attention` demo trains: Q, K and V themselves.
private struct QueriesKeysValues: ParameterSet {
    let Q, K, V: Var

    var list: [Var] { [Q, K, V] }
    init(_ list: ArraySlice<Var>) {
        var p = ParameterReader(list)
        (Q, K, V) = (p.next(), p.next(), p.next())
    }
}
