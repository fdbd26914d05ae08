import Engine
import Foundation
import Models
import Testing
import Trace

/// One reference case written by `Tests/Fixtures/reference_models.py` (an independent numpy
/// implementation of the demos): the demo's parameters and the expected tensors by trace name.
struct ModelFixture: Decodable, Sendable, CustomTestStringConvertible {
    struct ExpectedTensor: Decodable, Sendable {
        let name: String
        /// For parameters: 0 is the initial value, 1 the value after the first SGD update.
        let version: Int?
        /// For gradients: the name of the tensor this is the gradient of.
        let gradientOf: String?
        let shape: [Int]
        let data: [Double]
    }

    struct Snapshot: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]
    }

    struct History: Decodable, Sendable {
        /// The loss of iteration 1, 2, … (each before its update).
        let losses: [Double]
        /// Parameter values after the given iterations (1 and the last), by name.
        let snapshots: [String: [String: Snapshot]]
    }

    let `case`: String
    let demo: String
    let description: String
    let parameters: [String: JSONValue]
    let tensors: [ExpectedTensor]
    let history: History?

    var testDescription: String { self.case }

    /// `Tests/Fixtures/models`, found from this file's path.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/models")

    /// Every fixture of `Tests/Fixtures/<folder>`, by file name order.
    static func all(in folder: String = "models") throws -> [ModelFixture] {
        let files = try FileManager.default.contentsOfDirectory(
            at: directory.deletingLastPathComponent().appendingPathComponent(folder), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        return try files.map { try JSONDecoder().decode(ModelFixture.self, from: Data(contentsOf: $0)) }
    }

    /// The fixtures, or none when they cannot be read (the `fixturesArePresent` test then fails).
    static var cases: [ModelFixture] { (try? all()) ?? [] }
}

/// Tolerance of the comparison with the reference: relative 1e-12 plus absolute 1e-12.
enum Tolerance {
    static let relative = 1e-12
    static let absolute = 1e-12

    static func accepts(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= relative * abs(expected) + absolute
    }
}

/// The largest deviations seen in a comparison.
struct Deviation {
    /// max |a − e| / |e| over the expected values that are not zero.
    var relative = 0.0
    /// max |a − e| over the expected values that are zero.
    var absoluteAtZero = 0.0
    var values = 0

    mutating func record(_ actual: Double, _ expected: Double) {
        values += 1
        if expected == 0 {
            absoluteAtZero = max(absoluteAtZero, abs(actual))
        } else {
            relative = max(relative, abs(actual - expected) / abs(expected))
        }
    }

    mutating func merge(_ other: Deviation) {
        relative = max(relative, other.relative)
        absoluteAtZero = max(absoluteAtZero, other.absoluteAtZero)
        values += other.values
    }
}

/// Looking tensors up in a trace the way a reader of the trace would.
extension TraceDocument {
    /// The one non-gradient tensor with this name and version (0: the original, not an update's output).
    func value(named name: String, version: Int = 0) -> TensorRecord? {
        let matches = tensors.filter { $0.name == name && $0.role != .gradient && ($0.version ?? 0) == version }
        return matches.count == 1 ? matches[0] : nil
    }

    /// The final gradient of the tensor named `name`: `gradients[id]` for parameters and inputs,
    /// otherwise the last gradient tensor whose `of` is that tensor.
    func gradient(of name: String) -> TensorRecord? {
        guard let base = value(named: name) else { return nil }
        return gradient(ofID: base.id)
    }

    func gradient(ofID id: Int) -> TensorRecord? {
        if let gradient = gradients[String(id)] { return tensors[gradient] }
        return tensors.last { $0.role == .gradient && $0.of == id }
    }
}

