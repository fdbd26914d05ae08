import Engine
import Trace

/// The sentence and its embeddings (`TokenEmbedding`: the same tokens and draws as the
/// `self-attention` demo) that the multi-head and transformer demos start from, with `d-model`
/// as the embedding size; and the parameters those demos share.
struct AttentionInput {
    static let modelSize = Parameter<Int>("d-model", "embedding size d_model", 1...MultiHeadAttention.maxModelSize, default: 4, scales: .size)
    static let parameters: [any DemoParameters] = [TokenEmbedding.sentenceParameter, modelSize]

    /// `causal`: each token attends to itself and the tokens before it only.
    static let causal = Parameter<Bool>("causal", "mask the future: token i attends to tokens 1…i only", default: false)

    /// `heads`, h: d_model / h columns each.
    static let heads = Parameter<Int>("heads", "number of heads h (d_model / h columns each)", 1...256, default: 2, scales: .size)

    /// `d-ff`, the feed-forward network's hidden size.
    static func feedForwardSize(_ summary: String) -> Parameter<Int> {
        Parameter("d-ff", summary, 1...1024, default: 8, scales: .size)
    }

    /// `train` of the transformer demos: fewer iterations than the others allow (each is larger).
    static let training = Training.sgd(upTo: 10_000)

    let embedding: TokenEmbedding
    var tokens: [String] { embedding.tokens }
    /// N×d_model, one row per token.
    var embeddings: Tensor { embedding.matrix }
    var modelSize: Int { embedding.dimension }

    init(_ config: DemoConfig, using random: inout SeededGenerator) throws(DemoError) {
        embedding = try TokenEmbedding(sentence: config[TokenEmbedding.sentenceParameter], dimension: config[Self.modelSize], using: &random)
    }

    /// X on the tape, rows labelled by the tokens: an input that gets a gradient, ∂L/∂X, which
    /// is what would train the embeddings.
    func bind(on tape: Tape) -> Var {
        tape.input(embeddings, name: "X").labeled([tokens, nil])
    }
}
