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

            Options:
              --<parameter> <value>   a demo parameter, as for `unrolled trace`
              --title <text>          the title shown above the viewer (default: the trace's own)
              -o, --output <file>     write to a file (written atomically), not standard output
              -h, --help              with a demo: that demo's parameters
            """
    )

    @Argument(help: "A demo (see `unrolled demos`) or a trace file (*.json).")
    var source: String

    @Argument(parsing: .captureForPassthrough, help: "The demo's parameters, as --name value.")
    var parameters: [String] = []

    func run() throws {
        var rest = parameters
        let title = try Self.take("title", from: &rest)
        let (trace, json, output) = try load(rest)
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

    /// The trace (from the demo or the file), its JSON, and where to write the page.
    private func load(_ arguments: [String]) throws -> (TraceDocument, Data, String?) {
        if source.hasSuffix(".json") {
            var rest = arguments
            let output = try Self.take("output", short: "o", from: &rest)
            if let extra = rest.first {
                throw usageFailure(extra == "-h" || extra == "--help"
                    ? "a trace file takes only --title and --output"
                    : "unexpected argument '\(extra.excerpt)'; a trace file takes only --title and --output")
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
            return (trace, try trace.jsonData(), output)
        }
        guard let (arguments, trace) = try DemoRun.run(source, arguments, command: "embed") else { throw ExitCode.success }
        return (trace, try trace.jsonData(), arguments.output)
    }

    /// Removes `--name value` (or `--name=value`, or `-short value`) from the arguments; its value.
    static func take(_ name: String, short: String? = nil, from arguments: inout [String]) throws -> String? {
        var found: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            let flags = ["--\(name)"] + (short.map { ["-\($0)"] } ?? [])
            if flags.contains(argument) {
                guard index + 1 < arguments.count else { throw usageFailure("--\(name) needs a value") }
                found = arguments[index + 1]
                arguments.removeSubrange(index...(index + 1))
            } else if let flag = flags.first(where: { argument.hasPrefix($0 + "=") }) {
                found = String(argument.dropFirst(flag.count + 1))
                arguments.remove(at: index)
            } else {
                index += 1
            }
        }
        return found
    }
}
