/// A page's table of contents: its headings as a tree, each under the nearest heading
/// before it with a lower level.
public struct TableOfContentsEntry: Equatable, Sendable {
    public var heading: Heading
    public var children: [TableOfContentsEntry]
}

extension Heading {
    /// The heading's text as inline HTML: escaped, math as `<span class="math inline">`.
    public var html: String {
        let math = MathProtection(text)
        return math.render(escapeHTML(math.protectedText))
    }
}

extension MarkdownDocument {
    /// The headings with a level in `levels` (by default 2 and 3: the page title is the
    /// level-1 heading), nested; a heading whose parent level is absent is a top entry.
    public func tableOfContents(levels: ClosedRange<Int> = 2...3) -> [TableOfContentsEntry] {
        Renderer.tableOfContents(of: headings, levels: levels)
    }
}

/// `headings` with a level in `levels`, nested (see `MarkdownDocument.tableOfContents`).
func tableOfContents(of headings: [Heading], levels: ClosedRange<Int> = 2...3) -> [TableOfContentsEntry] {
    var roots: [TableOfContentsEntry] = []
    // The open path from a top entry down to the last entry added.
    var path: [TableOfContentsEntry] = []
    func close(downTo level: Int) {
        while let last = path.last, last.heading.level >= level {
            path.removeLast()
            if path.isEmpty { roots.append(last) } else { path[path.count - 1].children.append(last) }
        }
    }
    for heading in headings where levels.contains(heading.level) {
        close(downTo: heading.level)
        path.append(TableOfContentsEntry(heading: heading, children: []))
    }
    close(downTo: Int.min)
    return roots
}
