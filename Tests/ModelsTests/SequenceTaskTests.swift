import Engine
import Foundation
import Models
import Testing
import Trace

/// The sequence machinery the sequence demos share (`SequenceTask`, the tokenizer, the `matrix`
/// and `text` parameter kinds), seen through the `rnn` demo and its trace.
@Suite("Sequence task")
struct SequenceTaskTests {
    // MARK: Errors and conflicts, each with its exact message

    /// (parameters, message with `--` flags)
    static let conflicts: [([String: JSONValue], String)] = [
        (["text": "hello", "inputs": [[1, 0]]], "--text makes the inputs and targets (one-hot tokens); leave out --inputs"),
        (["text": "hello", "targets": [[1, 0]]], "--text makes the inputs and targets (one-hot tokens); leave out --targets"),
        (["text": "hello", "input": 3], "--text makes the inputs and targets (one-hot tokens); leave out --input"),
        (["text": "hello", "output-size": 4], "--text makes the inputs and targets (one-hot tokens); leave out --output-size"),
        (["text": "hello", "inputs": [[1, 0]], "output-size": 4], "--text makes the inputs and targets (one-hot tokens); leave out --inputs"),
        (["text": "hello", "loss": "mse"], "--text trains next-token prediction: use --loss cross-entropy (or leave it out)"),
        (["text": "hello "], "--text needs at least 2 tokens (one to read, one to predict); it has 1"),
        (["text": "  Hello!  "], "--text needs at least 2 tokens (one to read, one to predict); it has 1"),
        (["text": "!! ?? --"], "--text needs at least 2 tokens (one to read, one to predict); it has 0"),
        (["text": .string(String(repeating: "ab", count: 101))], "--text has 202 tokens, so 201 steps; at most 200 are allowed"),
        (["text": .string(Array(repeating: "w", count: 250).joined(separator: " "))],
         "--text has 250 tokens, so 249 steps; at most 200 are allowed"),
        (["text": "hello", "steps": 3], "--steps is 3 but --text has 5 tokens, so 4 steps"),
        (["inputs": [[0.5, -1], [1, 0], [0, 2]], "steps": 4], "--steps is 4 but the sequence given has 3 rows"),
        (["targets": [[1], [0]], "steps": 3], "--steps is 3 but the sequence given has 2 rows"),
        (["inputs": [[0.5, -1], [1, 0], [0, 2]], "input": 3], "--input is 3 but the rows of --inputs have 2 numbers"),
        (["inputs": [[0.5, -1], [1, 0], [0, 2]], "targets": [[1], [0]]],
         "--targets has 2 rows but the sequence has 3 steps; give one target per step"),
        (["targets": [[1, 0], [0, 1], [1, 0], [0, 1]], "steps": 4, "output-size": 3], "--output-size is 3 but the rows of --targets have 2 numbers"),
        (["targets": [[1, 0], [0.5, 0.6]], "loss": "cross-entropy"],
         "with --loss cross-entropy each row of --targets must be a probability distribution (one-hot, say)"),
        (["targets": [[1.5, -0.5], [0, 1]], "loss": "cross-entropy"],
         "with --loss cross-entropy each row of --targets must be a probability distribution (one-hot, say)"),
        (["targets": [[0, 0], [0, 1]], "loss": "cross-entropy"],
         "with --loss cross-entropy each row of --targets must be a probability distribution (one-hot, say)"),
        (["loss": "cross-entropy", "output-size": 1], "--loss cross-entropy needs --output-size of at least 2 (one per class)"),
    ]

    @Test("Every conflict of the sequence parameters has its one-line message", arguments: conflicts.indices)
    func conflict(_ index: Int) {
        let (parameters, message) = Self.conflicts[index]
        let error = demoError { _ = try runDemo("rnn", parameters) }
        guard case .conflict = error else {
            Issue.record("\(parameters): expected a conflict, got \(error.map { "\($0)" } ?? "no error")")
            return
        }
        #expect(error?.message(flagPrefix: "--") == message)
        // A directive writes the bare names.
        #expect(error?.message() == message.replacingOccurrences(of: "--", with: ""))
        #expect(error?.message(flagPrefix: "--").contains("\n") == false)
    }

