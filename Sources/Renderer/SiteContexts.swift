import Foundation
import Mustache

/// `{{course.…}}` on every page.
struct CourseContext: Sendable {
    var title: String
    var author: String
    var hasAuthor: Bool
    var description: String
    var hasDescription: Bool

    init(_ config: CourseConfig) {
        title = config.title
        author = config.author ?? ""
        hasAuthor = config.author != nil
        description = config.description ?? ""
        hasDescription = config.description != nil
    }
}

/// A link to another page: the pager's previous and next.
struct PageLink: Sendable {
    var title: String
    var href: String
}

/// What `page.mustache` shows of a page.
struct PageContext: TemplateContext {
    var course: CourseContext
    /// The rendered `partials/head` (`PageHeads`).
    var head: TemplateText
    var root: String
    var title: String
    /// False when the page opens with its own level-1 heading: that one is the title (`lead`).
    var showTitle: Bool
    var lead: TemplateText
    var summary: String
    var hasSummary: Bool
    var content: TemplateText
    var toc: [TableOfContentsItem]
    /// The items of `toc` as the `<li>`s of its list (`TableOfContentsItem.listItems`).
    var tocItems: TemplateText
    var hasToc: Bool
    /// The sidebar's list of pages as HTML (see `sidebars`).
    var sidebarEntries: TemplateText
    var previous: PageLink?
    var next: PageLink?
    var indexHref: String
    /// The head's special views of the viewer (`Templates.viewScripts`).
    var viewScripts: [String]

    /// `pages`: every page, in order, `index` this one's place; `html`: its rendered body.
    init(
        course: CourseContext, head: TemplateText, pages: [PageSource], index: Int, document: ParsedDocument, html: String, sidebar: String,
        viewScripts: [String]
    ) {
        let page = pages[index]
        func neighbour(_ at: Int) -> PageLink? {
            pages.indices.contains(at) ? PageLink(title: pages[at].title, href: siteLink(from: page.output, to: pages[at].output)) : nil
        }
        toc = document.tableOfContents().map(TableOfContentsItem.init)
        tocItems = TemplateText(TableOfContentsItem.listItems(toc))
        // A note that opens with its own level-1 heading shows that one as the title (the table of
        // contents follows it), not a second title above it.
        let opensWithTitle = document.headings.first.map { $0.level == 1 && $0.line == page.firstContentLine } ?? false
        var lead = "", content = html
        if opensWithTitle, let end = html.utf8Offset(of: "</h1>") {
            (lead, content) = html.split(atUTF8Offset: end + "</h1>".utf8.count)
        } else if page.titleIsFirstLine {
            content = html.droppingFirstParagraph(page.title)
        }
        self.course = course
        self.head = head
        root = page.root
        title = page.title
        showTitle = !opensWithTitle
        self.lead = TemplateText(lead)
        summary = page.summary ?? ""
        hasSummary = page.summary != nil
        self.content = TemplateText(content)
        hasToc = !toc.isEmpty
        sidebarEntries = TemplateText(sidebar)
        previous = neighbour(index - 1)
        next = neighbour(index + 1)
        indexHref = siteLink(from: page.output, to: "index.html")
        self.viewScripts = viewScripts
    }
}

/// What `index.mustache` shows: the course, its introduction and its chapters.
struct IndexContext: TemplateContext {
    struct Chapter: Sendable {
        var number: Int
        var title: String
        var href: String
        var summary: String
        var hasSummary: Bool
    }

    var course: CourseContext
    var head: TemplateText
    var root = ""
    var title: String
    var chapters: [Chapter]
    var introduction: String
    var hasIntroduction: Bool
    var sidebarEntries: TemplateText
    var indexHref = "index.html"
    var next: PageLink?
    var viewScripts: [String]

    init(course: CourseContext, head: TemplateText, pages: [PageSource], introduction: String, sidebar: String, viewScripts: [String]) {
        self.course = course
        self.head = head
        self.viewScripts = viewScripts
        title = course.title
        chapters = pages.enumerated().map { number, page in
            Chapter(number: number + 1, title: page.title, href: siteLink(fromRoot: page.output), summary: page.summary ?? "", hasSummary: page.summary != nil)
        }
        self.introduction = introduction
        hasIntroduction = !introduction.isEmpty
        sidebarEntries = TemplateText(sidebar)
        next = pages.first.map { PageLink(title: $0.title, href: siteLink(fromRoot: $0.output)) }
    }
}

/// What `trace-page.mustache` shows: one trace's viewer, and a link back to its chapter.
struct TracePageContext: TemplateContext {
    var course: CourseContext
    var head: TemplateText
    var root = "../"
    var isTracePage = true
    var title: String
    var figure: TemplateText
    var chapterTitle: String
    var chapterHref: String
    var viewScripts: [String]
}

