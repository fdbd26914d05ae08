import Engine
import Foundation
import Trace

/// Layer normalization over each row's d_model features (rows are tokens):
///
///     μ = mean of the row,   v = mean((x − μ)²) (the biased variance),   σ = √(v + ε),
///     x̂ = (x − μ) / σ,       y = x̂ ⊙ γ + β,                             ε = 10⁻⁵,
///
/// with γ and β learnable 1×d_model rows (γ = 1, β = 0 to start) broadcast over the tokens.
/// Built from recorded ops (`mean`, `sub`, `square`, `add`, `sqrt`, `div`, `mul`), so its
/// backward pass is recorded step by step too; docs/transformer.md lists those steps.
///
/// Names (k the norm's number): `gamma_k`, `beta_k`; `mu_k`, `xc_k` (x − μ), `var_k`,
/// `sigma_k`, `xhat_k`; the output is named by the caller. A `tag` is appended as `^tag`.
public struct LayerNorm: Sendable {
    public let modelSize: Int
    public let index: Int
    public let tag: String?
    public static let epsilon = 1e-5

    public init(modelSize: Int, index: Int, tag: String? = nil) {
        self.modelSize = modelSize
        self.index = index
        self.tag = tag
    }

    /// γ = 1 and β = 0, each 1×d_model (nothing drawn).
    public var initialParameters: [Tensor] { [.filled([1, modelSize], with: 1), .zeros([1, modelSize])] }

    public func bind(_ values: [Tensor], on tape: Tape) -> [Var] {
        [tape.parameter(values[0], name: name("gamma"), tex: tex("\\gamma")),
         tape.parameter(values[1], name: name("beta"), tex: tex("\\beta"))]
    }

    /// LN(x) for x (N×d_model), in the scope `layer norm k`.
    public func callAsFunction(_ x: Var, _ parameters: [Var], labels: [String]? = nil) -> Var {
        let (gamma, beta) = (parameters[0], parameters[1])
        let tape = x.tape
        let rows: [[String]?] = [labels, nil]
        return tape.scope(
            "layer norm \(index)",
            equation: "\\mathrm{LN}(x) = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\varepsilon}} \\odot \(tex("\\gamma")) + \(tex("\\beta"))"
        ) {
            let mu = mean(x, axis: 1, keepdims: true).named(name("mu"), tex: tex("\\mu")).labeled(rows)
            let centred = (x - mu).named(name("xc"), tex: "(x - \(tex("\\mu")))").labeled(rows)
            let variance = mean(square(centred), axis: 1, keepdims: true).named(name("var"), tex: tex("\\sigma^2")).labeled(rows)
            let epsilon = tape.constant(Tensor(scalar: Self.epsilon), name: "epsilon", tex: "\\varepsilon")
            let sigma = sqrt(variance + epsilon).named(name("sigma"), tex: tex("\\sigma")).labeled(rows)
            let normalized = (centred / sigma).named(name("xhat"), tex: tex("\\hat{x}")).labeled(rows)
            return normalized * gamma + beta
        }
    }

    private func name(_ base: String) -> String { "\(base)_\(index)" + (tag.map { "^\($0)" } ?? "") }
    private func tex(_ base: String) -> String { "\(base)_{\(index)}" + (tag.map { "^{\\mathrm{\($0)}}" } ?? "") }
}

/// The position-wise feed-forward network, applied to every row (token) alike:
///
///     FFN(x) = max(0, x W_1 + b_1) W_2 + b_2
///
/// W_1 is d_model×d_ff, b_1 1×d_ff, W_2 d_ff×d_model, b_2 1×d_model (biases broadcast over the rows).
/// Names: `W_1`, `b_1`, `W_2`, `b_2`, the hidden layer `U` (after the ReLU), the output `F`.
public struct FeedForward: Sendable {
    public let modelSize: Int
    public let hiddenSize: Int
    public let tag: String?

    public init(modelSize: Int, hiddenSize: Int, tag: String? = nil) {
        self.modelSize = modelSize
        self.hiddenSize = hiddenSize
        self.tag = tag
    }

    /// W_1, b_1 uniform in ±1/√d_model, then W_2, b_2 uniform in ±1/√d_ff (PyTorch's `Linear`), row-major.
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        [Tensor.fanInUniform([modelSize, hiddenSize], fanIn: modelSize, using: &random),
         Tensor.fanInUniform([1, hiddenSize], fanIn: modelSize, using: &random),
         Tensor.fanInUniform([hiddenSize, modelSize], fanIn: hiddenSize, using: &random),
         Tensor.fanInUniform([1, modelSize], fanIn: hiddenSize, using: &random)]
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> [Var] {
        zip(["W_1", "b_1", "W_2", "b_2"], values).map { tape.parameter($1, name: name($0), tex: tex($0)) }
    }

