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
