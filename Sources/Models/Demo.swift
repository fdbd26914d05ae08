import Engine
import Foundation
import Trace

/// A named, parameterized scenario that builds a trace: what `unrolled trace <demo>` and a
/// note's `unrolled` directive run.
public struct Demo: Sendable {
    public let name: String
    /// One line: what the demo shows.
    public let summary: String
    public let parameters: [DemoParameter]
    let build: @Sendable (DemoConfig) throws(DemoError) -> TraceDocument

    public init(
        name: String, summary: String, parameters: [DemoParameter],
        build: @escaping @Sendable (DemoConfig) throws(DemoError) -> TraceDocument
    ) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.build = build
    }

    public func parameter(named name: String) -> DemoParameter? {
        parameters.first { $0.name == name }
    }

    /// The error for a parameter this demo does not have, with the nearest name as a suggestion.
    public func unknownParameter(_ name: String) -> DemoError {
        .unknownParameter(name, demo: self.name, suggestion: closest(to: name, in: parameters.map(\.name)))
    }

    /// Checks the given values (unknown names, types, ranges) and fills in defaults.
    public func resolve(_ given: [String: JSONValue]) throws(DemoError) -> DemoConfig {
        var values: [String: JSONValue] = [:]
        for name in given.keys.sorted() {
            guard let parameter = parameter(named: name) else { throw unknownParameter(name) }
            values[name] = try parameter.validate(given[name]!)
        }
        for parameter in parameters where values[parameter.name] == nil {
            values[parameter.name] = parameter.defaultValue
        }
        return DemoConfig(demo: name, values: values, explicit: Set(given.keys))
    }

    /// Runs the demo with the given parameter values (defaults for the others), within `budget`.
    /// `progress`, if given, hears about long work (training iterations) as it happens; `readFile`
    /// reads the files that `.file` parameters name (a course build keeps them inside the course).
    public func trace(
        _ given: [String: JSONValue] = [:], progress: ProgressHandler? = nil, budget: Budget = .standard,
        readFile: @escaping FileReader = DemoConfig.readFromDisk
    ) throws(DemoError) -> TraceDocument {
        try trace(given, progress: progress, meter: Meter(budget: budget), readFile: readFile)
    }

    /// Runs the demo under `meter`, which counts what it records and computes and stops it as soon
    /// as its projection goes past the meter's budget; the run is then refused with what to lower.
    public func trace(
        _ given: [String: JSONValue], progress: ProgressHandler?, meter: Meter, readFile: @escaping FileReader = DemoConfig.readFromDisk
    ) throws(DemoError) -> TraceDocument {
        var config = try resolve(given)
        config.progress = progress
        config.readFile = readFile
        let result = Meter.$current.withValue(meter) { Result { () throws(DemoError) in try build(config) } }
        if let overrun = meter.overrun { throw .overBudget(overrun, lower: parametersToLower(for: overrun, given: config.explicit)) }
        return try DemoViews.declare(result.get(), demo: name)
    }

    /// The parameters that scale the size of a pass and, when the overrun comes from repeating it,
    /// those that scale the repetitions; of these, the ones the caller gave, if any.
    func parametersToLower(for overrun: Overrun, given: Set<String>) -> [String] {
        let scaling = parameters.filter { $0.scaling == .size || (overrun.repeated && $0.scaling == .repetitions) }
        let named = scaling.filter { given.contains($0.name) }
        return (named.isEmpty ? scaling : named).map(\.name)
    }
}

/// Reads the text of a file a `.file` parameter names; throws an error that says why it cannot.
public typealias FileReader = @Sendable (_ path: String) throws -> String

/// Why a file could not be read, in words: shown after the path in the demo's error.
public struct FileReadFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// How far a demo's long work has come, reported after each training iteration or epoch.
public struct DemoProgress: Sendable {
    public let demo: String
    public let done: Int
    public let total: Int
    /// What is counted: `iterations`, `epochs`.
    public let unit: String
    /// The loss of the last one done.
    public let loss: Double
}

/// Hears how far a demo's long work has come.
public typealias ProgressHandler = @Sendable (DemoProgress) -> Void

/// A demo's parameter values after validation, defaults filled in.
public struct DemoConfig: Sendable {
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

    /// Tells `progress` that `done` of `total` `unit` (iterations, epochs) are done.
    func report(_ done: Int, of total: Int, _ unit: String, loss: Double) {
        progress?(DemoProgress(demo: demo, done: done, total: total, unit: unit, loss: loss))
    }

    public func int(_ name: String) -> Int { values[name]!.intValue! }
    public func double(_ name: String) -> Double { values[name]!.doubleValue! }
    public func string(_ name: String) -> String { values[name]!.stringValue! }
    public func ints(_ name: String) -> [Int] { values[name]!.intArray! }
    /// An optional list of reals (nil when not given and without default).
    public func doubles(_ name: String) -> [Double]? { values[name]?.doubleArray }
    public func optionalDouble(_ name: String) -> Double? { values[name]?.doubleValue }
    /// An optional matrix, as rows (nil when not given and without default).
    public func matrix(_ name: String) -> [[Double]]? { values[name]?.arrayValue?.compactMap(\.doubleArray) }
    public func optionalString(_ name: String) -> String? { values[name]?.stringValue }
    public func isGiven(_ name: String) -> Bool { explicit.contains(name) }

    /// Records a value the demo worked out (e.g. `steps` from the length of `inputs`).
    public mutating func derive(_ name: String, _ value: JSONValue) {
        values[name] = value
    }

    /// The generator every demo draws its random numbers from, seeded by `seed`.
    public var generator: SeededGenerator { SeededGenerator(seed: UInt64(int("seed"))) }
}

/// Every demo, by name.
public enum Demos {
    public static let all: [Demo] = [neuron, mlp, rnn, lstm, peepholeLSTM, gru, birnn, bilstm, bigru, tdl, gradientFlow, cbow, skipgram, skipGramNegativeSampling, multiHeadAttention, transformerEncoder, attention, selfAttention, attentionVsTDL, encoderDecoder]

    public static func named(_ name: String) throws(DemoError) -> Demo {
        guard let demo = all.first(where: { $0.name == name }) else {
            throw .unknownDemo(name, suggestion: closest(to: name, in: all.map(\.name)))
        }
        return demo
    }
}

/// Parameters most demos share.
enum CommonParameters {
    static let seed = DemoParameter(
        "seed", "seed of the random generator (initial weights, data)", .integer(0...2_147_483_647), default: 1)

    static func learningRate(default value: Double) -> DemoParameter {
        DemoParameter("lr", "learning rate of the SGD update", .real(min: 0, max: 10, minExclusive: true), default: .double(value))
    }

    static let activation = DemoParameter(
        "activation", "transfer function φ", .choice(["sigmoid", "tanh", "relu"]), default: "sigmoid")
}
