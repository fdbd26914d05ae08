import Engine
import Trace

/// Self-attention over a sentence: every token asks (query), offers (key) and carries (value),
///
///     Q = X W_Q,   K = X W_K,   V = X W_V,   Z = softmax(Q Kᵀ / √d_k) V,
///
/// with X N×d (one embedded token per row, `TokenEmbedding`), W_Q and W_K d×d_k, W_V d×d_v, so Q
/// and K are N×d_k, V is N×d_v, S and A are N×N and Z is N×d_v. `causal` masks every token's
/// view of the tokens after it.
///
/// `incremental` runs the causal computation the way the notes' decoding walk-through does, one
/// token at a time: token t brings its row x_t of X and makes a new query q_t, key k_t and value
/// v_t (1×d_k, 1×d_k, 1×d_v); the keys and values of tokens 1…t−1 were made at their own steps
/// and are reused, stacked with k_t and v_t into K_{1:t} and V_{1:t}; then s_t = q_t K_{1:t}ᵀ / √d_k,
/// a_t = softmax(s_t) and z_t = a_t V_{1:t}. Z stacks z_1…z_N and A stacks a_1…a_N padded with
/// zeros on the right: the same numbers as the full causal computation.
struct SelfAttention: Sendable {
    let dimension: Int
    let keySize: Int
    let valueSize: Int

    /// W_Q, W_K (d×d_k) and W_V (d×d_v), each drawn row-major uniform in ±1/√d, in that order.
    func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        [[dimension, keySize], [dimension, keySize], [dimension, valueSize]].map {
            Tensor.fanInUniform($0, fanIn: dimension, using: &random)
        }
    }

    /// W_Q, W_K, W_V.
    struct Weights: ParameterSet {
        let W_Q, W_K, W_V: Var

        var list: [Var] { [W_Q, W_K, W_V] }
        init(_ list: ArraySlice<Var>) {
            var p = ParameterReader(list)
            (W_Q, W_K, W_V) = (p.next(), p.next(), p.next())
        }
    }

    /// W_Q, W_K, W_V on `tape`.
    func bind(_ values: [Tensor], on tape: Tape) -> Weights {
        Weights(zip(["W_Q", "W_K", "W_V"], values).map { tape.parameter($1, name: $0, tex: "W_{\($0.dropFirst(2))}") })
    }

    /// A and Z for all tokens at once: the projections, then `Attention.attend`.
    func full(_ X: Var, _ weights: Weights, tokens: [String], causal: Bool) -> (A: Var, Z: Var) {
        let (Q, K, V) = X.tape.scope("queries, keys and values", equation: "Q = X W_Q, \\quad K = X W_K, \\quad V = X W_V") {
            (Attention.label((X • weights.W_Q).named("Q"), [tokens, nil]),
             Attention.label((X • weights.W_K).named("K"), [tokens, nil]),
             Attention.label((X • weights.W_V).named("V"), [tokens, nil]))
        }
        let (_, A, Z) = Attention.attend(Q, K, V, causal: causal, queries: tokens, keys: tokens)
        return (A, Z)
    }

    /// A and Z one token at a time, in the scopes `t = k: word` (see the type's comment).
    func incremental(_ X: Var, _ weights: Weights, tokens: [String]) -> (A: Var, Z: Var) {
        let tape = X.tape
        let (W_Q, W_K, W_V) = (weights.W_Q, weights.W_K, weights.W_V)
        let scale = 1 / Double(keySize).squareRoot()
        var keys: [Var] = []
        var values: [Var] = []
        var weightRows: [Var] = []
        var outputs: [Var] = []
        for (index, token) in tokens.enumerated() {
            let t = index + 1
            let seen = Array(tokens[...index])
            tape.scope("t = \(t): \(token)", kind: .timeStep(t)) {
                let (q, k, v) = tape.scope(
                    "new query, key and value", equation: "q_{\(t)} = x_{\(t)} W_Q, \\quad k_{\(t)} = x_{\(t)} W_K, \\quad v_{\(t)} = x_{\(t)} W_V"
                ) {
                    let x = rows(X, [index]).named("x_\(t)", tex: "x_{\(t)}").labeled([[token], nil])
                    return ((x • W_Q).named("q_\(t)", tex: "q_{\(t)}").labeled([[token], nil]),
                            (x • W_K).named("k_\(t)", tex: "k_{\(t)}").labeled([[token], nil]),
                            (x • W_V).named("v_\(t)", tex: "v_{\(t)}").labeled([[token], nil]))
                }
                keys.append(k)
                values.append(v)
                let (K, V) = tape.scope("cached keys and values", equation: cacheEquation(t)) {
                    (concat(keys, axis: 0).named("K_1:\(t)", tex: "K_{1:\(t)}").labeled([seen, nil]),
                     concat(values, axis: 0).named("V_1:\(t)", tex: "V_{1:\(t)}").labeled([seen, nil]))
                }
                let s = tape.scope("scores", equation: "s_{\(t)} = \\frac{q_{\(t)} K_{1:\(t)}^\\top}{\\sqrt{d_k}}") {
                    (scale * (q • transpose(K))).named("s_\(t)", tex: "s_{\(t)}").tagged("attention_scores", ["t": .int(t)]).labeled([[token], seen])
                }
                let a = tape.scope("softmax", equation: "a_{\(t)} = \\operatorname{softmax}(s_{\(t)})") {
                    softmax(s, axis: 1).named("a_\(t)", tex: "a_{\(t)}").tagged("attention_weights", ["t": .int(t)]).labeled([[token], seen])
                }
                let z = tape.scope("weighted sum of values", equation: "z_{\(t)} = a_{\(t)} V_{1:\(t)}") {
                    (a • V).named("z_\(t)", tex: "z_{\(t)}").labeled([[token], nil])
                }
                weightRows.append(t < tokens.count ? pad(a, axis: 1, before: 0, after: tokens.count - t) : a)
                outputs.append(z)
            }
        }
        return tape.scope("all tokens", equation: "A = [a_1 \\; 0; \\ldots; a_N], \\quad Z = [z_1; \\ldots; z_N]") {
            (concat(weightRows, axis: 0).named("A").tagged("attention_weights").labeled([tokens, tokens]),
             concat(outputs, axis: 0).named("Z").labeled([tokens, nil]))
        }
    }

    /// `K_{1:3} = [k_{1}; k_{2}; k_{3}], V_{1:3} = […]`, saying which rows were reused.
    private func cacheEquation(_ t: Int) -> String {
        let ks = (1...t).map { "k_{\($0)}" }.joined(separator: "; ")
        let vs = (1...t).map { "v_{\($0)}" }.joined(separator: "; ")
        let reused = t == 1 ? "\\text{nothing cached yet}" : "\\text{reused: } k, v \\text{ of tokens } 1 \\ldots \(t - 1)"
        return "K_{1:\(t)} = [\(ks)], \\quad V_{1:\(t)} = [\(vs)], \\quad \(reused)"
    }
}
