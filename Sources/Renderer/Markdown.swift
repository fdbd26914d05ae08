import CCmarkGFM
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Markdown to HTML through cmark-gfm: with `TabTables` and `Alerts`, which rewrite its tree, the
/// only code in the package that touches its C API.
///
/// Always on: the GFM extensions `table`, `strikethrough`, `autolink`, `tasklist` and
/// `tagfilter`; footnotes; raw HTML passes through (`CMARK_OPT_UNSAFE`, with `tagfilter`
/// escaping `<script>`, `<iframe>` and the other tags GitHub filters). On unless a course turns
/// them off (`MarkdownOptions`): tab-separated tables (`TabTables`), GitHub's alerts (`Alerts`).
/// Math (`$…$`, `\(…\)`, `$$…$$`, `\[…\]`, `\begin{align}` blocks) is protected before cmark
/// parses the text and comes out as `<span class="math inline">` / `<div class="math display">`,
/// as do ```` ```math ```` blocks (see `Math.swift`).
///
/// One page is one `MarkdownDocument`: parse (its tab tables each on their own), read what the
/// site pipeline needs (`headings`, `links`, `codeBlocks(info:)`), then `render(…)` with the
/// replacements (`prerender` and `render` are in Markdown+Render.swift). Line numbers are 1-based lines of the source as given (math protection keeps
/// them; tab tables map theirs back).
public enum Markdown {
    /// The page's HTML with nothing replaced; headings carry ids and anchor links.
    public static func html(from source: String) -> String {
        MarkdownDocument(source).render()
    }
}

/// One parsed page. Not thread-safe, but documents may be made and rendered on several threads
/// at once (one thread per document).
public final class MarkdownDocument {
    let parser: OpaquePointer
    let root: OpaquePointer
    let math: MathProtection
    let options: Int32
    /// The HTML once rendered; what `prerender` left until then (see Markdown+Render.swift).
    var rendered: String?
    var prerendered: Prerendered?
    /// Whether the tree is freed: once rendered, on the core that rendered it (a big course's
    /// trees took a tenth of a second to free, on one core, when the build's values went).
    private var freed = false
    /// The parsers of the tab tables spliced into the tree (`TabTables.make`), freed with it.
    var tableParsers: [OpaquePointer] = []

    /// Everything the page's headings, links and fenced code blocks are; read before `render`.
    public let headings: [Heading]
    public let links: [LinkReference]
    public let codeBlocks: [CodeBlock]
    /// The TeX and mode of each math span the page protected (some may end up as source, in code):
    /// what the build hands KaTeX ahead of rendering (`MathCheck.Ahead`).
    var equations: [MathCheck.Equation] { math.spans.map { MathCheck.Equation(tex: $0.tex, display: $0.display) } }

    /// Parses `source`. Never fails: any byte sequence is Markdown (invalid UTF-8 was
    /// already replaced by U+FFFD when the `String` was made).
    public convenience init(_ source: String, options: MarkdownOptions = MarkdownOptions()) {
        self.init(source, extensions: Self.extensions, footnotes: true, options: options)
    }

    /// The GFM extensions every page gets.
    static let extensions = ["table", "strikethrough", "autolink", "tasklist", "tagfilter"]

    /// With fewer extensions, without footnotes or ours: for the spec suite, whose examples name theirs.
    init(_ source: String, extensions: [String], footnotes: Bool, options markdown: MarkdownOptions = .gfmOnly) {
        Self.registerExtensions
        math = MathProtection(source)
        options = CMARK_OPT_UNSAFE | (footnotes ? CMARK_OPT_FOOTNOTES : 0)
        var text = math.protectedBytes
        var (parser, root) = Self.parse(text, extensions: extensions, options: options)
        var insertedLines: [Int] = []
        var tableStarts: [OpaquePointer: Int] = [:], tableParsers: [OpaquePointer] = []
        // Tables are found in the parsed tree (top-level paragraphs: not code, not HTML), then
        // parsed on their own as pipe tables and put in place (or the page parsed again whole).
        if markdown.tabTables {
            let cmarkOptions = options  // not `self`'s, in a closure before every property is set
            switch TabTables.make(text, root: root, parse: { Self.parse($0, extensions: extensions, options: cmarkOptions) }) {
            case .spliced(let starts, let parsers)?:
                tableStarts = starts
                tableParsers = parsers
            case .rewritten(let tables)?:
                cmark_node_free(root)
                cmark_parser_free(parser)
                text = tables.text
                insertedLines = tables.insertedLines
                (parser, root) = Self.parse(text, extensions: extensions, options: options)
            case nil:
                break
            }
        }
        if markdown.alerts { Alerts.apply(to: root, text: text) }
        self.parser = parser
        self.root = root
        self.tableParsers = tableParsers
        (headings, links, codeBlocks) = Self.collect(root, math: math) { node, line in
            if !tableStarts.isEmpty {
                // A link in a spliced table's cell: its line counts from the table's first line.
                var up = cmark_node_parent(node)
                while let ancestor = up {
                    if let first = tableStarts[ancestor] { return TabTables.sourceLine(line, inTableAt: first) }
                    up = cmark_node_parent(ancestor)
                }
            }
            return TabTables.sourceLine(line, inserted: insertedLines)
        }
    }