    /// FFN(x) for x (N×d_model), in the scope `feed-forward`.
    public func callAsFunction(_ x: Var, _ parameters: [Var], labels: [String]? = nil) -> Var {
        let (W_1, b_1, W_2, b_2) = (parameters[0], parameters[1], parameters[2], parameters[3])
        let rows: [[String]?] = [labels, nil]
        return x.tape.scope(
            "feed-forward", equation: "\(tex("F")) = \\max(0,\\, x \(tex("W_1")) + \(tex("b_1"))) \(tex("W_2")) + \(tex("b_2"))"
        ) {
            let U = relu(x • W_1 + b_1).named(name("U"), tex: tex("U")).labeled(rows)
            return (U • W_2 + b_2).named(name("F"), tex: tex("F")).labeled(rows)
        }
    }

    private func name(_ base: String) -> String { base + (tag.map { "^\($0)" } ?? "") }
    private func tex(_ base: String) -> String { base + (tag.map { "^{\\mathrm{\($0)}}" } ?? "") }
}

/// One transformer encoder layer (post-norm, as in "Attention Is All You Need"):
///
///     H_1 = LN_1(X + MultiHead(X)),   H_2 = LN_2(H_1 + FFN(H_1))
///
/// Parameters in order: W_Q, W_K, W_V, W_O, gamma_1, beta_1, W_1, b_1, W_2, b_2, gamma_2, beta_2.
/// Names: `R_1` = X + Z and `H_1`, `R_2` = H_1 + F and `H_2` (tagged when `tag` is set).
public struct EncoderLayer: Sendable {
    public let attention: MultiHeadAttention
    public let feedForward: FeedForward
    public let norms: (LayerNorm, LayerNorm)
    public let tag: String?

    public init(modelSize: Int, heads: Int, feedForwardSize: Int, causal: Bool = false, tag: String? = nil) {
        attention = MultiHeadAttention(modelSize: modelSize, heads: heads, causal: causal, tag: tag)
        feedForward = FeedForward(modelSize: modelSize, hiddenSize: feedForwardSize, tag: tag)
        norms = (LayerNorm(modelSize: modelSize, index: 1, tag: tag), LayerNorm(modelSize: modelSize, index: 2, tag: tag))
        self.tag = tag
    }

    /// The attention's four matrices are drawn first, then the feed-forward's; γ, β are not drawn.
    /// Returned in the parameter order above.
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let attentionWeights = attention.initialParameters(using: &random)
        let feedForwardWeights = feedForward.initialParameters(using: &random)
        return attentionWeights + norms.0.initialParameters + feedForwardWeights + norms.1.initialParameters
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> [Var] {
        attention.bind(Array(values[0..<4]), on: tape) + norms.0.bind(Array(values[4..<6]), on: tape)
            + feedForward.bind(Array(values[6..<10]), on: tape) + norms.1.bind(Array(values[10..<12]), on: tape)
    }

    /// H_2 for X (N×d_model), in the scope `encoder layer`.
    public func callAsFunction(_ X: Var, _ parameters: [Var], labels: [String]? = nil) -> Var {
        let tape = X.tape
        let rows: [[String]?] = [labels, nil]
        return tape.scope("encoder layer", equation: "H_2 = \\mathrm{LN}_2(H_1 + \\mathrm{FFN}(H_1)),\\; H_1 = \\mathrm{LN}_1(X + \\mathrm{MultiHead}(X))") {
            let Z = attention(X, Array(parameters[0..<4]), labels: labels)
            let R_1 = tape.scope("residual 1", equation: "\(tex("R_1")) = X + \(tex("Z"))") {
                (X + Z).named(name("R_1"), tex: tex("R_1")).labeled(rows)
            }
            let H_1 = norms.0(R_1, Array(parameters[4..<6]), labels: labels).named(name("H_1"), tex: tex("H_1")).labeled(rows)
            let F = feedForward(H_1, Array(parameters[6..<10]), labels: labels)
            let R_2 = tape.scope("residual 2", equation: "\(tex("R_2")) = \(tex("H_1")) + \(tex("F"))") {
                (H_1 + F).named(name("R_2"), tex: tex("R_2")).labeled(rows)
            }
            return norms.1(R_2, Array(parameters[10..<12]), labels: labels).named(name("H_2"), tex: tex("H_2")).labeled(rows)
        }
    }

    private func name(_ base: String) -> String { base + (tag.map { "^\($0)" } ?? "") }
    private func tex(_ base: String) -> String { base + (tag.map { "^{\\mathrm{\($0)}}" } ?? "") }
}

