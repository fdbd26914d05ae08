import Foundation

/// The pages' HTML files and the search index, rendered and written on every core: a big course
/// spends most of its build here (a page's template holds the sidebar's link to every page).
extension SiteBuild {
    func renderPageFiles(_ templates: Templates) throws(BuildFailure) {
        let sidebars = sidebars()
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
