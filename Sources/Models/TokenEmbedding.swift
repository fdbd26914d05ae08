import Engine
import Trace

/// A sentence as the attention demos read it: its tokens, one row each in X (N×d).
///
/// - Tokens: `Tokenizer.words(of:)` (lower-cased words, punctuation stripped), at most 64.
/// - `vocabulary`: each word once, in order of first appearance.
/// - Embeddings: for each vocabulary word in that order, d values drawn uniform in [−1, 1)
///   from the demo's generator (row-major: the first word's d values, then the second's, …),
///   before any other draw of the demo. Row i of X is the embedding of token i, so a word that
///   occurs twice gives two equal rows.
/// - `bind(on:)` puts X on a tape as the input `X` (no gradient: the embeddings are data here)
///   with the tokens as the labels of its rows.
struct TokenEmbedding: Sendable {
    /// The notes' example sentence.
    static let notesSentence = "cat sat on the soft mat"
    static let maxTokens = 64
    static let maxDimension = 256

    let tokens: [String]
    let vocabulary: [String]
    /// V×d: row k embeds `vocabulary[k]`.
    let table: Tensor
    /// X, N×d: row i embeds `tokens[i]`.
    let matrix: Tensor

    /// N, the number of tokens.
    var count: Int { tokens.count }
    /// d, the size of an embedding.
    var dimension: Int { matrix.shape[1] }

    /// Tokenizes `sentence` and draws one embedding per distinct word. Throws when the sentence has
    /// no words or more than 64, naming `parameter`.
    init(sentence: String, dimension: Int, using random: inout SeededGenerator, parameter: String = "sentence")
        throws(DemoError)
    {
        precondition((1...Self.maxDimension).contains(dimension), "embedding size \(dimension) outside 1…\(Self.maxDimension)")
        tokens = Tokenizer.words(of: sentence)
        guard !tokens.isEmpty else { throw .conflict("{\(parameter)} has no words; give at least one") }
        guard tokens.count <= Self.maxTokens else {
            throw .conflict("{\(parameter)} has \(tokens.count) words; attention demos take at most \(Self.maxTokens) tokens")
        }
        vocabulary = Tokenizer.vocabulary(of: tokens)
        let table = Tensor.uniform([vocabulary.count, dimension], bound: 1, using: &random)
        let row = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        let scalars = tokens.flatMap { token in table.scalars[(row[token]! * dimension)..<((row[token]! + 1) * dimension)] }
        self.table = table
        matrix = Tensor(shape: [tokens.count, dimension], scalars: scalars)
    }

    /// X on `tape`: an input without gradient, its rows labelled with the tokens.
    func bind(on tape: Tape) -> Var {
        tape.input(matrix, name: "X", requiresGradient: false).labeled([tokens, nil])
    }

    /// The `sentence` parameter, the notes' example by default.
    static let sentenceParameter = Parameter<String>(
        "sentence", "the tokens, one row of X each (words, lower-cased, at most \(maxTokens))", length: 1...2000,
        default: notesSentence, scales: .size)
}

/// The loss the attention demos train on: L = ½ ‖Z − T‖² summed over every element, with the
/// target T (N×d_v) given as `target` or drawn uniform in [−1, 1) row-major after every other draw
/// of the demo. (The loss is `L`, not the notes' Q: Q is the matrix of queries here.)
enum AttentionTarget {
    static let parameter = OptionalParameter<[[Double]]>(
        "target", "the target T of the loss ½‖Z − T‖², one row per token (default: drawn from the seed)",
        rows: 1...TokenEmbedding.maxTokens, columns: 1...TokenEmbedding.maxDimension)

    /// T for an N×d_v output: `target` if given (its shape must agree), else drawn.
    static func make(_ config: DemoConfig, rows: Int, columns: Int, using random: inout SeededGenerator) throws(DemoError)
        -> Tensor
    {
        guard let given = config[parameter] else { return .uniform([rows, columns], bound: 1, using: &random) }
        guard given.count == rows, given[0].count == columns else {
            throw .conflict(
                "{target} is \(given.count)×\(given[0].count) but Z is \(rows)×\(columns); give one row of \(columns) numbers per token")
        }
        return Tensor(rows: given)
    }

    /// L = ½ ‖Z − T‖², in the scope `loss`, with T the constant `T` labelled like Z's rows.
    static func loss(_ Z: Var, _ target: Tensor, labels: [String]?) -> Var {
        let tape = Z.tape
        return tape.scope("loss", kind: .loss, equation: "L = \\tfrac{1}{2} \\lVert Z - T \\rVert^2") {
            let T = tape.constant(target, name: "T")
            if let labels { T.labeled([labels, nil]) }
            return halfSquaredError(Z, T).named("L")
        }
    }
}
