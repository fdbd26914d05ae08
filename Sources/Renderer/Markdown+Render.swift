import CCmarkGFM
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a parsed page becomes HTML: `prerender` renders all that does not wait for the rest of the
/// site and frees the tree, leaving holes (`RenderHoles`) for its links and figures; `render`
/// rewrites the links, puts the figures in and fills the holes. Parsing and what is read from the
/// tree are in Markdown.swift.
extension MarkdownDocument {
    /// The page's HTML body.
    ///
    /// - `replacingCodeBlock`: for each fenced code block, HTML to put in its place, on lines
    ///   of its own and exactly as given (`tagfilter` does not touch it, `<script>` stays),
    ///   or `nil` to keep the block.
    /// - `rewritingLink`: for each link and image, a new destination and text (`LinkRewrite`), or
    ///   `nil` to keep it. Called in document order, with the same values as `links`.
    /// - Headings get `id`s (the ids in `headings`) and an anchor link
    ///   `<a class="anchor" href="#id" aria-hidden="true" tabindex="-1">#</a>` (out of the tab order: a mouse convenience the table of contents offers to a keyboard) as their first child.
    ///
    /// Renders once (the tree is changed in place): a later call returns the first call's HTML.
    public func render(
        replacingCodeBlock: (CodeBlock) -> String? = { _ in nil },
        rewritingLink: (LinkReference) -> LinkRewrite? = { _ in nil }
    ) -> String {
        if let rendered { return rendered }
        prerender()
        guard let ahead = prerendered else { return "" }
        var rewrittenTexts: [(OpaquePointer, LinkRewrite)] = []
        for (index, node) in ahead.linkNodes.enumerated() {
            guard let rewrite = rewritingLink(links[index]), let node else { continue }
            if let destination = rewrite.destination { cmark_node_set_url(node, destination) }
            if let title = rewrite.title { cmark_node_set_title(node, title) }
            if !rewrite.replacements.isEmpty || rewrite.emptyText != nil || rewrite.htmlBefore != nil { rewrittenTexts.append((node, rewrite)) }
        }
        for (node, rewrite) in rewrittenTexts {
            Self.rewriteText(of: node, rewrite)
        }
        let extensions = cmark_parser_get_syntax_extensions(parser)
        let fillings = ahead.holes.map { hole -> String in
            switch hole {
            case .link(let holder):
                return Self.renderHTML(holder, options: options, extensions: extensions)
            case .codeBlock(let index, let html):
                return replacingCodeBlock(codeBlocks[index]) ?? html
            }
        }
        let filled = RenderHoles.fill(ahead.html, isBlock: { ahead.holes[$0].isBlock }) { fillings[$0] }
        let html = filled.withUnsafeBufferPointer { math.render($0) }
        rendered = html
        freeTree()
        prerendered = nil
        return html
    }

    /// Renders all of the page that does not wait for the rest of the site, and frees its tree
    /// (a big course's trees, all held until every page was parsed, were most of a build's memory
    /// and a tenth of its time, faulting that memory in): each link moves out of the tree, into a
    /// holder of its own, to be rewritten once the site knows where it goes, and each fenced code
    /// block's HTML is kept for when the site knows whether a figure takes its place. Holes in the
    /// HTML (`RenderHoles`) mark where they go. `render` does this first when it was not done.
    public func prerender() {
        guard prerendered == nil, rendered == nil else { return }
        var headingIndex = 0, linkIndex = 0, blockIndex = 0
        var headingNodes: [(OpaquePointer, Heading)] = []
        var linkNodes: [OpaquePointer?] = [], outerLinks: [(node: OpaquePointer, first: Int)] = []
        var fencedBlocks: [(OpaquePointer, Int)] = []
        Self.walk(root) { node, type in
            switch type {
            case CMARK_NODE_HEADING where headingIndex < headings.count:
                headingNodes.append((node, headings[headingIndex]))
                headingIndex += 1
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                // A link inside another (an image in a link) moves with the outer one.
                if !Self.isInsideLink(node) { outerLinks.append((node, linkIndex)) }
                if linkIndex < links.count { linkNodes.append(node) }
                linkIndex += 1
            case CMARK_NODE_CODE_BLOCK where Self.isFenced(node):
                if blockIndex < codeBlocks.count { fencedBlocks.append((node, blockIndex)) }
                blockIndex += 1
            default:
                break
            }
            math.restoreSource(in: node, type: type)
        }
        // After the walk, so that the tree is not changed under the iterator.
        let extensions = cmark_parser_get_syntax_extensions(parser)
        var holes: [Hole] = []
        for (node, index) in fencedBlocks {
            if let html = fencedMathHTML(codeBlocks[index]) {
                Self.replace(node, withRawHTML: html)
            } else {
                holes.append(.codeBlock(index, html: Self.renderHTML(node, options: options, extensions: extensions)))
                Self.replace(node, withRawHTML: RenderHoles.marker(holes.count - 1))
            }
        }
        for (number, (link, first)) in outerLinks.enumerated() {
            // The marker is raw inline HTML: a table cell may hold that, not a custom inline.
            let marker = cmark_node_new(CMARK_NODE_HTML_INLINE)!
            cmark_node_set_literal(marker, RenderHoles.marker(holes.count))
            guard cmark_node_insert_before(link, marker) != 0 else {
                // Not seen: wherever a link may be, raw HTML may. Should it happen, the link
                // stays as written, and the links in it are not rewritten (their nodes go with the tree).
                cmark_node_free(marker)
                let end = min(number + 1 < outerLinks.count ? outerLinks[number + 1].first : linkNodes.count, linkNodes.count)
                for index in first..<max(first, end) { linkNodes[index] = nil }
                continue
            }
            let holder = cmark_node_new(CMARK_NODE_CUSTOM_INLINE)!
            cmark_node_set_on_enter(holder, "")
            cmark_node_set_on_exit(holder, "")
            cmark_node_append_child(holder, link)  // unlinks it from the page
            holes.append(.link(holder: holder))
        }
        for (node, heading) in headingNodes {
            addID(heading, to: node, extensions: extensions)
        }
        var html: [UInt8] = []
        if let buffer = cmark_render_html(root, options, extensions) {
            html = Array(UnsafeBufferPointer(start: UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: strlen(buffer)))
            free(buffer)
        }
        cmark_node_free(root)
        tableParsers.forEach(cmark_parser_free)
        tableParsers = []
        prerendered = Prerendered(html: html, holes: holes, linkNodes: linkNodes)
    }

