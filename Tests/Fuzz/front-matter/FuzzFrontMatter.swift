@testable import Renderer

/// libFuzzer target: a page's front matter (`FrontMatter.split`). Besides not crashing or
/// hanging: the body keeps the page's lines (front matter is blanked, not removed), and every
/// problem stays one short line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrontMatter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let page = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (_, body, diagnostics) = FrontMatter.split(page, file: "notes/fuzz.md")
    let lineBreaks = { (text: String) in text.utf8.count { $0 == 0x0A } }
    precondition(lineBreaks(body) == lineBreaks(page), "front matter moved the body's lines")
    for diagnostic in diagnostics {
        precondition(diagnostic.description.count < 1_000 && !diagnostic.description.contains("\n"), "\(diagnostic.description.prefix(2_000))")
    }
    return 0
}
