import Models
import Testing
import Trace
@testable import Renderer

/// References to steps and values (`#<trace>:<what>`): the syntax, what each form finds in real
/// demo traces, and the messages of what finds nothing or too much. The expected steps are found
/// here by walking the trace directly (name, scopes, phase), not by the resolver.
@Suite("References to steps and values")
struct TraceReferenceTests {
    static let neuron = try! Demos.named("neuron").trace([:])
    static let rnn = try! Demos.named("rnn").trace(["steps": 3])
    static let mlp = try! Demos.named("mlp").trace(["train": 5])

    // MARK: Syntax

    @Test(arguments: [
        ("lstm-2:14", TraceReference(traceID: "lstm-2", target: .step(14))),
        (":dQ/dy", TraceReference(traceID: "", target: .steps(name: "dQ/dy", element: nil, filters: []))),
        (":c_2[2,1]", TraceReference(traceID: "", target: .steps(name: "c_2", element: [2, 1], filters: []))),
        (":dQ/dW_1@t=2, contribution=1", TraceReference(traceID: "", target: .steps(name: "dQ/dW_1", element: nil, filters: [.equals("t", "2"), .equals("contribution", "1")]))),
        (":@phase=backward", TraceReference(traceID: "", target: .steps(name: nil, element: nil, filters: [.equals("phase", "backward")]))),
        (":h@last", TraceReference(traceID: "", target: .steps(name: "h", element: nil, filters: [.last]))),
        (":dQ/dW@total,2", TraceReference(traceID: "", target: .steps(name: "dQ/dW", element: nil, filters: [.total, .nth(2)]))),
        ("mlp-1:history.loss@iteration=3", TraceReference(traceID: "mlp-1", target: .history(series: "loss", element: nil, filters: [.equals("iteration", "3")]))),
        ("mlp-1:history.W_1[1,2]@first", TraceReference(traceID: "mlp-1", target: .history(series: "W_1", element: [1, 2], filters: [.first]))),
    ])
    func parses(_ fragment: String, _ expected: TraceReference) throws {
        #expect(TraceReference.isReference(fragment))
        #expect(try TraceReference.parse(fragment).get() == expected)
    }

    @Test(arguments: ["gates", "the-lstm", "Lstm:3", "a b:3", ""])
    func headingIDsAndOtherFragmentsAreNotReferences(_ fragment: String) {
        #expect(!TraceReference.isReference(fragment))
    }

    @Test(arguments: [
        ("lstm:", "nothing after ':'"),
        ("lstm:0", "steps are numbered from 1"),
        (":h@", "an empty filter"),
        (":h@t=2,,", "an empty filter"),
        (":h@0", "matches are counted from 1"),
        (":h@t", "'t' is not a filter"),
        (":h[0]", "write indices from 1"),
        (":h[a,1]", "is not an element"),
        (":history.", "name the history's series"),
        (":@", "an empty filter"),
    ])
    func syntaxErrorsSayWhatToWrite(_ fragment: String, _ message: String) {
        guard case .failure(let problem) = TraceReference.parse(fragment) else {
            Issue.record("\(fragment) parsed")
            return
        }
        #expect(problem.message.contains(message), "\(problem.message)")
    }

    // MARK: Finding steps

    /// Steps (from 1) whose output has this name, found by a plain walk of the trace.
    static func steps(_ trace: TraceDocument, making name: String) -> [Int] {
        trace.steps.filter { trace.tensors[$0.output].name == name }.map { $0.index + 1 }
    }

    /// The `t` of the time step a step is in (walking up its scopes).
    static func timeStep(_ trace: TraceDocument, step: Int) -> Int? {
        var scope = trace.steps[step - 1].scope
        while let id = scope {
            if let t = trace.scopes[id].attributes?["t"]?.intValue { return t }
            scope = trace.scopes[id].parent
        }
        return nil
    }

    func resolve(_ fragment: String, in trace: TraceDocument) -> Result<ResolvedReference, ReferenceProblem> {
        TraceReference.parse(fragment).flatMap { $0.resolve(in: trace) }
    }

