import Foundation

extension TraceDocument {
    /// JSON bytes of the trace: keys sorted, numbers in shortest round-trip form,
    /// NaN and ±∞ as "NaN", "Infinity", "-Infinity". The same trace gives the same bytes.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try encoder.encode(self)
    }

    /// Reads a trace, checking that it is format `unrolled-trace` of a version this build understands.
    public static func decode(from data: Data) throws -> TraceDocument {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        let trace = try decoder.decode(TraceDocument.self, from: data)
        guard trace.format == formatName else {
            throw TraceFormatError.notATrace(format: trace.format)
        }
        guard trace.version == currentVersion else {
            throw TraceFormatError.unsupportedVersion(trace.version)
        }
        return trace
    }

    /// The tensor with the given id (ids are positions in `tensors`).
    public func tensor(_ id: Int) -> TensorRecord { tensors[id] }
}

public enum TraceFormatError: Error, CustomStringConvertible, Equatable {
    case notATrace(format: String)
    case unsupportedVersion(Int)

    public var description: String {
        switch self {
        case .notATrace(let format):
            return "not an Unrolled trace: \"format\" is \"\(format)\", expected \"\(TraceDocument.formatName)\""
        case .unsupportedVersion(let version):
            return "trace format version \(version) is not supported by this build (it reads version \(TraceDocument.currentVersion))"
        }
    }
}