    @Test("What does fit together runs")
    func consistentParametersRun() throws {
        // steps equal to what the text or the sequence implies, cross-entropy said out loud with text,
        // input and output equal to the widths of the rows given, soft targets that are distributions.
        for parameters: [String: JSONValue] in [
            ["text": "hello", "steps": 4],
            ["text": "hello", "loss": "cross-entropy"],
            ["text": "hello", "hidden": 5, "seed": 3, "lr": 0.5],
            ["inputs": [[0.5, -1], [1, 0], [0, 2]], "steps": 3, "input": 2],
            ["targets": [[1, 0, 0], [0, 0.25, 0.75]], "output-size": 3, "loss": "cross-entropy"],
            ["inputs": [[1]], "targets": [[2]]],
            ["text": "ab"],
            ["text": .string(String(repeating: "ab", count: 100) + "a")],
            ["steps": 200, "input": 1, "output-size": 1, "hidden": 1],
        ] {
            #expect(throws: Never.self, "\(parameters)") { _ = try runDemo("rnn", parameters) }
        }
        let longest = try runDemo("rnn", ["text": .string(String(repeating: "ab", count: 100) + "a")])
        #expect(longest.config["steps"] == 200)
    }

    // MARK: Limits

    @Test("Steps and sizes beyond the limits are out of range")
    func limits() {
        let steps = demoError { _ = try runDemo("rnn", ["steps": 201]) }
        #expect(steps == .outOfRange(parameter: "steps", value: "201", allowed: "1…200"))
        #expect(steps?.message(flagPrefix: "--") == "--steps 201 is out of range; allowed: 1…200")
        #expect(demoError { _ = try runDemo("rnn", ["steps": 0]) }?.message() == "steps 0 is out of range; allowed: 1…200")
        #expect(demoError { _ = try runDemo("rnn", ["input": 257]) }?.message() == "input 257 is out of range; allowed: 1…256")
        #expect(demoError { _ = try runDemo("rnn", ["output-size": 257]) }?.message() == "output-size 257 is out of range; allowed: 1…256")
        #expect(demoError { _ = try runDemo("rnn", ["hidden": 257]) }?.message() == "hidden 257 is out of range; allowed: 1…256")
        #expect(demoError { _ = try runDemo("rnn", ["hidden": 0]) }?.message() == "hidden 0 is out of range; allowed: 1…256")

        let rows = demoError { _ = try runDemo("rnn", ["inputs": .array(Array(repeating: [0.5], count: 201))]) }
        guard case .outOfRange(let parameter, _, let allowed) = rows else {
            Issue.record("201 rows of inputs: \(String(describing: rows))")
            return
        }
        #expect(parameter == "inputs")
        #expect(allowed == "1 to 200 rows of 1 to 256 numbers (rows separated by ';', numbers by ',')")
        let wide = demoError { _ = try runDemo("rnn", ["targets": [.array(Array(repeating: 0.5, count: 257))]]) }
        #expect(wide.map { if case .outOfRange("targets", _, _) = $0 { true } else { false } } == true)

        let short = demoError { _ = try runDemo("rnn", ["text": "a"]) }
        #expect(short?.message() == "text 'a' is out of range; allowed: text of 2 to 4000 characters")
        let long = demoError { _ = try runDemo("rnn", ["text": .string(String(repeating: "a b ", count: 1001))]) }
        #expect(long.map { if case .outOfRange("text", _, "text of 2 to 4000 characters") = $0 { true } else { false } } == true)
    }

    // MARK: The tokenizer, seen in the trace

    /// The tokens of the trace's sequence, read back from the one-hot x_t and the last target
    /// through their axis labels.
    private func tokens(_ trace: TraceDocument) throws -> [String] {
        let steps = try #require(trace.config["steps"]?.intValue)
        func token(_ name: String) throws -> String {
            let record = try #require(trace.value(named: name))
            let labels = try #require(record.labels?.first ?? nil, "\(name) has no vocabulary labels")
            let hot = try #require(record.data.firstIndex(of: 1))
            #expect(record.data.filter { $0 != 0 } == [1], "\(name) is not one-hot")
            return labels[hot]
        }
        return try (1...steps).map { try token("x_\($0)") } + [token("target_\(steps)")]
    }

