import Foundation
import Synchronization
import Trace

/// A trace as a build shows it: its payload (`TraceScript.payload`, what the site ships), what its
/// figure says of it (`TraceSummary`), and the answers to the notes' references to it. The trace
/// itself is decoded only when a reference or an exercise asks something not answered before: on a
/// rebuild with nothing changed the trace cache knows every answer (`TraceFacts`), and decoding the
/// 63 traces of the bundled course was 43 % of such a rebuild (issue #19).
///
/// Shared by the pages that refer to the trace, which are rendered on every core: one lock per trace.
final class ShownTrace: Sendable {
    let payload: String
    let summary: TraceSummary
    private let state: Mutex<State>

    private struct State {
        var document: Result<TraceDocument, any Error>?
        var facts: TraceFacts
        /// Whether `facts` holds answers the cache's file does not.
        var learned: Bool

        /// The trace, decoded from the payload the first time it is asked for.
        mutating func trace(payload: String) -> Result<TraceDocument, ReferenceProblem> {
            if document == nil {
                document = Result { try TraceScript.trace(fromPayload: payload) }
            }
            return document!.mapError { .unresolved("the cached trace does not decode (\($0)); build again with --clean") }
        }
    }

    /// A trace at hand (computed, checked from a file, or just decoded): nothing known of it yet.
    init(document: TraceDocument, payload: String) {
        self.payload = payload
        summary = TraceSummary(document)
        state = Mutex(State(document: .success(document), facts: TraceFacts(payload: payload, summary: summary), learned: true))
    }

    /// A cached trace whose facts the cache holds (`facts.payload` is the hash of `payload`).
    init(payload: String, facts: TraceFacts) {
        self.payload = payload
        summary = facts.summary
        state = Mutex(State(document: nil, facts: facts, learned: false))
    }

    /// What `reference` names in the trace. `key`: the reference as written after the trace's id,
    /// which decides the answer. Only found answers are kept: a wrong reference fails every build.
    func resolve(_ reference: TraceReference, key: String) -> Result<ResolvedReference, ReferenceProblem> {
        state.withLock { state in
            if let known = state.facts.references[key] { return .success(known) }
            let found = state.trace(payload: payload).flatMap { reference.resolve(in: $0) }
            if case .success(let resolved) = found {
                state.facts.references[key] = resolved
                state.learned = true
            }
            return found
        }
    }

    /// What an exercise whose answer is `found` says of its step (`Exercise.facts`).
    func exerciseFacts(for found: ResolvedReference) -> Result<ExerciseFacts, ReferenceProblem> {
        let key = "\(found.steps.first.map(String.init) ?? "-") \(found.tensor.map(String.init) ?? "-")"
        return state.withLock { state in
            if let known = state.facts.exercises[key] { return .success(known) }
            return state.trace(payload: payload).map { trace in
                let facts = Exercise.facts(step: found.steps.first, tensor: found.tensor, trace: trace)
                state.facts.exercises[key] = facts
                state.learned = true
                return facts
            }
        }
    }

    /// What the cache keeps of the trace, and whether it knows more than the cache's file did.
    var facts: (TraceFacts, learned: Bool) { state.withLock { ($0.facts, $0.learned) } }
}

/// What a figure and the trace's own page say of a trace (`TraceFigure.Context`): none of its values.
struct TraceSummary: Codable, Equatable, Sendable {
    var title: String
    var model: String
    /// The configuration by name, in order, each value as the static summary shows it.
    var config: [Setting]
    var steps: Int
    var tensors: Int

    struct Setting: Codable, Equatable, Sendable {
        var name: String
        var value: String

        enum CodingKeys: String, CodingKey { case name, value }
    }

    enum CodingKeys: String, CodingKey { case title, model, config, steps, tensors }

    init(_ trace: TraceDocument) {
        title = trace.title
        model = trace.model
        config = trace.config.keys.sorted().map { Setting(name: $0, value: trace.config[$0]!.displayText) }
        steps = trace.steps.count
        tensors = trace.tensors.count
    }
}

/// What the trace cache keeps of a trace beside its payload: its summary and the answers found so
/// far to references and exercises, each the result of this program's code on the payload's bytes
/// (`TraceFactsFile`).
struct TraceFacts: Codable, Equatable, Sendable {
    /// The digest (`digest`) of the payload the facts were found in: a payload changed since is decoded again.
    var payload: String
    var summary: TraceSummary
    /// By the reference as written after the trace's id (`c_2@t=2`).
    var references: [String: ResolvedReference] = [:]
    /// By the step and tensor of the answer (`"12 40"`, `-` for none).
    var exercises: [String: ExerciseFacts] = [:]

    enum CodingKeys: String, CodingKey { case payload, summary, references, exercises }

    init(payload: String, summary: TraceSummary) {
        var text = payload
        self.payload = text.withUTF8 { Self.digest(UnsafeRawBufferPointer($0)) }
        self.summary = summary
    }

    /// 64 bits of the payload's bytes, eight at a time, to tell an entry changed since its facts
    /// were found (a collision only shows old answers until the program or the trace changes). The
    /// bundled course's entries are 5 MB: `contentHash`, a byte at a time, took 15 ms of a rebuild.
    static func digest(_ bytes: UnsafeRawBufferPointer) -> String {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var offset = 0
        while offset + 8 <= bytes.count {
            hash = (hash ^ bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            offset += 8
        }
        for byte in bytes[offset...] { hash = (hash ^ UInt64(byte)) &* 0x94D0_49BB_1331_11EB }
        return String(hash, radix: 16)
    }
}
