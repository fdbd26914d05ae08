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
            Runs a demo (or reads a trace file) and writes an HTML file, named after the demo (lstm.html) \
            unless --output says otherwise, that holds the viewer, its styles, KaTeX with its fonts, and \
            the trace: it opens from disk, offline, and requests nothing, so it can go into slides and \
            other notes, or an <iframe>:

              <iframe src="lstm.html" width="100%" height="720" title="An LSTM, step by step"></iframe>

            Inside an iframe the page posts its height to the page around it; the snippet in \
            docs/site.md ("Embedding a trace elsewhere") fits the iframe to it. Open it at a given step \
            with a link ending in #<model>:<step>, e.g. lstm.html#lstm:12.

            Several embeds in one folder can share the viewer and KaTeX (0.8 MB) instead of each \
            holding a copy: give each the same --assets folder.

            Examples:
              unrolled embed lstm --steps 3                      # writes lstm.html
              unrolled embed lstm --compact --view lstm-cell     # for a slide: the cell view, no outline
              unrolled embed gru --assets unrolled-assets        # shares unrolled-assets/ with the others
              unrolled embed trace.json --title "My network" --output trace.html
              unrolled embed lstm --output - > lstm.html         # to standard output
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

    @Option(name: .shortAndLong, help: ArgumentHelp(
        "Where to write the page (written atomically); - for standard output.",
        discussion: "Default: <demo>.html (or the trace file's name with .html) in the current folder."))
    var output: String?

    @Flag(help: "No outline: the step panel takes the width (for slides).")
    var compact = false

    @Option(help: "The view to open on (one the trace offers, e.g. lstm-cell, attention-map); default: the step panel.")
    var view: String?

    @Option(help: ArgumentHelp(
        "Put the viewer and KaTeX in FOLDER (relative to the page) instead of inside the page.",
        discussion: "Embeds written beside each other with the same folder share one copy."))
    var assets: String?

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
        let trace = try load(source)
        if let view, view != "step", !(trace.views ?? []).contains(view) {
            let offered = (trace.views ?? []).isEmpty ? "none but the step panel" : (trace.views ?? []).joined(separator: ", ")
            throw usageFailure("--view \(view.excerpt): this trace offers \(offered)")
        }
        if let assets, assets.hasPrefix("/") || assets.split(separator: "/").contains("..") {
            throw usageFailure("--assets \(assets.excerpt): give a folder relative to the page, inside its folder (e.g. unrolled-assets)")
        }
        let site = SiteOptions(course: URL(fileURLWithPath: "."))
        var options = Embed.Options()
        options.title = title
        options.compact = compact
        options.view = view == "step" ? nil : view
        options.assets = assets
        let made: Embed.Output
        do {
            made = try Embed.make(trace: trace, options: options, templates: site.templates, katex: site.katex)
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        let data = Data(made.html.utf8)
        let path = output ?? Self.defaultOutput(source)
        if path == "-" {
            FileHandleOutput.standardOutput(data)
            return
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            for asset in made.assets {
                let url = folder.appendingPathComponent(asset.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try writeAtomically(asset.data, to: url.path)
            }
            try writeAtomically(data, to: path)
        } catch {
            printError("error: cannot write \(path): \(error.localizedDescription)")
            throw ExitCode.failure
        }
        let shared = assets.map { ", the viewer and KaTeX in \($0)/" } ?? ""
        printError("wrote \(path) (\(trace.steps.count) steps, \(Self.kilobytes(data.count))\(shared); open it in a browser or an <iframe>)")
    }

    /// `lstm.html` for the demo `lstm`, `run.html` for `traces/run.json`: in the current folder.
    static func defaultOutput(_ source: String) -> String {
        let name = URL(fileURLWithPath: source).lastPathComponent
        return (name.hasSuffix(".json") ? String(name.dropLast(5)) : name) + ".html"
    }

    static func kilobytes(_ bytes: Int) -> String { bytes < 10_000 ? "\(bytes) bytes" : "\(bytes / 1000) KB" }

    /// The trace, from the demo or the file.
    private func load(_ source: String) throws -> TraceDocument {
        if source.hasSuffix(".json") {
            if help { throw usageFailure("a trace file takes only --title, --output, --compact, --view and --assets") }
            if let extra = parameters.first {
                throw usageFailure("unexpected argument '\(extra.excerpt)'; a trace file takes only --title, --output, --compact, --view and --assets")
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
            return trace
        }
        guard let trace = try DemoRun.run(source, DemoRun.arguments(parameters, equations: equations), help: help, command: "embed") else {
            throw ExitCode.success
        }
        return trace
    }
}
