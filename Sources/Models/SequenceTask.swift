import Engine
import Trace

/// What the sequence demos share: the sequence x_1…x_T, its targets target_1…target_T, the
/// per-step loss, and their parameters.
///
/// The sequence is seeded, given (`inputs`, one row per step), or the tokens of a `text`: one-hot
/// columns over the text's vocabulary, with next-token targets. Random draws, in this order and
/// before any model parameter: x_1…x_T (each I values uniform in [−1, 1)), then the targets
/// (for `mse` O values uniform in [−1, 1) per step; for `cross-entropy` a class per step,
/// `nextInt(below: O)`), each only when not given.
struct SequenceTask {
    /// x_1…x_T, each I×1.
    let inputs: [Tensor]
    /// target_1…target_T, each O×1.
    let targets: [Tensor]
    /// The tokens' vocabulary when the sequence comes from a text (labels of the one-hot axis).
    let vocabulary: [String]?
    /// `mse` (½‖y_t − target_t‖²) or `cross-entropy` (−Σ target_t ⊙ log softmax(y_t)).
    let loss: LossKind

    var steps: Int { inputs.count }
    var inputSize: Int { inputs[0].shape[0] }
    var outputSize: Int { targets[0].shape[0] }

    /// The sequence the config asks for; records the derived sizes and loss in `config`.
    static func make(_ config: inout DemoConfig, _ p: SequenceInput = .standard, using random: inout SeededGenerator) throws(DemoError)
        -> SequenceTask
    {
        let maxSteps = p.maxSteps
        if let text = config[p.text] {
            let others = [config.given(p.inputs), config.given(p.targets), config.given(p.input), config.given(p.outputSize)]
            if let other = zip([p.inputs.name, p.targets.name, p.input.name, p.outputSize.name], others).first(where: \.1)?.0 {
                throw .conflict("{text} makes the inputs and targets (one-hot tokens); leave out {\(other)}")
            }
            if config[p.loss] == .mse {
                throw .conflict("{text} trains next-token prediction: use {loss} cross-entropy (or leave it out)")
            }
            let tokens = Tokenizer.tokens(of: text)
            guard tokens.count >= 2 else {
                throw .conflict("{text} needs at least 2 tokens (one to read, one to predict); it has \(tokens.count)")
            }
            guard tokens.count - 1 <= maxSteps else {
                throw .conflict("{text} has \(tokens.count) tokens, so \(tokens.count - 1) steps; at most \(maxSteps) are allowed")
            }
            if config.given(p.steps), config[p.steps] != tokens.count - 1 {
                throw .conflict("{steps} is \(config[p.steps]) but {text} has \(tokens.count) tokens, so \(tokens.count - 1) steps")
            }
            let vocabulary = Tokenizer.vocabulary(of: tokens)
            let index = { (token: String) in vocabulary.firstIndex(of: token)! }
            let oneHot = { (token: String) in Tensor.oneHot(index(token), count: vocabulary.count) }
            let task = SequenceTask(
                inputs: tokens.dropLast().map(oneHot), targets: tokens.dropFirst().map(oneHot), vocabulary: vocabulary,
                loss: .crossEntropy)
            task.record(in: &config, p)
            return task
        }

        let loss = config[p.loss] ?? .mse
        let given = config[p.inputs]
        let steps = given?.count ?? config[p.targets]?.count ?? config[p.steps]
        let inputSize = given?.first?.count ?? config[p.input]
        if let given, config.given(p.input), inputSize != config[p.input] {
            throw .conflict("{input} is \(config[p.input]) but the rows of {inputs} have \(given[0].count) numbers")
        }
        if config.given(p.steps), steps != config[p.steps] {
            throw .conflict("{steps} is \(config[p.steps]) but the sequence given has \(steps) rows")
        }
        let inputs = given.map { $0.map { Tensor(column: $0) } }
            ?? (0..<steps).map { _ in Tensor.uniform([inputSize, 1], bound: 1, using: &random) }

        let outputSize: Int
        let targets: [Tensor]
        if let rows = config[p.targets] {
            guard rows.count == steps else {
                throw .conflict("{targets} has \(rows.count) rows but the sequence has \(steps) steps; give one target per step")
            }
            outputSize = rows[0].count
            if config.given(p.outputSize), outputSize != config[p.outputSize] {
                throw .conflict("{output-size} is \(config[p.outputSize]) but the rows of {targets} have \(outputSize) numbers")
            }
            if loss == .crossEntropy, !rows.allSatisfy({ $0.allSatisfy { $0 >= 0 } && abs($0.reduce(0, +) - 1) < 1e-9 }) {
                throw .conflict("with {loss} cross-entropy each row of {targets} must be a probability distribution (one-hot, say)")
            }
            targets = rows.map { Tensor(column: $0) }
        } else {
            outputSize = config[p.outputSize]
            if loss == .crossEntropy {
                guard outputSize >= 2 else { throw .conflict("{loss} cross-entropy needs {output-size} of at least 2 (one per class)") }
                targets = (0..<steps).map { _ in Tensor.oneHot(random.nextInt(below: outputSize), count: outputSize) }
            } else {
                targets = (0..<steps).map { _ in Tensor.uniform([outputSize, 1], bound: 1, using: &random) }
            }
        }
        let task = SequenceTask(inputs: inputs, targets: targets, vocabulary: nil, loss: loss)
        task.record(in: &config, p)
        return task
    }

