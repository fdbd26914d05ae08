/// A JSON value of the small kinds a trace's `config`, step `attrs` and demo parameters use.
///
/// Numbers keep the integer/real distinction so that `{"steps": 3}` stays `3`, not `3.0`,
/// and reals round-trip exactly (shortest form on output).
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        // Each kind tried that does not fit throws, and a thrown DecodingError is costly (a trace
        // holds thousands of these values), so the kinds go in the order a trace uses them most:
        // integers (axes, time steps), text, reals, lists (shapes); booleans last.
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(String.self) {
            // Before Double: a decoder that reads "NaN" strings as numbers must not turn text into one.
            self = .string(value)
        } else if let value = try? container.decode(Double.self) {
            // After Int: a whole number decodes as a Double too, and must stay an integer.
            self = .double(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSONValue].self) {
            self = .object(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else {
            // Every kind of JSON value was tried: what is left is a number no double holds (1e400),
            // or an array or object holding one.
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "expected a number a double can hold (at most about ±1.8e308), or values that are")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// The value as an integer, when it is one (a real with no fraction counts).
    public var intValue: Int? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.0e15: return Int(value)
        default: return nil
        }
    }

    /// The value as a real number, when it is a number.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// An array of integers, e.g. a shape or a list of indices.
    public var intArray: [Int]? {
        guard let array = arrayValue else { return nil }
        let ints = array.compactMap(\.intValue)
        return ints.count == array.count ? ints : nil
    }

    /// An array of numbers.
    public var doubleArray: [Double]? {
        guard let array = arrayValue else { return nil }
        let values = array.compactMap(\.doubleValue)
        return values.count == array.count ? values : nil
    }

    /// A compact, human-readable rendering: `3`, `0.5`, `"xor"` → `xor`, `[2, 3, 1]`.
    /// A real with no fraction is shown as a person would type it: `0`, not `0.0`.
    public var displayText: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .int(let value): return String(value)
        case .double(let value) where value.rounded() == value && abs(value) < 1e15: return String(Int(value))
        case .double(let value): return String(value)
        case .string(let value): return value
        case .array(let values): return "[" + values.map(\.displayText).joined(separator: ", ") + "]"
        case .object(let values):
            return "{" + values.keys.sorted().map { "\($0): \(values[$0]!.displayText)" }.joined(separator: ", ") + "}"
        }
    }
}

extension JSONValue: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}
