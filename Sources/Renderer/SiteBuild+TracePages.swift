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
    /// A given `id:` used twice is an error naming both places; a made-up id that is taken gets a suffix.
    func traceID(for directive: Directive, page: Page, number: Int) -> String? {
        if let id = directive.id {
            if let first = traceIDs[id] {
                report(.error(page.source, line: directive.line,
                    "trace id '\(id)' is already used at \(first.file):\(first.line); give this trace another `id:`"))
                return nil
            }
            traceIDs[id] = (page.source, directive.line)
            return id
        }
        var id = TraceFigure.defaultID(pageSource: page.source, number: number)
        if traceIDs[id] != nil {
            let base = id
            var suffix = 2
            while traceIDs["\(base)-\(suffix)"] != nil { suffix += 1 }
            id = "\(base)-\(suffix)"
        }
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
                "chapterHref": "../" + trace.page.output + "#" + trace.id,
            ]
            try write(templates.render("trace-page", context), to: path)
        }
    }
}
