import Foundation
import Models
import Testing
@testable import Renderer

@Suite struct DirectiveErrorTests {
    @Test func anUnknownModelNamesFileLineAndTheNearestModel() throws {
        let course = try TestCourse(["notes/lstm.md": "# LSTM\n\nText.\n\n```unrolled\nmodel: lstmm\n```\n"])
        #expect(course.failures() == ["notes/lstm.md:6: unknown model 'lstmm' — did you mean 'lstm'?"])
    }

    @Test func parameterErrorsPointAtTheirOwnLines() throws {
        let course = try TestCourse([
            "notes/a.md": "```unrolled\nmodel: lstm\nhidden: 2\nhiddn: 3\nseed: -4\n```\n"
        ])
        #expect(course.failures() == [
            "notes/a.md:4: unknown parameter hiddn for lstm; did you mean hidden?",
            "notes/a.md:5: seed -4 is out of range; allowed: 0…2147483647",
        ])
    }

    @Test func malformedYAMLAndMissingModelAreErrorsWithTheFix() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n```unrolled\nmodel: [neuron\n```\n",
            "notes/b.md": "```unrolled\ncaption: no model here\n```\n",
            "notes/c.md": "```unrolled\nmodel: neuron\nsrc: traces/x.json\n```\n",
        ])
        let failures = course.failures()
        #expect(failures.count == 3)
        #expect(failures[0].hasPrefix("notes/a.md:"))
        #expect(failures[0].contains("is not valid YAML"))
        #expect(failures[1] == "notes/b.md:1: an `unrolled` block needs `model: <demo>` (see `unrolled demos`) or `src: traces/<file>.json`")
        #expect(failures[2] == "notes/c.md:1: an `unrolled` block takes `model:` or `src:`, not both")
    }

    @Test func everyErrorOfEveryPageIsReported() throws {
        let course = try TestCourse([
            "notes/a.md": "```unrolled\nmodel: nueron\n```\n",
            "notes/b.md": "```unrolled\nmodel: gru\nactivation: tanh\n```\n",
        ])
        #expect(course.failures() == [
            "notes/a.md:2: unknown model 'nueron' — did you mean 'neuron'?",
            "notes/b.md:3: unknown parameter activation for gru",
        ])
    }

    /// Found by `make fuzz` (directive): Yams traps on a base-60 integer past Int.max.
    @Test func aBase60IntegerIsReadWithoutOverflowing() throws {
        guard case .failure(let failure) = Directive.parse(body: "model: rnn\ntargets: 2:0:3:2:0:3:2:2:0:0:0", file: "a.md", line: 1) else {
            Issue.record("a 10-digit base-60 matrix is not a valid `targets`")
            return
        }
        #expect(failure.diagnostics.map(\.description) == [
            "a.md:3: targets: '1.209833005879152e+18' is not valid; expected 1 to 200 rows of 1 to 256 numbers (rows separated by ';', numbers by ',')"
        ])
        let directive = try Directive.parse(body: "model: rnn\nsteps: 1:30\n", file: "a.md", line: 1).get()
        let rnn = try Demos.named("rnn")
        #expect(directive.source == .demo(rnn, try rnn.resolve(["steps": 90])))
    }

    @Test func otherFencedBlocksStayCode() throws {
        let course = try TestCourse(["notes/a.md": "```python\nprint(1)\n```\n"])
        try course.build()
        #expect(try course.page("notes/a.html").contains(#"<pre><code class="language-python">print(1)"#))
    }
}
