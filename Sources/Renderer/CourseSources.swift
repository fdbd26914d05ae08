import Foundation

/// The first stage's output: what the course folder holds, read. Pages are in reading order
/// (`course.yml`'s chapters, then the others by `order:` and file name), each claimed in the site.
struct CourseSources: Sendable {
    var config = CourseConfig()
    var pages: [PageSource] = []
    /// The course folder's `index.md`, shown on the index page above the chapters; never a chapter.
    var introduction: PageSource?
    var claims: OutputClaims

    static let introductionFile = "index.md"

    /// Reads `course.yml`, the pages (on every core: YAML front matter is most of the work) and
    /// the introduction.
    static func read(_ options: SiteOptions, from folder: CourseFolder) -> Staged<CourseSources> {
        var reader = Reader(folder: folder, sources: CourseSources(claims: OutputClaims()))
        reader.readConfig()
        reader.collectPages(siteFiles: OutputClaims.siteFiles(templates: options.templates, katex: options.katex))
        options.progress("pages: \(reader.sources.pages.count)")
        if reader.sources.pages.isEmpty {
            reader.diagnostics.append(.warning("", "no Markdown pages found in \(options.course.path) (notes/*.md or any *.md)"))
        }
        reader.readIntroduction()
        return Staged(reader.sources, reader.diagnostics)
    }
}

/// The first stage at work: what it has read, and what it found wrong.
private struct Reader {
    let folder: CourseFolder
    var sources: CourseSources
    var diagnostics: [Diagnostic] = []

    init(folder: CourseFolder, sources: CourseSources) {
        self.folder = folder
        self.sources = sources
    }

    mutating func readConfig() {
        if let problem = folder.checkFile(CourseConfig.fileName), problem != .missing(CourseConfig.fileName) {
            diagnostics.append(.error(CourseConfig.fileName, problem.message))
            return
        }
        let (config, problems) = CourseConfig.load(from: folder.root)
        sources.config = config
        diagnostics += problems
    }

    /// `siteFiles`: the site's own files, claimed before any page.
    mutating func collectPages(siteFiles: @autoclosure () -> Staged<OutputClaims>) {
        let all = markdownFiles()
        let known = Set(all)
        var ordered: [String] = []
        let config = sources.config
        for chapter in config.chapters {
            let path: String
            switch folder.locate(chapter, from: "") {
            case .success(let found) where known.contains(found): path = found
            case .failure(let problem) where problem != .missing(normalizedPath(chapter, relativeTo: "") ?? chapter):
                diagnostics.append(.error(CourseConfig.fileName, line: config.chapterLines[chapter], "chapter '\(chapter.excerpt)': \(problem.message)"))
                continue
            default:
                diagnostics.append(.error(CourseConfig.fileName, line: config.chapterLines[chapter], "chapter '\(chapter.excerpt)' not found in the course folder"))
                continue
            }
            if !ordered.contains(path) { ordered.append(path) }
        }
        let orderedSet = Set(ordered)
        let rest = all.filter { !orderedSet.contains($0) }
        // Read together; front matter problems are reported for the other pages first, then the chapters'.
        let read = readFiles(rest + ordered)
        let others = zip(rest, read).map { readFrontMatter($0, $1) }
        let chapters = zip(ordered, read.dropFirst(rest.count)).map { readFrontMatter($0, $1) }
        let (pages, nameProblems) = checkPageNames(chapters + others.sorted { ($0.order ?? .infinity, $0.source) < ($1.order ?? .infinity, $1.source) })
        diagnostics += nameProblems
        let site = siteFiles()
        sources.claims = site.output
        diagnostics += site.diagnostics
        sources.pages = pages.filter { page in
            guard let clash = sources.claims.claim(page.output, for: "the page \(page.source)") else { return true }
            diagnostics.append(clash)
            return false
        }
    }

    /// `notes/*.md` when there is a `notes` folder, otherwise every `*.md` under the course folder
    /// (hidden folders, `_`-folders and the output folder left out). Symbolic links are followed
    /// only inside the course: one that leads out, or loops, is an error; a folder reached twice
    /// (a link to `.`) is read once.
    private mutating func markdownFiles() -> [String] {
        if folder.isFolder("notes") {
            if let problem = folder.check("notes") {
                diagnostics.append(.error("notes", problem.message))
                return []
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.url("notes").path)) ?? []
            return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted().map { "notes/" + $0 }.filter { isReadablePage($0) }
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
                    case let problem?: diagnostics.append(.error(path, problem.message))
                    }
                } else if name.hasSuffix(".md") && path != CourseSources.introductionFile && isReadablePage(path) {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }

    /// Whether a page file may be read; reports why not (a link out of the course, a loop).
    private mutating func isReadablePage(_ path: String) -> Bool {
        guard let problem = folder.checkFile(path) else { return true }
        if problem != .inOutput(path) { diagnostics.append(.error(path, problem.message)) }
        return false
    }

    /// Every page's file read and its front matter split, on every core; nil for a file that cannot be read.
    private func readFiles(_ paths: [String]) -> [(FrontMatter, body: String, diagnostics: [Diagnostic])?] {
        let folder = folder
        return concurrentMap(paths) { source in
            folder.contents(source).map { data in
                let (text, problem) = sourceText(data, file: source)
                var split = FrontMatter.split(text, file: source)
                split.diagnostics = (problem.map { [$0] } ?? []) + split.diagnostics
                return split
            }
        }
    }

    /// The page, with its front matter's title, order and summary; a page that cannot be read stays, empty.
    private mutating func readFrontMatter(_ source: String, _ read: (FrontMatter, body: String, diagnostics: [Diagnostic])?) -> PageSource {
        var page = PageSource(source: source)
        guard let (matter, body, problems) = read else {
            diagnostics.append(.error(page.source, "cannot read the file"))
            return page
        }
        diagnostics += problems
        page.body = body
        page.order = matter.order
        page.summary = matter.summary
        if let title = matter.title { page.title = title }
        return page
    }

    mutating func readIntroduction() {
        let file = CourseSources.introductionFile
        if let problem = folder.checkFile(file), problem != .missing(file) {
            diagnostics.append(.error(file, problem.message))
            return
        }
        guard let data = folder.contents(file) else { return }
        var page = PageSource(source: file)
        let (text, problem) = sourceText(data, file: file)
        let (_, body, problems) = FrontMatter.split(text, file: file)
        diagnostics += (problem.map { [$0] } ?? []) + problems
        page.body = body
        sources.introduction = page
    }
}
