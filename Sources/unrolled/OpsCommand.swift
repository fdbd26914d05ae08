import ArgumentParser
import Engine

struct OpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "List every op a trace may record, with its inputs and attributes.",
        discussion: "Each op's forward and gradient rule are in docs/trace-format.md (\"Ops\")."
    )

    @Flag(help: "Print the list as JSON (for tools; docs/trace.schema.json's op rules are made from it).")
    var json = false

    func run() {
        print(json ? OpRegistry.catalogJSON() : OpRegistry.catalogText())
    }
}
