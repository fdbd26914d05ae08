import Foundation

/// A file of the site as text, and where it goes in the site.
struct RenderedFile: Sendable {
    let path: String
    let text: String
}

/// The fourth stage's output: the site's HTML files (and the search index) rendered and handed
/// on, and the files the pages link to, still to be copied.
struct RenderedSite: Sendable {
    /// Course-relative paths of the images and other files the pages link to.
    var linkedFiles: Set<String> = []
    var claims: OutputClaims
    /// The first file, in the site's order, that the next stage could not take (write).
    var handOverFailure: Diagnostic?
    /// Every math span of the pages, for KaTeX to check (`MathCheck`).
    var mathSpans: [MathCheck.Span] = []
    /// The pages' HTML bodies by page source, when the selection keeps them.
    var bodies: [String: String] = [:]
    /// The size of each trace's data written (`traces/<id>.js`), for the page budget.
    var traceWeights: [TraceBudget.Item] = []

    /// Renders the site. Links are resolved page by page (which reports broken links and notes the
    /// files to copy), cmark-gfm and the templates run on every core, then raw `<img>`s are checked
    /// page by page: each page's warnings come in the order that rendering one page at a time gave
    /// them (its links', then its raw images'). A template that cannot render is an error.
    ///
    /// Each file goes to `handOver` (the next stage: `WrittenSite.write`) as soon as it is
    /// rendered, on the core that rendered it, in the order: the search index (each page's entry made with its body),
    /// the pages, the traces' pages, their data scripts, the index. So a page's HTML is freed once written, not held
    /// with all the others (megabytes on a big course, and the time to fault them in).
    ///
    /// `selection`: which files (the whole site for a build; see `RenderSelection`).
    static func render(
        _ course: CourseWithFigures, templates: Templates, folder: CourseFolder, selection: RenderSelection = .site,
        handOver: @Sendable (RenderedFile) -> Diagnostic?
    ) -> Staged<RenderedSite> {
        var site = RenderedSite(claims: course.claims)
        func take(_ file: RenderedFile) {
            if site.handOverFailure == nil { site.handOverFailure = handOver(file) }
        }
        var links = LinkResolver(
            folder: folder, pages: course.pages.map(\.parsed),
            traces: Dictionary(course.pages.map { ($0.parsed.page.source, $0.traces) }, uniquingKeysWith: { first, _ in first }))
        var diagnostics: [Diagnostic] = []
        do throws(Diagnostic) {
            let pages = course.pages.map(\.parsed.page)
            let chosen = pages.indices.filter { selection.pages?.contains(pages[$0].source) ?? true }
            let captions = captions(chosen.map { course.pages[$0] }, links: &links, diagnostics: &diagnostics)
            let rendered = try renderBodies(
                chosen.map { course.pages[$0] }, captions: captions, templates: templates, searchEntries: selection.pages == nil,
                links: &links, diagnostics: &diagnostics)
            let bodies = Dictionary(uniqueKeysWithValues: zip(chosen, rendered.html))
            site.mathSpans = rendered.mathSpans
            if selection.keepsBodies { site.bodies = Dictionary(chosen.map { (pages[$0].source, bodies[$0]!) }, uniquingKeysWith: { first, _ in first }) }
            let sidebars = try Sidebars(pages, templates)
            let courseContext = CourseContext(course.config)
            let heads = PageHeads()
            let handedOver = concurrentMap((selection.pages == nil ? [-1] : []) + chosen) { index -> Result<Diagnostic?, Diagnostic> in
                guard index >= 0 else {
                    return .success(handOver(RenderedFile(path: SearchIndex.path, text: SearchIndex.script(entries: rendered.searchEntries))))
                }
                return Result { () throws(Diagnostic) in
                    let context = PageContext(
                        course: courseContext, head: try heads.head(root: pages[index].root, course: courseContext, templates: templates),
                        pages: pages, index: index, document: course.pages[index].parsed.document,
                        html: bodies[index]!, sidebar: sidebars.list(for: index), viewScripts: templates.viewScripts)
                    return handOver(RenderedFile(path: pages[index].output, text: try templates.render("page", context)))
                }
            }
            for result in handedOver where site.handOverFailure == nil { site.handOverFailure = try result.get() }
            // The traces' own pages, on every core as the pages are (two templates each); the first
            // template error in the site's order is the one thrown.
            let encoded = course.tracePages.filter { (selection.tracePagesOf ?? selection.pages)?.contains($0.chapter.source) ?? true }
            let tracePages = concurrentMap(encoded) { trace in
                Result { () throws(Diagnostic) in
                    handOver(try tracePage(trace, caption: captions[trace.id], course: courseContext, heads: heads, templates: templates))
                }
            }
            for result in tracePages {
                let failure = try result.get()
                if site.handOverFailure == nil { site.handOverFailure = failure }
            }
            // Each trace's data, once for the site (encoded when it was computed, see `TraceCache`).
            let scripts = concurrentMap(encoded) { trace -> Result<Int, Diagnostic> in
                let text = TraceScript.text(id: trace.id, payload: trace.payload)
                return handOver(RenderedFile(path: TraceScript.path(trace.id), text: text)).map { .failure($0) } ?? .success(text.utf8.count)
            }
            var weights: [TraceBudget.Item] = []
            for (trace, result) in zip(encoded, scripts) {
                switch result {
                case .success(let bytes):
                    weights.append(TraceBudget.Item(id: trace.id, page: trace.chapter.source, line: trace.line, bytes: bytes, toLower: trace.toLower))
                case .failure(let failure):
                    if site.handOverFailure == nil { site.handOverFailure = failure }
                }
            }
            site.traceWeights = weights
            if selection.checksBudget { diagnostics += course.config.traceBudget.check(weights) }
            guard selection.pages == nil else {
                site.linkedFiles = links.files
                return Staged(site, diagnostics)
            }
            var introduction = ""
            if let page = course.introduction {
                introduction = page.document.render(links: links.rewrites(on: page))
                site.mathSpans += MathCheck.spans(inHTML: introduction, source: page.page.body, file: page.page.source)
                links.checkRawImages(on: page, sources: rawImageSources(in: introduction))
                diagnostics += links.takeDiagnostics()
            }
            let index = IndexContext(
                course: courseContext, head: try heads.head(root: "", course: courseContext, templates: templates), pages: pages,
                introduction: introduction, sidebar: try indexSidebar(pages, templates), viewScripts: templates.viewScripts)
            take(RenderedFile(path: "index.html", text: try templates.render("index", index)))
        } catch {
            diagnostics.append(error)
        }
        site.linkedFiles = links.files
        return Staged(site, diagnostics)
    }

