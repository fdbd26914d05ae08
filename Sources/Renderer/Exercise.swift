import Foundation
import Trace

/// An exercise whose answer the reader's browser checks (docs/site.md, "Exercises that check
/// answers"): a reference to one value, marked by its title (`ExerciseAnswer`), resolved at build
/// time like any reference. The page gets the value, the tolerance, the step it comes from and a
/// hint (the step's inputs) as attributes of a `<span class="exercise">` around the link, so that
/// checking needs no trace loaded and works from `file://`; `assets/exercises.js` turns the span
/// into an input box. Without scripts the link stays: its text and the step it links to.
struct Exercise: Equatable {
    /// Unique on its page and stable across builds: `<trace id>:<what>` as written
    /// (`lstm-1:c_2[2]`), `#2` after a second answer naming the same value. Progress is kept by it.
    var id: String
    var traceID: String
    /// The trace's value: the answer a reader's number is checked against.
    var value: Double
    var answer: ExerciseAnswer
    /// The step the value comes from (0-based), when it comes from one.
    var step: Int?
    /// The flat index of the value in that step's output, when the value is one element of it:
    /// the worked answer selects it in the viewer (its provenance).
    var element: Int?
    /// What a wrong answer is told: the step's inputs, as HTML (TeX in `span.math`).
    var hint: String

    static let maxHintValues = ReferenceText.maxQuotedValues

    /// The exercise a reference with an answer's title makes, or why it cannot be one.
    static func make(
        id: String, traceID: String, label: String, answer: ExerciseAnswer, found: ResolvedReference,
        facts: () -> Result<ExerciseFacts, ReferenceProblem>
    ) -> Result<Exercise, ReferenceProblem> {
        // TeX's braces (`$\mathrm{net}$ =`) are not placeholders.
        if label.range(of: #"\{(step|steps|count|value|norm)(:[^}]*)?\}"#, options: .regularExpression) != nil {
            return .failure(.syntax("an answer's link text is the label of its input box: no placeholders (`{value}` would show the answer); write `[net =](…)`"))
        }
        guard let quoted = found.value else {
            return .failure(.syntax(found.isRange
                ? "an answer is one value, not a run of steps: name a tensor's element (`#:h_2[1]`)"
                : "an answer is a value, not a step: name the tensor the step makes (`#:h_2[1]`)"))
        }
        let value: Double
        if answer.norm {
            value = quoted.norm
        } else {
            guard quoted.count == 1, let only = quoted.data?.first else {
                let shape = quoted.shape.map(String.init).joined(separator: "×")
                let example = quoted.shape.filter({ $0 != 1 }).count <= 1 ? "[1]" : "[" + quoted.shape.map { _ in "1" }.joined(separator: ",") + "]"
                return .failure(.syntax("the value has \(quoted.count) numbers (\(shape)) and an answer is one: name an element (`…\(example)`), or write `norm` in the title for its norm"))
            }
            value = only
        }
        guard value.isFinite else {
            return .failure(.unresolved("the value is \(NumberFormat.viewer.text(value)), which a reader cannot type: choose another"))
        }
        return facts().map { facts in
            Exercise(id: id, traceID: traceID, value: value, answer: answer, step: found.steps.first,
                element: facts.isOutput && !answer.norm ? (quoted.element ?? 0) : nil, hint: facts.hint)
        }
    }

    /// What an exercise says of the step its answer comes from, found in the trace: whether the
    /// value is that step's own output, and the hint. The trace cache keeps it (`TraceFacts`).
    static func facts(step: Int?, tensor: Int?, trace: TraceDocument) -> ExerciseFacts {
        let isOutput = step.map { tensor == trace.steps[$0].output } ?? false
        return ExerciseFacts(isOutput: isOutput, hint: hint(step: step, isOutput: isOutput, trace: trace, tensor: tensor))
    }

    /// The step's op and inputs, each with its shape, the step that makes it and its values when
    /// they fit in a sentence (as a reference's `{value}` quotes them).
    private static func hint(step: Int?, isOutput: Bool, trace: TraceDocument, tensor: Int?) -> String {
        guard let step else { return "It is a value of the training history: the figure's training view plots it." }
        guard isOutput else {
            let name = tensor.map { math(trace.tensors[$0].tex) } ?? "It"
            return "\(name) is an input of the trace, which no step makes: the viewer shows it at step \(step + 1)."
        }
        let made = trace.steps[step]
        var html = "Step \(step + 1) makes \(math(trace.tensors[made.output].tex)) with <code>\(escapeHTML(made.op))</code> from:"
        for input in made.inputs {
            let tensor = trace.tensors[input]
            let producer = trace.steps[..<step].last { $0.output == input }.map { ", step \($0.index + 1)" } ?? ""
            let shape = tensor.shape.map(String.init).joined(separator: "×")
            let values = tensor.data.count <= maxHintValues
                ? (try? ReferenceText.quote(QuotedValue(shape: tensor.shape, data: tensor.data), .viewer).get()).map { " = " + escapeHTML($0) } ?? ""
                : " (too many values to list here)"
            html += "<span class=\"exercise-hint-input\">\(math(tensor.tex)) (\(shape)\(producer))\(values)</span>"
        }
        return html
    }

    private static func math(_ tex: String) -> String {
        "<span class=\"math inline\">\(escapeHTML(tex))</span>"
    }

    /// The link's rewrite: the span around it (its attributes the exercise), no title (it was the
    /// answer's syntax), and "Answer" as the text of a link written without one.
    func rewrite(emptyLabel: Bool) -> LinkRewrite {
        var attributes = [("data-exercise", id), ("data-trace", traceID), ("data-value", "\(value)"),
            ("data-absolute", "\(answer.absolute)"), ("data-relative", "\(answer.relative)"), ("data-tolerance", answer.text)]
        if let step { attributes.append(("data-step", "\(step + 1)")) }
        if let element { attributes.append(("data-element", "\(element)")) }
        attributes.append(("data-hint", hint))
        var rewrite = LinkRewrite(destination: nil, emptyText: emptyLabel ? "Answer" : nil)
        rewrite.htmlBefore = "<span class=\"exercise\"" + attributes.map { " \($0.0)=\"\(escapeHTML($0.1))\"" }.joined() + ">"
        rewrite.htmlAfter = "</span>"
        rewrite.title = ""
        return rewrite
    }
}

/// What `Exercise.facts` finds in the trace for an answer's step.
struct ExerciseFacts: Codable, Equatable, Sendable {
    var isOutput: Bool
    var hint: String

    enum CodingKeys: String, CodingKey { case isOutput, hint }
}
