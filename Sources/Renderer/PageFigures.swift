import Foundation
import Trace

/// A page with its directives' traces: the third stage's page.
struct PageWithFigures: Sendable {
    var parsed: ParsedPage
    /// The figure of each directive, by the line of its opening fence.
    var figures: [Int: TraceFigure.Context] = [:]
    /// The traces shown, in page order: what the page's references are resolved against.
    var traces: [FigureTrace] = []
}

/// A trace shown on a page, for the references to it (docs/site.md, "Referring to steps and values").
struct FigureTrace: Sendable {
    let id: String
    /// The line of the directive's opening fence.
    let line: Int
    let trace: ShownTrace
    /// The caption's Markdown and the line it starts on; references in it mean this trace by `#:`.
    let caption: String?
    let captionLine: Int
}

/// A directive's trace on a page of its own, `traces/<id>.html`: only the viewer, sized for an
/// `<iframe>` in other notes and slides.
struct TracePage: Sendable {
    let id: String
    /// The chapter the trace appears in (the standalone page links back to it).
    let chapter: PageSource
    let figure: TraceFigure.Context
    /// The trace's data (`TraceScript.payload`), written once for the site, beside the page.
    let payload: String
    /// The line of the directive's opening fence, and what would make its trace smaller
    /// (`TraceBudget`): the demo's parameters that scale it, or nil for a trace file.
    let line: Int
    let toLower: [String]?

    static func path(_ id: String) -> String { "traces/\(id).html" }
}

/// The third stage's output: the pages with their traces, and the traces' own pages.
struct CourseWithFigures: Sendable {
    var config: CourseConfig
    var pages: [PageWithFigures]
    var introduction: ParsedPage?
    var tracePages: [TracePage] = []
    var claims: OutputClaims
    /// Directives shown; of their traces, how many were computed and how many read from the cache.
    var traces = 0, tracesComputed = 0, tracesFromCache = 0
    /// The traces computed and read: pruned to what this build used once its site is published.
    var cache: TraceCache?

    /// Runs every page's directives in order (a demo's long run reports its progress), each trace
    /// computed once per build or read from the cache (see `TraceCache`).
    static func make(_ course: ParsedCourse, options: SiteOptions, folder: CourseFolder) -> Staged<CourseWithFigures> {
        var maker = FigureMaker(options: options, folder: folder, claims: course.claims)
        var result = CourseWithFigures(config: course.config, pages: [], introduction: course.introduction, claims: course.claims)
        // Every page's directives parsed first (on every core), once: the cache reads ahead the
        // traces they name, except those a live preview's memo holds decoded already.
        let directives = concurrentMap(course.pages) { parsed in
            parsed.document.codeBlocks(info: "unrolled").map { block in
                (block, Directive.parse(body: block.content, file: parsed.page.source, line: block.line))
            }
        }
        let jobs = zip(course.pages, directives).flatMap { parsed, blocks in maker.traceJobs(blocks.map(\.1), on: parsed.page) }
            .filter { !(options.traceMemo?.holds($0.key) ?? false) }
        maker.cache.preload(jobs.map(\.key))
        // And the traces the cache lacks are computed ahead, on every core too.
        maker.cache.computeAhead(jobs, progress: options.demoProgress)
        for (parsed, blocks) in zip(course.pages, directives) {
            var page = PageWithFigures(parsed: parsed)
            var number = 0
            for (block, parse) in blocks {
                guard let (id, directive) = maker.directive(parse, on: page.parsed.page, number: &number) else { continue }
                result.traces += 1
                guard let id, let (figure, trace) = maker.figure(for: directive, on: page.parsed.page, id: id) else { continue }
                page.figures[block.line] = figure
                page.traces.append(FigureTrace(id: id, line: block.line, trace: trace, caption: directive.caption,
                    captionLine: directive.captionLine ?? directive.line))
                var toLower: [String]?
                if case .demo(let demo, let config) = directive.source { toLower = demo.sizeParameters(given: config.explicit) }
                result.tracePages.append(TracePage(id: id, chapter: page.parsed.page, figure: figure, payload: trace.payload, line: block.line, toLower: toLower))
            }
            result.pages.append(page)
        }
        result.claims = maker.claims
        result.cache = maker.cache
        result.tracesComputed = maker.cache.computed
        result.tracesFromCache = maker.cache.reused
        options.progress("traces: \(result.traces) (\(maker.cache.computed) computed, \(maker.cache.reused) from cache)")
        return Staged(result, maker.diagnostics)
    }
}

