import ArgumentParser
import Foundation
import Renderer

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a course's Markdown notes and traces into a static website.",
        discussion: """
            A course folder holds course.yml (title, author, description, chapter order; optional) and \
            Markdown notes (notes/*.md, or any *.md), images beside them. A fenced block with info string \
            `unrolled` runs a demo (`model: lstm`, its parameters, `title`, `caption`) or shows a trace \
            file (`src: ../traces/x.json`). Every path a note names is relative to the note and must stay inside \
            the course folder, symbolic links included.

            The site works from any static host and straight from disk. It is staged in a folder \
            inside the output folder and put in place, in one atomic exchange of folders, only when \
            the build has no errors: a failed or killed build leaves the previous site as it was. \
            Each trace's data is written once, as traces/<id>.js, for its chapter and its own page.

            Traces are cached across builds in COURSE/.unrolled-cache/ (the user's cache folder when the \
            course folder is read-only), never in the site; add it to the course's .gitignore. --clean \
            computes every trace again.

            Examples:
              unrolled build                      # Site/ into Site/_site/
              unrolled build my-course --output public --strict
              unrolled build --clean              # recompute every trace
            """
    )

    @Argument(help: "The course folder.")
    var course: String = "Site"

    @Option(name: .shortAndLong, help: "Where to write the site (default: COURSE/_site). Replaced whole.")
    var output: String?

    @OptionGroup var site: SiteArguments

    @Flag(help: "Empty the trace cache first, so every trace is computed again.")
    var clean = false

    @Option(help: ArgumentHelp("The trace cache's folder.", discussion: "Default: COURSE/.unrolled-cache, or the user's cache folder when the course folder is read-only."))
    var cache: String?

    func run() throws {
        let courseURL = URL(fileURLWithPath: course)
        var options = SiteOptions(course: courseURL, output: output.map { URL(fileURLWithPath: $0) })
        try site.apply(to: &options)
        options.clean = clean
        if let cache { options.cache = URL(fileURLWithPath: cache) }
        options.progress = { line in
            ProgressLine.clear()
            printError(line)
        }
        options.demoProgress = ProgressLine.handler()
        // For the tests of the atomic swap: the build dies (SIGKILL, no clean-up) just before the named step.
        if let step = ProcessInfo.processInfo.environment["UNROLLED_TEST_KILL_BEFORE"] {
            options.beforePublishStep = { if $0 == step { kill(getpid(), SIGKILL) } }
        }
        if let refusal = Site.refusal(output: options.output, course: courseURL) {
            throw usageFailure(refusal)
        }
        printError("building \(course) → \(options.output.path)")
        defer { ProgressLine.clear() }
        do {
            let summary = try Site.build(options)
            for warning in summary.warnings { printError("warning: \(warning)") }
            printError("built \(summary.line) → \(options.output.path)")
        } catch {
            for diagnostic in error.diagnostics {
                printError("\(diagnostic.severity == .error ? "error" : "warning"): \(diagnostic)")
            }
            let count = error.errors.count
            printError("build failed: \(count) error\(count == 1 ? "" : "s"); \(options.output.path) was left as it was")
            throw ExitCode.failure
        }
    }
}
