import Foundation
import Trace
@testable import Renderer

/// libFuzzer target: a trace file as `src:` gives it, decoded (`TraceDocument.decode`) and,
/// when it decodes, checked step by step the way the build checks it before showing it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTrace(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let trace = try? TraceDocument.decode(from: Data(UnsafeBufferPointer(start: data, count: size))) else { return 0 }
    _ = replayProblem(in: trace)
    return 0
}

/// The build's check of a trace from a file: the one call to change when it moves.
func replayProblem(in trace: TraceDocument) -> String? {
    TraceValidation.problem(in: trace)
}
