import Models
import Trace

/// A demo's parameters as a command line writes them after the demo's name: `--name value`,
/// `--name=value`, and for a boolean also `--name` alone (true). The command's own options
/// (`--output`, `--pretty`, …) are parsed by ArgumentParser before; these are what it left.
struct DemoArguments {
    var values: [String: JSONValue] = [:]
    var wantsHelp = false

    init(_ arguments: [String], for demo: Demo) throws(DemoError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                wantsHelp = true
                continue
            }
            guard argument.hasPrefix("--") else {
                throw .conflict("unexpected argument '\(argument.excerpt)'; parameters are written --name value (see `unrolled trace \(demo.name) --help`)")
            }
            var name = String(argument.dropFirst(2))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            guard let parameter = demo.parameter(named: name) else { throw demo.unknownParameter(name) }
            if value == nil, case .boolean = parameter.kind {
                // `--causal` alone (last, or before the next option) means true; `--causal false` says it.
                if index == arguments.count || arguments[index].hasPrefix("--") { value = "true" }
            }
            if value == nil {
                guard index < arguments.count else { throw .missingValue(parameter: name) }
                value = arguments[index]
                index += 1
            }
            values[name] = try parameter.parse(value ?? "")
        }
    }
}

/// What `unrolled trace` and `unrolled embed` share: a demo run from the command line.
enum DemoRun {
    /// Runs demo `name` with `arguments` (`--param value`…), drawing a progress line on long
    /// training. Nil when `--help` was asked: the demo's help is printed instead (as `command`'s).
    /// Unknown demos, parameters and values out of range become a usage failure (exit 2).
    static func run(_ name: String, _ arguments: [String], help: Bool, command: String) throws -> TraceDocument? {
        let demo: Demo
        let parsed: DemoArguments
        let config: DemoConfig
        do {
            demo = try Demos.named(name)
            parsed = try DemoArguments(arguments, for: demo)
            if help || parsed.wantsHelp {
                print(demo.help(command: command))
                return nil
            }
            config = try demo.resolve(parsed.values)
        } catch {
            throw usageFailure(error.message(flagPrefix: "--"))
        }
        if demo.name == "equations" { try checkEquations(config) }
        defer { ProgressLine.clear() }
        do {
            return try demo.trace(config, progress: ProgressLine.handler())
        } catch {
            throw usageFailure(error.message(flagPrefix: "--"))
        }
    }
}
