import Foundation

/// A trace laid out for the site: the same document, exact, in about half the bytes before
/// compression and a third after (docs/trace-format.md, "Compact layout").
///
/// Nearly all of a trace is numbers — every tensor's values and every training snapshot's — and
/// JSON spends about 19 characters on a double such as `0.13329524913886417`. The compact layout
/// keeps the document as JSON but takes those numbers out into one array of IEEE 754 doubles
/// stored *byte-shuffled* (the first byte of every number, then the second, …): the sign, exponent
/// and leading mantissa bytes of neighbouring values are alike, so grouped together they compress
/// well, which the whole-number order hides. Each `data` array in the JSON becomes
/// `[offset, count]`, a slice of that array, so nothing depends on the order in which a decoder
/// visits the document.
///
/// Bytes: `count of JSON bytes` (UInt32, little-endian), the JSON, then `8 × n` bytes of the n
/// numbers, shuffled. Compression is the writer's business (the site deflates it).
public enum CompactTrace {
    /// The layout's version, written before the payload by those who store it (`1:`).
    public static let version = 1

    /// The trace's compact bytes. The same trace gives the same bytes.
    public static func encode(_ trace: TraceDocument) throws -> Data {
        var numbers: [Double] = []
        var structure = trace
        func slice(_ data: [Double]) -> [Double] {
            defer { numbers += data }
            return [Double(numbers.count), Double(data.count)]
        }
        for index in structure.tensors.indices {
            structure.tensors[index].data = slice(structure.tensors[index].data)
        }
        if let history = structure.history {
            structure.history = history.map { entry in
                var entry = entry
                // Sorted keys, so the numbers' order (and the bytes) never depend on hashing.
                if let tensors = entry.tensors {
                    var sliced: [String: TensorSnapshot] = [:]
                    for key in tensors.keys.sorted() {
                        sliced[key] = TensorSnapshot(shape: tensors[key]!.shape, data: slice(tensors[key]!.data))
                    }
                    entry.tensors = sliced
                }
                return entry
            }
        }
        let json = try structure.jsonData()
        var bytes = Data(capacity: 4 + json.count + 8 * numbers.count)
        withUnsafeBytes(of: UInt32(json.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(json)
        bytes.append(contentsOf: shuffled(numbers))
        return bytes
    }

    /// The trace back from its compact bytes: what `encode` was given, bit for bit.
    public static func decode(_ bytes: Data) throws(TraceError) -> TraceDocument {
        guard bytes.count >= 4 else { throw TraceError("compact trace: \(bytes.count) bytes, too short for its header", at: []) }
        let length = bytes.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        let numberBytes = bytes.count - 4 - length
        guard numberBytes >= 0, numberBytes % 8 == 0 else {
            throw TraceError("compact trace: \(bytes.count) bytes do not hold \(length) bytes of JSON and whole numbers", at: [])
        }
        let start = bytes.startIndex
        var trace = try TraceDocument.decode(from: bytes.subdata(in: (start + 4)..<(start + 4 + length)))
        let numbers = bytes.withUnsafeBytes { unshuffled(UnsafeRawBufferPointer(rebasing: $0[(4 + length)...]), count: numberBytes / 8) }
        func take(_ slice: [Double], _ path: @autoclosure () -> JSONPath) throws(TraceError) -> [Double] {
            guard slice.count == 2, let offset = Int(exactly: slice[0]), let count = Int(exactly: slice[1]),
                offset >= 0, count >= 0, offset <= numbers.count - count
            else { throw TraceError("compact trace: data is not a slice [offset, count] of the \(numbers.count) numbers", at: path()) }
            return Array(numbers[offset..<(offset + count)])
        }
        for index in trace.tensors.indices {
            trace.tensors[index].data = try take(trace.tensors[index].data, ["tensors", .index(index), "data"])
        }
        for entry in (trace.history ?? []).indices {
            for key in (trace.history![entry].tensors ?? [:]).keys {
                let snapshot = trace.history![entry].tensors![key]!
                trace.history![entry].tensors![key]!.data = try take(snapshot.data, ["history", .index(entry), "tensors", .key(key), "data"])
            }
        }
        return trace
    }

    /// Byte k of number i goes to `k × n + i`: the numbers' bytes grouped by significance.
    static func shuffled(_ numbers: [Double]) -> [UInt8] {
        let n = numbers.count
        var out = [UInt8](repeating: 0, count: 8 * n)
        for (i, number) in numbers.enumerated() {
            let bits = number.bitPattern
            for k in 0..<8 { out[k * n + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k))) }
        }
        return out
    }

    static func unshuffled(_ bytes: UnsafeRawBufferPointer, count n: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: n) { numbers, written in
            for i in 0..<n {
                var bits: UInt64 = 0
                for k in 0..<8 { bits |= UInt64(bytes[k * n + i]) << (8 * UInt64(k)) }
                numbers[i] = Double(bitPattern: bits)
            }
            written = n
        }
    }
}