    /// A parser with `extensions` and its tree of `text`.
    private static func parse(_ text: [UInt8], extensions: [String], options: Int32) -> (parser: OpaquePointer, root: OpaquePointer) {
        let parser = cmark_parser_new(options)!
        for name in extensions {
            if let extensionPointer = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, extensionPointer)
            }
        }
        text.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                cmark_parser_feed(parser, chars.baseAddress, chars.count)
            }
        }
        // Finishing parses the inlines, and cmark-gfm turns its inline extensions' special
        // characters (`~`, `:`, `w`) on and off in a global table around that: one document
        // finishes at a time, while block parsing (`feed`) and everything else may run in parallel.
        // Still so in 0.29.0.gfm.6 (Debian's) and upstream since: `SPECIAL_CHARS` and `SKIP_CHARS`
        // are static arrays of inlines.c, set and cleared by `cmark_manage_extensions_special_characters`
        // around `process_inlines`, so a document finishing clears them under another one's parse.
        // Setting them once and emptying the extensions' lists is no way out: the strikethrough's
        // closer is found through that list (`get_extension_for_special_char`). Without the lock,
        // the 200-page bench was faster by under a tenth on two cores, and wrong.
        return (parser, finishing.withLock { cmark_parser_finish(parser)! })
    }

    deinit {
        freeTree()
    }

    /// Frees what is left of the tree: the whole of it, or after `prerender` the links' holders.
    func freeTree() {
        guard !freed else { return }
        freed = true
        if let ahead = prerendered {
            for case .link(let holder) in ahead.holes { cmark_node_free(holder) }
        } else {
            cmark_node_free(root)
            tableParsers.forEach(cmark_parser_free)
        }
        cmark_parser_free(parser)
    }

    /// The code blocks whose info string's first word is `info` (e.g. `unrolled`), in document order.
    public func codeBlocks(info: String) -> [CodeBlock] {
        codeBlocks.filter { $0.info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) == info }
    }

    // MARK: - C API

    private static let registerExtensions: Void = cmark_gfm_core_extensions_ensure_registered()

    private static let finishing = NSLock()

    /// Visits every node once, parents before children (on entering).
    static func walk(_ root: OpaquePointer, _ visit: (OpaquePointer, cmark_node_type) -> Void) {
        guard let iterator = cmark_iter_new(root) else { return }
        defer { cmark_iter_free(iterator) }
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            visit(node, cmark_node_get_type(node))
        }
    }

    static func isFenced(_ node: OpaquePointer) -> Bool {
        var length: Int32 = 0, offset: Int32 = 0
        var character: CChar = 0
        return cmark_node_get_fenced(node, &length, &offset, &character) != 0
    }

    static func string(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }

    /// The text of a node's descendants: text, code and math source; line breaks as spaces.
    private static func plainText(_ node: OpaquePointer, math: MathProtection) -> String {
        var text = ""
        walk(node) { child, type in
            switch type {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                text += string(cmark_node_get_literal(child))
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                text += " "
            default:
                break
            }
        }
        return math.sourceText(text)
    }

    /// What the page's headings, links and fenced blocks are; `sourceLine` maps cmark's lines to the source's.
    private static func collect(
        _ root: OpaquePointer, math: MathProtection, sourceLine: (OpaquePointer, Int) -> Int
    ) -> ([Heading], [LinkReference], [CodeBlock]) {
        var headings: [Heading] = [], links: [LinkReference] = [], blocks: [CodeBlock] = []
        var ids = HeadingIDs()
        walk(root) { node, type in
            // Only the nodes listed need their line (finding a spliced table's costs a walk up).
            var line: Int { sourceLine(node, Int(cmark_node_get_start_line(node))) }
            switch type {
            case CMARK_NODE_HEADING:
                let text = plainText(node, math: math)
                let level = Int(cmark_node_get_heading_level(node))
                headings.append(Heading(level: level, text: text, id: ids.id(for: text), line: line))
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                links.append(LinkReference(
                    kind: type == CMARK_NODE_IMAGE ? .image : .link,
                    destination: math.sourceText(string(cmark_node_get_url(node))),
                    title: math.sourceText(string(cmark_node_get_title(node))),
                    text: plainText(node, math: math),
                    line: line))
            case CMARK_NODE_CODE_BLOCK where isFenced(node):
                blocks.append(CodeBlock(
                    info: string(cmark_node_get_fence_info(node)),
                    content: math.sourceText(string(cmark_node_get_literal(node))),
                    line: line,
                    endLine: sourceLine(node, Int(cmark_node_get_end_line(node)))))
            default:
                break
            }
        }
        return (headings, links, blocks)
    }

}

/// `&`, `<`, `>` and `"` as entities: for text and attribute values. In bytes (the four are
/// ASCII, so a byte is one of them only when it is that character), and the text itself when
/// it holds none, as most headings and equations do.
func escapeHTML(_ text: String) -> String {
    var source = text
    return source.withUTF8 { bytes in
        guard let first = bytes.firstIndex(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return text }
        var escaped = Array(bytes[..<first])
        escaped.reserveCapacity(bytes.count + 16)
        for byte in bytes[first...] {
            switch byte {
            case 0x26: escaped += "&amp;".utf8
            case 0x3C: escaped += "&lt;".utf8
            case 0x3E: escaped += "&gt;".utf8
            case 0x22: escaped += "&quot;".utf8
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }
}
