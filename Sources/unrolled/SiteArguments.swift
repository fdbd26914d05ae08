import ArgumentParser
import Foundation
import Renderer

/// The options `build` and `serve` share: how strict the build is, and which templates it uses.
struct SiteArguments: ParsableArguments {
    @Flag(help: "Treat warnings (missing images, broken links) as errors.")
    var strict = false

    @Option(help: ArgumentHelp(
        "The site templates folder (page.mustache, partials/, assets/).",
        discussion: "Default: $UNROLLED_TEMPLATES, then ../share/unrolled/Templates or Templates beside the executable, then the source tree's Templates/."))
    var templates: String?

    /// `options` with these set; prints the error and fails when no templates folder is found.
    func apply(to options: inout SiteOptions) throws {
        options.strict = strict
        do {
            options.templates = try templates.map { URL(fileURLWithPath: $0) } ?? Templates.locate()
        } catch {
            printError("error: \(error)")
            throw ExitCode.failure
        }
    }
}
