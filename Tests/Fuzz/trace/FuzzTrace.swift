import Engine
import Foundation

/// libFuzzer target: a trace file as `src:` and `unrolled embed` give it, through the one check
/// both use (`TraceCheck.load`: decoding with positions, references, scopes, sizes, attrs, replay).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrace(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = try? TraceCheck.load(Data(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