/// A sidebar entry: `sidebar-entry.mustache` sees its `title`, `href` and `current`.
struct NavigationEntry: TemplateContext, MustacheParent {
    var title: String
    var href: String
    var current: Bool

    /// Its names answered here rather than reflected: a 200-page course renders 400 entries, and
    /// reflecting one was more than half of its render (170,000 instructions, 74,000 now).
    func child(named key: String) -> Any? {
        switch key {
        case "title": TemplateText(title)
        case "href": TemplateText(href)
        case "current": current
        default: nil
        }
    }
}

/// The sidebar's list of pages as HTML, for every page, linked from that page with its own entry
/// marked. Each entry goes through the `sidebar-entry` template twice per folder (plain and
/// current), never once per page and entry: a course of 200 pages would otherwise render
/// 200 × 200 entries, most of a big build's time. A page's list is put together by the job that
/// renders the page (`list(for:)`).
struct Sidebars: Sendable {
    private let pages: [PageSource]
    /// Every page's entry, plain and current, linked from each folder that holds pages.
    private let entries: [String: (plain: [String], current: [String])]

    init(_ pages: [PageSource], _ templates: Templates) throws(Diagnostic) {
        var entries: [String: (plain: [String], current: [String])] = [:]
        for page in pages where entries[Self.folder(of: page)] == nil {
            var plain: [String] = [], current: [String] = []
            for other in pages {
                var entry = NavigationEntry(title: other.title, href: siteLink(from: page.output, to: other.output), current: false)
                plain.append(try sidebarEntry(entry, templates))
                entry.current = true
                current.append(try sidebarEntry(entry, templates))
            }
            entries[Self.folder(of: page)] = (plain, current)
        }
        self.pages = pages
        self.entries = entries
    }

    /// The list of `pages[index]`'s sidebar.
    func list(for index: Int) -> String {
        let folderEntries = entries[Self.folder(of: pages[index])]!
        var list = folderEntries.plain
        list[index] = folderEntries.current[index]
        return list.joined(separator: sidebarSeparator)
    }

    private static func folder(of page: PageSource) -> String {
        String(page.output.utf8.lastIndex(of: UInt8(ascii: "/")).map { page.output[..<$0] } ?? "")
    }
}

/// The index page's list: no entry is current.
func indexSidebar(_ pages: [PageSource], _ templates: Templates) throws(Diagnostic) -> String {
    var entries: [String] = []
    for page in pages {
        entries.append(try sidebarEntry(NavigationEntry(title: page.title, href: siteLink(fromRoot: page.output), current: false), templates))
    }
    return entries.joined(separator: sidebarSeparator)
}

/// Between two entries: a line break and the indentation of `{{{sidebarEntries}}}` in `sidebar.mustache`.
private let sidebarSeparator = "\n    "

private func sidebarEntry(_ entry: NavigationEntry, _ templates: Templates) throws(Diagnostic) -> String {
    var html = try templates.render("sidebar-entry", entry)
    while html.last == "\n" { html.removeLast() }
    return html
}

/// A table of contents entry as the templates see it: `html`, `id`, `children`, `hasChildren`.
struct TableOfContentsItem: MustacheParent, Sendable {
    var html: String
    var id: String
    var children: [TableOfContentsItem]

    init(_ entry: TableOfContentsEntry) {
        html = entry.heading.html
        id = entry.heading.id
        children = entry.children.map(TableOfContentsItem.init)
    }

    /// The items as page.mustache lists them, one `<li>` a line, an item's children in a `<ul>` of
    /// its own: written here, since swift-mustache's lookups cost about 80,000 instructions an item
    /// (a twentieth of a 200-page build). `toc` stays in the context for a template that lays the
    /// table out itself.
    static func listItems(_ items: [TableOfContentsItem]) -> String {
        let escaping = TemplateEscaping()
        func link(_ item: TableOfContentsItem) -> String { "<a href=\"#\(escaping.escapeText(item.id))\">\(item.html)</a>" }
        var html = ""
        for item in items {
            html += "<li>" + link(item)
            if !item.children.isEmpty {
                html += "<ul>" + item.children.map { "<li>" + link($0) + "</li>" }.joined() + "</ul>"
            }
            html += "</li>\n"
        }
        return html
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
struct TemplateText: MustacheCustomRenderable, MustacheTransformable, Sendable {
    let renderText: String
    var isNull: Bool { false }

    init(_ text: String) { renderText = text }

    func transform(_ name: String) -> Any? { renderText.transform(name) }
}
