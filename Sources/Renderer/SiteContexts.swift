import Foundation
import Mustache

/// The Mustache contexts of the site's pages: what `page.mustache` and `index.mustache` can show.
extension SiteBuild {
    var courseContext: [String: Any] {
        [
            "title": config.title,
            "author": config.author ?? "",
            "hasAuthor": config.author != nil,
            "description": config.description ?? "",
            "hasDescription": config.description != nil,
        ]
    }

    /// The sidebar: every page, linked from `page` (or from the index when nil), the current one marked.
    func navigation(from page: Page?) -> [NavigationEntry] {
        pages.map { other in
            NavigationEntry(
                title: other.title,
                href: page.map { siteLink(from: $0.output, to: other.output) } ?? siteLink(fromRoot: other.output),
                current: other === page)
        }
    }

    /// The sidebar's list of pages as HTML, for every page, linked from that page with its own entry
    /// marked. Each entry goes through the `sidebar-entry` template twice per folder (plain and
    /// current), never once per page and entry: a course of 200 pages would otherwise render
    /// 200 × 200 entries, most of a big build's time.
    func sidebars(_ templates: Templates) -> [String] {
        var rendered: [String: (plain: [String], current: [String])] = [:]
        return pages.enumerated().map { index, page in
            let folder = String(page.output.utf8.lastIndex(of: UInt8(ascii: "/")).map { page.output[..<$0] } ?? "")
            let entries = rendered[folder] ?? {
                let links = navigation(from: page)
                func render(_ entry: NavigationEntry, current: Bool) -> String {
                    var entry = entry
                    entry.current = current
                    return sidebarEntry(entry, templates)
                }
                return (links.map { render($0, current: false) }, links.map { render($0, current: true) })
            }()
            rendered[folder] = entries
            var list = entries.plain
            list[index] = entries.current[index]
            return list.joined(separator: Self.sidebarSeparator)
        }
    }

    /// The index page's list: no entry is current.
    func indexSidebar(_ templates: Templates) -> String {
        navigation(from: nil).map { sidebarEntry($0, templates) }.joined(separator: Self.sidebarSeparator)
    }

    /// Between two entries: a line break and the indentation of `{{{sidebarEntries}}}` in `sidebar.mustache`.
    static let sidebarSeparator = "\n    "

    private func sidebarEntry(_ entry: NavigationEntry, _ templates: Templates) -> String {
        var html = templates.render("sidebar-entry", ["title": entry.title, "href": entry.href, "current": entry.current])
        while html.last == "\n" { html.removeLast() }
        return html
    }

    /// `sidebar`: the page's list of pages as HTML (see `sidebars(_:)`).
    func pageContext(_ page: Page, index: Int, sidebar: String) -> [String: Any] {
        func neighbour(_ at: Int) -> Any {
            guard pages.indices.contains(at) else { return false }
            return ["title": pages[at].title, "href": siteLink(from: page.output, to: pages[at].output)]
        }
        let toc = (page.document?.tableOfContents() ?? []).map(TableOfContentsItem.init)
        // A note that opens with its own level-1 heading shows that one as the title (the table of
        // contents follows it), not a second title above it.
        let opensWithTitle = page.document?.headings.first.map { $0.level == 1 && $0.line == firstContentLine(page) } ?? false
        var lead = "", content = page.html
        if opensWithTitle, let end = page.html.utf8Offset(of: "</h1>") {
            (lead, content) = page.html.split(atUTF8Offset: end + "</h1>".utf8.count)
        }
        return [
            "course": courseContext,
            "root": page.root,
            "title": page.title,
            "showTitle": !opensWithTitle,
            "lead": TemplateText(lead),
            "summary": page.summary ?? "",
            "hasSummary": page.summary != nil,
            "content": TemplateText(content),
            "toc": toc,
            "hasToc": !toc.isEmpty,
            "sidebarEntries": TemplateText(sidebar),
            "previous": neighbour(index - 1),
            "next": neighbour(index + 1),
            "indexHref": siteLink(from: page.output, to: "index.html"),
        ]
    }

    func indexContext(sidebar: String) -> [String: Any] {
        let chapters: [[String: Any]] = pages.enumerated().map { number, page in
            ["number": number + 1, "title": page.title, "href": siteLink(fromRoot: page.output), "summary": page.summary ?? "", "hasSummary": page.summary != nil]
        }
        return [
            "course": courseContext,
            "root": "",
            "title": config.title,
            "chapters": chapters,
            "introduction": introductionHTML,
            "hasIntroduction": !introductionHTML.isEmpty,
            "sidebarEntries": TemplateText(sidebar),
            "indexHref": "index.html",
            "next": pages.first.map { ["title": $0.title, "href": siteLink(fromRoot: $0.output)] as [String: Any] } ?? false,
        ]
    }
}

/// The first line of a page's body that is not blank (its front matter is blanked).
func firstContentLine(_ page: Page) -> Int {
    // Character by character up to the first one that is not white space: the body can be megabytes.
    var line = 1
    for character in page.body {
        if character == "\n" {
            line += 1
        } else if !character.isWhitespace {
            return line
        }
    }
    return 1
}

/// A sidebar entry: `sidebar-entry.mustache` sees its `title`, `href` and `current`.
struct NavigationEntry {
    var title: String
    var href: String
    var current: Bool
}

/// A table of contents entry as the templates see it: `html`, `id`, `children`, `hasChildren`.
struct TableOfContentsItem: MustacheParent {
    var html: String
    var id: String
    var children: [TableOfContentsItem]

    init(_ entry: TableOfContentsEntry) {
        html = entry.heading.html
        id = entry.heading.id
        children = entry.children.map(TableOfContentsItem.init)
    }

    func child(named name: String) -> Any? {
        switch name {
        case "html": TemplateText(html)
        case "id": TemplateText(id)
        case "children": children
        case "hasChildren": !children.isEmpty
        default: nil
        }
    }
}

/// A string as Mustache renders it, without the casts and `String(describing:)` (a copy) that a
/// plain `String` goes through for every `{{name}}` (a page's content is up to megabytes). Renders, escapes, is a section and transforms
/// (`{{uppercased(title)}}`) exactly as the string would.
struct TemplateText: MustacheCustomRenderable, MustacheTransformable {
    let renderText: String
    var isNull: Bool { false }

    init(_ text: String) { renderText = text }

    func transform(_ name: String) -> Any? { renderText.transform(name) }
}
