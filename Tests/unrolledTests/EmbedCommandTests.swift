import Foundation
import Testing
import Trace

@Suite("unrolled embed")
struct EmbedCommandTests {
    /// The trace inside an embed page's `<script class="unrolled-trace-data">`, decoded.
    func embeddedTrace(_ html: String) throws -> TraceDocument? {
        guard let start = html.range(of: #"class="unrolled-trace-data">"#),
            let end = html.range(of: "</script>", range: start.upperBound..<html.endIndex)
        else { return nil }
        let json = html[start.upperBound..<end.lowerBound].replacingOccurrences(of: "\\u003c", with: "<")
        return try TraceDocument.decode(from: Data(json.utf8))
    }

    @Test("a demo becomes one HTML file holding the viewer, the trace and KaTeX, referring to nothing outside")
    func demoToOneFile() throws {
        let folder = try CLI.temporaryDirectory()
        let file = folder.appendingPathComponent("deep/lstm.html")
        let result = try CLI.run(["embed", "lstm", "--steps", "2", "--title", "Two steps", "--output", file.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("wrote \(file.path) ("))
        let html = try String(contentsOf: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(#"<unrolled-trace id="lstm" trace-id="lstm" data-title="Two steps" tabindex="0">"#))
        #expect(html.contains("<title>Two steps</title>"))
        // Nothing is loaded from beside the file or the network: no src=, no stylesheet links.
        #expect(!html.contains(" src=\""))
        #expect(!html.contains("<link rel=\"stylesheet\""))
        #expect(html.contains("customElements.define"))
        // Exactly the trace `unrolled trace` writes for the same demo and parameters.
        let direct = try CLI.run(["trace", "lstm", "--steps", "2"])
        let expected = try TraceDocument.decode(from: direct.standardOutput)
        #expect(try embeddedTrace(html) == expected)
        if FileManager.default.fileExists(atPath: "/usr/share/javascript/katex/katex.min.js") {
            #expect(html.contains("katex.render") || html.contains("renderToString"))
            #expect(html.contains("url(data:font/woff2;base64,"))
            #expect(!html.contains("url(fonts/"))
        }
    }

    @Test("a trace file can be embedded; the page goes to standard output without --output")
    func traceFileToStandardOutput() throws {
        let folder = try CLI.temporaryDirectory()
        let trace = folder.appendingPathComponent("n.json")
        #expect(try CLI.run(["trace", "neuron", "--output", trace.path]).status == 0)
        let result = try CLI.run(["embed", trace.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.outputText.contains(#"<unrolled-trace id="neuron""#))
        #expect(try embeddedTrace(result.outputText) == (try TraceDocument.decode(from: Data(contentsOf: trace))))
    }

    @Test("bad input: one line naming the problem and the fix, exit 2, no file written")
    func badInput() throws {
        let folder = try CLI.temporaryDirectory()
        let output = folder.appendingPathComponent("x.html")
        let cases: [([String], String)] = [
            (["embed", "lstmm"], "error: unknown demo 'lstmm'"),
            (["embed", "lstm", "--hiden", "3", "--output", output.path], "error: unknown parameter"),
            (["embed", folder.appendingPathComponent("missing.json").path], "error: cannot read "),
            (["embed", "lstm", "--title"], "Error: Missing value for '--title <title>'"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.standardError.hasPrefix(message), "\(arguments): \(result.standardError)")
        }
        let garbage = folder.appendingPathComponent("garbage.json")
        try Data("{\"format\": 3}".utf8).write(to: garbage)
        let result = try CLI.run(["embed", garbage.path, "--output", output.path])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("error: \(garbage.path):1:12: not a valid Unrolled trace: format: expected a string"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
