import ArgumentParser
import Foundation
import Models
import Trace

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
        if json {
            let list = demos.map { demo -> [String: JSONValue] in
                [
                    "name": .string(demo.name), "summary": .string(demo.summary),
                    "parameters": .array(
                        demo.parameters.map {
                            .object([
                                "name": .string($0.name), "summary": .string($0.summary), "allowed": .string($0.allowed),
                                "default": $0.defaultValue ?? .null,
                            ])
                        }),
                ]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(list), as: UTF8.self))
        } else {
            print(demos.map(DemoHelp.text(for:)).joined(separator: "\n\n"))
        }
    }
}

/// A demo's description for people: summary, then one line per parameter.
enum DemoHelp {
    static func text(for demo: Demo) -> String {
        let rows = demo.parameters.map { parameter -> (String, String) in
            let fallback = parameter.defaultValue.map { "default \(commandLineText($0))" } ?? "optional"
            return ("--\(parameter.name)", "\(parameter.summary) [\(parameter.allowed); \(fallback)]")
        }
        let width = rows.map(\.0.count).max() ?? 0
        let lines = rows.map { "  " + $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }
        return ([
            "\(demo.name) — \(demo.summary)", "usage: unrolled trace \(demo.name) [--<parameter> <value>]… [--output <file>]",
        ] + lines + ["", scaling(of: demo)]).joined(separator: "\n")
    }

    /// `Size grows with --steps, --hidden; work also with --train. …`: what a refusal would ask to lower.
    private static func scaling(of demo: Demo) -> String {
        let flags = { (scaling: DemoParameter.Scaling) in
            demo.parameters.filter { $0.scaling == scaling }.map { "--\($0.name)" }.joined(separator: ", ")
        }
        let repetitions = flags(.repetitions)
        return "Size grows with \(flags(.size))\(repetitions.isEmpty ? "" : "; work also with \(repetitions)"). "
            + "A run over the budget (see `unrolled trace --help`) is refused."
    }

    /// A value as it would be typed after its option: `2,3,1`, `0.5`, `tanh`.
    static func commandLineText(_ value: JSONValue) -> String {
        switch value {
        case .array(let values): return values.map(commandLineText).joined(separator: ",")
        default: return value.displayText
        }
    }
}
