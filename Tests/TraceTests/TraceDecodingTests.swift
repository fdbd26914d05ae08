import Foundation
import Testing
import Trace

@Suite("Reading a trace: errors name the line and column")
struct TraceDecodingTests {
    /// A small well-formed trace, one field per line, so that positions are easy to state.
    static let valid = """
        {
          "format": "unrolled-trace",
          "version": 1,
          "title": "t",
          "model": "m",
          "config": {},
          "scopes": [],
          "tensors": [
            {"id": 0, "name": "ä", "tex": "a", "role": "input", "shape": [2], "data": [1, 2]}
          ],
          "steps": [],
          "loss": null,
          "gradients": {}
        }
        """

    func error(_ text: String) throws -> TraceError {
        try #require(throws: TraceError.self) { try TraceDocument.decode(from: Data(text.utf8)) }
    }

    @Test("the valid trace reads")
    func validReads() throws {
        #expect(try TraceDocument.decode(from: Data(Self.valid.utf8)).tensors[0].data == [1, 2])
    }

    @Test("a JSON syntax error names its line and column, and what was expected")
    func syntaxError() throws {
        let error = try error(Self.valid.replacingOccurrences(of: #""title": "t""#, with: #""title" "t""#))
        #expect(error.position == TextPosition(line: 4, column: 11))
        #expect(error.message == "JSON syntax error: unexpected '\"', expected ':' after the key")
        #expect(error.description(file: "t.json")
            == "t.json:4:11: not a valid Unrolled trace: JSON syntax error: unexpected '\"', expected ':' after the key")
    }

    @Test(
        "syntax errors of many kinds are found where they are",
        arguments: [
            ("", 1, 1, "the file ends where a value should be"),
            ("{\"a\": [1, 2,]}", 1, 13, "no trailing comma"),
            ("{\"a\": tru}", 1, 7, "a bare word must be true, false or null"),
            ("{\"a\": \"x\ny\"}", 1, 9, "control character"),
            ("{\"a\": 01}", 1, 8, "expected ',' or '}'"),
            ("[1]\n  x", 2, 3, "after the JSON value"),
            ("{\"ä\": NaN}", 1, 7, "unexpected 'N', expected a value"),
            (String(repeating: "[", count: 100_000), 1, 513, "nested more than 512 deep"),
        ] as [(String, Int, Int, String)])
    func syntaxErrors(_ text: String, _ line: Int, _ column: Int, _ message: String) throws {
        let found = try #require(JSONLocator.syntaxError(in: Data(text.utf8)))
        #expect(found.position == TextPosition(line: line, column: column))
        #expect(found.message.contains(message), "\(found.message)")
    }

    @Test("a value of the wrong kind is named by its path, at its own line and column")
    func wrongKind() throws {
        let error = try error(Self.valid.replacingOccurrences(of: #""shape": [2]"#, with: #""shape": [2, "x"]"#))
        #expect(error.path == ["tensors", 0, "shape", 1])
        #expect(error.message == "expected an integer")
        // Columns count characters: the "ä" before it is one column, though two bytes.
        #expect(error.position == TextPosition(line: 9, column: 70))
        #expect(error.description(file: "t.json") == "t.json:9:70: not a valid Unrolled trace: tensors[0].shape[1]: expected an integer")
    }

    @Test("a missing field is reported at the object that lacks it")
    func missingField() throws {
        let error = try error(Self.valid.replacingOccurrences(of: #""tex": "a", "#, with: ""))
        #expect(error.path == ["tensors", 0])
        #expect(error.message == "missing field \"tex\"")
        #expect(error.position == TextPosition(line: 9, column: 5))
    }

    @Test(
        "a number its field cannot hold is found, though the decoder names no path for it",
        arguments: [
            (#""shape": [2.5]"#, "tensors[0].shape[0]", "expected an integer, found 2.5"),
            (#""shape": [1e19]"#, "tensors[0].shape[0]", "expected an integer, found 1e19"),
            (#""data": [1, 1e400]"#, "tensors[0].data[1]", "found 1e400"),
        ])
    func unreadableNumbers(_ replacement: String, _ path: String, _ message: String) throws {
        let field = replacement.hasPrefix(#""shape""#) ? #""shape": [2]"# : #""data": [1, 2]"#
        let error = try error(Self.valid.replacingOccurrences(of: field, with: replacement))
        #expect(error.path.description == path)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.position?.line == 9)
    }

    @Test("an unknown role names the roles there are")
    func unknownRole() throws {
        let error = try error(Self.valid.replacingOccurrences(of: #""input""#, with: #""boss""#))
        #expect(error.path == ["tensors", 0, "role"])
        #expect(error.message.hasPrefix(#"expected one of "input", "parameter""#))
        #expect(error.message.hasSuffix(#"found "boss""#))
    }

    @Test("another format or version is named as such, at its field, whatever else the file lacks")
    func formatAndVersion() throws {
        let format = try error(#"{"format": "something-else"}"#)
        #expect(format.path == ["format"])
        #expect(format.position == TextPosition(line: 1, column: 12))
        #expect(format.message.hasPrefix(#"expected "unrolled-trace", found "something-else""#))
        let version = try error(Self.valid.replacingOccurrences(of: #""version": 1"#, with: #""version": 2"#))
        #expect(version.path == ["version"])
        #expect(version.position == TextPosition(line: 3, column: 14))
        #expect(version.message == "this build reads trace format version 1, the file is version 2")
    }

    @Test("JSONLocator finds a path's value, or the deepest part of the path that exists")
    func locatesPaths() {
        let data = Data(Self.valid.utf8)
        #expect(JSONLocator.position(of: ["tensors", 0, "data", 1], in: data) == TextPosition(line: 9, column: 83))
        #expect(JSONLocator.position(of: ["gradients"], in: data) == TextPosition(line: 13, column: 16))
        #expect(JSONLocator.position(of: ["tensors", 3, "data"], in: data) == TextPosition(line: 8, column: 14))
        #expect(JSONLocator.position(of: [], in: data) == TextPosition(line: 1, column: 1))
        #expect(JSONPath(["gradients", "12"]).description == #"gradients["12"]"#)
        #expect(JSONPath(["tensors", 3, "shape"]).description == "tensors[3].shape")
    }
}
