import Foundation
import Testing
@testable import Renderer

/// Exercises that check answers (docs/site.md, "Exercises that check answers"): the answer's
/// title, what the build writes into the page, and every error at its file and line. The neuron's
/// numbers are worked out by hand: with x = (1, 2), w = (0.5, 0.25), b = −0.5 and t = 1,
/// net = 0.5 + 0.5 − 0.5 = 0.5, y = σ(0.5) = 1/(1 + e^−0.5) and e = y − t.
@Suite("Exercises that check answers")
struct ExerciseTests {
    // MARK: The title

    @Test(arguments: [
        ("answer", ExerciseAnswer(absolute: 0, relative: 0.01, norm: false)),
        ("Answer", ExerciseAnswer(absolute: 0, relative: 0.01, norm: false)),
        ("answer ±0.001", ExerciseAnswer(absolute: 0.001, relative: 0, norm: false)),
        ("answer: +-1e-3, ±2%", ExerciseAnswer(absolute: 0.001, relative: 0.02, norm: false)),
        ("answer +/-0.5 norm", ExerciseAnswer(absolute: 0.5, relative: 0, norm: true)),
        ("answer norm", ExerciseAnswer(absolute: 0, relative: 0.01, norm: true)),
        ("  answer ±0.5%  ", ExerciseAnswer(absolute: 0, relative: 0.005, norm: false)),
        ("answer ±0", ExerciseAnswer(absolute: 0, relative: 0, norm: false)),
    ])
    func anAnswersTitleGivesItsTolerance(_ title: String, _ expected: ExerciseAnswer) throws {
        let parsed = try #require(ExerciseAnswer.parse(title: title))
        #expect(try parsed.get() == expected)
    }

    @Test(arguments: ["", "the answer", "answers are below", "answered", "Step 12"])
    func otherTitlesAreNotAnswers(_ title: String) {
        #expect(ExerciseAnswer.parse(title: title) == nil)
    }

    @Test(arguments: [
        ("answer ±abc", "'±abc' is not a tolerance"),
        ("answer ±-1", "'±-1' is not a tolerance"),
        ("answer ±inf", "'±inf' is not a tolerance"),
        ("answer ±", "'±' is not a tolerance"),
        ("answer exactly", "'exactly' in an answer's title"),
        ("answer 0.001", "'0.001' in an answer's title"),
        ("answer ±1 ±2", "two absolute tolerances"),
        ("answer ±1% ±2%", "two relative tolerances"),
    ])
    func aMalformedTitleSaysWhatToWrite(_ title: String, _ message: String) throws {
        let parsed = try #require(ExerciseAnswer.parse(title: title))
        guard case .failure(let problem) = parsed else { Issue.record("\(title) parsed"); return }
        #expect(problem.message.contains(message), "\(problem.message)")
    }

    @Test(arguments: [
        (ExerciseAnswer(absolute: 0, relative: 0.01), "±1%"),
        (ExerciseAnswer(absolute: 0.001, relative: 0), "±0.001"),
        (ExerciseAnswer(absolute: 0.001, relative: 0.005), "±0.001 + 0.5%"),
        (ExerciseAnswer(absolute: 0, relative: 0), "exactly"),
        (ExerciseAnswer(absolute: 1e-6, relative: 0), "±1e−6"),
        (ExerciseAnswer(absolute: 0, relative: 0.001), "±0.1%"),
    ])
    func theToleranceIsStatedAsWritten(_ answer: ExerciseAnswer, _ text: String) {
        #expect(answer.text == text)
    }

    // MARK: In a course

    static let page = """
        # Neuron

        ```unrolled
        model: neuron
        id: n
        x: 1, 2
        w: 0.5, 0.25
        b: -0.5
        target: 1
        ```

        """

    func course(_ prose: String) throws -> TestCourse {
        try TestCourse(["course.yml": "title: T\n", "notes/01-neuron.md": Self.page + prose])
    }