/// The sinusoidal positional encoding: for position p (from 0) and column j of d_model,
///
///     P[p, 2i] = sin(p / 10000^(2i/d_model)),   P[p, 2i+1] = cos(p / 10000^(2i/d_model)),
///
/// so columns 2i and 2i+1 share one frequency (an odd d_model ends with a sine column).
public enum PositionalEncoding {
    public static func matrix(tokens: Int, modelSize: Int) -> Tensor {
        var scalars: [Double] = []
        scalars.reserveCapacity(tokens * modelSize)
        for p in 0..<tokens {
            for j in 0..<modelSize {
                let angle = Double(p) / pow(10000, Double(j - j % 2) / Double(modelSize))
                scalars.append(j % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
        return Tensor(shape: [tokens, modelSize], scalars: scalars)
    }

    /// P on `tape`, a constant named `P`, rows labelled by the tokens.
    public static func bind(tokens: [String], modelSize: Int, on tape: Tape) -> Var {
        tape.constant(matrix(tokens: tokens.count, modelSize: modelSize), name: "P", tex: "P").labeled([tokens, nil])
    }
}

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
            DemoParameter("heads", "number of heads h (d_model / h columns each)", .integer(1...256), default: 2, scales: .size),
            DemoParameter("d-ff", "hidden size d_ff of the position-wise feed-forward network", .integer(1...1024), default: 8, scales: .size),
            AttentionInput.causal,
            DemoParameter("loss", "mse: to a seeded target T; next-token: cross-entropy of each token's successor", .choice(["mse", "next-token"]), default: "mse"),
            DemoParameter("train", "SGD iterations (the first is traced step by step)", .integer(1...10_000), default: 1, scales: .repetitions),
            CommonParameters.learningRate(default: 0.1),
            CommonParameters.seed,
        ],
        build: { config throws(DemoError) in
            var random = config.generator
            let input = try AttentionInput(config, using: &random)
            let (d, heads) = (input.modelSize, config.int("heads"))
            try MultiHeadAttention.check(tokens: input.tokens.count, modelSize: d, heads: heads)
            if config.string("loss") == "next-token" { return try nextTokenEncoder(config, input, using: &random) }
            let layer = EncoderLayer(
                modelSize: d, heads: heads, feedForwardSize: config.int("d-ff"), causal: AttentionInput.isCausal(config))
            let initial = layer.initialParameters(using: &random)
            let target = Tensor.uniform(input.embeddings.shape, bound: 1, using: &random)

            let tape = Tape()
            let result = SGDTrainer(demo: config).run(on: tape, parameters: layer.bind(initial, on: tape)) { tape, parameters in
                let H_2 = layer(positioned(input, on: tape), parameters, labels: input.tokens)
                let T = tape.constant(target, name: "T").labeled([input.tokens, nil])
                return meanSquaredError(H_2, T).named("L")
            }
            let iterations = config.int("train")
            return tape.trace(
                title: "Transformer encoder layer\(layer.attention.causal ? " (causal)" : ""), h = \(heads), d_model = \(d), d_ff = \(config.int("d-ff")), \(input.tokens.count) tokens: \(iterations == 1 ? "one SGD step" : "\(iterations) SGD iterations")",
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
        let (d, heads, N, V) = (input.modelSize, config.int("heads"), tokens.count, vocabulary.count)
        let layer = EncoderLayer(
            modelSize: d, heads: heads, feedForwardSize: config.int("d-ff"), causal: AttentionInput.isCausal(config))
        let initial = layer.initialParameters(using: &random)
            + [Tensor.fanInUniform([d, V], fanIn: d, using: &random), Tensor.fanInUniform([1, V], fanIn: d, using: &random)]
        var nextTokens = Tensor.zeros([N - 1, V])
        for (i, token) in tokens.dropFirst().enumerated() { nextTokens.scalars[i * V + vocabulary.firstIndex(of: token)!] = 1 }

        let tape = Tape()
        let parameters = layer.bind(Array(initial[0..<12]), on: tape)
            + [tape.parameter(initial[12], name: "W_out", tex: "W_{\\mathrm{out}}"),
               tape.parameter(initial[13], name: "b_out", tex: "b_{\\mathrm{out}}")]
        let result = SGDTrainer(demo: config).run(on: tape, parameters: parameters) { tape, parameters in
            let H_2 = layer(positioned(input, on: tape), Array(parameters[0..<12]), labels: tokens)
            return tape.scope("next-token loss", kind: .loss, equation: "L = -\\frac{1}{\(N - 1)} \\sum_{i=1}^{\(N - 1)} \\log \\mathrm{softmax}(Y_i)[x_{i+1}]") {
                let Y = (H_2 • parameters[12] + parameters[13]).named("Y").labeled([tokens, vocabulary])
                let predictions = slice(Y, axis: 0, 0..<N - 1).named("Y_pred", tex: "Y_{1:\(N - 1)}")
                    .labeled([Array(tokens.dropLast()), vocabulary])
                let T = tape.constant(nextTokens, name: "T").labeled([Array(tokens.dropFirst()), vocabulary])
                return softmaxCrossEntropy(logits: predictions, target: T, axis: 1).named("L")
            }
        }
        let iterations = config.int("train")
        return tape.trace(
            title: "Transformer encoder layer\(layer.attention.causal ? " (causal)" : ""), h = \(heads), d_model = \(d), next-token cross-entropy over \(V) words: \(iterations == 1 ? "one SGD step" : "\(iterations) SGD iterations")",
            model: "transformer-encoder", config: config.values, history: result.history)
    }
}
