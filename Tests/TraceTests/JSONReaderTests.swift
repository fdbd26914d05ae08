import Foundation
import Testing
@testable import Trace

/// The fast path of `TraceDocument.decode` (`JSONReader`) against Foundation's `JSONDecoder`,
/// the reference: on what it reads, the same document; on what it gives way on, nil, so that
/// `decode` returns exactly what `JSONDecoder` returns or throws.
@Suite("JSONReader: the fast path reads what JSONDecoder reads, and gives way on the rest")
struct JSONReaderTests {
    /// A trace with every optional field, `fields` spliced into its first tensor and `attrs` into its step.
    static func document(tensor fields: String = "", attrs: String = "{}", top: String = "") -> String {
        """
        {"format": "unrolled-trace", "version": 1, "title": "t \\"q\\" \\\\ \\/ \\n \\u00e9 \\ud83d\\ude00", "model": "m",
         "config": {"hidden": 2, "lr": 0.5, "data": "xor", "layers": [2, 3], "flag": true, "none": null, "nested": {"a": [1, {"b": -0.25}]}},
         "scopes": [{"id": 0, "name": "t = 1", "parent": null, "equation": "h_t", "kind": "time_step", "attributes": {"t": 1}}],
         "tensors": [{"id": 0, "name": "x", "tex": "x", "role": "input", "shape": [3], "data": [1, "NaN", -0.0, "-Infinity"],
                      "labels": [null, ["a", "b"]], "tags": {"quantity": "input"}, "frozen": false \(fields)},
                     {"id": 1, "name": "dx", "tex": "\\\\partial x", "role": "gradient", "shape": [], "data": [], "of": 0, "version": 2}],
         "steps": [{"index": 0, "phase": "backward", "op": "mul", "inputs": [0, 0], "output": 1, "attrs": \(attrs), "scope": 0}],
         "loss": null, "gradients": {"0": 1},
         "history": [{"iteration": 1, "loss": 0.125, "traced": true, "tensors": {"W": {"shape": [1], "data": [2.5e-3]}}},
                     {"iteration": 2, "loss": "Infinity", "traced": false}],
         "series": [{"key": "loss", "quantity": "loss", "per": "iteration", "meaning": "m", "marks": {"best": 1}, "of": null}],
         "views": ["graph"] \(top)}
        """
    }

    func foundation(_ text: String) -> TraceDocument? {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try? decoder.decode(TraceDocument.self, from: Data(text.utf8))
    }

    func fast(_ text: String) -> TraceDocument? { TraceDocument.read(Data(text.utf8)) }

    func same(_ a: TraceDocument?, _ b: TraceDocument?) throws -> Bool {
        try a?.jsonData() == b?.jsonData()
    }

    @Test func readsEveryFieldAsJSONDecoderDoes() throws {
        let text = Self.document(attrs: #"{"axis": 1, "p": 0.5, "name": "relu", "keep": true, "shape": [2, -3], "none": null, "o": {"k": "NaN"}, "neg": -0}"#)
        let read = try #require(fast(text))
        #expect(try same(read, foundation(text)))
        // Worked out from the text, not from either decoder:
        #expect(read.title == "t \"q\" \\ / \n é 😀")
        #expect(read.tensors[0].data[1].isNaN && read.tensors[0].data[2].sign == .minus && read.tensors[0].data[3] == -.infinity)
        #expect(read.steps[0].attrs == ["axis": .int(1), "p": .double(0.5), "name": .string("relu"), "keep": .bool(true),
                                        "shape": .array([.int(2), .int(-3)]), "none": .null, "o": .object(["k": .string("NaN")]), "neg": .int(0)])
        #expect(read.tensors[1].of == 0 && read.tensors[1].version == 2 && read.tensors[0].labels! == [nil, ["a", "b"]])
        #expect(read.history![1].loss == .infinity && read.history![0].tensors!["W"]!.data == [0.0025])
        #expect(read.series![0].marks == ["best": 1] && read.series![0].of == nil)
    }

    @Test func skipsKeysItDoesNotKnowAsJSONDecoderDoes() throws {
        let text = Self.document(tensor: #", "extra": {"deep": [1, 2.5, "x", null, true]}"#, top: #", "comment": "written by hand""#)
        #expect(try same(#require(fast(text)), foundation(text)))
    }

    /// What the fast path leaves to JSONDecoder: it returns nil, and `decode` gives JSONDecoder's answer.
    @Test(arguments: [
        ("a key twice", Self.document(top: #", "title": "again""#)),
        ("a whole number written as a real, where an integer goes", Self.document().replacingOccurrences(of: #""version": 1"#, with: #""version": 1.0"#)),
        ("a whole real in a JSON value", Self.document(attrs: #"{"axis": 1.0}"#)),
        ("an exponent in a JSON value", Self.document(attrs: #"{"axis": 1e2}"#)),
        ("a byte-order mark", "\u{FEFF}" + Self.document()),
        ("text after the document", Self.document() + " x"),
        ("a leading zero", Self.document(attrs: #"{"axis": 01}"#)),
        ("a lone surrogate", Self.document(attrs: #"{"s": "\ud83d"}"#)),
        ("a control character in a string", Self.document(attrs: "{\"s\": \"a\u{01}b\"}")),
        ("an unknown role", Self.document().replacingOccurrences(of: #""role": "input""#, with: #""role": "weight""#)),
        ("a required field missing", Self.document().replacingOccurrences(of: #""tex": "x", "#, with: "")),
        ("null where a value is required", Self.document().replacingOccurrences(of: #""shape": [3]"#, with: #""shape": null"#)),
        ("a number too large for a double", Self.document(attrs: #"{"big": 1e400}"#)),
        ("an integer too large for an Int", Self.document(attrs: #"{"big": 123456789012345678901}"#)),
        ("a truncated document", String(Self.document().dropLast(2))),
    ])
    func givesWay(_ what: String, _ text: String) throws {
        #expect(fast(text) == nil, "\(what)")
        let decoded = try? TraceDocument.decode(from: Data(text.utf8))
        #expect(try same(decoded, foundation(text)), "\(what)")
    }

    @Test func theCasesItGivesWayOnStillDecodeWhereJSONDecoderReadsThem() throws {
        // JSONDecoder reads `1.0` as the integer 1 and keeps the first of two keys: so does `decode`.
        let whole = Self.document().replacingOccurrences(of: #""version": 1"#, with: #""version": 1.0"#)
        #expect(try TraceDocument.decode(from: Data(whole.utf8)).version == 1)
        #expect(try TraceDocument.decode(from: Data(Self.document(attrs: #"{"axis": 1e2}"#).utf8)).steps[0].attrs["axis"] == .int(100))
        #expect(try TraceDocument.decode(from: Data(Self.document(top: #", "title": "again""#).utf8)).title.hasPrefix("t "))
    }
}