/// The third stage at work: the trace cache, the ids given so far, and what it found wrong.
struct FigureMaker {
    let options: SiteOptions
    let folder: CourseFolder
    var cache: TraceCache
    var claims: OutputClaims
    /// Where each trace id was first used.
    private var traceIDs: [String: (file: String, line: Int)] = [:]
    var diagnostics: [Diagnostic] = []

    init(options: SiteOptions, folder: CourseFolder, claims: OutputClaims) {
        self.options = options
        self.folder = folder
        self.claims = claims
        cache = TraceCache(cache: options.cache)
    }

    /// The directive a fenced block holds (`parse`: `Directive.parse` of its text), and its trace's
    /// id (nil when the id is refused), or nil after reporting why the block is not a directive.
    /// `number` counts the page's directives.
    mutating func directive(_ parse: Result<Directive, BuildFailure>, on page: PageSource, number: inout Int) -> (String?, Directive)? {
        switch parse {
        case .failure(let failure):
            diagnostics += failure.diagnostics
            return nil
        case .success(let directive):
            diagnostics += directive.warnings
            number += 1
            return (traceID(for: directive, page: page, number: number), directive)
        }
    }

    /// The id of a directive's trace, unique on the site: its `id:`, or one made from the page's name.
    /// A given `id:` used twice, or whose page a page of the course already writes, is an error naming
    /// both; a made-up id that is taken gets a suffix.
    private mutating func traceID(for directive: Directive, page: PageSource, number: Int) -> String? {
        if let id = directive.id {
            if let first = traceIDs[id] {
                diagnostics.append(.error(page.source, line: directive.line,
                    "trace id '\(id)' is already used at \(first.file):\(first.line); give this trace another `id:`"))
                return nil
            }
            return claim(id, for: "the trace `id: \(id)` (\(page.source):\(directive.line))", page: page, line: directive.line)
        }
        var id = TraceFigure.defaultID(pageSource: page.source, number: number)
        func isTaken(_ id: String) -> Bool {
            traceIDs[id] != nil || claims.isClaimed(TracePage.path(id)) || claims.isClaimed(TraceScript.path(id))
        }
        if isTaken(id) {
            let base = id
            var suffix = 2
            while isTaken("\(base)-\(suffix)") { suffix += 1 }
            id = "\(base)-\(suffix)"
        }
        return claim(id, for: "the trace \(id) (\(page.source):\(directive.line))", page: page, line: directive.line)
    }

    private mutating func claim(_ id: String, for source: String, page: PageSource, line: Int) -> String? {
        for path in [TracePage.path(id), TraceScript.path(id)] {
            if let clash = claims.claim(path, for: source) {
                diagnostics.append(clash)
                return nil
            }
        }
        traceIDs[id] = (page.source, line)
        return id
    }

    /// The figure's template context and its trace, or nil after reporting why the trace cannot be shown.
    mutating func figure(for directive: Directive, on page: PageSource, id: String) -> (TraceFigure.Context, ShownTrace)? {
        guard let trace = trace(for: directive, on: page) else { return nil }
        let figure = TraceFigure.Context(trace: trace.summary, data: .script(href: siteLink(from: page.output, to: TraceScript.path(id))),
            id: id, title: directive.title, caption: directive.caption,
            pageHref: siteLink(from: page.output, to: TracePage.path(id)), source: directive.echo)
        return (figure, trace)
    }
}
