import Engine
import Trace

/// Scaled dot-product attention, rows are tokens:
///
///     S = Q Kᵀ / √d_k,   A = softmax(S) row by row,   Z = A V,
///
/// with Q N×d_k (one query per row), K M×d_k and V M×d_v (one key and value per token attended
/// to), so S and A are N×M and Z is N×d_v. Row i of A holds the weights with which token i mixes
/// the values: each row sums to 1. With a causal mask, S_masked[i, j] = S[i, j] for j ≤ i and −∞
/// after, so token i's weights on later tokens are exactly 0 (e^{−∞} = 0).
///
/// The notes scale by d_k in one place; the scale is √d_k, as in their formula softmax(QKᵀ/√d_k) V.
enum Attention {
    /// S, A and Z (and the masked scores when `causal`), each named and in its own scope.
    /// `queries` and `keys` label the axes of S and A (the tokens), when known.
    static func attend(_ Q: Var, _ K: Var, _ V: Var, causal: Bool = false, queries: [String]? = nil, keys: [String]? = nil)
        -> (S: Var, A: Var, Z: Var)
    {
        let tape = Q.tape
        let scale = 1 / Double(Q.shape[1]).squareRoot()
        let S = tape.scope("scores", equation: "S = \\frac{Q K^\\top}{\\sqrt{d_k}}, \\quad d_k = \(Q.shape[1])") {
            label((scale * (Q • transpose(K))).named("S").tagged("attention_scores"), [queries, keys])
        }
        let scores =
            causal
            ? tape.scope("causal mask", equation: "\\tilde{S}_{ij} = S_{ij} \\text{ if } j \\le i, \\text{ else } -\\infty") {
                label(
                    masked(S, where: causalMask(Q.shape[0], K.shape[0], on: tape), else: -.infinity)
                        .named("S_masked", tex: "\\tilde{S}"), [queries, keys])
            } : S
        let A = tape.scope("softmax", equation: "A_{ij} = \\frac{e^{\(causal ? "\\tilde{S}" : "S")_{ij}}}{\\sum_k e^{\(causal ? "\\tilde{S}" : "S")_{ik}}}") {
            label(softmax(scores, axis: 1).named("A").tagged("attention_weights"), [queries, keys])
        }
        let Z = tape.scope("weighted sum of values", equation: "Z = A V") {
            label((A • V).named("Z"), [queries, nil])
        }
        return (S, A, Z)
    }

    /// `x` with its axes labelled, or as it is when no axis has labels.
    @discardableResult
    static func label(_ x: Var, _ labels: [[String]?]) -> Var {
        labels.allSatisfy { $0 == nil } ? x : x.labeled(labels)
    }

    /// M, N×M: 1 where j ≤ i (token i may look at token j), 0 after.
    static func causalMask(_ rows: Int, _ columns: Int, on tape: Tape) -> Var {
        let scalars = (0..<rows).flatMap { i in (0..<columns).map { j in j <= i ? 1.0 : 0.0 } }
        return tape.constant(Tensor(shape: [rows, columns], scalars: scalars), name: "M")
    }
}

extension Demos {
    static let attention = Demo(
        name: "attention",
        summary: "Scaled dot-product attention: S = QKᵀ/√d_k, A = softmax(S) row by row, Z = AV; Q, K, V learnable",
        parameters: [
            DemoParameter("tokens", "number of tokens N (rows of Q, K and V) when they are not given", .integer(1...TokenEmbedding.maxTokens), default: 3, scales: .size),
            DemoParameter("key-size", "d_k, the size of a query and a key", .integer(1...TokenEmbedding.maxDimension), default: 2, scales: .size),
            DemoParameter("value-size", "d_v, the size of a value", .integer(1...TokenEmbedding.maxDimension), default: 2, scales: .size),
            DemoParameter("queries", "Q, one query per row (default: drawn from the seed)", .matrix(rows: 1...TokenEmbedding.maxTokens, columns: 1...TokenEmbedding.maxDimension), default: nil, scales: .size),
            DemoParameter("keys", "K, one key per row (default: drawn from the seed)", .matrix(rows: 1...TokenEmbedding.maxTokens, columns: 1...TokenEmbedding.maxDimension), default: nil, scales: .size),
            DemoParameter("values", "V, one value per row, as many rows as K (default: drawn from the seed)", .matrix(rows: 1...TokenEmbedding.maxTokens, columns: 1...TokenEmbedding.maxDimension), default: nil, scales: .size),
            DemoParameter("causal", "mask the scores of later tokens (weights exactly 0); needs as many queries as keys", .choice(["false", "true"]), default: "false"),
            AttentionTarget.parameter,
            DemoParameter("train", "SGD iterations on Q, K and V (the first is traced step by step)", .integer(1...100_000), default: 1, scales: .repetitions),
            CommonParameters.learningRate(default: 0.1),
            CommonParameters.seed,
        ],
        build: { config throws(DemoError) in
            var config = config
            var random = config.generator
            let (queries, keys, values) = (config.matrix("queries"), config.matrix("keys"), config.matrix("values"))
            let keyCount = keys?.count ?? values?.count ?? queries?.count ?? config.int("tokens")
            let queryCount = queries?.count ?? keyCount
            let keySize = queries?[0].count ?? keys?[0].count ?? config.int("key-size")
            let valueSize = values?[0].count ?? config.int("value-size")
            if let queries, let keys, queries[0].count != keys[0].count {
                throw .conflict("the rows of {queries} have \(queries[0].count) numbers and those of {keys} \(keys[0].count); a query and a key need the same size d_k")
            }
            if let values, values.count != keyCount {
                throw .conflict("{values} has \(values.count) rows but there are \(keyCount) keys; give one value per key")
            }
            let causal = config.string("causal") == "true"
            if causal, queryCount != keyCount {
                throw .conflict("{causal} true needs as many queries as keys (one per token); there are \(queryCount) and \(keyCount)")
            }
            config.derive("tokens", .int(keyCount))
            config.derive("key-size", .int(keySize))
            config.derive("value-size", .int(valueSize))
            let initial = [
                queries.map(Tensor.init(rows:)) ?? .uniform([queryCount, keySize], bound: 1, using: &random),
                keys.map(Tensor.init(rows:)) ?? .uniform([keyCount, keySize], bound: 1, using: &random),
                values.map(Tensor.init(rows:)) ?? .uniform([keyCount, valueSize], bound: 1, using: &random),
            ]
            let target = try AttentionTarget.make(config, rows: queryCount, columns: valueSize, using: &random)
            let tape = Tape()
            let parameters = zip(["Q", "K", "V"], initial).map { tape.parameter($1, name: $0) }
            let result = SGDTrainer(demo: config).run(on: tape, parameters: parameters) { _, bound in
                AttentionTarget.loss(Attention.attend(bound[0], bound[1], bound[2], causal: causal).Z, target, labels: nil)
            }
            let training = config.int("train") == 1 ? "one SGD step" : "\(config.int("train")) SGD iterations"
            return tape.trace(
                title: "\(causal ? "Causal scaled" : "Scaled") dot-product attention, N = \(queryCount), d_k = \(keySize), d_v = \(valueSize): \(training)",
                model: "attention", config: config.values, history: result.history)
        }
    )
}
