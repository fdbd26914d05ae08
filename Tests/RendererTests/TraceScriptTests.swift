import Foundation
import Models
import Testing
import Trace
import TraceTestSupport
@testable import Renderer

/// A trace's data script (`traces/<id>.js`), its weight, the cache beside the course, and the
/// page budget.
@Suite struct TraceScriptTests {
    @Test func z85IsTheRFCs() {
        // ZeroMQ RFC 32's own example.
        #expect(Z85.encode([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]) == "HelloWorld")
        // Padded with zeros to four bytes: 0x01000000 = 16777216 = 27·85³ + 27·85² + 9·85 + 1,
        // digits 0, 27, 27, 9, 1: "0", "r", "r", "9", "1".
        #expect(Z85.encode([0x01]) == "0rr91")
        #expect(Z85.encode([]) == "")
    }

    @Test func theScriptHoldsTheTraceExactlyAndNamesItsID() throws {
        let trace = try Demos.named("mlp").trace(["train": 3])
        let payload = try TraceScript.payload(trace)
        #expect(try TraceScript.trace(fromPayload: payload) == (try TraceDocument.decode(from: try trace.jsonData())))
        let script = TraceScript.text(id: "mlp-\"1\"", payload: payload)
        #expect(script.contains(#"(window.UnrolledTraceData = window.UnrolledTraceData || {})["mlp-\"1\""] = "1:"#))
        // As the trace's JSON reads back (where an attribute 2.0 is the integer 2, as in the JSON).
        let decoded = try SiteTraceData.decode(script: script)
        #expect(decoded == (try TraceDocument.decode(from: try trace.jsonData())), "the decoded trace differs")
        // Exact and smaller: under half of the JSON for a trace that is mostly numbers.
        #expect(script.utf8.count * 2 < (try trace.jsonData()).count)
    }

    @Test func theCacheLivesInTheCourseAndKeepsOnlyWhatTheLastBuildUsed() throws {
        let neuron = "```unrolled\nmodel: neuron\n```\n"
        let course = try TestCourse(["notes/n.md": "# N\n\n" + neuron])
        try course.build()
        let first = course.cachedTraces()
        #expect(first.count == 1)
        try course.write("notes/n.md", "# N\n\n" + neuron.replacingOccurrences(of: "neuron\n", with: "neuron\nb: 0.25\n"))
        try course.build()
        let second = course.cachedTraces()
        #expect(second.count == 1)
        #expect(second != first)
        // --clean: every trace computed again.
        var options = course.options()
        options.clean = true
        #expect(try Site.build(options).tracesComputed == 1)
    }

    @Test func aBuildThatFailsLeavesTheCacheAsItWas() throws {
        let course = try TestCourse(["notes/n.md": "# N\n\n```unrolled\nmodel: neuron\n```\n"])
        try course.build()
        let before = course.cachedTraces()
        try course.write("notes/n.md", "# N\n\n```unrolled\nmodel: neuron\nb: 0.25\n```\n\n[broken](missing.md)\n")
        #expect(!course.failures(strict: true).isEmpty)
        // The new trace was computed and kept (it is good), but the old one was not pruned.
        #expect(Set(before).isSubset(of: Set(course.cachedTraces())))
    }

    @Test func aPageOverItsBudgetIsWarnedNamingItsHeaviestDirectiveAndWhatToLower() throws {
        let course = try TestCourse([
            "course.yml": "trace-budget: 20 KB\n",
            "notes/n.md": "# N\n\n```unrolled\nmodel: neuron\n```\n\n```unrolled\nmodel: mlp\ntrain: 40\nlayers: [2, 128, 1]\n```\n",
        ])
        let warnings = try course.build().warnings.map(\.description)
        #expect(warnings.count == 1)
        let warning = try #require(warnings.first)
        #expect(warning.hasPrefix("notes/n.md:7: the page's traces are "))
        #expect(warning.contains("over the budget of 0.02 MB (`trace-budget` in course.yml); heaviest first: line 7 (n-2, "))
        // The mlp's parameters that scale it and that the directive gave; the neuron gave none, so all of its.
        #expect(warning.contains("): lower `layers` or `train`; line 3 (n-1, "))
        #expect(warning.hasSuffix("): lower `inputs` or `x` or `w` or `classes` or `c` or `train`"))
    }

    @Test func aBudgetIsASize() {
        #expect(TraceBudget.parse("1.5 MB") == TraceBudget(bytes: 1_500_000))
        #expect(TraceBudget.parse("800 KB") == TraceBudget(bytes: 800_000))
        #expect(TraceBudget.parse("1200") == TraceBudget(bytes: 1200))
        #expect(TraceBudget.parse("lots") == nil)
        #expect(TraceBudget.parse("-1 MB") == nil)
        let course = try? TestCourse(["course.yml": "trace-budget: big\n", "notes/n.md": "# N\n"])
        #expect(course?.failures() == ["course.yml:1: `trace-budget` must be a size such as `1.5 MB` or `800 KB`"])
    }
}
