import Foundation
@testable import Models
import Testing
import Trace

/// Typed parameter declarations: one declaration read type-safely, booleans a kind of their own,
/// shared groups declared once, and the catalog `unrolled demos --json` prints.
@Suite("Demo parameters")
struct DemoParameterTests {
    @Test("a boolean takes YAML's true/false or their text, and is recorded as the text traces always held")
    func booleans() throws {
        let demo = try Demos.named("self-attention")
        for given: JSONValue in [true, "true"] {
            let config = try demo.resolve(["causal": given])
            #expect(config.values["causal"] == "true")
            #expect(config[SelfAttentionParameters.causal] == true)
        }
        #expect(try demo.resolve([:])[SelfAttentionParameters.causal] == false)
        #expect(demo.parameter(named: "causal")?.allowed == "false | true")
        let error = demoError { _ = try demo.resolve(["causal": "ture"]) }
        #expect(error?.message() == "causal: unknown value 'ture'; did you mean 'true'? (choose false, true)")
        #expect(demoError { _ = try demo.resolve(["causal": 1]) } != nil)
    }

    @Test("reads are typed: an enumeration as its case, a list as [Int], an optional as nil when left out")
    func typedReads() throws {
        let mlp = try Demos.named("mlp").resolve(["layers": [2, 4, 1], "init": "xavier"])
        #expect(mlp[MLPParameters.layers] == [2, 4, 1])
        #expect(mlp[MLPParameters.initializer] == .xavier)
        #expect(mlp[MLPParameters.activation] == .tanh)
        #expect(mlp[MLPParameters.training.learningRate] == 0.2)
        let neuron = try Demos.named("neuron").resolve(["x": [0.5, -1]])
        #expect(neuron[NeuronParameters.x] == [0.5, -1])
        #expect(neuron[NeuronParameters.b] == nil)
    }

    @Test("train is one declaration: every demo's train and lr come from Training")
    func trainingDeclaredOnce() throws {
        // neuron, conv, inception, normalization: one SGD step, no training loop; transfer: three stages, each its own length.
        for demo in Demos.all where !["neuron", "conv", "inception", "normalization", "transfer"].contains(demo.name) {
            let train = try #require(demo.parameter(named: "train"), "\(demo.name)")
            #expect(train.scaling == .repetitions, "\(demo.name)")
            #expect(demo.parameter(named: "lr")?.allowed == "0 < x ≤ 10", "\(demo.name)")
        }
        let sequence = SequenceInput.standard.declarations.map(\.name)
        for name in ["rnn", "lstm", "peephole-lstm", "gru", "birnn", "bilstm", "bigru", "tdl"] {
            #expect(Array(try Demos.named(name).parameters.map(\.name).prefix(sequence.count)) == sequence, "\(name)")
        }
    }

    @Test("a parameter's given-ness matters only where a demo checks it")
    func decisiveGiven() throws {
        let rnn = try Demos.named("rnn")
        #expect(try rnn.resolve(["hidden": 2]).decisiveGiven(in: rnn).isEmpty)
        #expect(try rnn.resolve(["steps": 3, "text": "abc"]).decisiveGiven(in: rnn) == ["steps", "text"])
        let mlp = try Demos.named("mlp")
        #expect(try mlp.resolve(["samples": 8]).decisiveGiven(in: mlp) == ["samples"])
    }

    @Test("the catalog lists every demo and parameter as declared, defaults in their recorded form")
    func catalog() throws {
        let list = try #require(try JSONSerialization.jsonObject(with: Data(Demos.catalogJSON().utf8)) as? [[String: Any]])
        #expect(list.compactMap { $0["name"] as? String } == Demos.all.map(\.name))
        for (entry, demo) in zip(list, Demos.all) {
            let parameters = try #require(entry["parameters"] as? [[String: Any]])
            #expect(parameters.compactMap { $0["name"] as? String } == demo.parameters.map(\.name))
            #expect(parameters.compactMap { $0["allowed"] as? String } == demo.parameters.map(\.allowed))
        }
        let causal = try #require((list.first { $0["name"] as? String == "self-attention" }?["parameters"] as? [[String: Any]])?
            .first { $0["name"] as? String == "causal" })
        #expect(causal["default"] as? String == "false")
    }

    @Test("a demo's help lists each parameter with its allowed values and default, usage as the command's")
    func help() throws {
        let text = try Demos.named("self-attention").help(command: "embed")
        #expect(text.contains("usage: unrolled embed self-attention"))
        #expect(text.contains("--causal       mask the scores of later tokens (their weights exactly 0) [false | true; default false]"))
        #expect(text.contains("--key-size     d_k, the size of a query and a key [1…256; default 3]"))
    }
}
