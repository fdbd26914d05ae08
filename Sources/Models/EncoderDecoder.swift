import Engine
import Trace

/// One transformer decoder layer (post-norm, as in "Attention Is All You Need"): masked
/// self-attention over the target prefix, then encoder–decoder (cross) attention, then the FFN,
/// each followed by a residual connection and layer norm:
///
///     H_1 = LN_1(X + MultiHead_causal(X)),
///     H_2 = LN_2(H_1 + MultiHead(queries H_1, keys and values M)),
///     H_3 = LN_3(H_2 + FFN(H_2)),
///
/// with X the decoder's input (N_t×d_model) and M the encoder's output (N_s×d_model), the
/// "memory" every decoder position reads from. Cross-attention weights are N_t×N_s: row i says
/// how much target position i draws from each source token.
///
/// Parameters in order: the self-attention's W_Q, W_K, W_V, W_O, gamma_1, beta_1; the
/// cross-attention's W_Q, W_K, W_V, W_O, gamma_2, beta_2; the FFN's W_1, b_1, W_2, b_2, gamma_3, beta_3.
///
/// Names: the self-attention is tagged `dec` (`W_Q^dec`, `S_1^dec`, `A_1^dec`, `M^dec` the causal
/// mask), the cross-attention `cross` (`W_Q^cross`, `Q^cross` = H_1 W_Q, `K^cross` = M W_K,
/// `S_1^cross`, `A_1^cross`, `Z^cross`); the norms and the FFN `dec` (`gamma_3^dec`, `U^dec`,
/// `F^dec`); the sums `R_k^dec` and the outputs `H_k^dec` for k = 1, 2, 3.
public struct DecoderLayer: Sendable {
    public let selfAttention: MultiHeadAttention
    public let crossAttention: MultiHeadAttention
    public let feedForward: FeedForward
    public let norms: (LayerNorm, LayerNorm, LayerNorm)

    public init(modelSize: Int, heads: Int, feedForwardSize: Int) {
        selfAttention = MultiHeadAttention(modelSize: modelSize, heads: heads, causal: true, tag: "dec")
        crossAttention = MultiHeadAttention(modelSize: modelSize, heads: heads, tag: "cross")
        feedForward = FeedForward(modelSize: modelSize, hiddenSize: feedForwardSize, tag: "dec")
        norms = (
            LayerNorm(modelSize: modelSize, index: 1, tag: "dec"), LayerNorm(modelSize: modelSize, index: 2, tag: "dec"),
            LayerNorm(modelSize: modelSize, index: 3, tag: "dec")
        )
    }

