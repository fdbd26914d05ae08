import Engine
import Trace

/// word2vec with a full softmax, as the notes' unit on word embeddings works it (row vectors:
/// a word is a one-hot x, 1×V):
///
///     CBOW:       h = (1/C) Σ_c x_c W_in,   u = h W_out,   y = softmax(u),   e_target = y − target,
///     skip-gram:  h = x W_in,               u = h W_out,   y = softmax(u),   e_c = y − target_c,  e = Σ_c e_c.
///
/// Shapes: W_in is V×N (its rows are the embeddings), W_out is N×V, h is 1×N, u, y, targets and
/// errors are 1×V. No non-linearity between the layers. With one context word, h *is* that
/// word's row of W_in.
///
/// The loss is Q = −Σ target ⊙ log softmax(u) (skip-gram: the targets of every context word
/// summed, so Q = Σ_c −log y_c), whose gradient ∂Q/∂u is exactly the notes' error: e for CBOW,
/// Σ_c e_c for skip-gram. The forward pass computes the errors as the notes do, named `e_<word>`
/// (and `e` for skip-gram's sum); reverse mode then computes ∂Q/∂u and carries it back to
/// W_out and the used rows of W_in, and one SGD step updates both.
struct Word2Vec {
    let corpus: Word2VecCorpus
    /// N, the size of an embedding.
    let dimensions: Int

    var vocabulary: [String] { corpus.vocabulary }

    /// W_in (rows labelled with the vocabulary) and W_out (columns labelled) on `tape`.
    func bind(_ W_in: Tensor, _ W_out: Tensor, on tape: Tape) -> (Var, Var) {
        (
            tape.parameter(W_in, name: "W_in", tex: "W_{\\text{in}}").labeled([vocabulary, nil]).tagged("embedding"),
            tape.parameter(W_out, name: "W_out", tex: "W_{\\text{out}}").labeled([nil, vocabulary]).tagged("output_embedding")
        )
    }

    /// One-hot rows of `words` (C×V), named `x`.
    private func oneHot(_ words: [Int], on tape: Tape) -> Var {
        let V = vocabulary.count
        var scalars = [Double](repeating: 0, count: words.count * V)
        for (row, word) in words.enumerated() { scalars[row * V + word] = 1 }
        return tape.input(Tensor(shape: [words.count, V], scalars: scalars), name: "x", requiresGradient: false)
            .labeled([words.map { vocabulary[$0] }, vocabulary]).tagged("one_hot")
    }

    /// The one-hot target of `word`; `position` tells apart skip-gram's context words, which may repeat.
    private func target(_ word: Int, position: Int? = nil, on tape: Tape) -> Var {
        let name = vocabulary[word]
        return tape.constant(Self.oneHotRow(word, vocabulary.count), name: "target_\(name)", tex: "\\mathrm{target}_{\\text{\(name)}}")
            .labeled([nil, vocabulary]).tagged("target", Self.context(name, position))
    }

    static func oneHotRow(_ index: Int, _ count: Int) -> Tensor {
        var scalars = [Double](repeating: 0, count: count)
        scalars[index] = 1
        return Tensor(shape: [1, count], scalars: scalars)
    }

    /// u = h W_out and y = softmax(u), in the scope `output layer`.
    private func output(_ h: Var, _ W_out: Var) -> (u: Var, y: Var) {
        h.tape.scope("output layer", kind: .stage("output_layer"), equation: "y = \\operatorname{softmax}(h W_{\\text{out}})") {
            let u = (h • W_out).named("u").labeled([nil, vocabulary]).tagged("scores")
            return (u, softmax(u, axis: 1).named("y").labeled([nil, vocabulary]).tagged("probabilities"))
        }
    }

    /// The tags' context of a target or an error: its word, and its position among skip-gram's context words.
    private static func context(_ word: String, _ position: Int?) -> [String: JSONValue] {
        position.map { ["word": .string(word), "position": .int($0)] } ?? ["word": .string(word)]
    }

    /// CBOW's forward pass and loss for `context` → `targetWord`; returns Q.
    func cbowLoss(context: [Int], target targetWord: Int, _ W_in: Var, _ W_out: Var) -> Var {
        let tape = W_in.tape
        let C = context.count
        let h = tape.scope(
            "hidden layer", kind: .stage("hidden_layer"), equation: C == 1 ? "h = x W_{\\text{in}}" : "h = \\tfrac{1}{\(C)} \\sum_{c=1}^{\(C)} x_c W_{\\text{in}}"
        ) {
            let x = oneHot(context, on: tape)
            if C == 1 { return (x • W_in).named("h").tagged("hidden_layer") }
            let H = (x • W_in).named("H").labeled([context.map { vocabulary[$0] }, nil]).tagged("context_embeddings")
            return mean(H, axis: 0, keepdims: true).named("h").tagged("hidden_layer")
        }
        let (u, y) = output(h, W_out)
        let target = target(targetWord, on: tape)
        let name = vocabulary[targetWord]
        tape.scope("error", kind: .stage("error"), equation: "e_{\\text{\(name)}} = y - \\mathrm{target}_{\\text{\(name)}}") {
            _ = (y - target).named("e_\(name)", tex: "e_{\\text{\(name)}}").labeled([nil, vocabulary])
                .tagged("error", ["word": .string(name)])
        }
        return tape.scope("loss", kind: .loss, equation: "Q = -\\sum \\mathrm{target} \\odot \\log \\operatorname{softmax}(u)") {
            softmaxCrossEntropy(logits: u, target: target, axis: 1).named("Q").tagged("loss")
        }
    }

    /// Skip-gram's forward pass and loss for `centre` → `context` (padding left out); returns Q.
    func skipGramLoss(centre: Int, context: [Int], _ W_in: Var, _ W_out: Var) -> Var {
        let tape = W_in.tape
        let h = tape.scope("hidden layer", kind: .stage("hidden_layer"), equation: "h = x W_{\\text{in}}") {
            (oneHot([centre], on: tape) • W_in).named("h").tagged("hidden_layer")
        }
        let (u, y) = output(h, W_out)
        let targets = context.enumerated().map { target($1, position: $0 + 1, on: tape) }
        tape.scope("errors", kind: .stage("error"), equation: "e = \\sum_{c=1}^{\(context.count)} (y - \\mathrm{target}_c)") {
            let errors = zip(context, targets).enumerated().map { index, pair in
                let (word, target) = pair
                let name = vocabulary[word]
                return (y - target).named("e_\(name)", tex: "e_{\\text{\(name)}}").labeled([nil, vocabulary])
                    .tagged("error", Self.context(name, index + 1))
            }
            if errors.count > 1 {
                _ = errors.dropFirst().reduce(errors[0], +).named("e").labeled([nil, vocabulary])
            }
        }
        return tape.scope(
            "loss", kind: .loss, equation: "Q = -\\sum_{c} \\log y_{c} = -\\Big(\\sum_c \\mathrm{target}_c\\Big) \\odot \\log \\operatorname{softmax}(u)"
        ) {
            let all =
                targets.count == 1
                ? targets[0]
                : targets.dropFirst().reduce(targets[0], +).named("targets", tex: "\\sum_c \\mathrm{target}_c")
                    .labeled([nil, vocabulary])
            return softmaxCrossEntropy(logits: u, target: all, axis: 1).named("Q").tagged("loss")
        }
    }
}
