import Foundation

/// The pages' HTML files, rendered and written on every core: a big course spends most of its
/// build here (a page's template holds the sidebar's link to every page).
extension SiteBuild {
    func renderPageFiles(_ templates: Templates) throws(BuildFailure) {
        let sidebars = Unchecked(sidebars())
        var failures = [BuildFailure?](repeating: nil, count: pages.count)
        // Safe to share: while pages render, nothing changes the build's state; each page writes
        // its own file and its own slot of `failures`.
        let build = Unchecked(self)
        failures.withUnsafeMutableBufferPointer { failures in
            let slots = Unchecked(failures)
            DispatchQueue.concurrentPerform(iterations: build.value.pages.count) { index in
                let build = build.value
                let page = build.pages[index]
                let html = templates.render("page", build.pageContext(page, index: index, sidebar: sidebars.value[index]))
                do throws(BuildFailure) {
                    try build.write(html, to: page.output)
                } catch {
                    slots.value[index] = error
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }
}

/// A value handed to other threads where the code guarantees they do not race (see the use).
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
