import Foundation
import Testing
@testable import Trace

/// The compact layout (docs/trace-format.md, "Compact layout"): exact, and laid out as documented.
@Suite struct CompactTraceTests {
    /// A trace with the numbers a layout could lose: ±0, NaN, ±∞, a subnormal, the extremes,
    /// shortest forms of 17 digits, an empty tensor, and training snapshots under several keys.
    static func awkward() -> TraceDocument {
        let values: [Double] = [0.13329524913886417, -0.0, 0, .nan, .infinity, -.infinity, 5e-324, .greatestFiniteMagnitude, -1.0227917579066947, 1]
        var trace = TraceDocument(
            title: "t", model: "m", config: ["hidden": .int(2)], scopes: [],
            tensors: [
                TensorRecord(id: 0, name: "x", tex: "x", role: .input, shape: [2, 5], data: values),
                TensorRecord(id: 1, name: "e", tex: "e", role: .constant, shape: [0], data: []),
                TensorRecord(id: 2, name: "W", tex: "W", role: .parameter, shape: [1, 3], data: [0.5, -0.25, 1e-300]),
            ],
            steps: [], loss: nil, gradients: [:],
            history: [
                HistoryEntry(iteration: 1, loss: 0.75, traced: true, tensors: ["W": TensorSnapshot(shape: [1, 3], data: [1, 2, 3]), "b": TensorSnapshot(shape: [1], data: [-4])]),
                HistoryEntry(iteration: 2, loss: .nan, traced: false),
                HistoryEntry(iteration: 3, loss: 0.5, traced: false, tensors: ["Ω": TensorSnapshot(shape: [2], data: [.pi, -.pi]), "W": TensorSnapshot(shape: [1, 3], data: [4, 5, 6])]),
            ])
        trace.views = ["unrolled"]
        return trace
    }

    /// Every number bit for bit (NaN == NaN, -0 ≠ +0), every other field equal.
    static func same(_ a: TraceDocument, _ b: TraceDocument) -> Bool {
        func bits(_ data: [Double]) -> [UInt64] { data.map(\.bitPattern) }
        func blank(_ t: TraceDocument) -> TraceDocument {
            var t = t
            for i in t.tensors.indices { t.tensors[i].data = [] }
            t.history = t.history?.map { entry in
                var entry = entry
                entry.loss = entry.loss.isNaN ? -999 : entry.loss
                entry.tensors = entry.tensors?.mapValues { TensorSnapshot(shape: $0.shape, data: []) }
                return entry
            }
            return t
        }
        let snapshots = { (t: TraceDocument) in (t.history ?? []).map { ($0.tensors ?? [:]).mapValues { bits($0.data) } } }
        return blank(a) == blank(b) && a.tensors.map { bits($0.data) } == b.tensors.map { bits($0.data) } && snapshots(a) == snapshots(b)
    }

    @Test func aTraceComesBackBitForBit() throws {
        let trace = Self.awkward()
        #expect(Self.same(try CompactTrace.decode(try CompactTrace.encode(trace)), trace))
    }

    @Test func theBytesAreTheDocumentedLayout() throws {
        let bytes = [UInt8](try CompactTrace.encode(Self.awkward()))
        let length = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
        let json = try JSONSerialization.jsonObject(with: Data(bytes[4..<(4 + length)])) as! [String: Any]
        // Tensors first, in order (10, 0 and 3 numbers), then the snapshots by entry and sorted key.
        let tensors = json["tensors"] as! [[String: Any]]
        #expect(tensors.map { $0["data"] as! [Int] } == [[0, 10], [10, 0], [10, 3]])
        let history = json["history"] as! [[String: Any]]
        let first = history[0]["tensors"] as! [String: [String: Any]]
        #expect(first["W"]!["data"] as! [Int] == [13, 3])
        #expect(first["b"]!["data"] as! [Int] == [16, 1])
        let third = history[2]["tensors"] as! [String: [String: Any]]
        #expect(third["W"]!["data"] as! [Int] == [17, 3])
        #expect(third["Ω"]!["data"] as! [Int] == [20, 2])
        // 22 numbers, 8 bytes each, byte k of number i at k·22 + i. The tenth number is 1.0,
        // 0x3FF0_0000_0000_0000: its top two bytes are 0xF0 and 0x3F, the rest 0.
        let numbers = Array(bytes[(4 + length)...])
        #expect(numbers.count == 8 * 22)
        #expect((0..<6).allSatisfy { numbers[$0 * 22 + 9] == 0 })
        #expect(numbers[6 * 22 + 9] == 0xF0)
        #expect(numbers[7 * 22 + 9] == 0x3F)
        // The snapshot b = [-4]: -4.0 is 0xC010_0000_0000_0000.
        #expect(numbers[7 * 22 + 16] == 0xC0)
        #expect(numbers[6 * 22 + 16] == 0x10)
    }

    @Test func theSameTraceGivesTheSameBytes() throws {
        #expect(try CompactTrace.encode(Self.awkward()) == (try CompactTrace.encode(Self.awkward())))
    }

    @Test func aSliceOutsideTheNumbersIsAnErrorNamingItsPath() throws {
        var short = [UInt8](try CompactTrace.encode(Self.awkward()))
        // One number fewer: the last snapshot's slice [20, 2] now reaches past the 21 numbers.
        short.removeLast(8)
        do {
            _ = try CompactTrace.decode(Data(short))
            Issue.record("a slice past the numbers decoded")
        } catch {
            #expect(error.description.contains("history[2].tensors"))
        }
        #expect(throws: TraceError.self) { try CompactTrace.decode(Data([1, 0])) }
    }
}
