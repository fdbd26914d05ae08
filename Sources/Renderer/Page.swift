import Foundation
import Synchronization

/// One Markdown file of the course, read: the first stage's page. Hashable: the live preview
/// (`SiteSession`) parses again only the pages whose source changed.
struct PageSource: Hashable, Sendable {
    /// Relative to the course folder: `notes/01-neuron.md`.
    let source: String
    /// Relative to the site folder: `notes/01-neuron.html`.
    let output: String
    var title: String
    var order: Double?
    var summary: String?
    /// Whether the title is the page's first line of text (see `firstLineTitle`): the page shows
    /// that line as its title, not twice.
    var titleIsFirstLine = false
    /// The source with its front matter blanked (line numbers unchanged).
    var body = ""

    init(source: String) {
        self.source = source
        let (stem, pathExtension) = Self.splitName(source)
        var output = String(source.dropLast(pathExtension.count)) + "html"
        if output == "index.html" { output = "index-page.html" }
        self.output = output
        title = stem
    }

    /// The file name of `path` without its extension, and the extension, as `URL` splits them,
    /// without a `URL` (which looks at the working folder to make one of a relative path, a cost per page).
    static func splitName(_ path: String) -> (stem: String, pathExtension: Substring) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return (name, "") }
        return (String(name[..<dot]), name[name.index(after: dot)...])
    }

    /// The folder of the source, relative to the course folder (`notes`, or empty).
    var sourceFolder: String { (source as NSString).deletingLastPathComponent }

    /// `../` once per folder the page is in: how the page reaches the site's root.
    var root: String { String(repeating: "../", count: output.split(separator: "/").count - 1) }

    /// The first line of the body that is not blank (its front matter is blanked).
    var firstContentLine: Int {
        // Character by character up to the first one that is not white space: the body can be megabytes.
        var line = 1
        for character in body {
            if character == "\n" {
                line += 1
            } else if !character.isWhitespace {
                return line
            }
        }
        return 1
    }
}

/// A page parsed: the second stage's page. When the front matter gave no title, its title is its
/// first heading's; without a heading, its first line's when that reads as a title; else its file name's.
struct ParsedPage: Sendable {
    var page: PageSource
    let document: ParsedDocument

    /// Parses the page (on any thread).
    init(_ page: PageSource, markdown: MarkdownOptions = MarkdownOptions()) {
        self.page = page
        document = ParsedDocument(page.body, markdown: markdown)
        guard !page.title.isEmpty, page.title == PageSource.splitName(page.source).stem else { return }
        if let first = document.headings.first {
            self.page.title = first.text
        } else if let line = firstLineTitle(of: page.body) {
            self.page.title = line
            self.page.titleIsFirstLine = true
        }
    }

    /// The introduction (`index.md`) keeps its file name as its title: the index page shows the course's.
    init(introduction: PageSource, markdown: MarkdownOptions = MarkdownOptions()) {
        page = introduction
        document = ParsedDocument(introduction.body, markdown: markdown)
    }
}

/// The second stage's output: every page parsed (on every core; parsing finds nothing wrong).
struct ParsedCourse: Sendable {
    var config: CourseConfig
    var pages: [ParsedPage]
    var introduction: ParsedPage?
    var claims: OutputClaims

    /// `known`: pages parsed before with the same Markdown options (the live preview's previous
    /// build), taken as they are when their source has not changed. `parsed` hears each page
    /// parsed, on the thread that parsed it, as soon as it is.
    init(_ sources: CourseSources, reusing known: [PageSource: ParsedPage] = [:], parsed: @Sendable (ParsedPage) -> Void = { _ in }) {
        config = sources.config
        let markdown = sources.config.markdown
        pages = concurrentMap(sources.pages) { source in
            if let page = known[source] { return page }
            let page = ParsedPage(source, markdown: markdown)
            parsed(page)
            return page
        }
        introduction = sources.introduction.map { ParsedPage(introduction: $0, markdown: markdown) }
        claims = sources.claims
    }
}

/// A `MarkdownDocument` that stages on other threads may hold: what was read from it (headings,
/// links, fenced blocks, anchors) as values, and the cmark-gfm tree behind a lock for the one render.
final class ParsedDocument: Sendable {
    let headings: [Heading]
    let links: [LinkReference]
    let codeBlocks: [CodeBlock]
    /// The page's math, read before it is rendered (see `MarkdownDocument.equations`).
    let equations: [MathCheck.Equation]
    /// The ids and `<a name>`s of the page's raw HTML: link targets besides the headings.
    let anchors: Set<String>
    private let tree: Mutex<MarkdownDocument>

    init(_ body: String, markdown: MarkdownOptions = MarkdownOptions()) {
        let document = MarkdownDocument(body, options: markdown)
        headings = document.headings
        links = document.links
        codeBlocks = document.codeBlocks
        equations = document.equations
        anchors = htmlAnchors(in: body)
        // Now, on the core that parsed it, rather than hold the tree until the site is known.
        document.prerender()
        tree = Mutex(document)
    }

    /// The code blocks whose info string's first word is `info` (e.g. `unrolled`), in document order.
    func codeBlocks(info: String) -> [CodeBlock] {
        codeBlocks.filter { $0.info.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) == info }
    }

    func tableOfContents() -> [TableOfContentsEntry] { Renderer.tableOfContents(of: headings) }

    /// The page's HTML (see `MarkdownDocument.render`): `figures` in place of the fenced blocks
    /// opening on their lines, `links[i]` (when not nil) rewriting the i-th link.
    func render(figures: [Int: String] = [:], links: [LinkRewrite?]) -> String {
        tree.withLock { document in
            var next = 0
            return document.render(
                replacingCodeBlock: { figures[$0.line] },
                rewritingLink: { _ in
                    defer { next += 1 }
                    return next < links.count ? links[next] : nil
                })
        }
    }
}

/// Resolves `path` against a folder (both relative, `/`-separated), folding `.` and `..`.
/// Nil when the result would leave the course folder.
func normalizedPath(_ path: String, relativeTo folder: String) -> String? {
    var parts = path.hasPrefix("/") ? [] : folder.split(separator: "/").map(String.init)
    for piece in path.split(separator: "/") {
        switch piece {
        case ".": continue
        case "..":
            guard !parts.isEmpty else { return nil }
            parts.removeLast()
        default: parts.append(String(piece))
        }
    }
    return parts.joined(separator: "/")
}
