import ArgumentParser
import Engine
import Foundation
import Models
import Trace

struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Run a demo and write its trace (JSON).",
        discussion: """
            Every demo parameter is an option after the demo's name: \
            `unrolled trace mlp --layers 2,4,1 --activation relu` (or --layers=2,4,1); a true/false \
            parameter alone means true (--causal), or takes its value (--causal false). Parameters not given take their defaults; `unrolled trace <demo> --help` lists them with \
            their allowed values, and `unrolled demos` lists every demo.

            The trace goes to standard output unless --output names a file (written atomically; \
            missing folders are created). The same demo, parameters and seed always give the same bytes.

            Every run has a budget: \(Budget.standard.summary). A run that would go past it is refused \
            after its first pass or iteration, within seconds, with the parameters to lower (exit status 2). \
            Long training runs show their progress on standard error: on a terminal a line redrawn in place, \
            elsewhere a plain line every 5 seconds (UNROLLED_PROGRESS_INTERVAL sets the seconds).

            Demos: \(Demos.all.map(\.name).joined(separator: ", "))
            """,
        // `--help` after a demo lists that demo's parameters, so the command reads it itself.
        helpNames: []
    )

    @Argument(help: "The demo to run (see `unrolled demos`).")
    var demo: String?

    @Option(help: "Trace your own equations from FILE (docs/equations.md); the demo is then `equations`.")
    var equations: String?

    @Option(name: .shortAndLong, help: "Write the trace to a file (written atomically, missing folders created), not standard output.")
    var output: String?

    @Flag(help: "Indent the JSON for reading (default: compact).")
    var pretty = false

    @Flag(name: .shortAndLong, help: "Show this help; after a demo, that demo's parameters.")
    var help = false

    @Argument(parsing: .allUnrecognized, help: "The demo's parameters, as --<parameter> <value>.")
    var parameters: [String] = []

    /// Without a demo only `--help` makes sense; anything else is ArgumentParser's usage error (exit 2).
    func validate() throws {
        if demo == nil, equations == nil, !help { throw ValidationError("Missing expected argument '<demo>'") }
    }

    func run() throws {
        guard let demo = try DemoRun.demoName(demo, equations: equations) else {
            print(Unrolled.helpMessage(for: Self.self))
            return
        }
        guard let trace = try DemoRun.run(demo, DemoRun.arguments(parameters, equations: equations), help: help, command: "trace") else {
            return
        }
        var data = try trace.jsonData()
        if pretty { data = try prettyPrinted(data) }
        data.append(0x0A)
        if let output {
            do {
                try writeAtomically(data, to: output)
            } catch {
                printError("error: cannot write \(output): \(error.localizedDescription)")
                throw ExitCode.failure
            }
            printError("wrote \(output) (\(trace.steps.count) steps, \(trace.tensors.count) tensors, \(data.count) bytes)")
        } else {
            FileHandleOutput.standardOutput(data)
        }
    }

    private func prettyPrinted(_ data: Data) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
