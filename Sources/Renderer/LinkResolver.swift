import Foundation

/// Links, images and other files the pages refer to, resolved page by page in the render stage:
/// what each link becomes, what it finds wrong, and the files the site must copy.
struct LinkResolver: Sendable {
    let folder: CourseFolder
    /// The course's pages by their source path (`notes/a.md`).
    let pages: [String: ParsedPage]
    /// The traces each page shows, in page order, by the page's source path.
    let traces: [String: [FigureTrace]]
    /// Every trace id of the site (its page is `traces/<id>.html`).
    let traceIDs: Set<String>
    var diagnostics: [Diagnostic] = []
    /// The exercises' ids given so far, by page (`page source` + newline + id): each unique on its page.
    var exerciseIDs: Set<String> = []
    /// Course-relative paths of images (and other linked files) to copy.
    private(set) var files: Set<String> = []

    init(folder: CourseFolder, pages: [ParsedPage], traces: [String: [FigureTrace]] = [:]) {
        self.folder = folder
        self.pages = Dictionary(pages.map { ($0.page.source, $0) }, uniquingKeysWith: { first, _ in first })
        self.traces = traces
        traceIDs = Set(traces.values.joined().map(\.id))
    }

    /// The diagnostics found since the last call, handed over.
    mutating func takeDiagnostics() -> [Diagnostic] {
        defer { diagnostics = [] }
        return diagnostics
    }

    /// What `other`, a copy of this resolver that went on with pages of its own, learnt: its
    /// diagnostics (after this one's), the files it found and the exercise ids it gave.
    mutating func take(_ other: LinkResolver) {
        diagnostics += other.diagnostics
        files.formUnion(other.files)
        exerciseIDs.formUnion(other.exerciseIDs)
    }

    /// What becomes of every link and image of `page`, in order (see `resolve`).
    mutating func rewrites(on page: ParsedPage) -> [LinkRewrite?] {
        page.document.links.map { resolve($0, on: page) }
    }

    /// What a link or image on `page` becomes (`lstm.md#gates` → `lstm.html#gates`; a reference to
    /// a trace's step, `#:dQ/dy`, → `#neuron-1:12` with its text filled in), or nil to keep it; notes
    /// a local image or file to copy, and warns about one that is missing. `caption`: the link is in
    /// that trace's caption, where `#:` means the trace itself.
    mutating func resolve(_ reference: LinkReference, on page: ParsedPage, caption: FigureTrace? = nil) -> LinkRewrite? {
        let destination = reference.destination
        if destination.count > 1, destination.hasPrefix("#") {
            let fragment = String(destination.dropFirst())
            if TraceReference.isReference(fragment.percentDecoded ?? fragment) {
                return resolveReference(fragment, link: reference, on: page, from: page, caption: caption)
            }
            checkFragment(fragment, of: page, link: reference, from: page)
            return nil
        }
        if destination.isEmpty || destination.hasPrefix("#") || destination.hasPrefix("/") || destination.hasPrefix("//")
            || hasURLScheme(destination)
        {
            return nil
        }
        let (pathPart, fragment) = splitFragment(destination)
        let path = pathPart.percentDecoded ?? pathPart
        if let tracePage = standaloneTracePage(path, on: page) {
            checkTracePage(tracePage, fragment: fragment, link: reference, on: page)
            return nil
        }
        let target: String
        switch folder.locate(path, from: page.page.sourceFolder) {
        case .success(let found):
            target = found
        case .failure(.missing(let missing)) where !path.hasSuffix(".md"):
            let what = reference.kind == .image ? "image" : "linked file"
            diagnostics.append(.warning(page.page.source, line: reference.line, "\(what) '\(destination.excerpt)' not found (looked for \(missing.excerpt)); the page shows \(reference.kind == .image ? "its alt text" : "a dead link")"))
            return nil
        case .failure(.missing(let missing)):
            target = missing
        case .failure(let problem):
            diagnostics.append(.error(page.page.source, line: reference.line, "'\(destination.excerpt)': \(problem.message)"))
            return nil
        }
        if path.hasSuffix(".md") {
            guard let other = pages[target] else {
                diagnostics.append(.warning(page.page.source, line: reference.line, "broken link '\(destination.excerpt)': no page \(target.excerpt) in the course"))
                return nil
            }
            let href = siteLink(from: page.page.output, to: other.page.output)
            let otherFragment = String(fragment.dropFirst())
            if fragment.count > 1, TraceReference.isReference(otherFragment.percentDecoded ?? otherFragment) {
                guard var rewrite = resolveReference(otherFragment, link: reference, on: other, from: page, caption: nil) else { return LinkRewrite(destination: href + fragment) }
                rewrite.destination = href + (rewrite.destination ?? fragment)
                return rewrite
            }
            if fragment.count > 1 { checkFragment(otherFragment, of: other, link: reference, from: page) }
            return LinkRewrite(destination: href + fragment)
        }
        files.insert(target)
        return nil
    }

