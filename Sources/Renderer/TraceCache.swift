import Engine
import Foundation
import Models
import Trace

/// Runs directives' demos once each: the same model and parameters in one build share a trace, and
/// traces computed by an earlier build are read back from the cache folder (`SiteOptions.cache`,
/// by default `COURSE/.unrolled-cache/`, as `traces/<key>.trace`) instead of being recomputed.
/// The cache is not part of the site: a deploy uploads only what readers load.
///
/// An entry is the trace's payload as the site ships it (`TraceScript.payload`: the compact
/// layout, deflated, in Z85), so a build that changed nothing encodes nothing. Beside the entries,
/// `TraceFactsFile` keeps what earlier builds found in them (each figure's summary, the answers to
/// the notes' references), so that a build that changed nothing decodes no trace at all
/// (`ShownTrace` decodes one when asked something new).
///
/// The key hashes the trace format version, `EngineVersion.current` (bumped whenever the numbers
/// may change), the demo and its resolved configuration (defaults filled in, so `hidden: 2` and
/// an omitted `hidden` share one trace), and the text of the files it reads.
struct TraceCache {
    /// The cache's folder of traces, below `SiteOptions.cache`.
    let folder: URL

    private(set) var computed = 0
    private(set) var reused = 0
    /// The keys this build used, so that after a good build the others can go (`prune`).
    private(set) var used: Set<String> = []
    private var memory: [String: ShownTrace] = [:]
    /// Entries read ahead on every core (`preload`), not yet asked for.
    private var preloaded: [String: ShownTrace] = [:]
    /// What earlier builds found in the entries.
    private let facts: TraceFactsFile
    /// Traces computed ahead on every core (`computeAhead`), not yet asked for nor stored.
    private var computedAhead: [String: (TraceDocument, String)] = [:]

    /// A demo's trace as a directive asks for it: what `trace(_:_:files:progress:)` takes, and its key.
    struct Job: Sendable {
        let key: String
        let demo: Demo
        let config: DemoConfig
        let files: [String: String]

        init(demo: Demo, config: DemoConfig, files: [String: String]) {
            self.demo = demo
            self.config = config
            self.files = files
            key = TraceCache.key(demo: demo, config: config, files: files)
        }
    }

    init(cache: URL) {
        folder = cache.appendingPathComponent("traces")
        facts = TraceFactsFile(cache: cache)
    }

    /// `files`: the text of each file the parameters name, by the path as written, so that an
    /// edited corpus file makes a new trace. The names given whose being given a demo checks
    /// (`DemoConfig.decisiveGiven`) are part of the key too: `samples: 8` with XOR data is an
    /// error, the same values with `samples` left out are not.
    static func key(demo: Demo, config: DemoConfig, files: [String: String] = [:]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let values = (try? encoder.encode(JSONValue.object(config.values))) ?? Data()
        let contents = files.sorted { $0.key < $1.key }.map { "\($0.key)\n\(contentHash(Data($0.value.utf8)))\n" }.joined()
        let given = config.decisiveGiven(in: demo).joined(separator: ",")
        let text = "unrolled-trace v\(TraceDocument.currentVersion)\nengine \(EngineVersion.current)\n\(demo.name)\n"
            + String(decoding: values, as: UTF8.self) + "\ngiven \(given)\n" + contents
        return contentHash(Data(text.utf8))
    }

    /// The trace of a demo, from memory, the cache, or a run of the demo.
    /// `files` holds the text of the files the demo's `.file` parameters name (by the path as
    /// written): the demo reads them from there, never from the disk.
    mutating func trace(
        _ demo: Demo, _ config: DemoConfig, files: [String: String] = [:], progress: ProgressHandler? = nil
    ) throws -> ShownTrace {
        let key = Self.key(demo: demo, config: config, files: files)
        used.insert(key)
        if let known = memory[key] { return known }
        // A file that does not decode (another version's, or cut short) is recomputed and replaced.
        if let entry = preloaded.removeValue(forKey: key) ?? Self.read(file(key), facts: facts.traces[key]) {
            reused += 1
            memory[key] = entry
            return entry
        }
        let (trace, payload) = try computedAhead.removeValue(forKey: key) ?? Self.compute(demo, config, files: files, progress: progress)
        computed += 1
        let made = ShownTrace(document: trace, payload: payload)
        memory[key] = made
        store(Data(payload.utf8), key: key)
        return made
    }

