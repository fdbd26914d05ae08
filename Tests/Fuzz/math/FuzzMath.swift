@testable import Renderer

/// libFuzzer target: the math scanner (`MathScanner`, through `MathProtection`) on any bytes.
/// Besides not crashing: placeholders keep every line where it was ("every line keeps its
/// number"), so the protected text has the source's line breaks, no more, no fewer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMath(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let protection = MathProtection(source)
    let lineBreaks = { (text: String) in text.utf8.count { $0 == 0x0A } }
    precondition(lineBreaks(protection.protectedText) == lineBreaks(source), "math placeholders moved a line")
    return 0
}
