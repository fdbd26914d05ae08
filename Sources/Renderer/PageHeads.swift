import Synchronization

/// The `<head>` of a page (`partials/head.mustache`: the stylesheets and scripts), rendered once per
/// place in the site and handed to the page templates as `{{{head}}}`. Every page at one depth has the
/// same head: 30 `{{root}}`s and a line per view, whose lookups were a fifth of a 200-page build's
/// instructions when each page rendered them (swift-mustache casts every value it looks up to
/// several protocols).
///
/// So the head partial sees `root`, `viewScripts`, `isTracePage` and `course`, never a page's own
/// values (its title): a page template that wants those in its `<head>` writes them after
/// `{{{head}}}`, as page.mustache does its `<title>`. A template that still includes `{{> head}}`
/// renders it with the page's context, as before.
struct HeadContext: TemplateContext {
    var root: String
    var viewScripts: [String]
    var isTracePage: Bool
    var course: CourseContext?
}

/// The heads rendered so far, by where the page is, shared by the cores that render pages.
final class PageHeads: Sendable {
    private struct Place: Hashable {
        var root: String
        var isTracePage: Bool
    }

    private let rendered = Mutex<[Place: TemplateText]>([:])

    /// The head of a page whose way back to the site's root is `root` (`../` from `notes/`).
    func head(root: String, isTracePage: Bool = false, course: CourseContext?, templates: Templates) throws(Diagnostic) -> TemplateText {
        let place = Place(root: root, isTracePage: isTracePage)
        if let known = rendered.withLock({ $0[place] }) { return known }
        // Rendered outside the lock; two cores may render one head at once, and both get the same text.
        var text = try templates.render("head", HeadContext(root: root, viewScripts: templates.viewScripts, isTracePage: isTracePage, course: course))
        // `{{{head}}}` stands on a line of its own, whose line break follows: the partial's last one
        // goes, as a standalone `{{> head}}` tag's line does.
        if text.hasSuffix("\n") { text.removeLast() }
        let head = TemplateText(text)
        rendered.withLock { $0[place] = head }
        return head
    }
}
