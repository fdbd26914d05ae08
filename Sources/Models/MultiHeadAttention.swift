import Engine
import Trace

/// Multi-head scaled dot-product attention. Rows are tokens: X is N×d_model.
///
///     Q = X W_Q,   K = X W_K,   V = X W_V                       (each N×d_model)
///     Q_i, K_i, V_i = columns (i−1)·d_k ..< i·d_k of Q, K, V      (d_k = d_model / h)
///     S_i = Q_i K_iᵀ / √d_k,   A_i = softmax(S_i) row by row,   Z_i = A_i V_i
///     Z = [Z_1 … Z_h] W_O
///
/// W_Q, W_K, W_V and W_O are d_model×d_model: slicing the columns of Q = X W_Q is the same as
/// giving each head the d_model×d_k block of W_Q's columns, so one product serves every head.
/// The scale is 1/√d_k (the notes once divide by d_k itself: a slip).
///
/// With `causal`, query i sees keys 1…i only: S_i is `where(M, ·) {value: −∞}` with M the
/// constant lower-triangular mask of ones, so the softmax gives the future exactly 0.
///
/// Cross-attention (`attend(queries:keysAndValues:…)`) takes Q from one sequence (N_q×d_model)
/// and K, V from another (N_k×d_model); S_i and A_i are then N_q×N_k.
///
/// Names in the trace: `W_Q`, `W_K`, `W_V`, `W_O`, `Q`, `K`, `V`; per head i (from 1) `Q_i`,
/// `K_i`, `V_i`, `S_i`, `A_i`, `Z_i`; `Z_heads` the concatenation, `Z` the output; `M` the mask.
/// A `tag` (for a network with several attention blocks) is appended as `^tag`: `W_Q^enc`, `A_2^enc`.
public struct MultiHeadAttention: Sendable {
    public let modelSize: Int
    public let heads: Int
    public let causal: Bool
    public let tag: String?

    /// d_k = d_model / h, the width of each head.
    public var headSize: Int { modelSize / heads }

    /// - Precondition: `heads` divides `modelSize` (`check` says so in words).
    public init(modelSize: Int, heads: Int, causal: Bool = false, tag: String? = nil) {
        precondition(heads > 0 && modelSize % heads == 0, "d_model \(modelSize) is not divisible by heads \(heads)")
        self.modelSize = modelSize
        self.heads = heads
        self.causal = causal
        self.tag = tag
    }

    /// The largest sizes the demos accept.
    public static let maxTokens = 64
    public static let maxModelSize = 256

    /// Refuses sizes the attention demos do not run, with the fix.
    public static func check(tokens: Int, modelSize: Int, heads: Int) throws(DemoError) {
        guard tokens <= maxTokens else {
            throw .conflict("the sentence has \(tokens) tokens; attention demos take at most \(maxTokens)")
        }
        guard modelSize <= maxModelSize else {
            throw .conflict("{d-model} \(modelSize) is too large; at most \(maxModelSize)")
        }
        guard heads >= 1, modelSize % heads == 0 else {
            let divisors = (1...modelSize).filter { modelSize % $0 == 0 }.map(String.init)
            let choices = divisors.count == 1 ? divisors[0] : divisors.dropLast().joined(separator: ", ") + " or " + divisors.last!
            throw .conflict("d_model \(modelSize) is not divisible by heads \(heads); choose heads \(choices)")
        }
    }