    @Test func aTensorNameFindsTheOneStepThatMakesIt() throws {
        let found = try resolve(":dQ/dy", in: Self.neuron).get()
        #expect(found.steps.map { $0 + 1 } == Self.steps(Self.neuron, making: "dQ/dy"))
        #expect(found.steps.count == 1 && !found.isRange)
        let tensor = Self.neuron.tensors[Self.neuron.steps[found.steps[0]].output]
        #expect(found.value == QuotedValue(shape: tensor.shape, data: tensor.data))
    }

    @Test func aNumberIsCheckedAgainstTheStepCount() throws {
        let count = Self.neuron.steps.count
        #expect(try resolve(":\(count)", in: Self.neuron).get().steps == [count - 1])
        guard case .failure(let problem) = resolve(":\(count + 1)", in: Self.neuron) else { Issue.record("resolved"); return }
        #expect(problem.message == "the trace has \(count) steps, not \(count + 1)")
    }

    @Test func filtersAloneNameTheRunOfAPhase() throws {
        for phase in Phase.allCases {
            let expected = Self.neuron.steps.filter { $0.phase == phase }.map(\.index)
            let found = try resolve(":@phase=\(phase.rawValue)", in: Self.neuron).get()
            #expect(found.steps == expected && found.isRange && found.value == nil, "\(phase)")
        }
    }

    @Test func contributionsToAGradientAreCountedInStepOrderAndTheTotalIsTheOneTheUpdateReads() throws {
        let made = Self.steps(Self.rnn, making: "dQ/dW_1")
        // The contributions are the matrix products, one per time step, t = 3 first (backward runs backwards).
        let products = made.filter { Self.rnn.steps[$0 - 1].op == "matmul" }
        #expect(products.map { Self.timeStep(Self.rnn, step: $0) } == [3, 2, 1])
        for (k, step) in products.enumerated() {
            #expect(try resolve(":dQ/dW_1@contribution=\(k + 1)", in: Self.rnn).get().steps == [step - 1])
        }
        let w1 = try #require(Self.rnn.tensors.first { $0.name == "W_1" && $0.role == .parameter })
        let total = try #require(Self.rnn.gradients[String(w1.id)])
        #expect(try resolve(":dQ/dW_1@total", in: Self.rnn).get().steps.map { Self.rnn.steps[$0].output } == [total])
        guard case .failure(let problem) = resolve(":dQ/dW_1@contribution=4", in: Self.rnn) else { Issue.record("resolved"); return }
        #expect(problem.message.hasPrefix("there is no 4th contribution: there are 3"))
    }

    @Test func theTotalOfAHiddenStatesGradientIsItsLastVersion() throws {
        let made = Self.steps(Self.rnn, making: "dQ/dh_1")
        #expect(try resolve(":dQ/dh_1@total", in: Self.rnn).get().steps == [made.last! - 1])
    }

    @Test func aCommaInANameIsWrittenPercentEncoded() throws {
        let parsed = try TraceReference.parse(":@scope=queries%2C keys,t=2").get()
        #expect(parsed.target == .steps(name: nil, element: nil, filters: [.equals("scope", "queries, keys"), .equals("t", "2")]))
    }

    @Test func aDeclaredAttributeNarrowsTheMatches() throws {
        let atT2 = Self.steps(Self.rnn, making: "dQ/dW_1").filter { Self.timeStep(Self.rnn, step: $0) == 2 }
        #expect(atT2.count == 2)  // the contribution of t = 2 and the sum after it
        #expect(try resolve(":dQ/dW_1@t=2,op=matmul", in: Self.rnn).get().steps == [atT2[0] - 1])
        #expect(try resolve(":dQ/dW_1@t=2,last", in: Self.rnn).get().steps == [atT2[1] - 1])
        #expect(try resolve(":dQ/dW_1@t=2,2", in: Self.rnn).get().steps == [atT2[1] - 1])
    }

    @Test func severalMatchesAreAnErrorListingThemWithAFilterToChoose() {
        guard case .failure(let problem) = resolve(":dQ/dW_1", in: Self.rnn) else { Issue.record("resolved"); return }
        let made = Self.steps(Self.rnn, making: "dQ/dW_1")
        #expect(problem.message.hasPrefix("'dQ/dW_1' matches \(made.count) steps: \(made[0]) (matmul in iteration 1 › t = 3 › RNN cell)"))
        #expect(problem.message.contains("choose one with @op=matmul,t=3"))
    }