    private func vocabulary(_ trace: TraceDocument) throws -> [String] {
        try #require(trace.value(named: "x_1")?.labels?.first ?? nil)
    }

    /// (text, tokens, vocabulary)
    static let tokenizations: [(String, [String], [String])] = [
        ("hello", ["h", "e", "l", "l", "o"], ["h", "e", "l", "o"]),
        // Without white space every character is a token: case and punctuation kept.
        ("Hi,hi!", ["H", "i", ",", "h", "i", "!"], ["H", "i", ",", "h", "!"]),
        ("the cat sat on the mat", ["the", "cat", "sat", "on", "the", "mat"], ["the", "cat", "sat", "on", "mat"]),
        // Words: lower-cased, punctuation stripped, any white space separates.
        ("The CAT, the cat. THE\tcat!\n", ["the", "cat", "the", "cat", "the", "cat"], ["the", "cat"]),
        ("Hello, (hello)  \"world\"?", ["hello", "hello", "world"], ["hello", "world"]),
        // An apostrophe or hyphen inside a word stays; quotes and a lone dash do not make tokens.
        ("It's a well-known cat's 'cat' -- it's!", ["it's", "a", "well-known", "cat's", "cat", "it's"],
         ["it's", "a", "well-known", "cat's", "cat"]),
        ("2 + 2 = 4 and 2", ["2", "2", "4", "and", "2"], ["2", "4", "and"]),
        ("Éte été ÉTÉ", ["éte", "été", "été"], ["éte", "été"]),
    ]

    @Test("Text becomes characters, or lower-cased words without punctuation; vocabulary in order of first appearance",
          arguments: tokenizations.indices)
    func tokenizer(_ index: Int) throws {
        let (text, expectedTokens, expectedVocabulary) = Self.tokenizations[index]
        let trace = try runDemo("rnn", ["text": .string(text)])
        #expect(try tokens(trace) == expectedTokens, "\(text)")
        #expect(try vocabulary(trace) == expectedVocabulary, "\(text)")
    }

    @Test("The vocabulary labels x_t, target_t and y_t; next-token targets")
    func vocabularyLabels() throws {
        let trace = try runDemo("rnn", ["text": "the cat sat on the mat"])
        let vocabulary = ["the", "cat", "sat", "on", "mat"]
        let tokens = ["the", "cat", "sat", "on", "the", "mat"]
        for t in 1...5 {
            for name in ["x_\(t)", "target_\(t)", "y_\(t)"] {
                let record = try #require(trace.value(named: name))
                #expect(record.shape == [5, 1], "\(name)")
                #expect(record.labels == [vocabulary, nil], "\(name)")
            }
            let x = try #require(trace.value(named: "x_\(t)")), target = try #require(trace.value(named: "target_\(t)"))
            #expect(x.data == (0..<5).map { vocabulary[$0] == tokens[t - 1] ? 1 : 0 })
            #expect(target.data == (0..<5).map { vocabulary[$0] == tokens[t] ? 1 : 0 })
            #expect(x.role == .input && target.role == .constant)
        }
        // x_t does not get a gradient (it is data); nothing else with those names is labelled wrongly.
        #expect(trace.tensors.allSatisfy { $0.labels == nil || $0.labels! == [vocabulary, nil] })
        #expect(trace.gradients[String(try #require(trace.value(named: "x_1")).id)] == nil)

        // Without a text nothing is labelled.
        let seeded = try runDemo("rnn")
        #expect(seeded.tensors.allSatisfy { $0.labels == nil })
    }

    // MARK: What the trace's config records

