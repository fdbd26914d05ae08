import Foundation

/// A directive's trace on a page of its own, `traces/<id>.html`: only the viewer, sized for an
/// `<iframe>` in other notes and slides.
struct TracePage {
    let id: String
    /// The chapter the trace appears in (the standalone page links back to it).
    let page: Page
    /// The figure's Mustache context (see `TraceFigure.context`).
    let context: [String: Any]

    static func path(_ id: String) -> String { "traces/\(id).html" }
}

extension SiteBuild {
    /// The id of a directive's trace, unique on the site: its `id:`, or one made from the page's name.
    /// A given `id:` used twice, or whose page a page of the course already writes, is an error naming
    /// both; a made-up id that is taken gets a suffix.
    func traceID(for directive: Directive, page: Page, number: Int) -> String? {
        if let id = directive.id {
            if let first = traceIDs[id] {
                report(.error(page.source, line: directive.line,
                    "trace id '\(id)' is already used at \(first.file):\(first.line); give this trace another `id:`"))
                return nil
            }
            guard claim(TracePage.path(id), for: "the trace `id: \(id)` (\(page.source):\(directive.line))") else { return nil }
            traceIDs[id] = (page.source, directive.line)
            return id
        }
        var id = TraceFigure.defaultID(pageSource: page.source, number: number)
        func isTaken(_ id: String) -> Bool { traceIDs[id] != nil || claims[TracePage.path(id)] != nil }
        if isTaken(id) {
            let base = id
            var suffix = 2
            while isTaken("\(base)-\(suffix)") { suffix += 1 }
            id = "\(base)-\(suffix)"
        }
        guard claim(TracePage.path(id), for: "the trace \(id) (\(page.source):\(directive.line))") else { return nil }
        traceIDs[id] = (page.source, directive.line)
        return id
    }

    func writeTracePages(_ templates: Templates) throws(BuildFailure) {
        for trace in tracePages {
            var figure = trace.context
            figure["hasPage"] = false
            let path = TracePage.path(trace.id)
            let context: [String: Any] = [
                "course": courseContext,
                "root": "../",
                "isTracePage": true,
                "title": figure["title"] ?? trace.id,
                "figure": templates.render("trace-figure", figure),
                "chapterTitle": trace.page.title,
                "chapterHref": siteLink(from: path, to: trace.page.output, fragment: trace.id),
            ]
            try write(templates.render("trace-page", context), to: path)
        }
    }
}
