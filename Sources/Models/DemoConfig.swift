import Engine
import Foundation
import Trace

/// A demo's parameter values after validation, defaults filled in: made once (`Demo.resolve`),
/// then read by typed parameter, `config[Training.iterations]`, never by name.
public struct DemoConfig: Sendable, Equatable {
    /// The demo's name.
    public let demo: String
    /// The values recorded in the trace's `config`. A demo may add what it derives (the number
    /// of steps of a given sequence, say) with `derive`, so the trace says what was run.
    public private(set) var values: [String: JSONValue]
    /// The names the caller gave (the others are defaults).
    public let explicit: Set<String>
    /// Where to report progress on long work, if anywhere.
    public var progress: ProgressHandler?
    /// How the demo reads the files its `.file` parameters name.
    public var readFile: FileReader = DemoConfig.readFromDisk

    /// A path as the command line means it: relative to the current folder.
    public static let readFromDisk: FileReader = { path in
        // A FIFO or a device would block the read or never end it.
        if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType, type != .typeRegular {
            throw FileReadFailure("not a regular file")
        }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileReadFailure(error.localizedDescription)
        }
    }

    init(demo: String, values: [String: JSONValue], explicit: Set<String>) {
        self.demo = demo
        self.values = values
        self.explicit = explicit
    }

    /// Two configurations are the same run: same demo, values and given names (not the same
    /// progress handler or file reader).
    public static func == (a: DemoConfig, b: DemoConfig) -> Bool {
        a.demo == b.demo && a.values == b.values && a.explicit == b.explicit
    }

    /// The names given whose being given changes what a run checks (`DemoParameter.givenMatters`,
    /// and every parameter without a default): with `values`, all that decides a run's outcome.
    public func decisiveGiven(in demo: Demo) -> [String] {
        demo.parameters.filter { explicit.contains($0.name) && ($0.givenMatters || $0.defaultValue == nil) }.map(\.name)
    }

    /// Tells `progress` that `done` of `total` `unit` (iterations, epochs) are done.
    func report(_ done: Int, of total: Int, _ unit: String, loss: Double) {
        progress?(DemoProgress(demo: demo, done: done, total: total, unit: unit, loss: loss))
    }

    /// The parameter's value: the one given, derived, or its default.
    public subscript<Value>(_ parameter: Parameter<Value>) -> Value {
        values[parameter.name].flatMap(Value.init(json:)) ?? parameter.fallback
    }

    /// The parameter's value, nil when it was neither given nor derived.
    public subscript<Value>(_ parameter: OptionalParameter<Value>) -> Value? {
        values[parameter.name].flatMap(Value.init(json:))
    }

    /// Whether the caller wrote the parameter (`explicit`). Only for parameters declared
    /// `givenMatters`, so that the trace cache tells such runs apart.
    func given<Value>(_ parameter: Parameter<Value>) -> Bool {
        assert(parameter.declaration.givenMatters, "\(parameter.name): declare it givenMatters to ask whether it was given")
        return explicit.contains(parameter.name)
    }

    /// Whether the caller wrote the parameter (for one without a default, whether it has a value).
    func given<Value>(_ parameter: OptionalParameter<Value>) -> Bool { explicit.contains(parameter.name) }

    /// Records a value the demo worked out (e.g. `steps` from the length of `inputs`).
    mutating func derive<Value>(_ parameter: Parameter<Value>, _ value: Value) { values[parameter.name] = value.json }
    mutating func derive<Value>(_ parameter: OptionalParameter<Value>, _ value: Value) { values[parameter.name] = value.json }

    /// Records in the trace's `config` a value that is no parameter (`vocabulary`, the size of a corpus).
    mutating func record(_ name: String, _ value: JSONValue) { values[name] = value }

    /// The generator every demo draws its random numbers from, seeded by `seed`.
    public var generator: SeededGenerator { SeededGenerator(seed: UInt64(self[Common.seed])) }
}
