import Engine
import Trace

/// The `multi-head-attention` demo: self-attention over a sentence's tokens with h heads,
/// trained to a seeded target by mean squared error.
///
/// Draw order from `seed`: the embeddings X (`TokenEmbedding`: one row per distinct word), then W_Q, W_K, W_V, W_O
/// (row-major, uniform in ±1/√d_model), then the target T (N×d_model, uniform in [−1, 1)).
/// The loss is L = mean((Z − T)²) over all N·d_model entries; SGD with `lr`, the first
/// iteration traced. `causal: true` masks the future in every head.
extension Demos {
    static let multiHeadAttention = Demo(
        name: "multi-head-attention",
        summary: "Multi-head self-attention over a sentence: per-head Q_i K_iᵀ/√d_k, softmax, A_i V_i, heads joined, times W_O",
        parameters: AttentionInput.parameters + [AttentionInput.heads, AttentionInput.causal, AttentionInput.training, Common.seed],
        views: ["attention"],
        build: { config throws(DemoError) in
            var random = config.generator
            let input = try AttentionInput(config, using: &random)
            let heads = config[AttentionInput.heads]
            try MultiHeadAttention.check(tokens: input.tokens.count, modelSize: input.modelSize, heads: heads)
            let attention = MultiHeadAttention(modelSize: input.modelSize, heads: heads, causal: config[AttentionInput.causal])
            let initial = attention.initialParameters(using: &random)
            let target = Tensor.uniform(input.embeddings.shape, bound: 1, using: &random)

            let tape = Tape()
            let result = SGDTrainer(AttentionInput.training, config, keeping: DrawnQuantities.attention).run(on: tape, parameters: attention.bind(initial, on: tape)) { tape, parameters in
                let X = input.bind(on: tape)
                let T = tape.constant(target, name: "T").labeled([input.tokens, nil])
                let Z = attention(X, parameters, labels: input.tokens)
                return meanSquaredError(Z, T).named("L")
            }
            return tape.trace(
                title: "\(attention.causal ? "Causal multi-head" : "Multi-head") attention, h = \(heads), d_model = \(input.modelSize), \(input.tokens.count) tokens: \(AttentionInput.training.describe(config))",
                model: "multi-head-attention", config: config.values, history: result.history)
        }
    )
}
