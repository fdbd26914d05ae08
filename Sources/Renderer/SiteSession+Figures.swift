import Foundation

/// The figures stage of a rebuild: what it made, and which pages the render stage must render again.
struct FiguresRound {
    var course: CourseWithFigures
    /// Its diagnostics by file (empty: the course as a whole).
    var diagnostics: [String: [Diagnostic]]
    /// The pages whose text changed, or that show a trace made anew.
    var changedPages: Set<String>
    /// Of those, the pages whose directives changed or whose traces are new: their traces' own
    /// pages change too.
    var changedDirectives: Set<String>
}

extension SiteSession {
    /// Runs the directives of the pages whose text changed, and keeps the other pages' figures,
    /// when only pages changed (`onlyPages`) and the course's pages and configuration are the
    /// last good build's: every directive otherwise. The traces come from the memory (`TraceMemo`)
    /// whenever a directive's demo, configuration and files are the same.
    func makeFigures(_ parsed: ParsedCourse, onlyPages: Bool) -> FiguresRound {
        let before = Dictionary((last?.course.pages ?? []).map { ($0.parsed.page.source, $0) }, uniquingKeysWith: { first, _ in first })
        let changed = Set(parsed.pages.filter { before[$0.page.source]?.parsed.document !== $0.document }.map(\.page.source))
        func directives(_ page: ParsedPage?) -> [String]? { page?.document.codeBlocks(info: "unrolled").map(\.content) }
        let newDirectives = changed.filter { source in
            directives(parsed.pages.first { $0.page.source == source }) != directives(before[source]?.parsed)
        }
        if let last, onlyPages, parsed.config == last.course.config, parsed.pages.map(\.page.source) == last.course.pages.map(\.parsed.page.source),
            let round = pageFigures(parsed, changed: changed, last: last)
        {
            return FiguresRound(course: round.course, diagnostics: round.diagnostics, changedPages: changed.union(round.fresh),
                changedDirectives: newDirectives.union(round.fresh))
        }
        memo.begin()
        let made = CourseWithFigures.make(parsed, options: options, folder: folder)
        let fresh = memo.end(forgettingUnused: true)
        return FiguresRound(course: made.output, diagnostics: Dictionary(grouping: made.diagnostics, by: \.file),
            changedPages: changed.union(fresh), changedDirectives: newDirectives.union(fresh))
    }

    /// The changed pages' directives run, the other pages' figures kept from `last`; nil when a
    /// trace id is then used twice (a made-up id takes a suffix only in sight of every page).
    private func pageFigures(_ parsed: ParsedCourse, changed: Set<String>, last: Kept)
        -> (course: CourseWithFigures, diagnostics: [String: [Diagnostic]], fresh: Set<String>)?
    {
        var some = parsed
        some.pages = parsed.pages.filter { changed.contains($0.page.source) }
        memo.begin()
        let made = CourseWithFigures.make(some, options: options, folder: folder)
        // The other pages' traces were not asked for: they stay in memory.
        let fresh = memo.end(forgettingUnused: false)
        let madePages = Dictionary(made.output.pages.map { ($0.parsed.page.source, $0) }, uniquingKeysWith: { first, _ in first })
        var course = last.course
        course.introduction = parsed.introduction
        course.pages = last.course.pages.map { madePages[$0.parsed.page.source] ?? $0 }
        let ids = course.pages.flatMap { $0.traces.map(\.id) }
        guard Set(ids).count == ids.count else { return nil }
        let lastTracePages = Dictionary(grouping: last.course.tracePages, by: \.chapter.source)
        let madeTracePages = Dictionary(grouping: made.output.tracePages, by: \.chapter.source)
        course.tracePages = course.pages.map(\.parsed.page.source).flatMap { source in
            (changed.contains(source) ? madeTracePages[source] : lastTracePages[source]) ?? []
        }
        course.traces = course.tracePages.count
        course.tracesComputed = made.output.tracesComputed
        course.tracesFromCache = made.output.tracesFromCache
        var diagnostics = last.figureDiagnostics.filter { !changed.contains($0.key) }
        for (file, found) in Dictionary(grouping: made.diagnostics, by: \.file) {
            diagnostics[file] = file.isEmpty ? (diagnostics[file] ?? []) + found.filter { !(diagnostics[file] ?? []).contains($0) } : found
        }
        return (course, diagnostics, fresh)
    }
}
