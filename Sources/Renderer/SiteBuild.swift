import Engine
import Foundation
import Models
import Trace

/// One build's state, shared by the steps.
final class SiteBuild {
    /// A file every built site holds, so a later build knows the folder is a site it may replace.
    static let marker = ".unrolled-site"

    let options: SiteOptions
    var config = CourseConfig()
    var pages: [Page] = []
    var diagnostics: [Diagnostic] = []
    var summary = BuildSummary()
    /// Course-relative paths of images (and other linked files) to copy.
    var files: Set<String> = []
    /// The staging folder, inside the output folder (see `SiteStaging`).
    let temporary: URL
    /// The output folder and those of its parents that were not there before this build, deepest
    /// first: a failed build removes the ones it made (while they are empty).
    let missingFolders: [URL]
    var swapped = false
    /// Every directive's trace, for its standalone page; and where each trace id was first used.
    var tracePages: [TracePage] = []
    var traceIDs: [String: (file: String, line: Int)] = [:]
    /// Every file of the site, by its path in the site: what it comes from (see `claim`); and the
    /// folders holding them, with the first source that needed each.
    var claims: [String: String] = [:]
    var claimedFolders: [String: String] = [:]
    /// The course folder's `index.md`, shown on the index page above the chapters; its HTML once rendered.
    var introduction: Page?
    var introductionHTML = ""

    /// Where every file the course names is looked up (see `CourseFolder`).
    let folder: CourseFolder

    init(_ options: SiteOptions) {
        self.options = options
        folder = CourseFolder(root: options.course, output: options.output)
        temporary = SiteStaging.staging(in: options.output.standardizedFileURL)
        missingFolders = SiteStaging.missingFolders(options.output.standardizedFileURL)
    }

    var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    func report(_ diagnostic: Diagnostic) {
        var diagnostic = diagnostic
        if options.strict && diagnostic.severity == .warning {
            diagnostic.severity = .error
            diagnostic.message += " (an error with --strict)"
        }
        diagnostics.append(diagnostic)
    }

    func checkOutputFolder() throws(BuildFailure) {
        if let refusal = Site.refusal(output: options.output, course: options.course) {
            throw BuildFailure(diagnostics: [.error("", refusal)])
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.course.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw BuildFailure(diagnostics: [.error("", "no course folder at \(options.course.path)")])
        }
        do {
            SiteStaging.removeLeftovers(in: options.output.standardizedFileURL)
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw BuildFailure(diagnostics: [.error("", "cannot create \(temporary.path): \(error.localizedDescription)")])
        }
    }

    func readConfig() {
        if let problem = folder.checkFile(CourseConfig.fileName), problem != .missing(CourseConfig.fileName) {
            report(.error(CourseConfig.fileName, problem.message))
            return
        }
        let (config, problems) = CourseConfig.load(from: options.course)
        self.config = config
        problems.forEach(report)
    }

    func collectPages() {
        let all = markdownFiles()
        let known = Set(all)
        var ordered: [String] = []
        for chapter in config.chapters {
            let path: String
            switch folder.locate(chapter, from: "") {
            case .success(let found) where known.contains(found): path = found
            case .failure(let problem) where problem != .missing(normalizedPath(chapter, relativeTo: "") ?? chapter):
                report(.error(CourseConfig.fileName, line: config.chapterLines[chapter], "chapter '\(chapter.excerpt)': \(problem.message)"))
                continue
            default:
                report(.error(CourseConfig.fileName, line: config.chapterLines[chapter], "chapter '\(chapter.excerpt)' not found in the course folder"))
                continue
            }
            if !ordered.contains(path) { ordered.append(path) }
        }
        pages = ordered.map(Page.init)
        let rest = all.filter { !ordered.contains($0) }.map(Page.init)
        let chapters = pages
        let read = Dictionary(uniqueKeysWithValues: zip((rest + chapters).map(ObjectIdentifier.init), readFiles(rest + chapters)))
        for page in rest { readFrontMatter(page, read[ObjectIdentifier(page)] ?? nil) }
        chapters.forEach { page in if !rest.contains(where: { $0 === page }) { readFrontMatter(page, read[ObjectIdentifier(page)] ?? nil) } }
        pages += rest.sorted { ($0.order ?? .infinity, $0.source) < ($1.order ?? .infinity, $1.source) }
        claimSiteFiles()
        pages = pages.filter { claim($0.output, for: "the page \($0.source)") }
        options.progress("pages: \(pages.count)")
        if pages.isEmpty {
            report(.warning("", "no Markdown pages found in \(options.course.path) (notes/*.md or any *.md)"))
        }
    }