    /// What `prerender` leaves for `render`.
    struct Prerendered {
        /// cmark's HTML of the page, with holes.
        var html: [UInt8]
        /// What each hole is, by number.
        var holes: [Hole]
        /// The nodes of `links`, in their holders (nil for one left in the tree, see `prerender`).
        var linkNodes: [OpaquePointer?]
    }

    enum Hole {
        /// A link (or image) with no link around it, in a custom inline of its own.
        case link(holder: OpaquePointer)
        /// The fenced code block `codeBlocks[index]` and its HTML as cmark writes it.
        case codeBlock(Int, html: String)

        var isBlock: Bool {
            if case .codeBlock = self { return true }
            return false
        }
    }

    /// `node` and what it holds, as cmark writes it.
    private static func renderHTML(_ node: OpaquePointer, options: Int32, extensions: UnsafeMutablePointer<cmark_llist>?) -> String {
        guard let buffer = cmark_render_html(node, options, extensions) else { return "" }
        defer { free(buffer) }
        return String(cString: buffer)
    }

    /// Whether a link or image has one around it.
    private static func isInsideLink(_ node: OpaquePointer) -> Bool {
        var up = cmark_node_parent(node)
        while let ancestor = up {
            let type = cmark_node_get_type(ancestor)
            if type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE { return true }
            up = cmark_node_parent(ancestor)
        }
        return false
    }

    /// Fills a link's placeholders in each of its text nodes, or gives a link without text its text.
    private static func rewriteText(of link: OpaquePointer, _ rewrite: LinkRewrite) {
        if let before = rewrite.htmlBefore, let box = cmark_node_new(CMARK_NODE_CUSTOM_INLINE) {
            cmark_node_set_on_enter(box, before)
            cmark_node_set_on_exit(box, rewrite.htmlAfter ?? "")
            cmark_node_insert_before(link, box)
            cmark_node_append_child(box, link)  // unlinks it from where it was
        }
        if cmark_node_first_child(link) == nil, let text = rewrite.emptyText, let node = cmark_node_new(CMARK_NODE_TEXT) {
            cmark_node_set_literal(node, text)
            cmark_node_append_child(link, node)
            return
        }
        walk(link) { node, type in
            guard type == CMARK_NODE_TEXT else { return }
            var literal = string(cmark_node_get_literal(node))
            for (placeholder, value) in rewrite.replacements { literal = literal.replacingOccurrences(of: placeholder, with: value) }
            cmark_node_set_literal(node, literal)
        }
    }

    /// Replaces the heading with `<hN id="…"><a class="anchor" …>#</a>children</hN>`, its
    /// children rendered by cmark one by one.
    private func addID(_ heading: Heading, to node: OpaquePointer, extensions: UnsafeMutablePointer<cmark_llist>?) {
        let id = escapeHTML(heading.id)
        var html = "<h\(heading.level) id=\"\(id)\"><a class=\"anchor\" href=\"#\(id)\" aria-hidden=\"true\" tabindex=\"-1\">#</a>"
        var child = cmark_node_first_child(node)
        while let current = child {
            html += Self.renderHTML(current, options: options, extensions: extensions)
            child = cmark_node_next(current)
        }
        html += "</h\(heading.level)>"
        Self.replace(node, withRawHTML: html)
    }

    /// Puts `html` in the place of `node`, on lines of its own. A custom block, not an HTML
    /// block: the HTML is ours, so `tagfilter` must not escape its `<script>`s.
    private static func replace(_ node: OpaquePointer, withRawHTML html: String) {
        let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)
        cmark_node_set_on_enter(block, html)
        cmark_node_set_on_exit(block, "")
        cmark_node_insert_before(node, block)
        cmark_node_unlink(node)
        cmark_node_free(node)
    }
}
