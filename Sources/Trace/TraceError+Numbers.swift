import Foundation

extension TraceError {
    /// The first number in `data` that its field cannot hold, as an error at its position.
    ///
    /// `JSONDecoder` reports such a number (`1.5` or `1e19` for an id, `1e400` anywhere) as "not
    /// valid JSON", with no path. The fields of format v1 that hold integers are known, so the
    /// walker can find it: an integer field needs an integral value in `Int`'s range, any other
    /// number a finite double that does not underflow to zero.
    static func unreadableNumber(in data: Data) -> TraceError? {
        guard let number = JSONLocator.firstNumber(in: data, where: { !readable($1, asInteger: isIntegerField($0)) }) else {
            return nil
        }
        let expected = isIntegerField(number.path) ? "expected an integer" : "expected a number a double can hold (at most about ±1.8e308, and not so close to 0 that it becomes 0)"
        return TraceError("\(expected), found \(number.literal)", at: number.path, position: number.position)
    }

    /// The fields of format v1 that hold integers, with `[]` for any array position and `*` for any
    /// key of a map (`gradients`, a history entry's `tensors`).
    private static let integerFields: Set<String> = [
        "version", "loss", "scopes[].id", "scopes[].parent", "tensors[].id", "tensors[].of", "tensors[].version",
        "tensors[].shape[]", "steps[].index", "steps[].inputs[]", "steps[].output", "steps[].scope", "gradients.*",
        "history[].iteration", "history[].tensors.*.shape[]",
    ]

    private static func isIntegerField(_ path: JSONPath) -> Bool {
        var pattern = ""
        for component in path.components {
            switch component {
            case .index: pattern += "[]"
            case .key where pattern == "gradients" || pattern == "history[].tensors": pattern += ".*"
            case .key(let key): pattern += pattern.isEmpty ? key : "." + key
            }
        }
        return integerFields.contains(pattern)
    }

    /// Whether `JSONDecoder` reads the literal as an `Int` (any integral value in range, `1e2`
    /// included) or, for other fields, as a `Double`.
    private static func readable(_ literal: String, asInteger: Bool) -> Bool {
        if asInteger, Int(literal) != nil { return true }
        guard let value = Double(literal), value.isFinite else { return false }
        if asInteger { return value.rounded() == value && abs(value) < 0x1p63 }
        let mantissa = literal.prefix { $0 != "e" && $0 != "E" }
        return value != 0 || mantissa.allSatisfy { $0 == "0" || $0 == "-" || $0 == "." }
    }
}
