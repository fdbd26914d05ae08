import Foundation

/// The course folder's `index.md`: the index page's introduction (what the course is, how to read
/// it), shown above the chapter list. It is never a chapter itself.
extension SiteBuild {
    static let introductionFile = "index.md"

    func readIntroduction() {
        if let problem = folder.checkFile(SiteBuild.introductionFile), problem != .missing(SiteBuild.introductionFile) {
            report(.error(SiteBuild.introductionFile, problem.message))
            return
        }
        guard let data = folder.contents(SiteBuild.introductionFile) else { return }
        let page = Page(source: SiteBuild.introductionFile)
        let (_, body, problems) = FrontMatter.split(String(decoding: data, as: UTF8.self), file: page.source)
        problems.forEach(report)
        page.body = body
        page.document = MarkdownDocument(body)
        introduction = page
    }

    /// Renders the introduction with the pages' link rules (links to `.md` pages become links to
    /// their HTML, broken links are reported). It sits at the site's top, as `index.html` does.
    func renderIntroduction(pages sources: [String: Page]) {
        guard let page = introduction, let document = page.document else { return }
        introductionHTML = document.render(
            replacingCodeBlock: { _ in nil },
            rewritingDestination: { reference in self.resolve(reference, on: page, pages: sources) })
        checkRawImages(on: page, pages: sources)
    }
}
