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
    /// Errors name the line and column of the offending value (or of the syntax error) in `data`.
    /// Only the form is checked here; `TraceCheck` (in Engine) checks what the trace says.
    public static func decode(from data: Data) throws(TraceError) -> TraceDocument {
        // The fast path reads what it can read exactly as the decoder below would; anything else,
        // errors included, is the decoder's to read or to explain.
        if let trace = read(data), trace.format == formatName, trace.version == currentVersion { return trace }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            let trace = try decoder.decode(TraceDocument.self, from: data)
            try checkFormat(trace.format, trace.version)
            return trace
        } catch let error as TraceError {
            throw error.located(in: data)
        } catch let error as DecodingError {
            // A file of another format or version is named as such, whatever else it lacks.
            if let header = try? decoder.decode(Header.self, from: data) {
                do throws(TraceError) { try checkFormat(header.format, header.version) } catch { throw error.located(in: data) }
            }
            throw TraceError(error, in: data)
        } catch {
            throw TraceError("\(error)", at: [])
        }
    }

    /// The trace in `data` read by the fast path (`JSONReader`), or nil where the fast path
    /// gives way to `JSONDecoder`.
    static func read(_ data: Data) -> TraceDocument? {
        JSONReader.read(data) { try TraceDocument(reading: &$0) }
    }

    /// The fields that say what a document is, read on their own when the whole does not decode.
    private struct Header: Decodable {
        var format: String?
        var version: Int?
    }

    private static func checkFormat(_ format: String?, _ version: Int?) throws(TraceError) {
        if let format, format != formatName {
            throw TraceError("expected \"\(formatName)\", found \"\(format)\" (this is not an Unrolled trace)", at: ["format"])
        }
        if let version, version != currentVersion {
            throw TraceError(
                "this build reads trace format version \(currentVersion), the file is version \(version)", at: ["version"])
        }
    }

    /// The tensor with the given id (ids are positions in `tensors`).
    public func tensor(_ id: Int) -> TensorRecord { tensors[id] }
}

// Roles and phases name the values they allow when a trace holds another.
extension Role {
    public init(from decoder: any Decoder) throws { self = try decodeCase(from: decoder) }
}

extension Phase {
    public init(from decoder: any Decoder) throws { self = try decodeCase(from: decoder) }
}

private func decodeCase<T: RawRepresentable & CaseIterable>(from decoder: any Decoder) throws -> T where T.RawValue == String {
    let container = try decoder.singleValueContainer()
    let raw = try container.decode(String.self)
    guard let value = T(rawValue: raw) else {
        let allowed = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected one of \(allowed), found \"\(raw)\"")
    }
    return value
}
