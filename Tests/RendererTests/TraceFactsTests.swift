import Foundation
import Testing
@testable import Renderer

/// What the trace cache keeps beside its entries (`TraceFactsFile`): a rebuild answers the notes'
/// references and exercises from it without decoding a trace, and it is trusted only for the very
/// bytes and the very program it was written for. The neuron's numbers are worked out by hand:
/// with x = (1, 2), w = (0.5, 0.25) and b = −0.5, net = 0.5 + 0.5 − 0.5 = 0.5.
@Suite("Trace facts")
struct TraceFactsTests {
    /// The exercises' neuron (`ExerciseTests.page`), with references and an exercise under it.
    static let notes = ExerciseTests.page + """
        The net input is [{value}](#:net), made at [step {step}](#:net); the output is [{value:.4f}](#:y)
        and the norm of the weights' gradient [{norm:.4f}](#:dQ/dw). The backward pass is [steps {steps}](#:@phase=backward).

        [net =](#:net "answer ±0.001")

        """

    func course() throws -> TestCourse {
        try TestCourse(["course.yml": "title: T\n", "notes/01-neuron.md": Self.notes])
    }

    var factsFile: String { ".unrolled-cache/\(TraceFactsFile.fileName)" }

    /// The facts file as JSON objects, changed by `edit` and written back.
    func editFacts(_ course: TestCourse, _ edit: (inout [String: Any]) -> Void) throws {
        let url = course.course.appendingPathComponent(factsFile)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        edit(&object)
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }

    /// Makes the cached answer to `#:net` say 42 instead of 0.5.
    func claimNetIs42(_ object: inout [String: Any]) {
        var traces = object["traces"] as! [String: Any]
        let key = traces.keys.first!
        var trace = traces[key] as! [String: Any]
        var references = trace["references"] as! [String: Any]
        var net = references["net"] as! [String: Any]
        net["value"] = ["shape": [1, 1], "count": 1, "norm": 42.0, "data": [42.0]]
        references["net"] = net
        trace["references"] = references
        traces[key] = trace
        object["traces"] = traces
    }

    func netInput(_ course: TestCourse) throws -> String? {
        let html = try course.page("notes/01-neuron.html")
        guard let start = html.range(of: "The net input is <a href=\"#n:")?.upperBound, let close = html[start...].range(of: "</a>") else { return nil }
        return String(html[start..<close.lowerBound].drop { $0 != ">" }.dropFirst())
    }

    @Test("a rebuild from the facts writes the site the first build wrote from the traces, byte for byte")
    func sameSite() throws {
        let course = try course()
        try course.build()
        let first = try course.snapshot()
        #expect(try netInput(course) == "0.5")
        #expect(FileManager.default.fileExists(atPath: course.course.appendingPathComponent(factsFile).path))
        try course.build()
        #expect(try course.snapshot() == first)
    }

    @Test("a rebuild takes its answers from the facts, not from the trace")
    func answersFromTheFacts() throws {
        let course = try course()
        try course.build()
        try editFacts(course, claimNetIs42)
        try course.build()
        // Only the facts said 42: the trace was not asked.
        #expect(try netInput(course) == "42")
    }

    @Test("facts found in other bytes than the entry's are not used: the entry is decoded again")
    func changedEntry() throws {
        let course = try course()
        try course.build()
        try editFacts(course, claimNetIs42)
        // Five more Z85 digits after the deflated bytes the payload counts: the same trace in other bytes.
        let entry = try #require(course.cachedTraces().first { $0.hasSuffix(".trace") })
        let url = course.course.appendingPathComponent(".unrolled-cache/traces/\(entry)")
        try Data((try String(contentsOf: url, encoding: .utf8) + "00000").utf8).write(to: url)
        try course.build()
        #expect(try netInput(course) == "0.5")
    }

    @Test("facts written by another program are ignored, and replaced by this one's")
    func anotherProgram() throws {
        let course = try course()
        try course.build()
        try editFacts(course) { object in
            claimNetIs42(&object)
            object["program"] = "/usr/bin/unrolled 1 0"
        }
        try course.build()
        #expect(try netInput(course) == "0.5")
        let rewritten = try JSONSerialization.jsonObject(with: Data(contentsOf: course.course.appendingPathComponent(factsFile))) as? [String: Any]
        #expect(rewritten?["program"] as? String == ProgramIdentity.current)
    }

    @Test("the facts file reads back as written, by the fast path and by JSONDecoder alike, infinities and NaN included")
    func readsBack() throws {
        let course = try course()
        try course.build()
        let cache = course.course.appendingPathComponent(".unrolled-cache")
        let built = try #require(TraceFactsFile.read(Data(contentsOf: cache.appendingPathComponent(TraceFactsFile.fileName))))
        var facts = try #require(built.traces.values.first)
        #expect(Set(facts.references.keys) == ["net", "y", "dQ/dw", "@phase=backward"] && facts.exercises.count == 1)
        facts.references["made up"] = ResolvedReference(steps: [0, 2], isRange: true,
            value: QuotedValue(shape: [4], data: [.infinity, -.infinity, .nan, -0.0], element: 3), tensor: nil)
        let folder = course.root.appendingPathComponent("elsewhere")
        TraceFactsFile(cache: folder).save(["key": ShownTrace(payload: "1:0:", facts: facts)])
        let written = try Data(contentsOf: folder.appendingPathComponent(TraceFactsFile.fileName))
        for fast in [true, false] {
            let read = try #require(TraceFactsFile.read(written, fast: fast)?.traces["key"])
            let value = try #require(read.references["made up"]?.value?.data)
            #expect(value[0] == .infinity && value[1] == -.infinity && value[2].isNaN && value[3] == 0 && value[3].sign == .minus)
            var others = read
            others.references["made up"] = nil
            var expected = facts
            expected.references["made up"] = nil
            #expect(others == expected, "fast path: \(fast)")
        }
    }

    @Test("a quoted value keeps its numbers only when a sentence can quote them, and always its count and norm")
    func quotedValues() {
        let small = QuotedValue(shape: [2], data: [3, 4])
        #expect(small.data == [3, 4] && small.count == 2 && small.norm == 5)
        let large = QuotedValue(shape: [17], data: Array(repeating: 2, count: 17))
        #expect(large.data == nil && large.count == 17 && large.norm == (17.0 * 4).squareRoot())
        #expect(ReferenceText.quote(large, .viewer) == .failure(.unresolved(
            "{value}: the tensor has 17 values, more than the 16 a sentence can hold; quote an element (`c_2[1,1]`)")))
    }
}
