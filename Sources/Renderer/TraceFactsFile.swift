import Foundation

/// What builds found in the cached traces (`TraceFacts`: each figure's summary, the answers to the
/// notes' references and exercises), kept in one file beside them: `trace-facts.json` in the
/// cache folder. A rebuild that changed nothing reads the answers here instead of decoding traces.
///
/// The facts are what this program's code makes of a payload (how a reference is resolved, what a
/// hint says), so the file names the program that wrote it (`ProgramIdentity`): a file written by
/// another build of unrolled is ignored, as if there were none. Each fact also names the payload's
/// hash, so an entry changed since is decoded again.
struct TraceFactsFile: Sendable {
    static let fileName = "trace-facts.json"

    let file: URL
    /// The facts read, by the trace cache's key.
    private(set) var traces: [String: TraceFacts] = [:]

    private struct Stored: Codable {
        var program: String
        var traces: [String: TraceFacts]
    }

    /// The facts in the cache folder `cache`, or none when the file is missing, unreadable or another program's.
    init(cache: URL) {
        file = cache.appendingPathComponent(Self.fileName)
        guard let program = ProgramIdentity.current, let data = try? Data(contentsOf: file),
            let stored = try? Self.decoder.decode(Stored.self, from: data), stored.program == program
        else { return }
        traces = stored.traces
    }

    /// Writes the facts of `shown` (this build's traces, by key), unless the file holds them already.
    /// Whole or not at all (written aside and renamed); a file that cannot be written only costs
    /// the next build the decoding.
    func save(_ shown: [String: ShownTrace]) {
        guard let program = ProgramIdentity.current else { return }
        var facts: [String: TraceFacts] = [:]
        var changed = Set(shown.keys) != Set(traces.keys)
        for (key, trace) in shown {
            let (found, learned) = trace.facts
            facts[key] = found
            changed = changed || learned
        }
        guard changed, let data = try? Self.encoder.encode(Stored(program: program, traces: facts)) else { return }
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: file, options: .atomic)
    }

    // A quoted value may be infinite or NaN (an exercise refuses it with a message, a reference
    // quotes it): JSON has no such numbers. Finite ones are written in the shortest form that
    // reads back to the same Double.
    private static let nonFinite = (positive: "inf", negative: "-inf", nan: "nan")

    private static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        return encoder
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        return decoder
    }
}

/// The running executable as what a cache of its results names (as ccache names a compiler): its
/// path, size and modification time. A new build of unrolled is another program. Nil when it cannot
/// be found: nothing is then kept.
enum ProgramIdentity {
    static let current: String? = {
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath(),
            let attributes = try? FileManager.default.attributesOfItem(atPath: executable.path),
            let size = attributes[.size] as? NSNumber, let modified = attributes[.modificationDate] as? Date
        else { return nil }
        return "\(executable.path) \(size) \(modified.timeIntervalSince1970)"
    }()
}