    private static func compute(
        _ demo: Demo, _ config: DemoConfig, files: [String: String], progress: ProgressHandler?
    ) throws -> (TraceDocument, String) {
        let trace = try demo.trace(config, progress: progress) { path in
            guard let text = files[path] else { throw FileReadFailure("the course did not provide it") }
            return text
        }
        return (trace, try TraceScript.payload(trace))
    }

    /// Computes on every core the traces of `jobs` that are neither known nor read ahead, so that
    /// the directives, which run one at a time in page order, find them made: a course's first
    /// build is mostly running its demos. A job that fails is left for its directive, which runs
    /// it again and reports why, in order.
    mutating func computeAhead(_ jobs: [Job], progress: ProgressHandler?) {
        var seen = Set(memory.keys).union(preloaded.keys).union(computedAhead.keys)
        let wanted = jobs.filter { seen.insert($0.key).inserted && !FileManager.default.fileExists(atPath: file($0.key).path) }
        guard wanted.count > 1 else { return }  // one job gains nothing from running ahead
        for (job, made) in zip(wanted, concurrentMap(wanted) { job in try? Self.compute(job.demo, job.config, files: job.files, progress: progress) }) {
            if let made { computedAhead[job.key] = made }
        }
    }

    private func file(_ key: String) -> URL { folder.appendingPathComponent(key + ".trace") }

    /// An entry read, or nil when it is missing or does not decode. It is decoded only when
    /// `facts` were not found in these very bytes.
    private static func read(_ file: URL, facts: TraceFacts?) -> ShownTrace? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        let payload = String(decoding: data, as: UTF8.self)
        if let facts, facts.payload == data.withUnsafeBytes(TraceFacts.digest) { return ShownTrace(payload: payload, facts: facts) }
        guard let trace = try? TraceScript.trace(fromPayload: payload) else { return nil }
        return ShownTrace(document: trace, payload: payload)
    }

    /// Reads the entries of `keys` on every core, so that the directives, which run one at a time
    /// in page order, find them read (and decoded, when the facts file does not know them).
    mutating func preload(_ keys: [String]) {
        let wanted = Array(Set(keys).subtracting(memory.keys).subtracting(preloaded.keys)).sorted()
        let entries = wanted.map { (file($0), facts.traces[$0]) }
        for (key, entry) in zip(wanted, concurrentMap(entries) { Self.read($0.0, facts: $0.1) }) {
            if let entry { preloaded[key] = entry }
        }
    }

    /// Writes a new entry whole or not at all (a temporary file renamed into place), so that a
    /// build killed mid-write leaves no half trace. A cache that cannot be written only costs time:
    /// the trace is recomputed next build.
    private func store(_ data: Data, key: String) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? data.write(to: file(key), options: .atomic)
    }

    /// After a build that published its site: removes the entries it did not use, so the cache
    /// holds the traces of the course as it is (an edited directive's old trace goes), and keeps
    /// what the build found in those it used (`TraceFactsFile`), its pages rendered.
    func prune() {
        facts.save(memory.filter { used.contains($0.key) })
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        // Entries of other names (an earlier build's `.json`) go too.
        for name in names where !(name.hasSuffix(".trace") && used.contains(String(name.dropLast(6)))) {
            try? FileManager.default.removeItem(at: folder.appendingPathComponent(name))
        }
    }
}

/// 128 bits of two FNV-1a hashes (different offsets) as 32 hex digits: enough to tell traces apart,
/// with no dependency for a cache key.
func contentHash(_ data: Data) -> String {
    var a: UInt64 = 0xcbf2_9ce4_8422_2325
    var b: UInt64 = 0x8422_2325_cbf2_9ce4
    // Over the bytes in place: Data's iterator cost more than the hashing (the KaTeX files a
    // build's math verdicts are keyed by are 300 KB).
    data.withUnsafeBytes { bytes in
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte ^ 0x5A)) &* 0x0000_0100_0000_01B3
        }
    }
    return String(format: "%016llx%016llx", a, b)
}
