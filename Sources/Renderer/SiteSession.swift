import Foundation
import Synchronization

/// A course site built in memory and kept from one rebuild to the next: what `unrolled serve`
/// serves. It runs the build's stages (`CourseSources` → `ParsedCourse` → `CourseWithFigures` →
/// `RenderedSite`) and keeps what they made, so that a rebuild does only what a change needs:
///
/// - a page whose text did not change is not parsed again (`ParsedCourse(_:reusing:)`), and its
///   directives are not read again (see `SiteSession+Figures.swift`);
/// - a directive's trace is kept decoded (`TraceMemo`): a changed directive runs alone, its trace
///   read from the trace cache when it was made before;
/// - an edit to a note renders that page alone (with its traces' own pages when its directives
///   changed) when nothing the other pages show of it changed; a change of a title, a summary, a
///   heading, a trace id, the pages, `course.yml`, `index.md`, a file that is not a page, or a
///   template renders every file.
///
/// Nothing is written but the trace cache. A rebuild with errors keeps the last good site
/// (`site`) and reports them; the next one is compared with that site.
public final class SiteSession {
    public private(set) var options: SiteOptions
    /// The last site built without errors; nil until one is.
    public private(set) var site: PreviewSite?

    let folder: CourseFolder
    let memo = TraceMemo()
    private var templates: Templates?
    var last: Kept?
    /// Whether the search index is older than the pages (see `refreshSearchIndex`).
    private var searchIndexIsStale = false
    /// Good rebuilds so far: the version a file gets when a rebuild changes it.
    private var rebuilds = 0
    /// What failed rebuilds saw change since the last good one: the next rebuild renders for it too.
    private var pending = (changed: Set<String>(), templates: false, pages: Set<String>())

    /// What the last good rebuild made, to compare the next one with.
    struct Kept {
        var course: CourseWithFigures
        var outline: [PageOutline]
        var parsed: [PageSource: ParsedPage]
        var files: [String: Data]
        /// The rebuild that last changed each file (its `ETag` in the preview).
        var versions: [String: Int]
        var bodies: [String: String]
        var linkedFiles: Set<String>
        /// The size of each trace's data, by trace id, for the page budget.
        var traceWeights: [String: TraceBudget.Item]
        /// The figures and render stages' diagnostics by file (empty: the course as a whole).
        var figureDiagnostics: [String: [Diagnostic]]
        var renderDiagnostics: [String: [Diagnostic]]
    }

    /// `options.output` is never written: it names the folder a build would write, which the
    /// session reads as a build does (never as a course file). The trace cache (`options.cache`)
    /// is read and written as a build does.
    public init(_ options: SiteOptions) {
        var options = options
        options.traceMemo = memo
        self.options = options
        folder = CourseFolder(root: options.course, output: options.output)
    }

    /// Builds the site again after `changed` (course-relative paths) or a change of the templates.
    /// After a rebuild that rendered some pages only, the search index is brought up to date by
    /// `refreshSearchIndex`, left for after the pages are served.
    public func rebuild(changed: Set<String> = [], templatesChanged: Bool = false) -> SessionUpdate {
        let start = ContinuousClock.now
        var update = rebuildSite(changed: changed.union(pending.changed), templatesChanged: templatesChanged || pending.templates)
        if update.failure == nil {
            pending = ([], false, [])
        } else {
            pending.changed.formUnion(changed)
            pending.templates = pending.templates || templatesChanged
        }
        let elapsed = ContinuousClock.now - start
        update.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return update
    }

    /// Writes the search index from the pages' bodies after a rebuild of some pages; whether it did.
    public func refreshSearchIndex() -> Bool {
        guard searchIndexIsStale, var kept = last else { return false }
        let pages = kept.course.pages.map(\.parsed)
        kept.files[SearchIndex.path] = Data(SearchIndex.script(for: pages, bodies: pages.map { kept.bodies[$0.page.source] ?? "" }).utf8)
        kept.versions[SearchIndex.path] = rebuilds
        last = kept
        site = PreviewSite(files: kept.files, versions: kept.versions, linkedFiles: kept.linkedFiles, options: options, folder: folder)
        searchIndexIsStale = false
        return true
    }

