import Engine
import Trace

/// The `transformer-encoder` demo: one encoder layer over a sentence's tokens, trained to a
/// seeded target by mean squared error.
///
///     X_P = X + P,   H_1 = LN_1(X_P + MultiHead(X_P)),   H_2 = LN_2(H_1 + FFN(H_1)),
///     L = mean((H_2 − T)²)
///
/// Draw order from `seed`: the embeddings X (as `multi-head-attention`), W_Q, W_K, W_V, W_O
/// (±1/√d_model), W_1, b_1 (±1/√d_model), W_2, b_2 (±1/√d_ff), then T (N×d_model, [−1, 1)).
/// γ_1, γ_2 start at 1 and β_1, β_2 at 0. SGD with `lr`, the first iteration traced.
///
/// `loss: next-token` instead predicts each token's successor: logits Y = H_2 W_out + b_out
/// (N×V over the sentence's vocabulary; W_out d_model×V and b_out 1×V drawn in place of T,
/// uniform in ±1/√d_model), rows 1…N−1 of Y (`Y_pred`) against the one-hot next tokens T
/// ((N−1)×V), L = −(1/(N−1)) Σ T ⊙ log softmax(Y_pred) row by row. Without `causal: true`
/// position i can read token i+1 itself.
/// `causal: true` masks the future in the self-attention (a decoder-style block).
extension Demos {
    static let transformerEncoder = Demo(
        name: "transformer-encoder",
        summary: "One transformer encoder layer: positional encoding, multi-head self-attention, residual + layer norm, ReLU feed-forward, residual + layer norm",
        parameters: AttentionInput.parameters + [
            AttentionInput.heads, TransformerParameters.feedForwardSize, AttentionInput.causal, TransformerParameters.loss,
            AttentionInput.training, Common.seed,
        ],
        views: ["attention"],
        build: { config throws(DemoError) in
            var random = config.generator
            let input = try AttentionInput(config, using: &random)
            let (d, heads) = (input.modelSize, config[AttentionInput.heads])
            try MultiHeadAttention.check(tokens: input.tokens.count, modelSize: d, heads: heads)
            if config[TransformerParameters.loss] == .nextToken { return try nextTokenEncoder(config, input, using: &random) }
            let layer = EncoderLayer(
                modelSize: d, heads: heads, feedForwardSize: config[TransformerParameters.feedForwardSize], causal: config[AttentionInput.causal])
            let initial = layer.initialParameters(using: &random)
            let target = Tensor.uniform(input.embeddings.shape, bound: 1, using: &random)

            let tape = Tape()
            let result = SGDTrainer(AttentionInput.training, config, keeping: DrawnQuantities.attention).run(on: tape, parameters: layer.bind(initial, on: tape)) { tape, parameters in
                let H_2 = layer(positioned(input, on: tape), parameters, labels: input.tokens)
                let T = tape.constant(target, name: "T").labeled([input.tokens, nil])
                return meanSquaredError(H_2, T).named("L")
            }
            return tape.trace(
                title: "Transformer encoder layer\(layer.attention.causal ? " (causal)" : ""), h = \(heads), d_model = \(d), d_ff = \(config[TransformerParameters.feedForwardSize]), \(input.tokens.count) tokens: \(AttentionInput.training.describe(config))",
                model: "transformer-encoder", config: config.values, history: result.history)
        }
    )

    /// X_P = X + P, in the scope `positional encoding`.
    private static func positioned(_ input: AttentionInput, on tape: Tape) -> Var {
        let X = input.bind(on: tape)
        let P = PositionalEncoding.bind(tokens: input.tokens, modelSize: input.modelSize, on: tape)
        return tape.scope(
            "positional encoding",
            equation: "X_P = X + P,\\; P_{p,2i} = \\sin(p / 10000^{2i/d}),\\; P_{p,2i+1} = \\cos(p / 10000^{2i/d})"
        ) {
            (X + P).named("X_P").labeled([input.tokens, nil])
        }
    }

    /// The `loss: next-token` run of `transformer-encoder` (see above).
    private static func nextTokenEncoder(_ config: DemoConfig, _ input: AttentionInput, using random: inout SeededGenerator)
        throws(DemoError) -> TraceDocument
    {
        let (tokens, vocabulary) = (input.tokens, input.embedding.vocabulary)
        guard tokens.count >= 2 else { throw .conflict("{loss} next-token needs a sentence of at least 2 words") }
        let (d, heads, N, V) = (input.modelSize, config[AttentionInput.heads], tokens.count, vocabulary.count)
        let layer = EncoderLayer(
            modelSize: d, heads: heads, feedForwardSize: config[TransformerParameters.feedForwardSize], causal: config[AttentionInput.causal])
        let initial = layer.initialParameters(using: &random)
            + [Tensor.fanInUniform([d, V], fanIn: d, using: &random), Tensor.fanInUniform([1, V], fanIn: d, using: &random)]
        var nextTokens = Tensor.zeros([N - 1, V])
        for (i, token) in tokens.dropFirst().enumerated() { nextTokens.scalars[i * V + vocabulary.firstIndex(of: token)!] = 1 }

        let tape = Tape()
        let parameters = NextTokenParameters(
            layer.bind(Array(initial[0..<12]), on: tape).list
                + [tape.parameter(initial[12], name: "W_out", tex: "W_{\\mathrm{out}}"),
                   tape.parameter(initial[13], name: "b_out", tex: "b_{\\mathrm{out}}")])
        let result = SGDTrainer(AttentionInput.training, config, keeping: DrawnQuantities.attention).run(on: tape, parameters: parameters) { tape, parameters in
            let H_2 = layer(positioned(input, on: tape), parameters.layer, labels: tokens)
            return tape.scope("next-token loss", kind: .loss, equation: "L = -\\frac{1}{\(N - 1)} \\sum_{i=1}^{\(N - 1)} \\log \\mathrm{softmax}(Y_i)[x_{i+1}]") {
                let Y = (H_2 • parameters.W_out + parameters.b_out).named("Y").labeled([tokens, vocabulary])
                let predictions = slice(Y, axis: 0, 0..<N - 1).named("Y_pred", tex: "Y_{1:\(N - 1)}")
                    .labeled([Array(tokens.dropLast()), vocabulary])
                let T = tape.constant(nextTokens, name: "T").labeled([Array(tokens.dropFirst()), vocabulary])
                return softmaxCrossEntropy(logits: predictions, target: T, axis: 1).named("L")
            }
        }
        return tape.trace(
            title: "Transformer encoder layer\(layer.attention.causal ? " (causal)" : ""), h = \(heads), d_model = \(d), next-token cross-entropy over \(V) words: \(AttentionInput.training.describe(config))",
            model: "transformer-encoder", config: config.values, history: result.history)
    }
}

/// The encoder layer's parameters, then the next-token output layer's W_out and b_out.
private struct NextTokenParameters: ParameterSet {
    let layer: EncoderLayer.Parameters
    let W_out, b_out: Var

    var list: [Var] { layer.list + [W_out, b_out] }
    init(_ list: ArraySlice<Var>) {
        var parts = ParameterReader(list)
        (layer, W_out, b_out) = (parts.next(12), parts.next(), parts.next())
    }
}

/// The `transformer-encoder` demo's own parameters.
enum TransformerParameters {
    enum Loss: String, ParameterChoice {
        case mse
        case nextToken = "next-token"
    }

    static let feedForwardSize = AttentionInput.feedForwardSize("hidden size d_ff of the position-wise feed-forward network")
    static let loss = Parameter<Loss>("loss", "mse: to a seeded target T; next-token: cross-entropy of each token's successor", default: .mse)
}