    /// Every figure's caption as HTML, its references resolved, by trace id (the page's problems
    /// reported before its prose's, as the captions come first in no order of their own).
    private static func captions(_ pages: [PageWithFigures], links: inout LinkResolver, diagnostics: inout [Diagnostic]) -> [String: String] {
        var captions: [String: String] = [:]
        for page in pages {
            for figure in page.traces {
                if let html = links.caption(of: figure, on: page.parsed) { captions[figure.id] = html }
            }
        }
        diagnostics += links.takeDiagnostics()
        return captions
    }

    /// Every page's HTML body, its figures in place of its directives, and its math spans (found
    /// with the body, on every core).
    private static func renderBodies(
        _ pages: [PageWithFigures], captions: [String: String], templates: Templates, searchEntries: Bool,
        links: inout LinkResolver, diagnostics: inout [Diagnostic]
    ) throws(Diagnostic) -> (html: [String], mathSpans: [MathCheck.Span], searchEntries: [String]) {
        // Each page's links are resolved by the job that renders it, with a copy of the resolver
        // (what it learns is the page's own: its diagnostics, its files, its exercises' ids),
        // taken back in page order: resolving them one page at a time was a tenth of a big build.
        diagnostics += links.takeDiagnostics()  // so that no copy carries them
        let resolver = links
        let bodies = concurrentMap(Array(pages.indices)) { index -> Result<RenderedBody, Diagnostic> in
            Result { () throws(Diagnostic) in
                var links = resolver
                let rewrites = links.rewrites(on: pages[index].parsed)
                let linkDiagnostics = links.takeDiagnostics()
                var figures: [Int: String] = [:]
                for (line, figure) in pages[index].figures {
                    var figure = figure
                    if let caption = captions[figure.id] { figure.caption = caption }
                    figures[line] = try templates.render("trace-figure", figure)
                }
                let html = pages[index].parsed.document.render(figures: figures, links: rewrites)
                let page = pages[index].parsed.page
                links.checkRawImages(on: pages[index].parsed, sources: rawImageSources(in: html))
                links.checkUnreadReferences(on: pages[index].parsed, snippets: unreadReferences(in: html))
                return RenderedBody(html: html, linkDiagnostics: linkDiagnostics, links: links,
                    mathSpans: MathCheck.spans(inHTML: html, source: page.body, file: page.source),
                    searchEntry: searchEntries ? SearchIndex.entry(for: pages[index].parsed, body: html) : "")
            }
        }
        var html: [String] = [], mathSpans: [MathCheck.Span] = [], entries: [String] = []
        for index in pages.indices {
            // A figure's template error stops the build at the first page with one, after what
            // the pages before it found, as when they went one at a time.
            let body = try bodies[index].get()
            html.append(body.html)
            entries.append(body.searchEntry)
            mathSpans += body.mathSpans
            diagnostics += body.linkDiagnostics
            links.take(body.links)
            diagnostics += links.takeDiagnostics()
        }
        return (html, mathSpans, entries)
    }