    @Test(arguments: [
        (":nosuch", "no step makes a tensor named 'nosuch'"),
        (":dQ/dyy", "did you mean 'dQ/dy'?"),
        (":dQ/dy@t=2", "the trace declares no 't'"),
        (":dQ/dy@phase=sideways", "there is no phase 'sideways'"),
        (":dQ/dy@scope=objectiv", "did you mean 'objective'?"),
        (":dQ/dy@phase=update", "no step matches 'dQ/dy@phase=update'; dQ/dy is made at 12"),
        (":dQ/dy[3]", "dQ/dy[3] is outside its shape 1×1"),
        (":history.loss", "the trace has no training history"),
    ])
    func whatFindsNothingSaysWhatThereIs(_ fragment: String, _ message: String) {
        guard case .failure(let problem) = resolve(fragment, in: Self.neuron) else { Issue.record("\(fragment) resolved"); return }
        #expect(problem.message.contains(message), "\(problem.message)")
    }

    @Test func anInputOrParameterIsQuotedAndLinkedToTheFirstStepThatReadsIt() throws {
        let x = try #require(Self.neuron.tensors.first { $0.name == "x" })
        let found = try resolve(":x[2]", in: Self.neuron).get()
        #expect(found.value == QuotedValue(shape: [], data: [x.data[1]], element: 1))
        #expect(found.steps == [try #require(Self.neuron.steps.first { $0.inputs.contains(x.id) }).index])
    }

    @Test func aParameterByNameIsItsValueBeforeTheUpdateWhichNeedsAFilter() throws {
        let w = try #require(Self.neuron.tensors.first { $0.name == "w" && $0.role == .parameter })
        let update = try #require(Self.neuron.steps.first { $0.phase == .update && Self.neuron.tensors[$0.output].name == "w" })
        #expect(try resolve(":w", in: Self.neuron).get().value == QuotedValue(shape: w.shape, data: w.data))
        let updated = try resolve(":w@phase=update", in: Self.neuron).get()
        #expect(updated.steps == [update.index])
        #expect(updated.value?.data == Self.neuron.tensors[update.output].data)
    }

    @Test func historyValuesByIterationFirstAndLast() throws {
        let history = try #require(Self.mlp.history)
        #expect(try resolve(":history.loss@last", in: Self.mlp).get().value == QuotedValue(shape: [], data: [history.last!.loss]))
        #expect(try resolve(":history.loss@iteration=2", in: Self.mlp).get().value == QuotedValue(shape: [], data: [history[1].loss]))
        #expect(try resolve(":history.loss@first", in: Self.mlp).get().steps == [])
        guard case .failure(let problem) = resolve(":history.loss", in: Self.mlp) else { Issue.record("resolved"); return }
        #expect(problem.message == "history.loss has \(history.count) values; pick one: @last, @first, @iteration=k")
    }

    @Test func historyEntriesByMarkAndTheirNumbers() throws {
        var trace = Self.mlp
        let history = try #require(trace.history)
        trace.series = [SeriesDescription(key: "loss", quantity: "loss", per: "epoch", meaning: "loss", marks: ["best": 2, "stop": 3])]
        #expect(try resolve(":history.epoch@mark=best", in: trace).get().value == QuotedValue(shape: [], data: [2]))
        #expect(try resolve(":history.iteration@mark=stop", in: trace).get().value == QuotedValue(shape: [], data: [3]))
        #expect(try resolve(":history.loss@mark=best", in: trace).get().value == QuotedValue(shape: [], data: [history[1].loss]))
        guard case .failure(let unknown) = resolve(":history.loss@mark=worst", in: trace) else { Issue.record("resolved"); return }
        #expect(unknown.message == "no series marks 'worst'; the marks are best, stop")
        guard case .failure(let none) = resolve(":history.loss@mark=best", in: Self.mlp) else { Issue.record("resolved"); return }
        #expect(none.message.contains("no series of the trace marks an entry"))
    }

