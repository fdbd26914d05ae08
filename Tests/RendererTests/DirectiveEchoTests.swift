import Foundation
import Testing
@testable import Renderer

/// `echo: true` shows the directive above its trace, as Quarto's `echo` shows a cell's code: what
/// runs (the model, its parameters, an equations block), not what presents it.
@Suite struct DirectiveEchoTests {
    @Test func theEchoKeepsWhatRunsAndDropsTitleCaptionIdAndEcho() {
        let body = """
            model: equations
            title: One module
            caption: 'A caption that goes on
              over two lines: $x$'
            lr: 0.5
            id: one-module
            echo: true
            equations: |
              input x = [1; 2]

              y = tanh(x)
            """
        #expect(Directive.echoed(body) == """
            ```unrolled
            model: equations
            lr: 0.5
            equations: |
              input x = [1; 2]

              y = tanh(x)
            ```
            """)
    }

    @Test func echoIsABooleanAndOffByDefault() throws {
        guard case .success(let plain) = Directive.parse(body: "model: neuron", file: "a.md", line: 1) else {
            Issue.record("a neuron directive does not parse")
            return
        }
        #expect(plain.echo == nil)
        guard case .success(let off) = Directive.parse(body: "model: neuron\necho: false", file: "a.md", line: 1) else { return }
        #expect(off.echo == nil)
        guard case .failure(let failure) = Directive.parse(body: "model: neuron\necho: sometimes", file: "a.md", line: 4) else {
            Issue.record("echo: sometimes is accepted")
            return
        }
        #expect(failure.diagnostics.map(\.description) == ["a.md:6: echo is true (show this directive above its trace) or false"])
    }

    @Test func thePageShowsTheEchoEscapedAboveTheViewerAndTheTracePageDoesNot() throws {
        let course = try TestCourse([
            "notes/a.md": """
                # A

                ```unrolled
                model: equations
                id: small
                echo: true
                caption: 'Not in the echo'
                equations: |
                  input x = [1; 2]
                  y = tanh(x)   # x < 3 & "y"
                  loss Q = sum(y)
                ```
                """
        ])
        try course.build(strict: true)
        let page = try course.page("notes/a.html")
        let echo = try #require(page.range(of: #"<pre class="trace-directive""#))
        let viewer = try #require(page.range(of: "<unrolled-trace "))
        #expect(echo.lowerBound < viewer.lowerBound)
        #expect(page.contains("y = tanh(x)   # x &lt; 3 &amp; &quot;y&quot;"))
        #expect(page.components(separatedBy: "Not in the echo").count == 2, "the caption only, once")
        #expect(try !course.page("traces/small.html").contains("trace-directive"))
    }
}
