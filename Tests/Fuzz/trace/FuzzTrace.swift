import Engine
import Foundation
@testable import Trace

/// libFuzzer target: a trace file as `src:` and `unrolled embed` give it, through the one check
/// both use (`TraceCheck.load`: decoding with positions, references, scopes, sizes, attrs, replay).
/// Besides: what the fast path of decoding reads (`JSONReader`) must be exactly what
/// `JSONDecoder` reads from the same bytes, and where JSONDecoder fails the fast path must give way.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrace(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Data(UnsafeBufferPointer(start: data, count: size))
    _ = try? TraceCheck.load(bytes)
    if let fast = TraceDocument.read(bytes) {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let reference = try? decoder.decode(TraceDocument.self, from: bytes) else { fatalError("the fast path read what JSONDecoder refuses") }
        guard (try? fast.jsonData()) == (try? reference.jsonData()) else { fatalError("the fast path read differently from JSONDecoder") }
    }
    return 0
}