    /// Puts what was derived into the trace's config, so it says exactly what ran.
    private func record(in config: inout DemoConfig, _ p: SequenceInput) {
        config.derive(p.steps, steps)
        config.derive(p.input, inputSize)
        config.derive(p.outputSize, outputSize)
        config.derive(p.loss, loss)
    }

    /// x_1…x_T on `tape`, named `x_t`, labelled with the vocabulary when there is one.
    func bindInputs(on tape: Tape) -> [Var] {
        inputs.enumerated().map { index, value in
            let x = tape.input(value, name: "x_\(index + 1)", tex: "x_{\(index + 1)}", requiresGradient: false)
                .tagged("input", ["t": .int(index + 1)])
            return vocabulary.map { x.labeled([$0, nil]) } ?? x
        }
    }

    /// target_1…target_T on `tape`.
    func bindTargets(on tape: Tape) -> [Var] {
        targets.enumerated().map { index, value in
            let target = tape.constant(value, name: "target_\(index + 1)", tex: "\\mathrm{target}_{\(index + 1)}")
                .tagged("target", ["t": .int(index + 1)])
            return vocabulary.map { target.labeled([$0, nil]) } ?? target
        }
    }

    /// Q = Σ_t Q_t over the outputs y_1…y_T: a `loss` scope holding one `t = k` scope per step.
    /// The equations name each output by its own TeX (the tapped delay line's are ẑ_t).
    func loss(_ outputs: [Var], _ targets: [Var]) -> Var {
        let tape = outputs[0].tape
        return tape.scope("loss", kind: .loss, equation: "Q = \\sum_{t=1}^{\(steps)} Q_t") {
            let losses = zip(outputs, targets).enumerated().map { index, pair in
                let (y, target) = pair
                let t = index + 1
                if let vocabulary { y.labeled([vocabulary, nil]) }
                if loss == .crossEntropy {
                    return tape.scope("t = \(t)", kind: .timeStep(t), equation: "Q_{\(t)} = -\\sum \\mathrm{target}_{\(t)} \\odot \\log \\operatorname{softmax}(\(y.tex))") {
                        softmaxCrossEntropy(logits: y, target: target, axis: 0).named("Q_\(t)", tex: "Q_{\(t)}")
                    }
                }
                return tape.scope("t = \(t)", kind: .timeStep(t), equation: "Q_{\(t)} = \\tfrac{1}{2} \\lVert \(y.tex) - \\mathrm{target}_{\(t)} \\rVert^2") {
                    halfSquaredError(y, target).named("Q_\(t)", tex: "Q_{\(t)}")
                }
            }
            return losses.dropFirst().reduce(losses[0], +).named("Q")
        }
    }
}

/// How a text becomes tokens: words (lower-cased, punctuation stripped; an apostrophe or hyphen
/// is kept inside a word: don't, well-known) when it has white space, otherwise its characters;
/// the vocabulary lists each token once, in order of first appearance.
enum Tokenizer {
    static func tokens(of text: String) -> [String] {
        guard text.contains(where: \.isWhitespace) else { return text.map(String.init) }
        return words(of: text)
    }

    /// The words of `text` whatever its spacing (word2vec's tokens): lower-cased, punctuation stripped.
    static func words(of text: String) -> [String] {
        let joiner: (Character) -> Bool = { $0 == "'" || $0 == "-" }
        return text.lowercased().split(whereSeparator: \.isWhitespace).map { word in
            let kept = word.filter { $0.isLetter || $0.isNumber || joiner($0) }
            return String(kept.drop(while: joiner).reversed().drop(while: joiner).reversed())
        }.filter { !$0.isEmpty }
    }

    static func vocabulary(of tokens: [String]) -> [String] {
        var seen = Set<String>()
        return tokens.filter { seen.insert($0).inserted }
    }
}