    /// A page's body and what is read from it on the core that rendered it.
    private struct RenderedBody: Sendable {
        let html: String
        /// What resolving its links found, before what its raw images and unread references did (in `links`).
        let linkDiagnostics: [Diagnostic]
        /// The resolver after the page: its later diagnostics, the files it links, its exercises.
        let links: LinkResolver
        let mathSpans: [MathCheck.Span]
        /// Its object in the search index (`SearchIndex.entry`), when the site's index is made.
        let searchEntry: String
    }

    /// A directive's trace on a page of its own (see `TracePage`).
    private static func tracePage(
        _ trace: TracePage, caption: String?, course: CourseContext, heads: PageHeads, templates: Templates
    ) throws(Diagnostic) -> RenderedFile {
        var figure = trace.figure
        figure.dataSrc = siteLink(from: TracePage.path(trace.id), to: TraceScript.path(trace.id))
        figure.hasPage = false
        figure.hasSource = false  // made for an iframe: the viewer alone
        if let caption { figure.caption = caption }
        let path = TracePage.path(trace.id)
        let context = TracePageContext(
            course: course, head: try heads.head(root: "../", isTracePage: true, course: course, templates: templates),
            title: figure.title, figure: TemplateText(try templates.render("trace-figure", figure)),
            chapterTitle: trace.chapter.title, chapterHref: siteLink(from: path, to: trace.chapter.output, fragment: trace.id),
            viewScripts: templates.viewScripts)
        return RenderedFile(path: path, text: try templates.render("trace-page", context))
    }
}

/// Which files `RenderedSite.render` makes. A build makes the whole site; the live preview
/// (`SiteSession`) renders again only the pages that changed (with their traces' own pages) when
/// nothing other pages show of them (title, headings, trace ids) changed, and keeps the bodies for
/// its search index.
struct RenderSelection: Sendable {
    /// The sources of the pages to render; nil: every file of the site, the index and search index too.
    var pages: Set<String>?
    /// The pages whose traces' own pages and data to write; nil: those of `pages`.
    var tracePagesOf: Set<String>?
    var keepsBodies = false
    /// Whether the page budget is checked against the traces written (the preview checks it
    /// itself, against every trace of the site, not only those it wrote again).
    var checksBudget = true

    static let site = RenderSelection(pages: nil)
}
