import ArgumentParser
import Engine
import Foundation
import Models
import Renderer
import Trace

struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write one trace as a self-contained HTML page with the step-through viewer.",
        discussion: """
            Runs a demo (or reads a trace file) and writes a single HTML file that holds the viewer, \
            its styles, KaTeX with its fonts, and the trace: it opens from disk, offline, and requests \
            nothing, so it can go into slides and other notes, or an <iframe>:

              <iframe src="lstm.html" width="100%" height="720" title="An LSTM, step by step"></iframe>

            Open it at a given step with a link ending in #<model>:<step>, e.g. lstm.html#lstm:12.

            Examples:
              unrolled embed lstm --steps 3 --output lstm.html
              unrolled embed trace.json --title "My network" --output trace.html
            """,
        // `--help` after a demo lists that demo's parameters, so the command reads it itself.
        helpNames: []
    )

    @Argument(help: "A demo (see `unrolled demos`) or a trace file (*.json).")
    var source: String?

    @Option(help: "Embed your own equations from FILE (docs/equations.md); the demo is then `equations`.")
    var equations: String?

    @Option(help: "The title shown above the viewer (default: the trace's own).")
    var title: String?

    @Option(name: .shortAndLong, help: "Write to a file (written atomically), not standard output.")
    var output: String?

    @Flag(name: .shortAndLong, help: "Show this help; after a demo, that demo's parameters.")
    var help = false

    @Argument(parsing: .allUnrecognized, help: "A demo's parameters, as for `unrolled trace`: --<parameter> <value>.")
    var parameters: [String] = []

    /// Without a demo only `--help` makes sense; anything else is ArgumentParser's usage error (exit 2).
    func validate() throws {
        if source == nil, equations == nil, !help { throw ValidationError("Missing expected argument '<source>'") }
    }

    func run() throws {
        guard let source = try DemoRun.demoName(source, equations: equations) else {
            print(Unrolled.helpMessage(for: Self.self))
            return
        }
        let (trace, json) = try load(source)
        let options = SiteOptions(course: URL(fileURLWithPath: "."))
        let html: String
        do {
            html = try Embed.html(trace: trace, json: json, title: title, templates: options.templates, katex: options.katex)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        let data = Data(html.utf8)
        guard let output else {
            FileHandleOutput.standardOutput(data)
            return
        }
        do {
            try writeAtomically(data, to: output)
        } catch {
            printError("error: cannot write \(output): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        printError("wrote \(output) (\(trace.steps.count) steps, \(data.count) bytes; open it in a browser or an <iframe>)")
    }

    /// The trace (from the demo or the file) and its JSON.
    private func load(_ source: String) throws -> (TraceDocument, Data) {
        if source.hasSuffix(".json") {
            if help { throw usageFailure("a trace file takes only --title and --output") }
            if let extra = parameters.first {
                throw usageFailure("unexpected argument '\(extra.excerpt)'; a trace file takes only --title and --output")
            }
            guard let data = FileManager.default.contents(atPath: source) else {
                throw usageFailure("cannot read \(source); make a trace with `unrolled trace <demo> --output \(source)`")
            }
            let trace: TraceDocument
            do throws(TraceError) {
                trace = try TraceCheck.load(data)
            } catch {
                throw usageFailure("\(error.description(file: source)); remake it with `unrolled trace`")
            }
            return (trace, try trace.jsonData())
        }
        guard let trace = try DemoRun.run(source, DemoRun.arguments(parameters, equations: equations), help: help, command: "embed") else {
            throw ExitCode.success
        }
        return (trace, try trace.jsonData())
    }
}
