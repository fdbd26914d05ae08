import Engine
import Trace

extension Demos {
    private typealias p = SelfAttentionParameters

    static let selfAttention = Demo(
        name: "self-attention",
        summary: "Self-attention over a sentence: Q = XW_Q, K = XW_K, V = XW_V, Z = softmax(QKᵀ/√d_k)V; causal, or one token at a time with cached keys and values",
        parameters: [
            TokenEmbedding.sentenceParameter, p.dimension, p.keySize, p.valueSize, p.causal, p.incremental, AttentionTarget.parameter,
            p.training, Common.seed,
        ],
        views: ["attention"],
        build: { config throws(DemoError) in
            var config = config
            var random = config.generator
            let incremental = config[p.incremental]
            if incremental, config.given(p.causal), !config[p.causal] {
                throw .conflict("{incremental} true reads each token against the tokens so far, which is causal; leave out {causal} false")
            }
            let causal = incremental || config[p.causal]
            config.derive(p.causal, causal)
            let embedding = try TokenEmbedding(sentence: config[TokenEmbedding.sentenceParameter], dimension: config[p.dimension], using: &random)
            let network = SelfAttention(dimension: embedding.dimension, keySize: config[p.keySize], valueSize: config[p.valueSize])
            let initial = network.initialParameters(using: &random)
            let target = try AttentionTarget.make(config, rows: embedding.count, columns: network.valueSize, using: &random)
            let tape = Tape()
            let result = SGDTrainer(p.training, config, keeping: DrawnQuantities.attention).run(on: tape, parameters: network.bind(initial, on: tape)) { tape, weights in
                let X = embedding.bind(on: tape)
                let Z = incremental
                    ? network.incremental(X, weights, tokens: embedding.tokens).Z
                    : network.full(X, weights, tokens: embedding.tokens, causal: causal).Z
                return AttentionTarget.loss(Z, target, labels: embedding.tokens)
            }
            let mode = incremental ? "one token at a time" : causal ? "causal" : "all tokens"
            let training = p.training.describe(config)
            return tape.trace(
                title: "Self-attention over \"\(embedding.tokens.joined(separator: " "))\", \(mode), d = \(network.dimension), d_k = \(network.keySize), d_v = \(network.valueSize): \(training)",
                model: "self-attention", config: config.values, history: result.history)
        }
    )
}

/// The `self-attention` demo's parameters.
enum SelfAttentionParameters {
    static let dimension = Parameter<Int>("dimension", "d, the size of a token's embedding (a row of X)", 1...TokenEmbedding.maxDimension, default: 4, scales: .size)
    static let keySize = Parameter<Int>("key-size", "d_k, the size of a query and a key", 1...TokenEmbedding.maxDimension, default: 3, scales: .size)
    static let valueSize = Parameter<Int>("value-size", "d_v, the size of a value and of a row of Z", 1...TokenEmbedding.maxDimension, default: 3, scales: .size)
    static let causal = Parameter<Bool>("causal", "mask the scores of later tokens (their weights exactly 0)", default: false, givenMatters: true)
    static let incremental = Parameter<Bool>("incremental", "one token at a time, reusing the keys and values of the tokens before (causal)", default: false)
    static let training = Training.sgd(on: "W_Q, W_K, W_V")
}
