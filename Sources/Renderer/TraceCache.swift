import Foundation
import Models
import Trace

/// Runs directives' demos once each: the same model and parameters in one build share a trace, and
/// traces computed by an earlier build are read back from the output's cache folder
/// (`.cache/traces/<key>.json`) instead of being recomputed.
///
/// The key hashes the trace format version, the generator (which build of the engine made the
/// trace), the model and its validated parameters, so a new engine never reuses an old trace.
struct TraceCache {
    static let folder = ".cache/traces"

    /// The previous site's cache, read from; may be missing.
    let previous: URL
    /// The new site's cache, written to: every trace this build used, so the next build finds them.
    let next: URL
    let generator: String

    private(set) var computed = 0
    private(set) var reused = 0
    private var memory: [String: Data] = [:]

    init(previous: URL, next: URL, generator: String) {
        self.previous = previous
        self.next = next
        self.generator = generator
    }

    /// `files`: the text of each file the parameters name, by the path as written, so that an
    /// edited corpus file makes a new trace.
    static func key(model: String, parameters: [String: JSONValue], files: [String: String] = [:], generator: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let values = (try? encoder.encode(JSONValue.object(parameters))) ?? Data()
        let contents = files.keys.sorted().map { "\($0)\n\(contentHash(Data(files[$0]!.utf8)))\n" }.joined()
        let text = "unrolled-trace v\(TraceDocument.currentVersion)\n\(generator)\n\(model)\n" + String(decoding: values, as: UTF8.self) + contents
        return contentHash(Data(text.utf8))
    }

    /// The trace's JSON bytes for a demo, from memory, the previous cache, or a run of the demo.
    /// `files` holds the text of the files the demo's `.file` parameters name (by the path as
    /// written): the demo reads them from there, never from the disk.
    mutating func trace(
        model: String, parameters: [String: JSONValue], files: [String: String] = [:], progress: ProgressHandler? = nil
    ) throws -> (TraceDocument, Data) {
        let key = Self.key(model: model, parameters: parameters, files: files, generator: generator)
        let name = key + ".json"
        if let data = memory[key], let trace = try? TraceDocument.decode(from: data) { return (trace, data) }
        if let data = try? Data(contentsOf: previous.appendingPathComponent(name)),
            let trace = try? TraceDocument.decode(from: data)
        {
            reused += 1
            try store(data, key: key)
            return (trace, data)
        }
        let trace = try Demos.named(model).trace(parameters, progress: progress) { path in
            guard let text = files[path] else { throw FileReadFailure("the course did not provide it") }
            return text
        }
        let data = try trace.jsonData()
        computed += 1
        try store(data, key: key)
        return (trace, data)
    }

    private mutating func store(_ data: Data, key: String) throws {
        memory[key] = data
        try FileManager.default.createDirectory(at: next, withIntermediateDirectories: true)
        try data.write(to: next.appendingPathComponent(key + ".json"))
    }
}

/// 128 bits of two FNV-1a hashes (different offsets) as 32 hex digits: enough to tell traces apart,
/// with no dependency for a cache key.
func contentHash(_ data: Data) -> String {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x8422_2325_cbf2_9ce4
    for byte in data {
        a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        b = (b ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01B3
    }
    return String(format: "%016llx%016llx", a, b)
}
