import Foundation

/// The most one run may record, hold and compute. A run that would go past a limit is refused
/// before it does the bulk of its work (see `Meter`), so no parameter within its range can make a
/// run take gigabytes or hours.
public struct Budget: Sendable, Equatable {
    /// JSON bytes of the trace, history included.
    public var traceBytes: Double
    /// Bytes of tensor values one tape holds at a time (a traced pass, or one training iteration).
    public var memoryBytes: Double
    /// Work of the whole run, in floating-point operations (see `Op.work`).
    public var work: Double

    public init(traceBytes: Double, memoryBytes: Double, work: Double) {
        self.traceBytes = traceBytes
        self.memoryBytes = memoryBytes
        self.work = work
    }

    /// The limits every demo runs under.
    ///
    /// - 200 MB of trace: the viewer loads a whole trace into one page, and a browser tab holds
    ///   a few hundred megabytes of JSON at most; the bundled course's largest trace is under 1 MB,
    ///   and an MLP 2–256–256–1 on 1024 samples, one of the largest useful traces, about 110 MB.
    /// - 1 GB of tensor values on one tape: encoding a trace takes several times its size again,
    ///   so this keeps a run within the memory of an ordinary laptop.
    /// - 2·10¹¹ floating-point operations: a few minutes on one core of a release build, at the
    ///   engine's 1–2 GFLOP/s (a debug build is 10–50× slower).
    public static let standard = Budget(traceBytes: 200e6, memoryBytes: 1e9, work: 2e11)

    /// `a trace of at most 200 MB, at most 1 GB of numbers in memory per pass, at most 2e11 floating-point …`.
    public var summary: String {
        "a trace of at most \(Quantity.bytes(traceBytes)), at most \(Quantity.bytes(memoryBytes)) of numbers in memory "
            + "per pass, at most \(Quantity.operations(work)) floating-point operations (a few minutes of a release build)"
    }

    public func limit(_ kind: Overrun.Limit) -> Double {
        switch kind {
        case .traceSize: traceBytes
        case .memory: memoryBytes
        case .work: work
        }
    }
}

/// A limit of the budget that a run would go past: which one, the run's estimate and the limit.
public struct Overrun: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Limit: Sendable, Equatable {
        case traceSize, memory, work
    }

    public let limit: Limit
    /// Bytes (trace size, memory) or floating-point operations (work).
    public let estimate: Double
    public let allowed: Double
    /// The run was stopped where it reached the limit, before anything could project its total:
    /// `estimate` is then only a lower bound.
    public let reachedLimit: Bool
    /// The overrun comes from repeating work (training iterations, epochs), not from one pass:
    /// lowering the number of repetitions helps too.
    public let repeated: Bool

    /// `this trace would hold about 2.5 GB, the limit is 200 MB`.
    public var description: String {
        let about = reachedLimit ? "more than" : "about"
        switch limit {
        case .traceSize:
            return "this trace would hold \(about) \(Quantity.bytes(estimate)), the limit is \(Quantity.bytes(allowed))"
        case .memory:
            return "one pass would hold \(about) \(Quantity.bytes(estimate)) of numbers in memory, the limit is \(Quantity.bytes(allowed))"
        case .work:
            return "this run would take \(about) \(Quantity.operations(estimate)) floating-point operations, the limit is "
                + "\(Quantity.operations(allowed)) (a few minutes)"
        }
    }
}

/// Sizes and counts as messages write them.
enum Quantity {
    /// `2.5 GB`, `200 MB`, `12 kB` (decimal units, two significant digits).
    static func bytes(_ value: Double) -> String {
        let units: [(Double, String)] = [(1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
        guard let (size, unit) = units.first(where: { value >= $0.0 }) else { return "\(Int(value)) bytes" }
        return "\(significant(value / size)) \(unit)"
    }

    /// `1.2e12`, `2e11`.
    static func operations(_ value: Double) -> String {
        var exponent = Int(log10(max(value, 1)).rounded(.down))
        if (value / pow(10, Double(exponent)) * 10).rounded() >= 100 { exponent += 1 }  // 9.96e11 is 1e12, not 10e11
        return "\(significant(value / pow(10, Double(exponent))))e\(exponent)"
    }

    /// Two significant digits, without a trailing `.0`: `2.5`, `16`, `200`.
    private static func significant(_ value: Double) -> String {
        let rounded = value < 10 ? (value * 10).rounded() / 10 : value.rounded()
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
