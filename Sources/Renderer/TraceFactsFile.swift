import Foundation
import Trace

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

    fileprivate struct Stored: Codable {
        var program: String
        var traces: [String: TraceFacts]

        enum CodingKeys: String, CodingKey { case program, traces }
    }

    /// The facts in the cache folder `cache`, or none when the file is missing, unreadable or another program's.
    init(cache: URL) {
        file = cache.appendingPathComponent(Self.fileName)
        guard let program = ProgramIdentity.current, let data = try? Data(contentsOf: file), let stored = Self.read(data),
            stored.program == program
        else { return }
        traces = stored.traces
    }

    /// The file's program and facts, by the fast path unless `fast` is false (for the tests);
    /// nil when it is not a facts file.
    static func read(_ data: Data, fast: Bool = true) -> (program: String, traces: [String: TraceFacts])? {
        let stored = (fast ? JSONReader.read(data, Stored.init(reading:)) : nil) ?? (try? decoder.decode(Stored.self, from: data))
        return stored.map { ($0.program, $0.traces) }
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
    // quotes it): JSON has no such numbers, and these strings are how a trace writes them, which
    // the fast path reads (`JSONReader.double`). Finite ones are written in the shortest form that
    // reads back to the same Double.
    private static let nonFinite = (positive: "Infinity", negative: "-Infinity", nan: "NaN")

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

// MARK: The fast path of reading the file
//
// Foundation's `JSONDecoder` took 70 M instructions on the bundled course's 150 KB of facts, a
// twelfth of a rebuild with nothing changed: each type reads itself with the trace's pull reader
// (`JSONReader`), whose switch over `CodingKeys` has no default, so that a new field is read or the
// compiler says so. Anything it does not read exactly alike is read by `JSONDecoder`.

extension TraceFactsFile.Stored {
    init(reading json: inout JSONReader) throws {
        var program: String?, traces: [String: TraceFacts]?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .program: program = try json.string()
            case .traces: traces = try json.dictionary { try TraceFacts(reading: &$0) }
            case nil: try json.skip()
            }
        }
        guard let program, let traces else { throw JSONReader.Mismatch() }
        self.init(program: program, traces: traces)
    }
}

extension TraceFacts {
    init(reading json: inout JSONReader) throws {
        var payload: String?, summary: TraceSummary?, references: [String: ResolvedReference]?, exercises: [String: ExerciseFacts]?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .payload: payload = try json.string()
            case .summary: summary = try TraceSummary(reading: &json)
            case .references: references = try json.dictionary { try ResolvedReference(reading: &$0) }
            case .exercises: exercises = try json.dictionary { try ExerciseFacts(reading: &$0) }
            case nil: try json.skip()
            }
        }
        guard let payload, let summary, let references, let exercises else { throw JSONReader.Mismatch() }
        (self.payload, self.summary, self.references, self.exercises) = (payload, summary, references, exercises)
    }
}

extension TraceSummary {
    init(reading json: inout JSONReader) throws {
        var title: String?, model: String?, config: [Setting]?, steps: Int?, tensors: Int?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .title: title = try json.string()
            case .model: model = try json.string()
            case .config: config = try json.array { try Setting(reading: &$0) }
            case .steps: steps = try json.int()
            case .tensors: tensors = try json.int()
            case nil: try json.skip()
            }
        }
        guard let title, let model, let config, let steps, let tensors else { throw JSONReader.Mismatch() }
        (self.title, self.model, self.config, self.steps, self.tensors) = (title, model, config, steps, tensors)
    }
}

extension TraceSummary.Setting {
    init(reading json: inout JSONReader) throws {
        var name: String?, value: String?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .name: name = try json.string()
            case .value: value = try json.string()
            case nil: try json.skip()
            }
        }
        guard let name, let value else { throw JSONReader.Mismatch() }
        self.init(name: name, value: value)
    }
}

extension ResolvedReference {
    init(reading json: inout JSONReader) throws {
        var steps: [Int]?, isRange: Bool?, value: QuotedValue?, tensor: Int?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .steps: steps = try json.array { try $0.int() }
            case .isRange: isRange = try json.bool()
            case .value: value = try json.optional { try QuotedValue(reading: &$0) }
            case .tensor: tensor = try json.optional { try $0.int() }
            case nil: try json.skip()
            }
        }
        guard let steps, let isRange else { throw JSONReader.Mismatch() }
        self.init(steps: steps, isRange: isRange, value: value, tensor: tensor)
    }
}

extension QuotedValue {
    init(reading json: inout JSONReader) throws {
        var shape: [Int]?, count: Int?, norm: Double?, data: [Double]?, element: Int?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .shape: shape = try json.array { try $0.int() }
            case .count: count = try json.int()
            case .norm: norm = try json.double()
            case .data: data = try json.optional { try $0.array { try $0.double() } }
            case .element: element = try json.optional { try $0.int() }
            case nil: try json.skip()
            }
        }
        guard let shape, let count, let norm else { throw JSONReader.Mismatch() }
        (self.shape, self.count, self.norm, self.data, self.element) = (shape, count, norm, data, element)
    }
}

extension ExerciseFacts {
    init(reading json: inout JSONReader) throws {
        var isOutput: Bool?, hint: String?
        try json.object { key, json in
            switch CodingKeys(stringValue: key) {
            case .isOutput: isOutput = try json.bool()
            case .hint: hint = try json.string()
            case nil: try json.skip()
            }
        }
        guard let isOutput, let hint else { throw JSONReader.Mismatch() }
        self.init(isOutput: isOutput, hint: hint)
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
