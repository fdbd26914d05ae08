import Foundation
import Testing
import Trace
import TraceTestSupport

@Suite("unrolled embed")
struct EmbedCommandTests {
    /// The trace an embed page holds in its data script, decoded.
    func embeddedTrace(_ html: String) throws -> TraceDocument? {
        try SiteTraceData.decode(script: html)
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
        #expect(html.contains(#"(window.UnrolledTraceData = window.UnrolledTraceData || {})["lstm"] = "1:"#))
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

    @Test("a trace file can be embedded; the page goes to standard output with --output -")
    func traceFileToStandardOutput() throws {
        let folder = try CLI.temporaryDirectory()
        let trace = folder.appendingPathComponent("n.json")
        #expect(try CLI.run(["trace", "neuron", "--output", trace.path]).status == 0)
        let result = try CLI.run(["embed", trace.path, "--output", "-"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.outputText.contains(#"<unrolled-trace id="neuron""#))
        #expect(try embeddedTrace(result.outputText) == (try TraceDocument.decode(from: Data(contentsOf: trace))))
    }

    @Test("without --output the page is written beside, named after the demo or the trace file, never to the terminal")
    func defaultFileName() throws {
        let folder = try CLI.temporaryDirectory()
        let result = try CLI.run(["embed", "neuron"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.outputText.isEmpty)
        #expect(result.standardError.hasPrefix("wrote neuron.html (21 steps, "))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("neuron.html").path))
        #expect(try CLI.run(["trace", "neuron", "--output", "run.json"], in: folder).status == 0)
        #expect(try CLI.run(["embed", "run.json"], in: folder).standardError.hasPrefix("wrote run.html ("))
    }

    @Test("--compact and --view go on the viewer; a view the trace does not offer is refused, naming those it does")
    func compactAndView() throws {
        let folder = try CLI.temporaryDirectory()
        let result = try CLI.run(["embed", "lstm", "--steps", "2", "--compact", "--view", "lstm-cell", "--output", "-"], in: folder)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.outputText.contains(#"data-title="LSTM, H = 2: 2 steps, mse, one SGD step" compact view="lstm-cell" tabindex="0">"#))
        let refused = try CLI.run(["embed", "lstm", "--view", "attention-map"], in: folder)
        #expect(refused.status == 2)
        #expect(refused.standardError == "error: --view attention-map: this trace offers lstm-cell, unrolled, training\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("lstm.html").path))
    }

    @Test("--assets: embeds in one folder share one copy of the viewer and KaTeX, and hold only their trace")
    func sharedAssets() throws {
        let folder = try CLI.temporaryDirectory()
        #expect(try CLI.run(["embed", "gru", "--assets", "shared"], in: folder).status == 0)
        #expect(try CLI.run(["embed", "rnn", "--assets", "shared"], in: folder).status == 0)
        let gru = try String(contentsOf: folder.appendingPathComponent("gru.html"), encoding: .utf8)
        #expect(gru.contains(#"<script src="shared/viewer/viewer.js" defer></script>"#))
        #expect(gru.contains(#"<link rel="stylesheet" href="shared/site.css">"#))
        #expect(gru.contains(#"<script src="shared/frame-size.js" defer></script>"#))
        #expect(!gru.contains("customElements.define"))
        // The shared folder's viewer is the templates' own.
        let shipped = try Data(contentsOf: folder.appendingPathComponent("shared/viewer/viewer.js"))
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = try Data(contentsOf: root.appendingPathComponent("Templates/assets/viewer/viewer.js"))
        #expect(shipped == source)
        #expect(try embeddedTrace(gru)?.model == "gru")
        for path in ["/abs", "../up", "a/../../b"] {
            let refused = try CLI.run(["embed", "gru", "--assets", path], in: folder)
            #expect(refused.status == 2, "\(path)")
            #expect(refused.standardError.contains("give a folder relative to the page"), "\(path)")
        }
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
