import ArgumentParser
import Models

struct DemosCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demos",
        abstract: "List every demo with its parameters, defaults and allowed values."
    )

    @Argument(help: "Show only this demo.")
    var name: String?

    @Flag(help: "Print the list as JSON (for tools).")
    var json = false

    func run() throws {
        var demos = Demos.all
        if let name {
            do {
                demos = [try Demos.named(name)]
            } catch {
                throw usageFailure(error.message())
            }
        }
        print(json ? Demos.catalogJSON(demos) : demos.map { $0.help() }.joined(separator: "\n\n"))
    }
}
