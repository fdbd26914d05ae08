import Foundation
import Models
import Testing
@testable import Trace

/// `TraceDocument.decode` reads a trace first with its own fast reader (`JSONReader`) and gives
/// way to Foundation's `JSONDecoder` only for what it does not read. Every demo's trace, as JSON
/// and in the compact layout's structure, must be read by the fast path, into exactly what
/// `JSONDecoder` gives (compared as canonical bytes, so NaN and -0.0 count).
@Suite("Every demo's trace reads the same on the fast path as with JSONDecoder")
struct TraceReadingTests {
    /// Smaller runs of the demos that take seconds at their defaults; the rest run as they are.
    static let smaller: [String: [String: JSONValue]] = [
        "cnn": ["samples": 8, "batch": 4, "train": 2],
        "transfer": ["samples-a": 8, "pretrain-epochs": 1, "samples-b": 2, "test-b": 2, "head-epochs": 2, "fine-tune-epochs": 2],
        "segmentation": ["samples": 1, "train": 2],
    ]

    @Test(arguments: Demos.all.map(\.name))
    func demoTraceReadsOnTheFastPath(_ name: String) throws {
        let trace = try Demos.named(name).trace(Self.smaller[name] ?? [:])
        let json = try trace.jsonData()
        let fast = try #require(TraceDocument.read(json), "\(name): the fast path gave way")
        #expect(try fast.jsonData() == json)
        #expect(try foundation(json).jsonData() == json)
        // The compact layout's structure: the same document with every `data` a slice.
        let compact = try CompactTrace.encode(trace)
        let length = Int(compact.prefix(4).reversed().reduce(0) { $0 << 8 | Int($1) })
        let structure = compact.subdata(in: 4..<(4 + length))
        let fastStructure = try #require(TraceDocument.read(structure), "\(name): the fast path gave way on the compact structure")
        #expect(try fastStructure.jsonData() == foundation(structure).jsonData())
    }

    /// The reference: Foundation's decoder as `TraceDocument.decode` configures it.
    func foundation(_ data: Data) throws -> TraceDocument {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(TraceDocument.self, from: data)
    }
}
