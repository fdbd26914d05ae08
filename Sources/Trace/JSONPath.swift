/// Where a value sits in a JSON document: the object keys and array positions from the root,
/// written as `tensors[3].shape` or `gradients["12"]`.
///
/// A problem with a trace names the path of the offending value, so that it can be shown to a
/// person (who reads the path) and located in the bytes the trace came from (`JSONLocator`
/// turns it into a line and column).
public struct JSONPath: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public enum Component: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
        case key(String)
        case index(Int)

        public init(stringLiteral value: String) { self = .key(value) }
        public init(integerLiteral value: Int) { self = .index(value) }
    }

    public var components: [Component]

    public init(_ components: [Component]) { self.components = components }
    public init(arrayLiteral elements: Component...) { self.components = elements }

    /// This path followed by more components.
    public func appending(_ more: Component...) -> JSONPath { JSONPath(components + more) }

    /// `tensors[3].shape`; keys that are not plain identifiers are quoted (`gradients["12"]`);
    /// the root is `the document`.
    public var description: String {
        guard !components.isEmpty else { return "the document" }
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key) where Self.isIdentifier(key):
                text += text.isEmpty ? key : "." + key
            case .key(let key):
                text += "[\"\(key)\"]"
            }
        }
        return text
    }

    private static func isIdentifier(_ key: String) -> Bool {
        guard let first = key.unicodeScalars.first, first == "_" || first.properties.isAlphabetic else { return false }
        return key.unicodeScalars.allSatisfy { $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }
    }
}
