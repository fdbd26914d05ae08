import Engine
import Foundation
import Testing
import Trace

@Suite("Declaring structure on a tape: scope kinds and tensor tags, and TraceCheck's rules for them")
struct DeclarationTests {
    /// x, one scope of each declared shape and a tagged result, on a recording tape.
    static func recorded() -> TraceDocument {
        let tape = Tape()
        let x = tape.input(.zeros([2, 1]), name: "x").tagged("input", ["t": 1])
        tape.scope("t = 1", kind: .timeStep(1, direction: "backward")) {
            tape.scope("LSTM cell", kind: .cell("lstm", peephole: true)) {
                _ = tape.scope("plain") { tanh(x).tagged("hidden_state", ["t": 1, "direction": "backward"]) }
            }
        }
        return tape.trace(title: "t", model: "m", config: [:])
    }

    @Test("a scope's kind and attributes and a tensor's tags reach the trace; other scopes and tensors declare nothing")
    func recordedDeclarations() throws {
        let trace = Self.recorded()
        #expect(trace.scopes.map(\.kind) == ["time_step", "cell", nil])
        #expect(trace.scopes[0].attributes == ["t": 1, "direction": "backward"])
        #expect(trace.scopes[1].attributes == ["cell": "lstm", "peephole": true])
        #expect(trace.scopes[2].attributes == nil)
        #expect(trace.tensors[0].tags == ["quantity": "input", "t": 1])
        #expect(trace.tensors[1].tags == ["quantity": "hidden_state", "t": 1, "direction": "backward"])
        try TraceCheck.check(trace)
    }

    @Test("a non-recording tape builds no kind and no tags")
    func nonRecording() {
        let tape = Tape(recording: false)
        let kind: () -> ScopeKind = { Issue.record("the kind was built"); return .loss }
        let tags: () -> [String: JSONValue] = { Issue.record("the tags were built"); return [:] }
        tape.scope("loss", kind: kind()) { _ = tape.input(.zeros([1]), name: "x").tagged("loss", tags()) }
    }

    @Test(
        "TraceCheck refuses declarations of the wrong type, naming their path",
        arguments: [
            ("attributes", "scopes[0].attributes.t", "\"t\" is not an integer, a string or a boolean"),
            ("tags", "tensors[1].tags.t", "\"t\" is not an integer, a string or a boolean"),
            ("quantity", "tensors[1].tags", "tensor 1's tags have no \"quantity\" string"),
            ("views", "views[1]", "view \"unrolled\" is suggested twice"),
            ("item", "series[0].item", "series \"h\" keeps item 3 of its batch; the item is 1-based, in 1…2, the first axis"),
            ("item 0", "series[0].item", "series \"h\" keeps item 0 of its batch; the item is 1-based, in 1…2"),
        ])
    func refused(_ what: String, _ path: String, _ message: String) throws {
        var trace = Self.recorded()
        switch what {
        case "attributes": trace.scopes[0].attributes?["t"] = 1.5
        case "tags": trace.tensors[1].tags?["t"] = .array([1])
        case "quantity": trace.tensors[1].tags?["quantity"] = 2
        case "item", "item 0":   // h is 2×1: a batch of two
            trace.series = [
                SeriesDescription(
                    key: "h", quantity: "activation", of: "hidden_state", per: "iteration", meaning: "h recomputed",
                    tags: trace.tensors[1].tags, item: what == "item" ? 3 : 0)
            ]
        default: trace.views = ["unrolled", "unrolled"]
        }
        let error = try #require(throws: TraceError.self) { try TraceCheck.check(trace) }
        #expect(error.path.description == path)
        #expect(error.message.hasPrefix(message))
    }
}
