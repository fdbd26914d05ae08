import Foundation
import Testing
@testable import Renderer

/// References in a course: prose, captions and other pages get the step's number and value from
/// the trace; every reference that finds nothing (or too much) fails the build at its file:line.
@Suite("References in a course")
struct ReferenceSiteTests {
    static let neuron = """
        # Neuron

        ```unrolled
        model: neuron
        caption: >
          The error signal is made at [step {step}](#:dQ/dy).
        ```

        The error signal is [step {step}](#:dQ/dy), worth [{value:.3f}](#:dQ/dy); the forward pass is [](#:@phase=forward).
        """

    static let rnn = """
        # RNN

        ```unrolled
        model: rnn
        id: rnn-small
        steps: 3
        ```

        Its first contribution to the gradient of W_1 is [step {step}](#rnn-small:dQ/dW_1@contribution=1).
        """

    func course(_ extra: String = "") throws -> TestCourse {
        try TestCourse([
            "course.yml": "title: T\nchapters:\n  - notes/01-neuron.md\n  - notes/02-rnn.md\n",
            "notes/01-neuron.md": Self.neuron + "\n" + extra,
            "notes/02-rnn.md": Self.rnn,
        ])
    }

    @Test func referencesBecomeDeepLinksWithTheirNumbersAndValues() throws {
        let course = try course("""
            Across pages: [the RNN's first contribution](02-rnn.md#rnn-small:dQ/dW_1@contribution=1), \
            [its own page](../traces/rnn-small.html), [step 5 there](../traces/rnn-small.html#rnn-small:5), [step 3](#neuron-1:3).
            """)
        try course.build(strict: true)
        let page = try course.page("notes/01-neuron.html")
        let trace = TraceReferenceTests.neuron
        let e = trace.steps.first { trace.tensors[$0.output].name == "dQ/dy" }!
        let value = NumberFormat.decimals(3).text(trace.tensors[e.output].data[0])
        let forward = trace.steps.filter { $0.phase == .forward }
        #expect(page.contains("The error signal is <a href=\"#neuron-1:\(e.index + 1)\">step \(e.index + 1)</a>, worth <a href=\"#neuron-1:\(e.index + 1)\">\(value)</a>"))
        #expect(page.contains("the forward pass is <a href=\"#neuron-1:1\">steps 1–\(forward.count)</a>"))
        #expect(page.contains("The error signal is made at <a href=\"#neuron-1:\(e.index + 1)\">step \(e.index + 1)</a>"))  // the caption
        let rnn = TraceReferenceTests.rnn
        let first = rnn.steps.first { rnn.tensors[$0.output].name == "dQ/dW_1" }!
        #expect(page.contains("<a href=\"02-rnn.html#rnn-small:\(first.index + 1)\">the RNN's first contribution</a>"))
        #expect(page.contains("<a href=\"../traces/rnn-small.html\">its own page</a>"))
        // The caption on the trace's own page is resolved too.
        #expect(try course.page("traces/neuron-1.html").contains("<a href=\"#neuron-1:\(e.index + 1)\">step \(e.index + 1)</a>"))
        #expect(try course.page("notes/02-rnn.html").contains("is <a href=\"#rnn-small:\(first.index + 1)\">step \(first.index + 1)</a>"))
    }

    @Test(arguments: [
        ("[a](#:nosuch)", 10, "reference '#:nosuch': in trace neuron-1: no step makes a tensor named 'nosuch'"),
        ("[a](#:@phase=update,scope=objective)", 10, "reference '#:@phase=update,scope=objective': in trace neuron-1: no step matches"),
        ("[a](#neuron-2:dQ/dy)", 10, "reference '#neuron-2:dQ/dy': no trace 'neuron-2' on this page; did you mean 'neuron-1'? (its traces: neuron-1 (line 3))"),
        ("[a](#rnn-small:h_1)", 10, "no trace 'rnn-small' on this page; it is on notes/02-rnn.md: write `02-rnn.md#rnn-small:h_1`"),
        ("[a](#neuron-1:99)", 10, "reference '#neuron-1:99': in trace neuron-1: the trace has 21 steps, not 99"),
        ("[a](02-rnn.md#:h_1)", 10, "reference '#:h_1': name the trace on notes/02-rnn.md: `#<id>:…` (its traces: rnn-small (line 3))"),
        ("[a](02-rnn.md#rnn-small:dQ/dW_1)", 10, "matches 5 steps"),
        ("[{value}](#:@phase=forward)", 10, "{value} of a run of steps"),
        ("[a](../traces/rnn-smal.html)", 10, "broken link '../traces/rnn-smal.html': the site has no trace 'rnn-smal'; did you mean 'rnn-small'?"),
        ("[a](../traces/rnn-small.html#rnn-small:999)", 10, "a trace page opens at `#rnn-small:N`, N from 1 to"),
        ("[steps {steps}](#:@scope=net input)", 10, "a reference that is not a link ('[steps {steps}](#:@scope=net …')"),
    ])
    func aReferenceThatFindsNothingOrTooMuchFailsTheBuildAtItsLine(_ link: String, _ line: Int, _ message: String) throws {
        let course = try course(link)
        let failures = course.failures()
        #expect(failures.count == 1, "\(failures)")
        #expect(failures.first?.hasPrefix("notes/01-neuron.md:\(line): ") == true, "\(failures.first ?? "")")
        #expect(failures.first?.contains(message) == true, "\(failures)")
    }

    @Test func aReferenceBeforeAnyTraceOrInACaptionReportsItsOwnLine() throws {
        let course = try TestCourse([
            "course.yml": "title: T\nchapters:\n  - notes/a.md\n",
            "notes/a.md": "# A\n\nToo early: [step {step}](#:y).\n\n```unrolled\nmodel: neuron\ncaption: See [x](#:nosuch).\n```\n",
        ])
        let failures = course.failures()
        #expect(failures.contains { $0.hasPrefix("notes/a.md:3: reference '#:y': no trace above line 3 to refer to") }, "\(failures)")
        #expect(failures.contains { $0.hasPrefix("notes/a.md:7: reference '#:nosuch'") }, "\(failures)")
    }
}