    /// Warns when `#fragment` names no heading of `target` nor an anchor of its raw HTML (an `id`,
    /// an `<a name>`: see `htmlAnchors`).
    private mutating func checkFragment(_ fragment: String, of target: ParsedPage, link: LinkReference, from page: ParsedPage) {
        let id = fragment.percentDecoded ?? fragment
        if target.document.headings.contains(where: { $0.id == id }) || target.document.anchors.contains(id) { return }
        let ids = target.document.headings.map(\.id)
        let hint = ids.isEmpty ? "it has no headings" : "its headings are #" + ids.prefix(8).joined(separator: ", #") + (ids.count > 8 ? ", …" : "")
        let what = target.document.anchors.isEmpty ? "heading" : "heading or HTML anchor"
        diagnostics.append(.warning(page.page.source, line: link.line, "broken link '\(link.destination.excerpt)': \(target.page.source == page.page.source ? "this page" : target.page.source) has no \(what) #\(id.excerpt) (\(hint))"))
    }

    /// Images written as raw HTML (`<img src="images/cell.png" width=300>`, common in real notes)
    /// are copied and checked like Markdown images; the line is where the source first names them.
    /// `sources`: `rawImageSources(in:)` the page's HTML.
    mutating func checkRawImages(on page: ParsedPage, sources: [String]) {
        let markdownImages = Set(page.document.links.filter { $0.kind == .image }.map(\.destination))
        var seen: Set<String> = []
        for written in sources {
            let source = written.replacingOccurrences(of: "&amp;", with: "&")
            guard !markdownImages.contains(source), seen.insert(source).inserted else { continue }
            let line = page.page.body.utf8Offset(of: source).map { page.page.body.line(atUTF8Offset: $0) }
            _ = resolve(LinkReference(kind: .image, destination: source, title: "", text: "", line: line ?? 1), on: page)
        }
    }
}

/// Whether `destination` starts with a URL scheme (`https:`, `mailto:`): `^[A-Za-z][A-Za-z0-9+.-]*:`,
/// checked byte by byte (a regular expression per link was a cost on big courses).
func hasURLScheme(_ destination: String) -> Bool {
    var bytes = destination.utf8.makeIterator()
    guard let first = bytes.next(), (first | 0x20) >= UInt8(ascii: "a"), (first | 0x20) <= UInt8(ascii: "z") else { return false }
    while let byte = bytes.next() {
        switch byte {
        case UInt8(ascii: ":"): return true
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "-"):
            continue
        default: return false
        }
    }
    return false
}

func splitFragment(_ destination: String) -> (String, String) {
    guard let hash = destination.firstIndex(of: "#") else { return (destination, "") }
    return (String(destination[..<hash]), String(destination[hash...]))
}

/// The relative URL from one site file to another (`notes/a.html` → `notes/b.html` is `b.html`).
func relativePath(from: String, to: String) -> String {
    var fromParts = from.split(separator: "/").dropLast().map(String.init)
    var toParts = to.split(separator: "/").map(String.init)
    while let first = fromParts.first, let other = toParts.first, first == other, toParts.count > 1 {
        fromParts.removeFirst()
        toParts.removeFirst()
    }
    return String(repeating: "../", count: fromParts.count) + toParts.joined(separator: "/")
}