    /// The attributes of the page's `span.exercise` elements, in order, their entities decoded.
    static func exercises(in html: String) -> [[String: String]] {
        html.components(separatedBy: "<span class=\"exercise\"").dropFirst().map { piece in
            let tag = piece[..<piece.firstIndex(of: ">")!]
            var attributes: [String: String] = [:]
            for part in tag.components(separatedBy: "\" ") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                let value = String(pair[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                attributes[String(pair[0])] = value.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                    .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
            }
            return attributes
        }
    }

    @Test func theBuildWritesTheValueTheToleranceTheStepAndAHint() throws {
        let course = try course("""
            1. Compute the net input. [net =](#n:net "answer ±0.001")
            2. And the output. [$y_{\\text{out}}$ =](#:y "answer")
            3. The second weight's gradient: [](#:dQ/dw[2] "answer ±1e-6")
            4. The output again, asked twice. [y =](#:y "answer ±2%")
            5. The norm of the weights' gradient: [‖∂Q/∂w‖ =](#:dQ/dw "answer norm")
            6. An ordinary reference keeps its title: [step {step}](#:y "the output").
            """)
        try course.build()  // not strict: the tests' stand-in for KaTeX cannot check the label's math
        let html = try course.page("notes/01-neuron.html")
        let found = Self.exercises(in: html)
        #expect(found.count == 5)
        let trace = try course.siteTrace("n")
        let step = { (name: String) in trace.steps.first { trace.tensors[$0.output].name == name }!.index + 1 }
        let y = 1 / (1 + exp(-0.5)), e = y - 1
        // dQ/dw = e · σ'(net) · xᵀ = e · y(1 − y) · (1, 2)
        let dw = [e * y * (1 - y) * 1, e * y * (1 - y) * 2]

        #expect(found[0]["data-exercise"] == "n:net")
        #expect(found[0]["data-trace"] == "n")
        #expect(found[0]["data-value"].flatMap(Double.init) == 0.5)
        #expect(found[0]["data-absolute"] == "0.001" && found[0]["data-relative"] == "0.0" && found[0]["data-tolerance"] == "±0.001")
        #expect(found[0]["data-step"] == "\(step("net"))" && found[0]["data-element"] == "0")
        #expect(found[0]["data-hint"]?.contains("Step \(step("net")) makes") == true)
        #expect(found[0]["data-hint"]?.contains("<code>add</code>") == true)
        #expect(found[0]["data-hint"]?.contains("<span class=\"math inline\">w \\cdot x</span> (1×1, step \(step("w·x"))) = 1") == true,
            "\(found[0]["data-hint"] ?? "")")
        #expect(found[0]["data-hint"]?.contains("<span class=\"math inline\">b</span> (1×1) = −0.5") == true)

        let yValue = try #require(found[1]["data-value"].flatMap(Double.init))
        #expect(abs(yValue - y) <= 1e-15)
        #expect(found[1]["data-exercise"] == "n:y" && found[1]["data-tolerance"] == "±1%" && found[1]["data-relative"] == "0.01")
        let dw2 = try #require(found[2]["data-value"].flatMap(Double.init))
        #expect(abs(dw2 - dw[1]) <= 1e-15)
        #expect(found[2]["data-element"] == "1" && found[2]["data-step"] == "\(step("dQ/dw"))")
        #expect(found[3]["data-exercise"] == "n:y#2")
        let norm = try #require(found[4]["data-value"].flatMap(Double.init))
        #expect(abs(norm - (dw[0] * dw[0] + dw[1] * dw[1]).squareRoot()) <= 1e-15)
        #expect(found[4]["data-element"] == nil, "a norm selects no element")

        // The link stays inside the box (the fallback without scripts), its title gone.
        #expect(html.contains("data-hint=\"") && html.contains("\"><a href=\"#n:\(step("net"))\">net =</a></span>"))
        #expect(html.contains("<a href=\"#n:\(step("dQ/dw"))\">Answer</a></span>"))
        #expect(!html.contains("title=\"answer"))
        #expect(html.contains("<a href=\"#n:\(step("y"))\" title=\"the output\">step \(step("y"))</a>"))
        #expect(try course.page("assets/exercises.js").contains("startExercises"))
        #expect(html.contains("<script src=\"../assets/exercises.js\" defer></script>"))
    }

    @Test func anInputIsAnAnswerWithoutAWorkedStepAndAHistoryValueWithoutAStep() throws {
        let course = try TestCourse([
            "course.yml": "title: T\n",
            "notes/01-neuron.md": Self.page + "[x =](#:x[2] \"answer\")\n",
            "notes/02-mlp.md": "# MLP\n\n```unrolled\nmodel: mlp\nid: m\ntrain: 3\n```\n\n[loss =](#:history.loss@last \"answer\")\n",
        ])
        try course.build(strict: true)
        let input = Self.exercises(in: try course.page("notes/01-neuron.html"))
        #expect(input.count == 1)
        #expect(input.first?["data-value"] == "2.0")
        #expect(input.first?["data-step"] != nil && input.first?["data-element"] == nil)
        #expect(input.first?["data-hint"]?.contains("is an input of the trace") == true)
        let history = Self.exercises(in: try course.page("notes/02-mlp.html"))
        let trace = try course.siteTrace("m")
        #expect(history.first?["data-value"].flatMap(Double.init) == trace.history?.last?.loss)
        #expect(history.first?["data-step"] == nil && history.first?["data-element"] == nil)
    }

    @Test(arguments: [
        ("[a](#:dQ/dw \"answer\")", "reference '#:dQ/dw': the value has 2 numbers (1×2) and an answer is one: name an element (`…[1]`), or write `norm`"),
        ("[a](#:@phase=forward \"answer\")", "an answer is one value, not a run of steps"),
        ("[a](#:3 \"answer\")", "an answer is a value, not a step"),
        ("[a](#:net \"answer ±abc\")", "reference '#:net': '±abc' is not a tolerance: write ±0.001 (absolute), ±1% (relative) or both"),
        ("[a](#:net \"answer exactly\")", "'exactly' in an answer's title"),
        ("[{value}](#:net \"answer\")", "an answer's link text is the label of its input box: no placeholders"),
        ("[a](#:nosuch \"answer\")", "reference '#:nosuch': in trace n: no step makes a tensor named 'nosuch'"),
    ])
    func aBadAnswerFailsTheBuildAtItsLine(_ link: String, _ message: String) throws {
        let course = try course("Some prose.\n\n" + link + "\n")
        let failures = course.failures()
        #expect(failures.count == 1, "\(failures)")
        #expect(failures.first?.hasPrefix("notes/01-neuron.md:13: ") == true, "\(failures.first ?? "")")
        #expect(failures.first?.contains(message) == true, "\(failures)")
    }
}
