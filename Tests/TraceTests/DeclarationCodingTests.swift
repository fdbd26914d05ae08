import Foundation
import Testing
import Trace

@Suite("The declared structure in a trace's JSON: optional, left out when absent, read back as written")
struct DeclarationCodingTests {
    static let plain = """
        {"config":{},"format":"unrolled-trace","gradients":{},"loss":null,"model":"m",\
        "scopes":[{"equation":null,"id":0,"name":"t = 1","parent":null}],\
        "steps":[],"tensors":[{"data":[1],"id":0,"name":"h_1","role":"input","shape":[1],"tex":"h_1"}],\
        "title":"t","version":1}
        """

    @Test("a trace without declarations (made before them) reads, and writes back byte for byte")
    func plainRoundTrip() throws {
        let trace = try TraceDocument.decode(from: Data(Self.plain.utf8))
        #expect(trace.scopes[0].kind == nil && trace.scopes[0].attributes == nil)
        #expect(trace.tensors[0].tags == nil && trace.series == nil && trace.views == nil)
        #expect(String(decoding: try trace.jsonData(), as: UTF8.self) == Self.plain)
    }

    @Test("declarations are written with sorted keys where the format says, and read back equal")
    func declaredRoundTrip() throws {
        var trace = try TraceDocument.decode(from: Data(Self.plain.utf8))
        trace.scopes[0].kind = "time_step"
        trace.scopes[0].attributes = ["t": 1, "direction": "forward"]
        trace.tensors[0].tags = ["quantity": "hidden_state", "t": 1, "direction": "forward"]
        trace.series = [SeriesDescription(key: "loss", quantity: "loss", per: "iteration", meaning: "the loss")]
        trace.views = ["unrolled"]
        let text = String(decoding: try trace.jsonData(), as: UTF8.self)
        #expect(text.contains(#"{"attributes":{"direction":"forward","t":1},"equation":null,"id":0,"kind":"time_step","name":"t = 1","parent":null}"#))
        #expect(text.contains(#""tags":{"direction":"forward","quantity":"hidden_state","t":1}"#))
        #expect(text.hasSuffix(#""series":[{"key":"loss","meaning":"the loss","per":"iteration","quantity":"loss"}],"steps":[],"#
            + #""tensors":[{"data":[1],"id":0,"name":"h_1","role":"input","shape":[1],"tags":{"direction":"forward","quantity":"hidden_state","t":1},"tex":"h_1"}],"#
            + #""title":"t","version":1,"views":["unrolled"]}"#))
        #expect(try TraceDocument.decode(from: Data(text.utf8)) == trace)
    }
}