    @Test("The config records the derived steps, input, output and loss")
    func derivedConfig() throws {
        let text = try runDemo("rnn", ["text": "hello"])
        #expect(text.config["steps"] == 4)
        #expect(text.config["input"] == 4)
        #expect(text.config["output-size"] == 4)
        #expect(text.config["loss"] == "cross-entropy")
        #expect(text.config["text"] == "hello")

        let given = try runDemo("rnn", ["inputs": [[0.5, -1, 2], [1, 0, 0]], "targets": [[1], [0]]])
        #expect(given.config["steps"] == 2)
        #expect(given.config["input"] == 3)
        #expect(given.config["output-size"] == 1)
        #expect(given.config["loss"] == "mse")
        #expect(given.config["inputs"]?.arrayValue?.map(\.doubleArray) == [[0.5, -1, 2], [1, 0, 0]])
        #expect(given.config["targets"]?.arrayValue?.map(\.doubleArray) == [[1], [0]])

        let targetsOnly = try runDemo("rnn", ["targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0]], "loss": "cross-entropy", "input": 5])
        #expect(targetsOnly.config["steps"] == 4)
        #expect(targetsOnly.config["input"] == 5)
        #expect(targetsOnly.config["output-size"] == 3)
        #expect(try #require(targetsOnly.value(named: "x_4")).shape == [5, 1])

        let defaults = try runDemo("rnn")
        for (name, value): (String, JSONValue) in [
            ("steps", 3), ("input", 2), ("output-size", 2), ("hidden", 2), ("loss", "mse"), ("train", 1), ("lr", 0.1), ("seed", 1),
        ] {
            #expect(defaults.config[name]?.doubleValue == value.doubleValue && defaults.config[name]?.stringValue == value.stringValue, "\(name)")
        }
        #expect(defaults.config["inputs"] == nil && defaults.config["targets"] == nil && defaults.config["text"] == nil)
        #expect(defaults.title == "RNN, H = 2: 3 steps, mse, one SGD step")
        #expect(text.title == "RNN, H = 2: 4 steps, cross-entropy, one SGD step")
        #expect(try runDemo("rnn", ["steps": 1, "train": 7]).title == "RNN, H = 2: 1 step, mse, 7 SGD iterations")
    }

    @Test("Names and scopes: x_t, h_0…h_T, y_t, target_t, Q_t, Q; a loss scope with one t = k scope per step")
    func namesAndScopes() throws {
        let trace = try runDemo("rnn", ["steps": 4])
        for t in 1...4 {
            for name in ["x_\(t)", "a_\(t)", "h_\(t)", "y_\(t)", "target_\(t)", "Q_\(t)"] {
                #expect(trace.value(named: name) != nil, "no single \(name)")
            }
        }
        #expect(trace.value(named: "h_0") != nil)
        #expect(trace.value(named: "x_5") == nil)
        let loss = try #require(trace.loss.map { trace.tensors[$0] })
        #expect(loss.name == "Q" && loss.role == .loss && loss.data.count == 1)
        let lossScopes = trace.scopes.filter { $0.name == "loss" }
        #expect(lossScopes.count == 1)
        #expect(lossScopes.first?.equation == "Q = \\sum_{t=1}^{4} Q_t")
        let perStep = trace.scopes.filter { $0.parent == lossScopes.first?.id }
        #expect(perStep.map(\.name) == ["t = 1", "t = 2", "t = 3", "t = 4"])
        #expect(perStep.allSatisfy { $0.equation?.contains("\\tfrac{1}{2}") == true })
        let ce = try runDemo("rnn", ["text": "abc"])
        let ceSteps = ce.scopes.filter { $0.parent == ce.scopes.first { $0.name == "loss" }?.id }
        #expect(ceSteps.map(\.name) == ["t = 1", "t = 2"])
        #expect(ceSteps.allSatisfy { $0.equation?.contains("\\log \\operatorname{softmax}") == true })
    }

    // MARK: Draw order

    @Test("Draw order: x_1…x_T, then the targets, then the parameters, each only when not given")
    func drawOrder() throws {
        func values(_ trace: TraceDocument, _ names: [String]) throws -> [Double] {
            try names.flatMap { try #require(trace.value(named: $0)).data }
        }
        let parameters = ["W_1", "b_1", "W_2", "b_2"]
        var generator = SeededGenerator(seed: 7)
        let seeded = try runDemo("rnn", ["seed": 7, "steps": 2, "input": 3, "output-size": 2, "hidden": 2])
        let xs = (0..<2).map { _ in Tensor.uniform([3, 1], bound: 1, using: &generator).scalars }
        let targets = (0..<2).map { _ in Tensor.uniform([2, 1], bound: 1, using: &generator).scalars }
        #expect(try values(seeded, ["x_1", "x_2"]) == xs.flatMap { $0 })
        #expect(try values(seeded, ["target_1", "target_2"]) == targets.flatMap { $0 })
        let network = RNN(inputSize: 3, hiddenSize: 2, outputSize: 2)
        #expect(try values(seeded, parameters) == network.initialParameters(using: &generator).flatMap(\.scalars))

        // Cross-entropy: one class per step by nextInt(below: O).
        generator = SeededGenerator(seed: 7)
        let ce = try runDemo("rnn", ["seed": 7, "steps": 3, "loss": "cross-entropy", "output-size": 4])
        _ = (0..<3).map { _ in Tensor.uniform([2, 1], bound: 1, using: &generator) }
        let classes = (0..<3).map { _ in generator.nextInt(below: 4) }
        #expect(try values(ce, ["target_1", "target_2", "target_3"]) == classes.flatMap { Tensor.oneHot($0, count: 4).scalars })
        #expect(try values(ce, parameters) == RNN(inputSize: 2, hiddenSize: 2, outputSize: 4).initialParameters(using: &generator).flatMap(\.scalars))

        // Given inputs and targets: the parameters are the first draws.
        generator = SeededGenerator(seed: 7)
        let given = try runDemo("rnn", ["seed": 7, "inputs": [[1, 2]], "targets": [[3, 4, 5]]])
        #expect(try values(given, parameters) == RNN(inputSize: 2, hiddenSize: 2, outputSize: 3).initialParameters(using: &generator).flatMap(\.scalars))
    }

    // MARK: The matrix and text parameter kinds

    private var inputs: DemoParameter { Demos.rnnDemo.parameter(named: "inputs")! }
    private var text: DemoParameter { Demos.rnnDemo.parameter(named: "text")! }

    @Test("A matrix is read from a command line as rows separated by ';', numbers by ','")
    func matrixParsesFromACommandLine() throws {
        #expect(try inputs.parse("0.5,-1;1,0") == [[0.5, -1.0], [1.0, 0.0]])
        #expect(try inputs.parse(" 0.5 , -1 ; 1, 0 ") == [[0.5, -1.0], [1.0, 0.0]])
        #expect(try inputs.parse("2") == [[2.0]])
        #expect(try inputs.parse("1e-3;-2.5E2") == [[0.001], [-250.0]])
        let parsed = try inputs.parse("0.5,-1;1,0")
        #expect(try inputs.validate(parsed) == .array([[.double(0.5), .double(-1)], [.double(1), .double(0)]]))
        // And what the command line gives is what the demo runs.
        let trace = try runDemo("rnn", ["inputs": try inputs.parse("0.5,-1;1,0;0,2")])
        #expect(trace.value(named: "x_3")?.data == [0, 2])
        #expect(trace.config["steps"] == 3)
        #expect(inputs.allowed == "1 to 200 rows of 1 to 256 numbers (rows separated by ';', numbers by ',')")
    }

    @Test("A matrix rejects non-numbers and empty pieces when parsed", arguments: ["1,x;2,3", "1,2;", ";1", "", "1,,2", "1;2;three", "[[1,2]]"])
    func matrixRejectsNonNumbers(_ written: String) {
        let error = demoError { _ = try inputs.parse(written) }
        #expect(
            error == .invalidValue(parameter: "inputs", value: written, expected: inputs.allowed),
            "\(written): \(String(describing: error))")
        #expect(error?.message(flagPrefix: "--").hasPrefix("--inputs: '\(written)' is not valid; expected 1 to 200 rows") == true)
    }

    @Test("A matrix rejects ragged rows and values that are not rows of numbers")
    func matrixRejectsRaggedRows() throws {
        let ragged = try inputs.parse("1,2;3")
        #expect(ragged == [[1.0, 2.0], [3.0]])
        let error = demoError { _ = try inputs.validate(ragged) }
        #expect(error == .invalidValue(parameter: "inputs", value: "[[1, 2], [3]]", expected: inputs.allowed))
        #expect(demoError { _ = try runDemo("rnn", ["inputs": [[1, 2], [3]]]) } == error)
        for value: JSONValue in [[1, 2], "0.5,-1", [["a", 1]], 3, [[1, 2], 3]] {
            let error = demoError { _ = try inputs.validate(value) }
            #expect(error == .invalidValue(parameter: "inputs", value: value.displayText, expected: inputs.allowed), "\(value)")
        }
        #expect(demoError { _ = try inputs.validate([]) } == .outOfRange(parameter: "inputs", value: "[]", allowed: inputs.allowed))
        #expect(demoError { _ = try inputs.validate([[]]) } == .outOfRange(parameter: "inputs", value: "[[]]", allowed: inputs.allowed))
    }

    @Test("A matrix rejects NaN and infinities", arguments: ["nan,1", "1;inf", "-infinity", "1,NaN;2,3", "1e400"])
    func matrixRejectsNonFinite(_ written: String) {
        let error = demoError {
            let value = try inputs.parse(written)
            _ = try inputs.validate(value)
        }
        #expect(error != nil, "\(written) was accepted")
        switch error {
        case .invalidValue(let parameter, _, _), .outOfRange(let parameter, _, _): #expect(parameter == "inputs")
        default: Issue.record("\(written): \(String(describing: error))")
        }
        for value: JSONValue in [[[.double(.nan), 1]], [[.double(.infinity)]], [[1], [.double(-.infinity)]]] {
            #expect(demoError { _ = try runDemo("rnn", ["inputs": value]) } != nil, "\(value)")
            #expect(demoError { _ = try runDemo("rnn", ["targets": value]) } != nil, "\(value)")
        }
    }

    @Test("Text is taken as written, of 2 to 4000 characters")
    func textKind() throws {
        #expect(try text.parse("  the cat  ") == "  the cat  ")
        #expect(try text.validate("hi") == "hi")
        #expect(text.allowed == "text of 2 to 4000 characters")
        #expect(try text.validate(.string(String(repeating: "x", count: 4000))) == .string(String(repeating: "x", count: 4000)))
        #expect(demoError { _ = try text.validate(.string(String(repeating: "x", count: 4001))) }
            == .outOfRange(parameter: "text", value: "'\(String(repeating: "x", count: 4001))'", allowed: "text of 2 to 4000 characters"))
        #expect(demoError { _ = try text.validate("") } == .outOfRange(parameter: "text", value: "''", allowed: "text of 2 to 4000 characters"))
        #expect(demoError { _ = try text.validate(42) } == .invalidValue(parameter: "text", value: "42", expected: "text of 2 to 4000 characters"))
        #expect(demoError { _ = try text.validate(["a", "b"]) } == .invalidValue(parameter: "text", value: "[a, b]", expected: "text of 2 to 4000 characters"))
        // Characters, not bytes: two accented letters are two characters.
        #expect(try text.validate("éé") == "éé")
    }

    @Test("The sequence parameters are listed with their kinds and no defaults for the optional ones")
    func parameterList() throws {
        let names = Demos.rnnDemo.parameters.map(\.name)
        for name in ["steps", "input", "output-size", "inputs", "targets", "text", "loss", "hidden", "train", "lr", "seed"] {
            #expect(names.contains(name), "rnn lacks \(name)")
        }
        for name in ["inputs", "targets", "text", "loss"] {
            #expect(Demos.rnnDemo.parameter(named: name)?.defaultValue == nil, "\(name) has a default")
        }
        #expect(Demos.rnnDemo.parameter(named: "loss")?.allowed == "mse | cross-entropy")
        #expect(Demos.rnnDemo.parameter(named: "steps")?.allowed == "1…200")
    }
}

extension Demos {
    /// The `rnn` demo, for the parameter-kind tests.
    fileprivate static var rnnDemo: Demo { try! named("rnn") }
}