    /// Drawn in this order: the self-attention's four matrices, the cross-attention's four, the
    /// FFN's W_1, b_1, W_2, b_2 (γ = 1 and β = 0 are not drawn). Returned in the parameter order above.
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let selfWeights = selfAttention.initialParameters(using: &random)
        let crossWeights = crossAttention.initialParameters(using: &random)
        let feedForwardWeights = feedForward.initialParameters(using: &random)
        return selfWeights + norms.0.initialParameters + crossWeights + norms.1.initialParameters + feedForwardWeights
            + norms.2.initialParameters
    }

    /// The self-attention's, the first norm's, the cross-attention's, the second norm's, the
    /// feed-forward network's, the third norm's.
    public struct Parameters: ParameterSet {
        public let selfAttention: MultiHeadAttention.Parameters
        public let norm1: LayerNorm.Parameters
        public let crossAttention: MultiHeadAttention.Parameters
        public let norm2: LayerNorm.Parameters
        public let feedForward: FeedForward.Parameters
        public let norm3: LayerNorm.Parameters

        public var list: [Var] {
            selfAttention.list + norm1.list + crossAttention.list + norm2.list + feedForward.list + norm3.list
        }

        public init(_ list: ArraySlice<Var>) {
            var parts = ParameterReader(list)
            (selfAttention, norm1, crossAttention) = (parts.next(4), parts.next(2), parts.next(4))
            (norm2, feedForward, norm3) = (parts.next(2), parts.next(4), parts.next(2))
        }
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        Parameters(
            selfAttention.bind(Array(values[0..<4]), on: tape).list + norms.0.bind(Array(values[4..<6]), on: tape).list
                + crossAttention.bind(Array(values[6..<10]), on: tape).list + norms.1.bind(Array(values[10..<12]), on: tape).list
                + feedForward.bind(Array(values[12..<16]), on: tape).list + norms.2.bind(Array(values[16..<18]), on: tape).list)
    }

    /// H_3 for the decoder input X (N_t×d_model) reading the encoder output `memory` (N_s×d_model),
    /// in the scope `decoder layer` › `masked self-attention`, `cross-attention`, ….
    public func callAsFunction(
        _ X: Var, memory: Var, _ parameters: Parameters, labels: [String]? = nil, memoryLabels: [String]? = nil
    ) -> Var {
        let tape = X.tape
        let rows: [[String]?] = [labels, nil]
        func residual(_ k: Int, _ a: Var, _ aTeX: String, _ b: Var) -> Var {
            tape.scope("residual \(k)", equation: "R_{\(k)}^{\\mathrm{dec}} = \(aTeX) + \(b.tex)") {
                (a + b).named("R_\(k)^dec", tex: "R_{\(k)}^{\\mathrm{dec}}").labeled(rows)
            }
        }
        return tape.scope(
            "decoder layer",
            equation: "H_1 = \\mathrm{LN}_1(X + \\mathrm{MultiHead}_{\\mathrm{causal}}(X)),\\; "
                + "H_2 = \\mathrm{LN}_2(H_1 + \\mathrm{MultiHead}(H_1, M, M)),\\; H_3 = \\mathrm{LN}_3(H_2 + \\mathrm{FFN}(H_2))"
        ) {
            let Z = tape.scope("masked self-attention", equation: "Z^{\\mathrm{dec}} = \\mathrm{MultiHead}_{\\mathrm{causal}}(X)") {
                selfAttention(X, parameters.selfAttention, labels: labels)
            }
            let H_1 = norms.0(residual(1, X, X.tex, Z), parameters.norm1, labels: labels)
                .named("H_1^dec", tex: "H_1^{\\mathrm{dec}}").labeled(rows)
            let C = tape.scope(
                "cross-attention",
                equation: "Z^{\\mathrm{cross}} = \\mathrm{MultiHead}(H_1^{\\mathrm{dec}}, M, M): "
                    + "Q^{\\mathrm{cross}} = H_1^{\\mathrm{dec}} W_Q^{\\mathrm{cross}},\\; K^{\\mathrm{cross}} = M W_K^{\\mathrm{cross}},\\; "
                    + "V^{\\mathrm{cross}} = M W_V^{\\mathrm{cross}}"
            ) {
                crossAttention.attend(
                    queries: H_1, keysAndValues: memory, parameters.crossAttention, queryLabels: labels, keyLabels: memoryLabels)
            }
            let H_2 = norms.1(residual(2, H_1, H_1.tex, C), parameters.norm2, labels: labels)
                .named("H_2^dec", tex: "H_2^{\\mathrm{dec}}").labeled(rows)
            let F = feedForward(H_2, parameters.feedForward, labels: labels)
            return norms.2(residual(3, H_2, H_2.tex, F), parameters.norm3, labels: labels)
                .named("H_3^dec", tex: "H_3^{\\mathrm{dec}}").labeled(rows)
        }
    }
}

