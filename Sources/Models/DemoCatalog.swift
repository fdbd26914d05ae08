import Foundation
import Trace

/// What `unrolled demos` prints, made from the demos' declarations: for people (`help`) and for
/// tools (`catalogJSON`, which the tests read instead of keeping their own lists of demos).
extension Demos {
    /// Every demo (or the given ones) as a JSON array: name, summary, and each parameter's name,
    /// summary, allowed values (in words) and default (null when it has none), keys sorted.
    public static func catalogJSON(_ demos: [Demo] = all) -> String {
        let list = demos.map { demo -> JSONValue in
            .object([
                "name": .string(demo.name), "summary": .string(demo.summary),
                "parameters": .array(
                    demo.parameters.map {
                        .object([
                            "name": .string($0.name), "summary": .string($0.summary), "allowed": .string($0.allowed),
                            "default": $0.defaultValue ?? .null,
                        ])
                    }),
            ])
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(JSONValue.array(list))) ?? Data("[]".utf8), as: UTF8.self)
    }
}

extension Demo {
    /// The demo's description for people: summary, usage (as `command`'s), then one line per
    /// parameter with its allowed values and default, then what its size grows with.
    public func help(command: String = "trace") -> String {
        let rows = parameters.map { parameter -> (String, String) in
            let fallback = parameter.defaultValue.map { value in
                let text = Self.commandLineText(value)
                // A text of several lines (the equations demo's program) is described, not printed.
                let lines = text.split(separator: "\n").count
                return lines > 1 ? "default: \(lines) lines, `unrolled trace \(name)` shows them in the trace's config" : "default \(text)"
            } ?? "optional"
            return ("--\(parameter.name)", "\(parameter.summary) [\(parameter.allowed); \(fallback)]")
        }
        let width = rows.map(\.0.count).max() ?? 0
        let lines = rows.map { "  " + $0.0.padding(toLength: width + 2, withPad: " ", startingAt: 0) + $0.1 }
        return ([
            "\(name) — \(summary)", "usage: unrolled \(command) \(name) [--<parameter> <value>]… [--output <file>]",
        ] + lines + ["", scaling]).joined(separator: "\n")
    }

    /// `Size grows with --steps, --hidden; work also with --train. …`: what a refusal would ask to lower.
    private var scaling: String {
        let flags = { (scaling: DemoParameter.Scaling) in
            parameters.filter { $0.scaling == scaling }.map { "--\($0.name)" }.joined(separator: ", ")
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