    /// W_Q, W_K, W_V, W_O in that order, each drawn row-major uniform in ±1/√d_model.
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        (0..<4).map { _ in Tensor.fanInUniform([modelSize, modelSize], fanIn: modelSize, using: &random) }
    }

    /// W_Q, W_K, W_V, W_O.
    public struct Parameters: ParameterSet {
        public let W_Q, W_K, W_V, W_O: Var

        public var list: [Var] { [W_Q, W_K, W_V, W_O] }
        public init(_ list: ArraySlice<Var>) {
            var p = ParameterReader(list)
            (W_Q, W_K, W_V, W_O) = (p.next(), p.next(), p.next(), p.next())
        }
    }

    /// The parameters on `tape`, named `W_Q`, `W_K`, `W_V`, `W_O` (tagged).
    public func bind(_ values: [Tensor], on tape: Tape) -> Parameters {
        Parameters(zip(["Q", "K", "V", "O"], values).map { tape.parameter($1, name: name("W_\($0)"), tex: tex("W_\($0)")) })
    }

    /// Self-attention: queries, keys and values all from X (N×d_model). Returns Z, N×d_model.
    public func callAsFunction(_ X: Var, _ parameters: Parameters, labels: [String]? = nil) -> Var {
        attend(queries: X, keysAndValues: X, parameters, queryLabels: labels, keyLabels: labels)
    }

    /// Attention of the rows of `queries` (N_q×d_model) over the rows of `keysAndValues`
    /// (N_k×d_model), in the scope `multi-head attention`. Returns Z, N_q×d_model.
    public func attend(
        queries Xq: Var, keysAndValues Xkv: Var, _ p: Parameters, queryLabels: [String]? = nil,
        keyLabels: [String]? = nil
    ) -> Var {
        let (W_Q, W_K, W_V, W_O) = (p.W_Q, p.W_K, p.W_V, p.W_O)
        let tape = Xq.tape
        let (queryCount, keyCount) = (Xq.shape[0], Xkv.shape[0])
        precondition(!causal || queryCount == keyCount, "a causal mask needs as many queries as keys")
        let queryRows: [[String]?] = [queryLabels, nil]
        let keyRows: [[String]?] = [keyLabels, nil]
        return tape.scope("multi-head attention", kind: ScopeKind("attention", declaredContext), equation: "Z = [Z_1 \\cdots Z_{\(heads)}] \(tex("W_O"))") {
            let (Q, K, V) = tape.scope(
                "projections", equation: "\(tex("Q")) = X \(tex("W_Q")),\\; \(tex("K")) = X \(tex("W_K")),\\; \(tex("V")) = X \(tex("W_V"))"
            ) {
                ((Xq • W_Q).named(name("Q"), tex: tex("Q")).labeled(queryRows),
                 (Xkv • W_K).named(name("K"), tex: tex("K")).labeled(keyRows),
                 (Xkv • W_V).named(name("V"), tex: tex("V")).labeled(keyRows))
            }
            let mask = causal ? Self.causalMask(queryCount, on: tape, name: name("M"), tex: tex("M")) : nil
            let outputs = (1...heads).map { i in
                head(i, Q, K, V, mask: mask, queryLabels: queryLabels, keyLabels: keyLabels)
            }
            let joined = concat(outputs, axis: 1).named(name("Z_heads"), tex: "[Z_1 \\cdots Z_{\(heads)}]\(tagTeX)")
                .labeled(queryRows)
            return tape.scope("output projection", equation: "\(tex("Z")) = [Z_1 \\cdots Z_{\(heads)}] \(tex("W_O"))") {
                (joined • W_O).named(name("Z"), tex: tex("Z")).labeled(queryRows)
            }
        }
    }

    /// Head i: its columns of Q, K, V, then S_i = Q_i K_iᵀ / √d_k (masked), A_i, Z_i = A_i V_i.
    private func head(
        _ i: Int, _ Q: Var, _ K: Var, _ V: Var, mask: Var?, queryLabels: [String]?, keyLabels: [String]?
    ) -> Var {
        let d_k = headSize
        let columns = (i - 1) * d_k..<i * d_k
        let tape = Q.tape
        return tape.scope("head \(i)", kind: .head(i), equation: Self.headEquation(i, d_k: d_k, tag: tagTeX)) {
            let Q_i = slice(Q, axis: 1, columns).named(name("Q_\(i)"), tex: tex("Q_{\(i)}")).labeled([queryLabels, nil])
            let K_i = slice(K, axis: 1, columns).named(name("K_\(i)"), tex: tex("K_{\(i)}")).labeled([keyLabels, nil])
            let V_i = slice(V, axis: 1, columns).named(name("V_\(i)"), tex: tex("V_{\(i)}")).labeled([keyLabels, nil])
            var S_i = (1 / Double(d_k).squareRoot()) * (Q_i • transpose(K_i))
            if let mask { S_i = masked(S_i, where: mask, else: -.infinity) }
            S_i.named(name("S_\(i)"), tex: tex("S_{\(i)}")).tagged("attention_scores", declaredContext.merging(["head": .int(i)]) { a, _ in a }).labeled([queryLabels, keyLabels])
            let A_i = softmax(S_i, axis: 1).named(name("A_\(i)"), tex: tex("A_{\(i)}"))
                .tagged("attention_weights", declaredContext.merging(["head": .int(i)]) { a, _ in a }).labeled([queryLabels, keyLabels])
            return (A_i • V_i).named(name("Z_\(i)"), tex: tex("Z_{\(i)}")).labeled([queryLabels, nil])
        }
    }

    /// S_i = Q_i K_iᵀ/√d_k, A_i = softmax(S_i), Z_i = A_i V_i, with the numbers of head i.
    static func headEquation(_ i: Int, d_k: Int, tag: String = "") -> String {
        "S_{\(i)}\(tag) = \\frac{Q_{\(i)}\(tag) {K_{\(i)}\(tag)}^\\top}{\\sqrt{\(d_k)}},\\; A_{\(i)}\(tag) = \\mathrm{softmax}(S_{\(i)}\(tag)),\\; Z_{\(i)}\(tag) = A_{\(i)}\(tag) V_{\(i)}\(tag)"
    }

    /// The N×N constant with 1 where key j ≤ query i (the past and the token itself), 0 above.
    public static func causalMask(_ n: Int, on tape: Tape, name: String = "M", tex: String = "M") -> Var {
        var scalars = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { scalars[i * n + j] = 1 } }
        return tape.constant(Tensor(shape: [n, n], scalars: scalars), name: name, tex: tex)
    }

    private func name(_ base: String) -> String { tag.map { "\(base)^\($0)" } ?? base }
    private var tagTeX: String { tag.map { "^{\\mathrm{\($0)}}" } ?? "" }
    private func tex(_ base: String) -> String { base + tagTeX }
}