/// The smallest transformer for translation: one encoder layer (`EncoderLayer`, tagged `enc`)
/// over the source sentence, one `DecoderLayer` over the target prefix, and an output
/// projection to the target vocabulary, trained by next-token cross-entropy with teacher forcing.
///
/// Tokens: the source's words (`Tokenizer.words`: lower-cased, punctuation stripped) as they are;
/// the target's words framed by a start token `<s>` and an end token `</s>`. The decoder reads
/// `<s> y_1 … y_m` and position i is trained to predict the token after it, `y_1 … y_m </s>`:
/// every position sees the true prefix (teacher forcing) and, through the causal mask, only it.
/// The target vocabulary is `<s>`, `</s>`, then the target's words in order of first appearance.
///
///     X^enc = E^enc + P^enc,             M = H_2^enc = EncoderLayer(X^enc)
///     X^dec = E^dec + P^dec,             H_3^dec = DecoderLayer(X^dec, M)
///     Y = H_3^dec W_out + b_out,         L = −(1/N_t) Σ_i log softmax(Y_i)[next token of i]
///
/// with E the embedding rows of the tokens (inputs, not learned), P the sinusoidal positional
/// encoding (`PositionalEncoding`), Y the N_t×V logits (rows: decoder positions, columns: the
/// target vocabulary).
///
/// Parameters in order: the encoder layer's 12 (`W_Q^enc` … `beta_2^enc`), the decoder layer's 18,
/// then `W_out` (d_model×V) and `b_out` (1×V).
public struct EncoderDecoder: Sendable {
    public static let start = "<s>"
    public static let end = "</s>"

    public let encoder: EncoderLayer
    public let decoder: DecoderLayer
    public let modelSize: Int
    /// V, the size of the target vocabulary (with `<s>` and `</s>`).
    public let vocabularySize: Int

    public init(modelSize: Int, heads: Int, feedForwardSize: Int, vocabularySize: Int) {
        encoder = EncoderLayer(modelSize: modelSize, heads: heads, feedForwardSize: feedForwardSize, tag: "enc")
        decoder = DecoderLayer(modelSize: modelSize, heads: heads, feedForwardSize: feedForwardSize)
        self.modelSize = modelSize
        self.vocabularySize = vocabularySize
    }

    /// The encoder layer's draws, the decoder layer's, then W_out and b_out, each row-major
    /// uniform in ±1/√d_model.
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        encoder.initialParameters(using: &random) + decoder.initialParameters(using: &random) + [
            Tensor.fanInUniform([modelSize, vocabularySize], fanIn: modelSize, using: &random),
            Tensor.fanInUniform([1, vocabularySize], fanIn: modelSize, using: &random),
        ]
    }

    /// The encoder layer's, the decoder layer's, then W_out and b_out.
    public struct Parameters: ParameterSet {
        public let encoder: EncoderLayer.Parameters
        public let decoder: DecoderLayer.Parameters
        public let W_out, b_out: Var

        public var list: [Var] { encoder.list + decoder.list + [W_out, b_out] }
        public init(_ list: ArraySlice<Var>) {
            var parts = ParameterReader(list)
            (encoder, decoder, W_out, b_out) = (parts.next(12), parts.next(18), parts.next(), parts.next())
        }
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        Parameters(
            encoder.bind(Array(values[0..<12]), on: tape).list + decoder.bind(Array(values[12..<30]), on: tape).list + [
                tape.parameter(values[30], name: "W_out", tex: "W_{\\mathrm{out}}"),
                tape.parameter(values[31], name: "b_out", tex: "b_{\\mathrm{out}}"),
            ])
    }

    /// The logits Y (N_t×V) for the source embeddings (N_s×d_model) and the decoder's input
    /// embeddings (N_t×d_model), in the scopes `encoder`, `decoder` and `output`.
    public func callAsFunction(
        source: Var, target: Var, _ parameters: Parameters, sourceTokens: [String]? = nil, targetTokens: [String]? = nil,
        vocabulary: [String]? = nil
    ) -> Var {
        let tape = source.tape
        let memory = tape.scope("encoder", kind: .block("encoder")) {
            let X = embed(source, tag: "enc", tokens: sourceTokens)
            return encoder(X, parameters.encoder, labels: sourceTokens)
        }
        let H = tape.scope("decoder", kind: .block("decoder")) {
            let X = embed(target, tag: "dec", tokens: targetTokens)
            return decoder(X, memory: memory, parameters.decoder, labels: targetTokens, memoryLabels: sourceTokens)
        }
        return tape.scope("output", equation: "Y = H_3^{\\mathrm{dec}} W_{\\mathrm{out}} + b_{\\mathrm{out}}") {
            (H • parameters.W_out + parameters.b_out).named("Y").labeled([targetTokens, vocabulary])
        }
    }

    /// X = E + P in the scope `embedding`, P the positional encoding named `P^tag`.
    private func embed(_ E: Var, tag: String, tokens: [String]?) -> Var {
        let tape = E.tape
        return tape.scope("embedding", equation: "X^{\\mathrm{\(tag)}} = E^{\\mathrm{\(tag)}} + P^{\\mathrm{\(tag)}}") {
            let P = tape.constant(
                PositionalEncoding.matrix(tokens: E.shape[0], modelSize: modelSize), name: "P^\(tag)", tex: "P^{\\mathrm{\(tag)}}")
            if let tokens { P.labeled([tokens, nil]) }
            return (E + P).named("X^\(tag)", tex: "X^{\\mathrm{\(tag)}}").labeled([tokens, nil])
        }
    }

    /// L = −(1/N_t) Σ T ⊙ log softmax(Y) (rows), T the one-hot next tokens, in the scope `loss`.
    public static func loss(_ Y: Var, next: [Int], labels: [String]? = nil, vocabulary: [String]? = nil) -> Var {
        let tape = Y.tape
        let V = Y.shape[1]
        var onehot = [Double](repeating: 0, count: next.count * V)
        for (i, token) in next.enumerated() { onehot[i * V + token] = 1 }
        return tape.scope("loss", kind: .loss, equation: "L = -\\frac{1}{N_t} \\sum_i \\log \\mathrm{softmax}(Y_i)_{t_i}") {
            let T = tape.constant(Tensor(shape: [next.count, V], scalars: onehot), name: "T").labeled([labels, vocabulary])
            return softmaxCrossEntropy(logits: Y, target: T, axis: 1).named("L")
        }
    }
}

