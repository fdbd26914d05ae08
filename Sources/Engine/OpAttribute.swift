import Trace

/// One attribute an op records in its steps' `attrs`, declared once beside the op
/// (`static let axis = OpAttribute<Int>.natural("axis")`): the op writes its value with it
/// (`record`), a replay reads it back with it (`Attributes`), the registry refuses keys no
/// attribute declares, and the op catalog (`unrolled ops --json`), from which the JSON Schema's op
/// rules are generated, lists it.
public struct OpAttribute<Value: Sendable>: AnyOpAttribute {
    public let key: String
    public let kind: OpAttributeKind
    /// The JSON a step records; nil leaves the key out (an absent optional, a false flag).
    let write: @Sendable (Value) -> JSONValue?
    /// The value from what a step recorded (nil: the key is absent); nil when it does not fit.
    let read: @Sendable (JSONValue?) -> Value?

    /// This attribute's entry in `attrs` for `value`.
    public func record(_ value: Value) -> (key: String, value: JSONValue?) { (key, write(value)) }
}

/// What every attribute says of itself, whatever its Swift type: how `Op.attributes` lists them.
public protocol AnyOpAttribute: Sendable {
    var key: String { get }
    var kind: OpAttributeKind { get }
}

/// The kinds of value an attribute takes. The checks that need the inputs' shapes (an axis within
/// the rank, indices within the rows) are the op's shape rule; these are only the JSON's form.
public enum OpAttributeKind: String, Sendable, CaseIterable {
    /// A real number; NaN and ±∞ are written as in tensor data ("NaN", "Infinity", "-Infinity").
    case real
    /// An integer ≥ 0: an axis, an offset, a count.
    case natural
    /// An integer ≥ 0, or absent (or null) for "none" (`sum` over every axis).
    case optionalNatural = "optional natural"
    /// true or false; absent means false, and false is left out.
    case flag
    /// A tensor's shape: an array of integers ≥ 0.
    case shape
    /// An array of integers ≥ 0 (row indices).
    case naturals
    /// An array of integers ≥ 0, or absent (or null) for the op's default.
    case optionalNaturals = "optional naturals"

    /// Whether every step of the op records it.
    public var isRequired: Bool {
        switch self {
        case .real, .natural, .shape, .naturals: true
        case .optionalNatural, .flag, .optionalNaturals: false
        }
    }

    /// How an error names what was expected.
    var expected: String {
        switch self {
        case .real: "a number"
        case .natural, .optionalNatural: "an integer"
        case .flag: "true or false"
        case .shape, .naturals, .optionalNaturals: "an array of integers"
        }
    }
}

extension OpAttribute where Value == Double {
    public static func real(_ key: String) -> Self {
        Self(key: key, kind: .real, write: { number($0) }) {
            switch $0 {
            case .string("NaN"): .nan
            case .string("Infinity"): .infinity
            case .string("-Infinity"): -.infinity
            default: $0?.doubleValue
            }
        }
    }
}

extension OpAttribute where Value == Int {
    public static func natural(_ key: String) -> Self { Self(key: key, kind: .natural, write: { .int($0) }) { $0?.intValue } }
}

extension OpAttribute where Value == Int? {
    public static func optionalNatural(_ key: String) -> Self {
        Self(key: key, kind: .optionalNatural, write: { $0.map(JSONValue.int) }) { raw in
            guard let raw, raw != .null else { return .some(nil) }
            return raw.intValue.map { .some($0) }
        }
    }
}

extension OpAttribute where Value == Bool {
    public static func flag(_ key: String) -> Self {
        Self(key: key, kind: .flag, write: { $0 ? .bool(true) : nil }) { raw in
            guard let raw else { return false }
            return raw.boolValue
        }
    }
}

extension OpAttribute where Value == [Int] {
    public static func shape(_ key: String) -> Self { Self(key: key, kind: .shape, write: { integers($0) }) { $0?.intArray } }
    public static func naturals(_ key: String) -> Self { Self(key: key, kind: .naturals, write: { integers($0) }) { $0?.intArray } }
}

extension OpAttribute where Value == [Int]? {
    public static func optionalNaturals(_ key: String) -> Self {
        Self(key: key, kind: .optionalNaturals, write: { $0.map(integers) }) { raw in
            guard let raw, raw != .null else { return .some(nil) }
            return raw.intArray.map { .some($0) }
        }
    }
}

// Attributes several ops share.
/// The axis an op works along (softmax, concat, slice, pad …).
let axisAttribute = OpAttribute<Int>.natural("axis")
/// The shape an op reshapes, sums or broadcasts to.
let shapeAttribute = OpAttribute<[Int]>.shape("shape")
/// The rows an op gathers (`rows`, `rows_backward`).
let indicesAttribute = OpAttribute<[Int]>.naturals("indices")

private func integers(_ values: [Int]) -> JSONValue { .array(values.map { .int($0) }) }

/// An op's `attrs` from its attributes' entries (`Self.axis.record(axis)`), leaving out the absent.
func recorded(_ entries: (key: String, value: JSONValue?)...) -> [String: JSONValue] { recorded(entries) }

func recorded(_ entries: [(key: String, value: JSONValue?)]) -> [String: JSONValue] {
    Dictionary(uniqueKeysWithValues: entries.compactMap { entry in entry.value.map { (entry.key, $0) } })
}

/// A recorded step's `attrs`, read through the op's declared attributes (`init(attrs:)`).
struct Attributes {
    let op: String
    let values: [String: JSONValue]

    init(_ op: String, _ values: [String: JSONValue]) {
        self.op = op
        self.values = values
    }

    subscript<Value>(_ attribute: OpAttribute<Value>) -> Value {
        get throws(OpError) {
            guard let value = attribute.read(values[attribute.key]) else {
                throw OpError(
                    op: op, "attribute '\(attribute.key)' must be \(attribute.kind.expected), got \(values[attribute.key]?.displayText ?? "nothing")")
            }
            return value
        }
    }
}

/// Numbers in attrs: integers stay integers, NaN and ±∞ are written as in tensor data.
func number(_ value: Double) -> JSONValue {
    if value.isNaN { return .string("NaN") }
    if value.isInfinite { return .string(value > 0 ? "Infinity" : "-Infinity") }
    return .double(value)
}
