import Renderer

/// libFuzzer target: a page's Markdown to HTML (cmark-gfm with math, headings, links).
/// Besides not crashing: no math placeholder (U+E000–U+E002) is left in the HTML, a heading or
/// a link, whatever the input (the source's own U+E000–U+E002 become U+FFFD).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMarkdown(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let document = MarkdownDocument(source)
    let texts = [document.render()] + document.headings.map(\.text) + document.links.map(\.destination)
    let leaked = texts.contains { $0.unicodeScalars.contains { (0xE000...0xE002).contains($0.value) } }
    precondition(!leaked, "a math placeholder leaked into the output")
    return 0
}