/// A translation pair as the encoder–decoder reads it, with the embeddings of its tokens.
///
/// Draw order from the seed: the source vocabulary's embedding rows (`TokenEmbedding`: one row of
/// d_model values uniform in [−1, 1) per distinct word, in order of first appearance), then the
/// target vocabulary's the same way (`<s>`, `</s>`, then the target's words), then the network's
/// parameters (`EncoderDecoder.initialParameters`).
struct TranslationPair {
    let sourceTokens: [String]
    /// `<s> y_1 … y_m`: what the decoder reads.
    let decoderTokens: [String]
    /// `y_1 … y_m </s>`: what each decoder position is trained to predict.
    let nextTokens: [String]
    /// `<s>`, `</s>`, then the target's words in order of first appearance.
    let vocabulary: [String]
    /// N_s×d_model and N_t×d_model.
    let sourceEmbeddings: Tensor
    let targetEmbeddings: Tensor

    init(source: String, target: String, modelSize d: Int, using random: inout SeededGenerator) throws(DemoError) {
        let sourceEmbedding = try TokenEmbedding(sentence: source, dimension: d, using: &random, parameter: "source")
        let words = Tokenizer.words(of: target)
        guard !words.isEmpty else { throw .conflict("{target} has no words; give at least one") }
        guard words.count < TokenEmbedding.maxTokens else {
            throw .conflict(
                "{target} has \(words.count) words; with \(EncoderDecoder.start) the decoder takes at most \(TokenEmbedding.maxTokens) tokens")
        }
        sourceTokens = sourceEmbedding.tokens
        sourceEmbeddings = sourceEmbedding.matrix
        decoderTokens = [EncoderDecoder.start] + words
        nextTokens = words + [EncoderDecoder.end]
        vocabulary = [EncoderDecoder.start, EncoderDecoder.end] + Tokenizer.vocabulary(of: words)
        let table = Tensor.uniform([vocabulary.count, d], bound: 1, using: &random)
        let row = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        targetEmbeddings = Tensor(
            shape: [decoderTokens.count, d], scalars: decoderTokens.flatMap { table.scalars[row[$0]! * d..<(row[$0]! + 1) * d] })
    }

    /// The next tokens as positions in `vocabulary`.
    var nextIndices: [Int] { nextTokens.map { vocabulary.firstIndex(of: $0)! } }
}
