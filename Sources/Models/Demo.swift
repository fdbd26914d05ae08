import Engine
import Foundation
import Trace

/// A named, parameterized scenario that builds a trace: what `unrolled trace <demo>` and a
/// note's `unrolled` directive run.
public struct Demo: Sendable {
    public let name: String
    /// One line: what the demo shows.
    public let summary: String
    /// Every parameter, in the order help lists them.
    public let parameters: [DemoParameter]
    /// The viewer's views the demo suggests for its traces (`training` is added to any with a history).
    public let views: SuggestedViews
    let build: @Sendable (DemoConfig) throws(DemoError) -> TraceDocument

    public init(
        name: String, summary: String, parameters: [any DemoParameters], views: SuggestedViews = [],
        build: @escaping @Sendable (DemoConfig) throws(DemoError) -> TraceDocument
    ) {
        self.name = name
        self.summary = summary
        self.parameters = parameters.flatMap(\.declarations)
        self.views = views
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
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard let parameter = parameter(named: name) else { throw unknownParameter(name) }
            values[name] = try parameter.validate(value)
        }
        return configuration(validated: values)
    }

    /// The configuration of values each already checked by its parameter's `validate` (a note's
    /// directive checks them one by one, to report each at its line), defaults filled in.
    public func configuration(validated given: [String: JSONValue]) -> DemoConfig {
        var values = given
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
        try trace(resolve(given), progress: progress, meter: meter, readFile: readFile)
    }

    /// Runs the demo with a configuration `resolve` or `configuration(validated:)` made for it.
    public func trace(
        _ config: DemoConfig, progress: ProgressHandler?, meter: Meter = Meter(budget: .standard),
        readFile: @escaping FileReader = DemoConfig.readFromDisk
    ) throws(DemoError) -> TraceDocument {
        var config = config
        config.progress = progress
        config.readFile = readFile
        let run = config
        let result = Meter.$current.withValue(meter) { Result { () throws(DemoError) in try build(run) } }
        if let overrun = meter.overrun { throw .overBudget(overrun, lower: parametersToLower(for: overrun, given: config.explicit)) }
        return try DemoViews.declare(result.get(), suggested: views)
    }

    /// The parameters that scale the size of a pass and, when the overrun comes from repeating it,
    /// those that scale the repetitions; of these, the ones the caller gave, if any.
    func parametersToLower(for overrun: Overrun, given: Set<String>) -> [String] {
        let scaling = parameters.filter { $0.scaling == .size || (overrun.repeated && $0.scaling == .repetitions) }
        let named = scaling.filter { given.contains($0.name) }
        return (named.isEmpty ? scaling : named).map(\.name)
    }
}

/// Demos are told apart by name (`Demos.all` has each name once).
extension Demo: Equatable {
    public static func == (a: Demo, b: Demo) -> Bool { a.name == b.name }
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

/// Every demo, by name. Each is declared in `extension Demos` (`static let lstm = Demo(…)`, most in
/// `Demos/`); `Demos.all` is written from those declarations at build time (the ListDemos plugin).
public enum Demos {
    public static func named(_ name: String) throws(DemoError) -> Demo {
        guard let demo = all.first(where: { $0.name == name }) else {
            throw .unknownDemo(name, suggestion: closest(to: name, in: all.map(\.name)))
        }
        return demo
    }
}

/// Parameters most demos share, declared once.
enum Common {
    static let seed = Parameter<Int>("seed", "seed of the random generator (initial weights, data)", 0...2_147_483_647, default: 1)

    /// `lr`, the one name of every demo's learning rate.
    static func learningRate(default value: Double, givenMatters: Bool = false) -> Parameter<Double> {
        Parameter("lr", "learning rate of the SGD update", min: 0, max: 10, minExclusive: true, default: value, givenMatters: givenMatters)
    }
}
