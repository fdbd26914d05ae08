import Engine
import Testing
import Trace

/// Each op's declared attributes (`Op.attributes`) are the ones it records and reads back: the
/// schema and the numpy replayer are generated or checked from these declarations, so a
/// declaration that drifted from the op would let them accept what the engine refuses.
@Suite("Op attributes")
struct OpAttributeTests {
    @Test("a step records only declared attributes, and every required one", arguments: ForwardCases.all)
    func recordedAttributesAreDeclared(_ c: ForwardCase) {
        let kind = type(of: c.op)
        let declared = Set(kind.attributes.map(\.key))
        let required = Set(kind.attributes.filter(\.kind.isRequired).map(\.key))
        #expect(Set(c.op.attrs.keys).isSubset(of: declared), "\(c.testDescription): \(c.op.attrs.keys.sorted())")
        #expect(required.isSubset(of: Set(c.op.attrs.keys)), "\(c.testDescription)")
    }

    @Test("an op with required attributes refuses a step without them; the others rebuild from none")
    func requiredAttributesAreRequired() {
        for kind in OpRegistry.kinds {
            let required = kind.attributes.filter(\.kind.isRequired).map(\.key)
            let rebuilt = Result { () throws(OpError) in try OpRegistry.op(named: kind.name, attrs: [:]) }
            switch (rebuilt, required.first) {
            case (.success, nil): break
            case (.failure(let error), let key?):
                #expect(error.message == "attribute '\(key)' must be \(Self.expected[key] ?? "?"), got nothing", "\(kind.name)")
            case (.success, let key?): Issue.record("\(kind.name) rebuilt without its required attribute \(key)")
            case (.failure(let error), nil): Issue.record("\(kind.name) needs no attribute but refused none: \(error)")
            }
        }
    }

    static let expected = [
        "axis": "an integer", "start": "an integer", "end": "an integer", "before": "an integer", "after": "an integer",
        "count": "an integer", "shape": "an array of integers", "indices": "an array of integers",
        "factor": "a number", "value": "a number", "lr": "a number", "max_norm": "a number", "momentum": "a number",
        "axes": "an array of integers",
        "stride": "an array of integers", "kernel": "an array of integers", "scale": "an array of integers",
    ]

    @Test(
        "each kind of attribute reads what it writes and refuses JSON of another form",
        arguments: [
            ("scale", "factor", .string("Infinity"), .string("NaN"), "1.5" as JSONValue),
            ("slice", "start", .int(0), .int(1), .double(1.5)),
            ("sum", "axis", .null, .int(0), .string("0")),
            ("sum", "keepdims", .bool(true), .bool(true), .int(1)),
            ("reshape", "shape", [2, 2], [4], [2, "2"]),
            ("rows", "indices", [0, 0, 1], [1], .int(1)),
            ("transpose", "perm", .null, [1, 0], [1.5]),
        ] as [(String, String, JSONValue, JSONValue, JSONValue)])
    func kindsReadWhatTheyWrite(_ op: String, _ key: String, _ first: JSONValue, _ second: JSONValue, _ bad: JSONValue) throws {
        let base = try #require(ForwardCases.all.first { $0.op.name == op }).op.attrs
        for good in [first, second] {
            var attrs = base
            attrs[key] = good
            let rebuilt = try OpRegistry.op(named: op, attrs: attrs)
            // An explicit null reads as absent and is written back absent.
            #expect(rebuilt.attrs[key] == (good == .null ? nil : good), "\(op).\(key) = \(good.displayText)")
        }
        var attrs = base
        attrs[key] = bad
        #expect(throws: OpError.self, "\(op).\(key) = \(bad.displayText)") { try OpRegistry.op(named: op, attrs: attrs) }
    }
}
