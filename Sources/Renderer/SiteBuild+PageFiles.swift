import Foundation

/// The pages' HTML files and the search index, rendered and written on every core: a big course
/// spends most of its build here (a page's template holds the sidebar's link to every page).
extension SiteBuild {
    func renderPageFiles(_ templates: Templates) throws(BuildFailure) {
        let sidebars = sidebars(templates)
        // Nothing changes the build's state meanwhile; each job writes its own file. The search
        // index, the biggest job, goes first.
        let failures = concurrentMap([-1] + Array(pages.indices)) { index -> BuildFailure? in
            do throws(BuildFailure) {
                if index < 0 {
                    try write(SearchIndex.script(for: pages), to: SearchIndex.path)
                } else {
                    let page = pages[index]
                    try write(templates.render("page", pageContext(page, index: index, sidebar: sidebars[index])), to: page.output)
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }
}

extension SiteBuild {
    /// Every page's HTML body (`page.html`). Links are resolved page by page first (which reports
    /// broken links and notes the images to copy), cmark-gfm renders the pages on every core, then
    /// raw `<img>`s are checked page by page; each page's warnings are put back in the order that
    /// rendering one page at a time gave them (its links', then its raw images').
    func renderBodies(pages sources: [String: Page]) {
        var destinations: [[String?]] = [], linkDiagnostics: [[Diagnostic]] = []
        for page in pages {
            let start = diagnostics.count
            destinations.append(page.document?.links.map { resolve($0, on: page, pages: sources) } ?? [])
            linkDiagnostics.append(Array(diagnostics[start...]))
            diagnostics.removeSubrange(start...)
        }
        // Each job renders its own page's document; rendering reads no other shared state.
        let bodies = concurrentMap(Array(pages.indices)) { index -> (html: String, images: [String])? in
            let page = pages[index]
            guard let document = page.document else { return nil }
            var next = 0
            let html = document.render(
                replacingCodeBlock: { block in page.figures[block.line] },
                rewritingDestination: { _ in
                    defer { next += 1 }
                    return next < destinations[index].count ? destinations[index][next] : nil
                })
            return (html, rawImageSources(in: html))
        }
        for (index, page) in pages.enumerated() {
            guard let body = bodies[index] else { continue }
            page.html = body.html
            diagnostics += linkDiagnostics[index]
            checkRawImages(on: page, pages: sources, sources: body.images)
        }
    }
}
