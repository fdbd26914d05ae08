@testable import Renderer

/// libFuzzer target: the YAML body of an `unrolled` block (`Directive.parse`). Besides not
/// crashing or hanging (bounded YAML): every error stays one short line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDirective(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let body = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if case .failure(let failure) = Directive.parse(body: body, file: "notes/fuzz.md", line: 1) {
        for diagnostic in failure.diagnostics {
            precondition(diagnostic.description.count < 1_000 && !diagnostic.description.contains("\n"), "\(diagnostic.description.prefix(2_000))")
        }
    }
    return 0
}
