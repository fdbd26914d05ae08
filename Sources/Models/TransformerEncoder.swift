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

    /// γ and β.
    public struct Parameters: ParameterSet {
        public let gamma, beta: Var

        public var list: [Var] { [gamma, beta] }
        public init(_ list: ArraySlice<Var>) { (gamma, beta) = (list[list.startIndex], list[list.startIndex + 1]) }
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        Parameters(
            [tape.parameter(values[0], name: name("gamma"), tex: tex("\\gamma")),
             tape.parameter(values[1], name: name("beta"), tex: tex("\\beta"))])
    }

    /// LN(x) for x (N×d_model), in the scope `layer norm k`.
    public func callAsFunction(_ x: Var, _ parameters: Parameters, labels: [String]? = nil) -> Var {
        let (gamma, beta) = (parameters.gamma, parameters.beta)
        let tape = x.tape
        let rows: [[String]?] = [labels, nil]
        return tape.scope(
            "layer norm \(index)",
            equation: "\\mathrm{LN}(x) = \\frac{x - \\mu}{\\sqrt{\\sigma^2 + \\varepsilon}} \\odot \(tex("\\gamma")) + \(tex("\\beta"))"
        ) {
            let mu = mean(x, axis: 1, keepdims: true).named(name("mu"), tex: tex("\\mu")).labeled(rows)
            let centred = (x - mu).named(name("xc"), tex: "(x - \(tex("\\mu")))").labeled(rows)
            let variance = mean(square(centred), axis: 1, keepdims: true).named(name("var"), tex: tex("{\\sigma^2}")).labeled(rows)
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

    /// The first layer's W_1, b_1, the second's W_2, b_2.
    public struct Parameters: ParameterSet {
        public let W_1, b_1, W_2, b_2: Var

        public var list: [Var] { [W_1, b_1, W_2, b_2] }
        public init(_ list: ArraySlice<Var>) {
            var p = ParameterReader(list)
            (W_1, b_1, W_2, b_2) = (p.next(), p.next(), p.next(), p.next())
        }
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        Parameters(zip(["W_1", "b_1", "W_2", "b_2"], values).map { tape.parameter($1, name: name($0), tex: tex($0)) })
    }

    /// FFN(x) for x (N×d_model), in the scope `feed-forward`.
    public func callAsFunction(_ x: Var, _ p: Parameters, labels: [String]? = nil) -> Var {
        let (W_1, b_1, W_2, b_2) = (p.W_1, p.b_1, p.W_2, p.b_2)
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

    /// The attention's, the first norm's, the feed-forward network's, the second norm's.
    public struct Parameters: ParameterSet {
        public let attention: MultiHeadAttention.Parameters
        public let norm1: LayerNorm.Parameters
        public let feedForward: FeedForward.Parameters
        public let norm2: LayerNorm.Parameters

        public var list: [Var] { attention.list + norm1.list + feedForward.list + norm2.list }
        public init(_ list: ArraySlice<Var>) {
            var parts = ParameterReader(list)
            (attention, norm1, feedForward, norm2) = (parts.next(4), parts.next(2), parts.next(4), parts.next(2))
        }
    }

    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        Parameters(
            attention.bind(Array(values[0..<4]), on: tape).list + norms.0.bind(Array(values[4..<6]), on: tape).list
                + feedForward.bind(Array(values[6..<10]), on: tape).list + norms.1.bind(Array(values[10..<12]), on: tape).list)
    }

    /// H_2 for X (N×d_model), in the scope `encoder layer`.
    public func callAsFunction(_ X: Var, _ parameters: Parameters, labels: [String]? = nil) -> Var {
        let tape = X.tape
        let rows: [[String]?] = [labels, nil]
        return tape.scope("encoder layer", equation: "H_2 = \\mathrm{LN}_2(H_1 + \\mathrm{FFN}(H_1)),\\; H_1 = \\mathrm{LN}_1(X + \\mathrm{MultiHead}(X))") {
            let Z = attention(X, parameters.attention, labels: labels)
            let R_1 = tape.scope("residual 1", equation: "\(tex("R_1")) = X + \(tex("Z"))") {
                (X + Z).named(name("R_1"), tex: tex("R_1")).labeled(rows)
            }
            let H_1 = norms.0(R_1, parameters.norm1, labels: labels).named(name("H_1"), tex: tex("H_1")).labeled(rows)
            let F = feedForward(H_1, parameters.feedForward, labels: labels)
            let R_2 = tape.scope("residual 2", equation: "\(tex("R_2")) = \(tex("H_1")) + \(tex("F"))") {
                (H_1 + F).named(name("R_2"), tex: tex("R_2")).labeled(rows)
            }
            return norms.1(R_2, parameters.norm2, labels: labels).named(name("H_2"), tex: tex("H_2")).labeled(rows)
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