    private func rebuildSite(changed: Set<String>, templatesChanged: Bool) -> SessionUpdate {
        var log = BuildLog(strict: options.strict)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.course.path, isDirectory: &isFolder), isFolder.boolValue else {
            return SessionUpdate(failure: BuildFailure(diagnostics: [.error("", "no course folder at \(options.course.path)")]))
        }
        let sources = log.keep(CourseSources.read(options, from: folder))
        let parsed = ParsedCourse(sources, reusing: last?.course.config.markdown == sources.config.markdown ? last?.parsed ?? [:] : [:])
        let relevant = changed.filter(matters)
        let figures = makeFigures(parsed, onlyPages: relevant.allSatisfy { path in sources.pages.contains { $0.source == path } })
        let course = figures.course
        // A trace made by a rebuild that failed is in memory now: its page is still to render.
        pending.pages.formUnion(figures.changedDirectives)
        log.report(ordered(figures.diagnostics, course))
        var update = SessionUpdate(pages: course.pages.count, tracesComputed: course.tracesComputed)
        do throws(BuildFailure) {
            try log.stopOnErrors()
            if templates == nil || templatesChanged {
                templates = try log.check { () throws(Diagnostic) in try Templates(directory: options.templates) }
            }
        } catch {
            update.failure = error
            return update
        }
        let outline = course.pages.map(PageOutline.init)
        var selection = RenderSelection(pages: nil, keepsBodies: true, checksBudget: false)
        if let last, !templatesChanged, last.course.config == course.config, last.outline == outline,
            last.course.introduction?.page.body == course.introduction?.page.body,
            relevant.allSatisfy({ path in outline.contains { $0.source == path } })
        {
            selection.pages = figures.changedPages.union(pending.pages)
            selection.tracePagesOf = figures.changedDirectives.union(pending.pages)
        }
        let files = Mutex<[String: Data]>([:])
        let rendered = RenderedSite.render(course, templates: templates!, folder: folder, selection: selection) { file in
            files.withLock { $0[file.path] = Data(file.text.utf8) }
            return nil
        }
        // The render stage's diagnostics: this render's, and the last one's for the pages not rendered again.
        var renderDiagnostics = Dictionary(grouping: rendered.diagnostics, by: \.file)
        if let chosen = selection.pages, let last {
            for (file, found) in last.renderDiagnostics where !chosen.contains(file) { renderDiagnostics[file] = found }
        }
        // The page budget, against every trace's data: this render's sizes, the last one's for the others.
        var weights = last.map { $0.traceWeights.filter { id, _ in course.tracePages.contains { $0.id == id } } } ?? [:]
        for item in rendered.output.traceWeights { weights[item.id] = item }
        let budget = Dictionary(grouping: course.config.traceBudget.check(course.tracePages.compactMap { weights[$0.id] }), by: \.file)
        log.report(ordered(renderDiagnostics.merging(budget) { $0 + $1 }, course))
        do throws(BuildFailure) {
            try log.stopOnErrors()
        } catch {
            update.failure = error
            return update
        }
        var kept = Kept(
            course: course, outline: outline,
            parsed: Dictionary(zip(sources.pages, parsed.pages).map { ($0, $1) }, uniquingKeysWith: { first, _ in first }),
            files: files.withLock { $0 }, versions: [:], bodies: rendered.output.bodies, linkedFiles: rendered.output.linkedFiles, traceWeights: weights,
            figureDiagnostics: figures.diagnostics, renderDiagnostics: renderDiagnostics)
        update.rendered = kept.files.keys.sorted()
        update.isWholeSite = selection.pages == nil
        if !update.isWholeSite, let last {
            kept.files = last.files.merging(kept.files) { _, new in new }
            kept.bodies = last.bodies.merging(kept.bodies) { _, new in new }
            kept.linkedFiles.formUnion(last.linkedFiles)
        }
        rebuilds += 1
        kept.versions = kept.files.mapValues { _ in rebuilds }
        for (path, version) in last?.versions ?? [:] where last?.files[path] == kept.files[path] { kept.versions[path] = version }
        searchIndexIsStale = !update.isWholeSite
        update.warnings = log.warnings
        last = kept
        site = PreviewSite(files: kept.files, versions: kept.versions, linkedFiles: kept.linkedFiles, options: options, folder: folder)
        return update
    }

    /// Whether a change of `path` can change the site. A file that is gone and that no page linked
    /// to was an editor's or a tool's temporary file (`sed -i` renames one over the note it edits).
    private func matters(_ path: String) -> Bool {
        if FileManager.default.fileExists(atPath: folder.url(path).path) { return true }
        guard let last else { return true }
        let linked = sequence(first: path) { $0.contains("/") ? ($0 as NSString).deletingLastPathComponent : nil }
        return last.course.pages.contains { $0.parsed.page.source == path } || linked.contains(where: last.linkedFiles.contains)
    }

    /// Diagnostics by file in the order a build reports them: the course's, the pages' in order,
    /// the introduction's, then any other file's.
    private func ordered(_ diagnostics: [String: [Diagnostic]], _ course: CourseWithFigures) -> [Diagnostic] {
        let order = [""] + course.pages.map(\.parsed.page.source) + [CourseSources.introductionFile]
        let known = Set(order)
        return order.flatMap { diagnostics[$0] ?? [] } + diagnostics.keys.sorted().filter { !known.contains($0) }.flatMap { diagnostics[$0]! }
    }
}

/// What other pages show of a page (the sidebar, the pager, the index, links to its headings and
/// traces): when none of it changed, an edit renders that page alone.
struct PageOutline: Equatable {
    var source: String
    var output: String
    var title: String
    var summary: String?
    var headings: [String]
    var anchors: Set<String>
    var traces: [String]

    init(_ page: PageWithFigures) {
        source = page.parsed.page.source
        output = page.parsed.page.output
        title = page.parsed.page.title
        summary = page.parsed.page.summary
        headings = page.parsed.document.headings.map(\.id)
        anchors = page.parsed.document.anchors
        traces = page.traces.map(\.id)
    }
}

/// One rebuild: what it rendered, and what it found wrong.
public struct SessionUpdate: Sendable {
    /// The site paths rendered again (pages, traces' pages, the index), sorted.
    public var rendered: [String] = []
    /// Whether every file of the site was rendered (not only the pages that changed).
    public var isWholeSite = false
    /// The rebuild's errors (and warnings); the last good site is kept.
    public var failure: BuildFailure?
    public var warnings: [Diagnostic] = []
    public var pages = 0
    /// Traces computed by running a demo (not found in memory or in the trace cache).
    public var tracesComputed = 0
    public var seconds = 0.0
}
