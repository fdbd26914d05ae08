import Models
import Trace

/// The `--<param> <value>` pairs after a demo's name, read against that demo's parameters.
struct DemoArguments {
    var values: [String: JSONValue] = [:]
    var output: String?
    var pretty = false
    var wantsHelp = false

    /// Parses `--name value` and `--name=value`; `--output`/`-o`, `--pretty` and `--help`/`-h` are the command's own.
    init(_ arguments: [String], for demo: Demo) throws(DemoError) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "-h" || argument == "--help" {
                wantsHelp = true
                continue
            }
            if argument == "--pretty" {
                pretty = true
                continue
            }
            guard argument.hasPrefix("-") else {
                throw .conflict("unexpected argument '\(argument.excerpt)'; parameters are written --name value (see `unrolled trace \(demo.name) --help`)")
            }
            var name = String(argument.drop(while: { $0 == "-" }))
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if value == nil {
                guard index < arguments.count else {
                    throw name == "o" || name == "output" ? .missingValue(parameter: "output") : .missingValue(parameter: name)
                }
                value = arguments[index]
                index += 1
            }
            if name == "o" || name == "output" {
                output = value
                continue
            }
            guard let parameter = demo.parameter(named: name) else {
                throw demo.unknownParameter(name)
            }
            values[name] = try parameter.parse(value!)
        }
    }

}

/// What `unrolled trace` and `unrolled embed` share: a demo run from the command line.
enum DemoRun {
    /// Runs demo `name` with `arguments` (`--param value`…), drawing a progress line on long
    /// training. Nil when `--help` was asked: the demo's help is printed instead (as `command`'s).
    /// Unknown demos, parameters and values out of range become a usage failure (exit 2).
    static func run(_ name: String, _ arguments: [String], command: String) throws -> (arguments: DemoArguments, trace: TraceDocument)? {
        let demo: Demo
        let parsed: DemoArguments
        do {
            demo = try Demos.named(name)
            parsed = try DemoArguments(arguments, for: demo)
        } catch {
            throw usageFailure(error.message(flagPrefix: "--"))
        }
        if parsed.wantsHelp {
            print(DemoHelp.text(for: demo).replacingOccurrences(of: "unrolled trace", with: "unrolled \(command)"))
            return nil
        }
        defer { ProgressLine.clear() }
        do {
            return (parsed, try demo.trace(parsed.values, progress: ProgressLine.handler()))
        } catch {
            throw usageFailure(error.message(flagPrefix: "--"))
        }
    }
}
