import Foundation

/// What is wrong with a trace and where: the path of the offending value and, for a trace read
/// from bytes, the line and column where that value starts.
///
/// Both are given because the engine writes a trace on one line: `1:48213` takes an editor to the
/// place, and `tensors[12].shape` tells a person what it is.
public struct TraceError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var path: JSONPath
    public var position: TextPosition?

    public init(_ message: String, at path: JSONPath, position: TextPosition? = nil) {
        self.message = message
        self.path = path
        self.position = position
    }

    /// The error with the line and column of its path in `data`, the bytes the trace was read from.
    public func located(in data: Data) -> TraceError {
        var located = self
        located.position = position ?? JSONLocator.position(of: path, in: data)
        return located
    }

    /// `file:line:column: not a valid Unrolled trace: path: message`, the form compilers use, so that
    /// editors can jump to the place.
    public func description(file: String) -> String {
        "\(position.map { "\(file):\($0)" } ?? file): \(description)"
    }

    public var description: String {
        "not a valid Unrolled trace: " + (path.components.isEmpty ? message : "\(path): \(message)")
    }
}

extension TraceError {
    /// A `JSONDecoder` error said the way a person fixing the file needs it: a syntax error with its
    /// line and column (found by `JSONLocator`, since the decoder gives none), a wrong or missing
    /// value at the path of that value (or of the object that lacks it).
    init(_ error: DecodingError, in data: Data) {
        switch error {
        case .typeMismatch(let type, let context):
            self.init("expected \(Self.kind(type))", at: Self.path(context.codingPath))
        case .valueNotFound(let type, let context):
            self.init("expected \(Self.kind(type)), found null", at: Self.path(context.codingPath))
        case .keyNotFound(let key, let context):
            self.init("missing field \"\(key.stringValue)\"", at: Self.path(context.codingPath))
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            if let syntax = JSONLocator.syntaxError(in: data) {
                self.init("JSON syntax error: \(syntax.message)", at: [], position: syntax.position)
            } else if let number = Self.unreadableNumber(in: data) {
                self = number
            } else {
                // Nothing to point at: the decoder gave no path, and the walker found nothing wrong.
                self.init(Self.reason(context), at: [])
                return
            }
        case .dataCorrupted(let context):
            self.init(Self.reason(context), at: Self.path(context.codingPath))
        @unknown default:
            self.init("\(error)", at: [])
        }
        self = located(in: data)
    }

    /// A coding path as a `JSONPath`. Array positions come as keys whose string is `Index n`;
    /// a dictionary key such as `"12"` (in `gradients`) stays a key even though it reads as a number.
    private static func path(_ codingPath: [any CodingKey]) -> JSONPath {
        JSONPath(codingPath.map { key in
            if let index = key.intValue, key.stringValue == "Index \(index)" { return .index(index) }
            return .key(key.stringValue)
        })
    }

    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type: return "an integer"
        case is Double.Type: return "a number (or \"NaN\", \"Infinity\", \"-Infinity\")"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is [String: Any].Type: return "an object"
        case is [Any].Type, is any Collection.Type: return "an array"
        default: return "a value of type \(type)"
        }
    }

    private static func reason(_ context: DecodingError.Context) -> String {
        let reason = context.underlyingError.map { "\(context.debugDescription) (\($0))" } ?? context.debugDescription
        return reason.hasSuffix(".") ? String(reason.dropLast()) : reason
    }
}
