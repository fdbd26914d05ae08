import Engine
import Foundation
import Trace

/// A text as the word2vec demos train on it: tokens, vocabulary, counts and the windows that
/// make training pairs.
///
/// - Tokens: `Tokenizer.words(of:)`, always words (lower-cased, punctuation stripped).
/// - `vocabulary`: each word once, in order of first appearance; `counts[k]` is how often
///   `vocabulary[k]` occurs; `tokenIndices[t]` is the vocabulary index of token t.
/// - `windows(_:)`: one window per token, the centre word and its 2w context positions
///   (offsets −w…−1, +1…+w), `nil` where the window runs off the text (`<padding>`).
///   CBOW reads a window as context → centre (the target), skip-gram as centre → context.
/// - `index(of:parameter:)`: a word's vocabulary index, or the error "unknown word … — did you mean …?".
/// - `load(_:)`: the corpus a demo's `corpus` / `corpus-file` parameters ask for.
struct Word2VecCorpus: Sendable {
    /// The course notes' corpus for CBOW and skip-gram (V = 10).
    static let notesText = "Hey, this is sample corpus using only one context word."
    /// What a context position beyond either end of the text holds.
    static let padding = "<padding>"

    let tokens: [String]
    let vocabulary: [String]
    let counts: [Int]
    let tokenIndices: [Int]
    private let lookup: [String: Int]

    /// V, the vocabulary's size.
    var size: Int { vocabulary.count }

    /// Tokenizes `text`. Throws when it has fewer than 2 words (no pair to train on).
    init(text: String, parameter: String = "corpus") throws(DemoError) {
        tokens = Tokenizer.words(of: text)
        guard tokens.count >= 2 else {
            throw .conflict(
                "{\(parameter)} has \(tokens.count == 0 ? "no words" : "one word"); word2vec needs at least 2 (a word and its context)")
        }
        vocabulary = Tokenizer.vocabulary(of: tokens)
        var lookup: [String: Int] = [:]
        for (index, word) in vocabulary.enumerated() { lookup[word] = index }
        self.lookup = lookup
        tokenIndices = tokens.map { lookup[$0]! }
        var counts = [Int](repeating: 0, count: vocabulary.count)
        for index in tokenIndices { counts[index] += 1 }
        self.counts = counts
    }

    /// The vocabulary index of `word` (lower-cased and stripped like the corpus).
    func index(of word: String, parameter: String) throws(DemoError) -> Int {
        let normalized = Tokenizer.words(of: word).first ?? word
        if let index = lookup[normalized] { return index }
        let hint = closest(to: normalized, in: vocabulary).map { " — did you mean '\($0)'?" } ?? " (not in the corpus)"
        throw .conflict("{\(parameter)}: unknown word '\(word.excerpt)'\(hint)")
    }

    /// Comma-separated words (`this,corpus,context`) as vocabulary indices.
    func indices(ofList text: String, parameter: String) throws(DemoError) -> [Int] {
        var indices: [Int] = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            indices.append(try index(of: word, parameter: parameter))
        }
        guard !indices.isEmpty else { throw .conflict("{\(parameter)} names no word") }
        return indices
    }

    /// One window per token, in text order.
    func windows(_ w: Int) -> [Word2VecWindow] {
        tokenIndices.indices.map { t in
            let offsets = Array(-w ... -1) + Array(1...w)
            let context = offsets.map { offset in
                tokenIndices.indices.contains(t + offset) ? tokenIndices[t + offset] : nil
            }
            return Word2VecWindow(position: t, centre: tokenIndices[t], context: context)
        }
    }

    /// The corpus of `corpus` (text) or `corpus-file` (a path, read as UTF-8), the notes' corpus by default.
    static func load(_ config: DemoConfig) throws(DemoError) -> Word2VecCorpus {
        guard let path = config[file] else {
            return try Word2VecCorpus(text: config[text] ?? notesText)
        }
        if config.given(text) { throw .conflict("give {corpus} or {corpus-file}, not both") }
        let text: String
        do {
            text = try config.readFile(path)
        } catch {
            throw .conflict("{corpus-file}: cannot read '\(path.excerpt)' (\(error))")
        }
        return try Word2VecCorpus(text: text, parameter: "corpus-file")
    }

    static let text = OptionalParameter<String>("corpus", "the text to train on (default: the notes' sentence)", length: 1...2_000_000, scales: .size)
    static let file = OptionalParameter<String>.file("corpus-file", "a UTF-8 text file to train on instead of corpus", scales: .size)
    static let window = Parameter<Int>("window", "context words on each side of the centre word", 1...10, default: 1, scales: .size)
    /// `corpus`, `corpus-file` and `window`.
    static let parameters: [any DemoParameters] = [text, file, window]

    /// The training pairs as a constant tensor `training_pairs` of vocabulary indices, −1 for `<padding>`.
    ///
    /// One row per window. Skip-gram: columns `centre`, then the offsets (`-1`, `+1`, …), rows
    /// labelled `this → hey, is`. CBOW: the offsets, then `target`, rows labelled `hey, is → this`
    /// (padding is left out of a CBOW label: it is no context word).
    func trainingPairs(window w: Int, cbow: Bool, on tape: Tape) -> Var {
        let windows = windows(w)
        let offsets = (Array(-w ... -1) + Array(1...w)).map { $0 < 0 ? "\($0)" : "+\($0)" }
        let rows = windows.map { window in
            let context = window.context.map { Double($0 ?? -1) }
            return cbow ? context + [Double(window.centre)] : [Double(window.centre)] + context
        }
        let labels = windows.map { window in
            let centre = vocabulary[window.centre]
            if cbow { return "\(window.context.compactMap { $0 }.map { vocabulary[$0] }.joined(separator: ", ")) → \(centre)" }
            return "\(centre) → \(window.context.map { $0.map { vocabulary[$0] } ?? Self.padding }.joined(separator: ", "))"
        }
        return tape.constant(Tensor(rows: rows), name: "training_pairs", tex: "\\text{training pairs}")
            .labeled([labels, cbow ? offsets + ["target"] : ["centre"] + offsets])
    }

    /// The notes' input→hidden matrix (10×4): row k holds 4k−3 … 4k.
    static let notesInputWeights = Tensor(shape: [10, 4], scalars: (1...40).map(Double.init))
    /// The notes' hidden→output matrix (4×10).
    static let notesOutputWeights = Tensor(rows: [
        [0.13, 0.15, 0.14, 0.15, 0.16, 0.17, 0.16, 0.19, 0.2, 0.24],
        [0.23, 0.23, 0.24, 0.25, 0.24, 0.27, 0.28, 0.29, 0.2, 0.31],
        [0.22, 0.23, 0.24, 0.25, 0.24, 0.27, 0.28, 0.29, 0.4, 0.41],
        [0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.49, 0.5, 0.51],
    ])
}

/// The centre word of one position of the text and its context positions.
struct Word2VecWindow: Sendable, Equatable {
    /// The token's position in the text.
    let position: Int
    /// The centre word's vocabulary index (the CBOW target, the skip-gram input).
    let centre: Int
    /// Offsets −w…−1, +1…+w; `nil` is `<padding>`.
    let context: [Int?]

    /// The context words that exist (padding left out), in offset order.
    var contextWords: [Int] { context.compactMap { $0 } }
}