    /// `notes/*.md` when there is a `notes` folder, otherwise every `*.md` under the course folder
    /// (hidden folders, `_`-folders and the output folder left out). Symbolic links are followed
    /// only inside the course: one that leads out, or loops, is an error; a folder reached twice
    /// (a link to `.`) is read once.
    private func markdownFiles() -> [String] {
        if folder.isFolder("notes") {
            if let problem = folder.check("notes") {
                report(.error("notes", problem.message))
                return []
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.url("notes").path)) ?? []
            return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted().map { "notes/" + $0 }.filter(isReadablePage)
        }
        var found: [String] = []
        var visited: Set<String> = []
        var folders = [""]
        while let current = folders.popLast() {
            guard let real = realPath(folder.url(current).path), visited.insert(real).inserted else { continue }
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.url(current).path)) ?? [] where !name.hasPrefix(".") {
                let path = current.isEmpty ? name : current + "/" + name
                if folder.isFolder(path) {
                    guard !name.hasPrefix("_") else { continue }
                    switch folder.check(path) {
                    case nil: folders.append(path)
                    case .inOutput?: continue
                    case let problem?: report(.error(path, problem.message))
                    }
                } else if name.hasSuffix(".md") && path != SiteBuild.introductionFile && isReadablePage(path) {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }

    /// Whether a page file may be read; reports why not (a link out of the course, a loop).
    private func isReadablePage(_ path: String) -> Bool {
        guard let problem = folder.checkFile(path) else { return true }
        if problem != .inOutput(path) { report(.error(path, problem.message)) }
        return false
    }

    /// Every page's file read and its front matter split, on every core (YAML is most of the work);
    /// nil for a file that cannot be read.
    private func readFiles(_ pages: [Page]) -> [(FrontMatter, body: String, diagnostics: [Diagnostic])?] {
        let folder = folder
        return concurrentMap(pages.map(\.source)) { source in
            folder.contents(source).map { FrontMatter.split(String(decoding: $0, as: UTF8.self), file: source) }
        }
    }

    private func readFrontMatter(_ page: Page, _ read: (FrontMatter, body: String, diagnostics: [Diagnostic])?) {
        guard let (matter, body, problems) = read else {
            report(.error(page.source, "cannot read the file"))
            return
        }
        problems.forEach(report)
        page.body = body
        page.order = matter.order
        page.summary = matter.summary
        if let title = matter.title { page.title = title }
    }

    func parsePages() {
        let documents = concurrentMap(pages) { Unchecked(MarkdownDocument($0.body)) }
        for (page, document) in zip(pages, documents.map(\.value)) {
            page.document = document
            if !page.title.isEmpty, page.title == URL(fileURLWithPath: page.source).deletingPathExtension().lastPathComponent,
                let first = document.headings.first
            {
                page.title = first.text
            }
        }
    }

    func runDirectives() {
        var cache = TraceCache(
            previous: options.output.appendingPathComponent(TraceCache.folder),
            next: temporary.appendingPathComponent(TraceCache.folder))
        var count = 0
        for page in pages {
            guard let document = page.document else { continue }
            var number = 0
            for block in document.codeBlocks(info: "unrolled") {
                switch Directive.parse(body: block.content, file: page.source, line: block.line) {
                case .failure(let failure): failure.diagnostics.forEach(report)
                case .success(let directive):
                    count += 1
                    number += 1
                    guard let id = traceID(for: directive, page: page, number: number) else { continue }
                    if let figure = figure(for: directive, page: page, cache: &cache, id: id) {
                        page.figures[block.line] = figure
                    }
                }
            }
        }
        summary.traces = count
        summary.tracesComputed = cache.computed
        summary.tracesFromCache = cache.reused
        options.progress("traces: \(count) (\(cache.computed) computed, \(cache.reused) from cache)")
    }

    var templates: Templates?

    private func loadTemplates() throws(BuildFailure) -> Templates {
        if let templates { return templates }
        do {
            let loaded = try Templates(directory: options.templates)
            templates = loaded
            return loaded
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [error])
        }
    }

    private func figure(for directive: Directive, page: Page, cache: inout TraceCache, id: String) -> String? {
        let trace: TraceDocument
        let json: Data
        do {
            switch directive.source {
            case .demo(let demo, let config):
                guard let files = namedFiles(demo: demo, config: config, on: page, line: directive.line) else { return nil }
                (trace, json) = try cache.trace(demo, config, files: files, progress: options.demoProgress)
            case .file(let path):
                guard let found = locateTrace(path, on: page, line: directive.line) else { return nil }
                guard let data = folder.contents(found) else { throw CoursePathProblem.notRegular(found) }
                do throws(TraceError) {
                    trace = try TraceCheck.load(data)
                } catch {
                    report(.error(page.source, line: directive.line, "\(error.description(file: found)); remake it with `unrolled trace`"))
                    return nil
                }
                json = try trace.jsonData()
            }
        } catch let error as DemoError {
            report(.error(page.source, line: directive.line, error.message()))
            return nil
        } catch {
            report(.error(page.source, line: directive.line, "\(error)"))
            return nil
        }
        guard let templates = try? loadTemplates() else { return nil }
        let context = TraceFigure.context(trace: trace, json: json, id: id, title: directive.title, caption: directive.caption,
            pageHref: siteLink(from: page.output, to: TracePage.path(id)))
        tracePages.append(TracePage(id: id, page: page, context: context))
        return templates.render("trace-figure", context)
    }

    func stopOnErrors() throws(BuildFailure) {
        if !errors.isEmpty { throw BuildFailure(diagnostics: diagnostics) }
    }

    func renderPages() throws(BuildFailure) {
        let templates = try loadTemplates()
        let sources = Dictionary(pages.map { ($0.source, $0) }, uniquingKeysWith: { first, _ in first })
        renderBodies(pages: sources)
        try renderPageFiles(templates)
        try writeTracePages(templates)
        renderIntroduction(pages: sources)
        try write(templates.render("index", indexContext(sidebar: indexSidebar(templates))), to: "index.html")
        summary.pages = pages.count
    }

    func write(_ html: String, to path: String) throws(BuildFailure) {
        let url = temporary.appendingPathComponent(path)
        do {
            try writeText(html, to: url)
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot write \(path): \(error.localizedDescription)")])
        }
    }
}