/// Compares a trace with a fixture (tensors, and history when the fixture has one), recording
/// every deviation and reporting each value that `accepts` (default `Tolerance.accepts`) rejects.
@discardableResult
func compare(
    _ trace: TraceDocument, with fixture: ModelFixture, accepts: (Double, Double) -> Bool = Tolerance.accepts,
    sourceLocation: SourceLocation = #_sourceLocation
) -> Deviation {
    var deviation = Deviation()
    func check(_ label: String, shape: [Int], data: [Double], expectedShape: [Int], expected: [Double]) {
        #expect(shape == expectedShape, "\(fixture.case): \(label) has shape \(shape), expected \(expectedShape)", sourceLocation: sourceLocation)
        guard data.count == expected.count else {
            Issue.record("\(fixture.case): \(label) has \(data.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
            return
        }
        for (index, (actual, wanted)) in zip(data, expected).enumerated() {
            deviation.record(actual, wanted)
            if !accepts(actual, wanted) {
                Issue.record(
                    "\(fixture.case): \(label)[\(index)] = \(actual), reference \(wanted) (difference \(actual - wanted))",
                    sourceLocation: sourceLocation)
            }
        }
    }

    for expected in fixture.tensors {
        let found: TensorRecord?
        let label: String
        if let of = expected.gradientOf {
            label = "gradient of \(of)"
            found = trace.gradient(of: of)
            checkGradientRecord(trace, of: of, named: expected.name, case: fixture.case, sourceLocation: sourceLocation)
        } else {
            found = trace.value(named: expected.name, version: expected.version ?? 0)
            label = expected.version.map { "\(expected.name) (version \($0))" } ?? expected.name
        }
        guard let found else {
            Issue.record("\(fixture.case): no single tensor for \(label) in the trace", sourceLocation: sourceLocation)
            continue
        }
        check(label, shape: found.shape, data: found.data, expectedShape: expected.shape, expected: expected.data)
    }

    if let history = fixture.history {
        guard let entries = trace.history else {
            Issue.record("\(fixture.case): the trace has no history", sourceLocation: sourceLocation)
            return deviation
        }
        #expect(entries.map(\.iteration) == Array(1...history.losses.count), sourceLocation: sourceLocation)
        check("history losses", shape: [entries.count], data: entries.map(\.loss),
              expectedShape: [history.losses.count], expected: history.losses)
        for (iteration, tensors) in history.snapshots.sorted(by: { $0.key < $1.key }) {
            guard let index = Int(iteration).map({ $0 - 1 }), entries.indices.contains(index),
                let snapshots = entries[index].tensors
            else {
                Issue.record("\(fixture.case): no snapshot after iteration \(iteration)", sourceLocation: sourceLocation)
                continue
            }
            for (name, expected) in tensors.sorted(by: { $0.key < $1.key }) {
                guard let actual = snapshots[name] else {
                    Issue.record("\(fixture.case): snapshot \(iteration) lacks \(name)", sourceLocation: sourceLocation)
                    continue
                }
                check("\(name) after iteration \(iteration)", shape: actual.shape, data: actual.data,
                      expectedShape: expected.shape, expected: expected.data)
            }
        }
    } else {
        #expect(trace.history == nil, "\(fixture.case): unexpected history", sourceLocation: sourceLocation)
    }
    return deviation
}

/// The error a demo call throws, or nil when it succeeds (any other error is an issue).
func demoError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> DemoError? {
    do {
        try body()
        return nil
    } catch let error as DemoError {
        return error
    } catch {
        Issue.record("expected a DemoError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Runs a demo by name with the given parameters.
func runDemo(_ name: String, _ parameters: [String: JSONValue] = [:]) throws(DemoError) -> TraceDocument {
    try Demos.named(name).trace(parameters)
}

/// The gradient of `of` is a tensor of its own, named `name` (`dQ/dy`), whose `of` is that tensor,
/// also where a gradient rule passes its incoming gradient through unchanged (`add`, `sub`).
func checkGradientRecord(
    _ trace: TraceDocument, of name: String, named expectedName: String, case fixtureCase: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let base = trace.value(named: name) else {
        Issue.record("\(fixtureCase): no tensor \(name)", sourceLocation: sourceLocation)
        return
    }
    guard let own = trace.gradient(of: name) else {
        Issue.record("\(fixtureCase): no gradient tensor with `of` = \(name) (\(base.id))", sourceLocation: sourceLocation)
        return
    }
    #expect(own.role == .gradient, sourceLocation: sourceLocation)
    #expect(own.name == expectedName, "\(fixtureCase): the gradient of \(name) is named \(own.name)", sourceLocation: sourceLocation)
    #expect(
        own.of == base.id, "\(fixtureCase): the gradient of \(name) has `of` \(own.of.map(String.init) ?? "null"), not \(base.id)",
        sourceLocation: sourceLocation)
}
