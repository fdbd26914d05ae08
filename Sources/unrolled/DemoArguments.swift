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
                throw .conflict("unexpected argument '\(argument)'; parameters are written --name value (see `unrolled trace \(demo.name) --help`)")
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
