/// An objective: ½‖y − t‖² (`mse`) or cross-entropy over a softmax (`cross-entropy`).
public enum LossKind: String, ParameterChoice {
    case mse
    case crossEntropy = "cross-entropy"
}

/// The parameters of a sequence demo's input (`SequenceTask`), declared once for every sequence
/// demo: the sequence seeded (`steps`, `input`, `output-size`), given (`inputs`, `targets`) or
/// the tokens of a `text`, and the `loss` summed over the steps.
struct SequenceInput: DemoParameters {
    let maxSteps: Int
    let steps: Parameter<Int>
    let input: Parameter<Int>
    let outputSize: Parameter<Int>
    let inputs: OptionalParameter<[[Double]]>
    let targets: OptionalParameter<[[Double]]>
    let text: OptionalParameter<String>
    let loss: OptionalParameter<LossKind>

    var declarations: [DemoParameter] {
        [steps.declaration, input.declaration, outputSize.declaration, inputs.declaration, targets.declaration, text.declaration, loss.declaration]
    }

    /// What most sequence demos take: up to 200 steps, 3 by default.
    static let standard = SequenceInput()

    /// `gradient-flow` words `steps`, `targets` and `loss` for its loss on the last step only.
    init(
        maxSteps: Int = 200, steps: (summary: String, default: Int) = ("sequence length T (when inputs and text are not given)", 3),
        targets: String = "the targets, one row per step (default: drawn from the seed)",
        loss: String = "objective, summed over the steps (default: mse, or cross-entropy with text)"
    ) {
        self.maxSteps = maxSteps
        self.steps = Parameter("steps", steps.summary, 1...maxSteps, default: steps.default, scales: .size, givenMatters: true)
        input = Parameter("input", "input size I (when inputs and text are not given)", 1...256, default: 2, scales: .size, givenMatters: true)
        outputSize = Parameter(
            "output-size", "output size O (the vocabulary's size with text)", 1...256, default: 2, scales: .size, givenMatters: true)
        inputs = OptionalParameter(
            "inputs", "the sequence, one row per step (default: drawn from the seed)", rows: 1...maxSteps, columns: 1...256, scales: .size)
        self.targets = OptionalParameter("targets", targets, rows: 1...maxSteps, columns: 1...256, scales: .size)
        text = OptionalParameter(
            "text", "a text whose tokens are the sequence, each predicting the next (characters, or words when it has spaces)",
            length: 2...4000, scales: .size)
        self.loss = OptionalParameter("loss", loss)
    }
}
