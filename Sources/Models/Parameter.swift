import Trace

/// A type a demo parameter's value has, and how it is written in a trace's `config`.
public protocol ParameterValue: Sendable {
    /// The value from its validated JSON form; nil when it is not one of this type.
    init?(json: JSONValue)
    /// The form recorded in a trace's `config` (and in `demos --json`).
    var json: JSONValue { get }
}

extension Int: ParameterValue {
    public init?(json: JSONValue) {
        guard let value = json.intValue else { return nil }
        self = value
    }
    public var json: JSONValue { .int(self) }
}

extension Double: ParameterValue {
    public init?(json: JSONValue) {
        guard let value = json.doubleValue else { return nil }
        self = value
    }
    public var json: JSONValue { .double(self) }
}

extension String: ParameterValue {
    public init?(json: JSONValue) {
        guard let value = json.stringValue else { return nil }
        self = value
    }
    public var json: JSONValue { .string(self) }
}

/// Recorded as the text `"true"`/`"false"`: what traces held when booleans were a choice of two
/// words, so that every trace keeps its bytes.
extension Bool: ParameterValue {
    public init?(json: JSONValue) {
        switch json.stringValue ?? json.boolValue.map({ String($0) }) {
        case "true": self = true
        case "false": self = false
        default: return nil
        }
    }
    public var json: JSONValue { .string(String(self)) }
}

extension Array: ParameterValue where Element: ParameterValue {
    public init?(json: JSONValue) {
        guard let items = json.arrayValue else { return nil }
        var values: [Element] = []
        for item in items {
            guard let value = Element(json: item) else { return nil }
            values.append(value)
        }
        self = values
    }
    public var json: JSONValue { .array(map(\.json)) }
}

/// An enumeration parameter's type: its cases, in the order help lists them, named by their raw values.
public protocol ParameterChoice: ParameterValue, CaseIterable, RawRepresentable where RawValue == String {}

extension ParameterChoice {
    public init?(json: JSONValue) {
        guard let value = json.stringValue.flatMap(Self.init(rawValue:)) else { return nil }
        self = value
    }
    public var json: JSONValue { .string(rawValue) }
    static var options: [String] { allCases.map(\.rawValue) }
}

/// What a demo lists as its parameters: one parameter, or a group declared once and shared
/// (`SequenceInput`, `Training`).
public protocol DemoParameters: Sendable {
    var declarations: [DemoParameter] { get }
}

extension DemoParameter: DemoParameters {
    public var declarations: [DemoParameter] { [self] }
}

/// A parameter with a default, read as a `Value` with `config[parameter]`.
public struct Parameter<Value: ParameterValue>: DemoParameters {
    public let declaration: DemoParameter
    /// The default, typed: what `config[parameter]` gives when the parameter was left out.
    let fallback: Value
    public var name: String { declaration.name }
    public var declarations: [DemoParameter] { [declaration] }

    init(_ name: String, _ summary: String, _ kind: DemoParameter.Kind, default value: Value, scales: DemoParameter.Scaling?, givenMatters: Bool) {
        declaration = DemoParameter(name, summary, kind, default: value.json, scales: scales, givenMatters: givenMatters)
        fallback = value
    }
}

/// A parameter without a default (the demo derives a value, e.g. from the seed), read as a
/// `Value?` with `config[parameter]`.
public struct OptionalParameter<Value: ParameterValue>: DemoParameters {
    public let declaration: DemoParameter
    public var name: String { declaration.name }
    public var declarations: [DemoParameter] { [declaration] }

    init(_ name: String, _ summary: String, _ kind: DemoParameter.Kind, scales: DemoParameter.Scaling?) {
        declaration = DemoParameter(name, summary, kind, default: nil, scales: scales)
    }
}

extension Parameter where Value == Int {
    init(_ name: String, _ summary: String, _ range: ClosedRange<Int>, default value: Int, scales: DemoParameter.Scaling? = nil, givenMatters: Bool = false) {
        self.init(name, summary, .integer(range), default: value, scales: scales, givenMatters: givenMatters)
    }
}

extension Parameter where Value == Double {
    /// A real in `min…max` (`min` itself excluded when `minExclusive`).
    init(_ name: String, _ summary: String, min: Double, max: Double, minExclusive: Bool = false, default value: Double, givenMatters: Bool = false) {
        self.init(name, summary, .real(min: min, max: max, minExclusive: minExclusive), default: value, scales: nil, givenMatters: givenMatters)
    }
}

extension OptionalParameter where Value == Double {
    init(_ name: String, _ summary: String, min: Double, max: Double, minExclusive: Bool = false) {
        self.init(name, summary, .real(min: min, max: max, minExclusive: minExclusive), scales: nil)
    }
}

extension Parameter where Value == Bool {
    init(_ name: String, _ summary: String, default value: Bool, givenMatters: Bool = false) {
        self.init(name, summary, .boolean, default: value, scales: nil, givenMatters: givenMatters)
    }
}

extension Parameter where Value: ParameterChoice {
    init(_ name: String, _ summary: String, default value: Value) {
        self.init(name, summary, .choice(Value.options), default: value, scales: nil, givenMatters: false)
    }
}

extension OptionalParameter where Value: ParameterChoice {
    init(_ name: String, _ summary: String) {
        self.init(name, summary, .choice(Value.options), scales: nil)
    }
}

extension Parameter where Value == [Int] {
    init(_ name: String, _ summary: String, count: ClosedRange<Int>, each: ClosedRange<Int>, default value: [Int], scales: DemoParameter.Scaling? = nil) {
        self.init(name, summary, .integerList(count: count, each: each), default: value, scales: scales, givenMatters: false)
    }
}

extension OptionalParameter where Value == [Double] {
    init(_ name: String, _ summary: String, count: ClosedRange<Int>, each: ClosedRange<Double>, scales: DemoParameter.Scaling? = nil) {
        self.init(name, summary, .realList(count: count, each: each), scales: scales)
    }
}

extension OptionalParameter where Value == [[Double]] {
    /// Rows of numbers, all the same length.
    init(_ name: String, _ summary: String, rows: ClosedRange<Int>, columns: ClosedRange<Int>, scales: DemoParameter.Scaling? = nil) {
        self.init(name, summary, .matrix(rows: rows, columns: columns), scales: scales)
    }
}

extension Parameter where Value == String {
    /// Free text of a bounded length.
    init(
        _ name: String, _ summary: String, length: ClosedRange<Int>, default value: String, scales: DemoParameter.Scaling? = nil, givenMatters: Bool = false
    ) {
        self.init(name, summary, .text(length: length), default: value, scales: scales, givenMatters: givenMatters)
    }
}

extension OptionalParameter where Value == String {
    /// Free text of a bounded length.
    init(_ name: String, _ summary: String, length: ClosedRange<Int>, scales: DemoParameter.Scaling? = nil) {
        self.init(name, summary, .text(length: length), scales: scales)
    }

    /// The path of a UTF-8 text file, read through `DemoConfig.readFile`.
    static func file(_ name: String, _ summary: String, scales: DemoParameter.Scaling? = nil) -> Self {
        Self(name, summary, .file, scales: scales)
    }
}