    // MARK: Link text

    func text(_ linkText: String, _ fragment: String, in trace: TraceDocument) throws -> String {
        let reference = try TraceReference.parse(fragment).get()
        let rewrite = try ReferenceText.fill(linkText, of: reference, with: try reference.resolve(in: trace).get()).get()
        return rewrite.emptyText ?? rewrite.replacements.reduce(linkText) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    @Test func placeholdersAndEmptyTexts() throws {
        let e = Self.steps(Self.neuron, making: "dQ/dy")[0]
        let forward = Self.neuron.steps.filter { $0.phase == .forward }.map { $0.index + 1 }
        #expect(try text("step {step}", ":dQ/dy", in: Self.neuron) == "step \(e)")
        #expect(try text("", ":dQ/dy", in: Self.neuron) == "step \(e)")
        #expect(try text("", ":@phase=forward", in: Self.neuron) == "steps \(forward.first!)–\(forward.last!)")
        #expect(try text("steps {steps}", ":@phase=forward", in: Self.neuron) == "steps \(forward.first!)–\(forward.last!)")
        let x = try #require(Self.neuron.tensors.first { $0.name == "x" })
        #expect(try text("", ":x[1]", in: Self.neuron) == NumberFormat.viewer.text(x.data[0]))
        #expect(try text("x = {value:.2f}", ":x", in: Self.neuron)
            == "x = [" + x.data.map { NumberFormat.decimals(2).text($0) }.joined(separator: ", ") + "]")
        #expect(try text("{count}", ":@phase=forward", in: Self.neuron) == "\(forward.count)")
        let w = try #require(Self.neuron.tensors.first { $0.name == "w" })
        #expect(try text("{norm:.4f}", ":w", in: Self.neuron) == NumberFormat.decimals(4).text(w.data.map { $0 * $0 }.reduce(0, +).squareRoot()))
        #expect(throws: ReferenceProblem.self) { try text("{norm}", ":@phase=forward", in: Self.neuron) }
        #expect(throws: ReferenceProblem.self) { try text("{value}", ":@phase=forward", in: Self.neuron) }
        #expect(throws: ReferenceProblem.self) { try text("{steps}", ":@scope=net input", in: Self.neuron) }  // forward and backward
        #expect(throws: ReferenceProblem.self) { try text("{nope}", ":dQ/dy", in: Self.neuron) }
        #expect(throws: ReferenceProblem.self) { try text("{value:.3q}", ":dQ/dy", in: Self.neuron) }
    }

    /// The numbers as viewer-kit.js `format` writes them (3 significant digits, real minus sign),
    /// worked out by hand; the browser test compares the two on the page.
    @Test(arguments: [
        (0.40648, "0.406"), (-0.64499, "−0.645"), (3.0, "3"), (-2.0, "−2"), (1234.5, "1230"), (0.001234, "0.00123"),
        (0.0001234, "1.23e−4"), (12_345.0, "12345"), (1_234_567.8, "1.23e6"), (0.00012, "1.2e−4"), (0.0001, "1e−4"),
        (0.0, "0"), (.nan, "NaN"), (.infinity, "∞"), (-.infinity, "−∞"), (1.5, "1.5"), (0.1 + 0.2, "0.3"),
    ])
    func viewerFormat(_ x: Double, _ expected: String) {
        #expect(NumberFormat.viewer.text(x) == expected)
    }

    @Test(arguments: [
        (".3f", 0.40648, "0.406"), (".1f", -2.25, "−2.2"), (".0f", 2.5, "2"), (".4g", 1234.56, "1235"), (".2g", 0.0012345, "0.0012"),
        (".2e", 0.00012345, "1.23e−4"), (".1e", -12345.0, "−1.2e4"), (".3f", -0.0001, "−0.000"),
    ])
    func askedFormats(_ spec: String, _ x: Double, _ expected: String) throws {
        #expect(try #require(NumberFormat(spec)).text(x) == expected)
    }

    @Test(arguments: [".3", "3f", ".f", ".0g", ".16f", ".3x"])
    func unknownFormatsAreRefused(_ spec: String) {
        #expect(NumberFormat(spec) == nil)
    }
}
