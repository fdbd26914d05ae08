import Engine

/// Why a demo could not be run as asked. Each message is one line that says what to do; it quotes
/// at most the first characters of a value (`excerpt`), however long the value is.
///
/// Parameter names are shown as a command line writes them (`--hidden`) or as a directive
/// does (`hidden`), depending on `flagPrefix`.
public enum DemoError: Error, Equatable {
    case unknownDemo(String, suggestion: String?)
    case unknownParameter(String, demo: String, suggestion: String?)
    case invalidValue(parameter: String, value: String, expected: String)
    case outOfRange(parameter: String, value: String, allowed: String)
    case unknownChoice(parameter: String, value: String, options: [String], suggestion: String?)
    case missingValue(parameter: String)
    /// Parameters that are each valid but do not fit together.
    case conflict(String)
    /// A run that would go past its `Budget`, and the parameters whose lowering would shrink it.
    case overBudget(Overrun, lower: [String])

    public func message(flagPrefix: String = "") -> String {
        func flag(_ name: String) -> String { flagPrefix + name }
        switch self {
        case .unknownDemo(let name, let suggestion):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? " (`unrolled demos` lists them)"
            return "unknown demo '\(name.excerpt)'\(hint)"
        case .unknownParameter(let name, let demo, let suggestion):
            let hint = suggestion.map { "; did you mean \(flag($0))?" } ?? ""
            return "unknown parameter \(flag(name).excerpt) for \(demo)\(hint)"
        case .invalidValue(let parameter, let value, let expected):
            return "\(flag(parameter)): '\(value.excerpt)' is not valid; expected \(expected)"
        case .outOfRange(let parameter, let value, let allowed):
            // A text comes quoted by its parameter (`'a'`); it is shortened inside its quotes.
            let quoted = value.count > 1 && value.first == "'" && value.last == "'"
            let shown = quoted ? "'\(value.dropFirst().dropLast().excerpt)'" : value.excerpt
            return "\(flag(parameter)) \(shown) is out of range; allowed: \(allowed)"
        case .unknownChoice(let parameter, let value, let options, let suggestion):
            let hint = suggestion.map { "; did you mean '\($0)'?" } ?? ""
            return "\(flag(parameter)): unknown value '\(value.excerpt)'\(hint) (choose \(options.joined(separator: ", ")))"
        case .missingValue(let parameter):
            return "\(flag(parameter)) needs a value"
        case .conflict(let text):
            return text.replacingFlags(with: flagPrefix)
        case .overBudget(let overrun, let parameters):
            let flags = parameters.map(flag)
            let list = flags.count > 1 ? flags.dropLast().joined(separator: ", ") + " or " + flags.last! : flags.joined()
            return "\(overrun.description)\(list.isEmpty ? "" : ": lower \(list)")"
        }
    }
}

extension DemoError: CustomStringConvertible {
    public var description: String { message() }
}

extension String {
    /// Conflict messages write parameter names as `{name}`; this renders them for the caller.
    fileprivate func replacingFlags(with prefix: String) -> String {
        var result = ""
        var rest = Substring(self)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open] + prefix + rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
