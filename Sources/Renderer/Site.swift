import Foundation
import Models
import Trace

/// What `unrolled build` needs to know.
public struct SiteOptions: Sendable {
    /// The course folder: `course.yml` (optional) and Markdown notes.
    public var course: URL
    /// Where the site goes; replaced whole, only after a build without errors.
    public var output: URL
    /// Warnings (missing image, broken link) fail the build.
    public var strict = false
    /// Page templates and `assets/`; the source tree's `Templates/` by default.
    public var templates: URL
    /// Debian's KaTeX (`libjs-katex`), copied into the site; math shows as TeX when it is missing.
    public var katex = URL(fileURLWithPath: "/usr/share/javascript/katex")
    /// Which build of the engine computes traces: part of the trace cache's key.
    public var generator = "unrolled"
    /// Hears one line per step (`pages: 4`, `traces: 3, 2 from cache`).
    public var progress: @Sendable (String) -> Void = { _ in }

    public init(course: URL, output: URL? = nil) {
        self.course = course
        self.output = output ?? course.appendingPathComponent("_site")
        self.templates = Templates.bundled
    }
}

/// What a build did: the counts of its one-line summary and its warnings.
public struct BuildSummary: Sendable {
    public var pages = 0
    /// Directives shown; of their traces, how many were computed and how many read from the cache.
    public var traces = 0
    public var tracesComputed = 0
    public var tracesFromCache = 0
    public var files = 0
    public var warnings: [Diagnostic] = []
    public var seconds = 0.0

    /// `4 pages, 3 traces (2 from cache), 5 images, 0 warnings in 0.42 s`
    public var line: String {
        let cached = tracesFromCache > 0 ? " (\(tracesFromCache) from cache)" : ""
        return "\(pages) page\(pages == 1 ? "" : "s"), \(traces) trace\(traces == 1 ? "" : "s")\(cached), "
            + "\(files) image\(files == 1 ? "" : "s"), \(warnings.count) warning\(warnings.count == 1 ? "" : "s") "
            + "in \(String(format: "%.2f", seconds)) s"
    }
}

/// The site build: a list of named steps over one `SiteBuild`, read top to bottom.
///
/// Output is written to a temporary folder beside the output folder and swapped in whole at the
/// end, so a build with errors leaves the previous site exactly as it was. Every error the
/// steps find is reported together.
public enum Site {
    static var steps: [(name: String, run: (SiteBuild) throws(BuildFailure) -> Void)] {
        [
        ("check the output folder", { build throws(BuildFailure) in try build.checkOutputFolder() }),
        ("read the course config", { $0.readConfig() }),
        ("collect pages", { $0.collectPages() }),
        ("parse pages", { $0.parsePages() }),
        ("run directives", { $0.runDirectives() }),
        ("stop on errors", { build throws(BuildFailure) in try build.stopOnErrors() }),
        ("render pages", { build throws(BuildFailure) in try build.renderPages() }),
        ("copy images", { $0.copyImages() }),
        ("stop on errors", { build throws(BuildFailure) in try build.stopOnErrors() }),
        ("copy assets and KaTeX", { build throws(BuildFailure) in try build.copyAssets() }),
        ("write the site", { build throws(BuildFailure) in try build.swapIn() }),
        ]
    }

    /// Builds the site. Throws the build's diagnostics (every error, and the warnings) when it fails.
    public static func build(_ options: SiteOptions) throws(BuildFailure) -> BuildSummary {
        let start = ContinuousClock.now
        let build = SiteBuild(options)
        defer { build.removeTemporaryFolder() }
        for step in steps {
            try step.run(build)
        }
        var summary = build.summary
        summary.warnings = build.diagnostics.filter { $0.severity == .warning }
        let elapsed = ContinuousClock.now - start
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return summary
    }

    /// Why an output folder must not be used, or nil when it may be. The output folder is
    /// deleted and replaced by every build, so it must not be the course, hold it, be `/` or the
    /// home folder, or be a folder of something else (one without the marker a build leaves).
    public static func refusal(output: URL, course: URL) -> String? {
        let out = output.standardizedFileURL.resolvingSymlinksInPath().path
        let src = course.standardizedFileURL.resolvingSymlinksInPath().path
        let home = FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.resolvingSymlinksInPath().path
        if out == "/" { return "refusing to write the site to / (choose an empty or new folder with --output)" }
        if out == home { return "refusing to write the site to the home folder \(out) (choose an empty or new folder with --output)" }
        if out == src { return "refusing to write the site into the course folder itself (choose another folder with --output)" }
        if src.hasPrefix(out.hasSuffix("/") ? out : out + "/") {
            return "refusing to write the site to \(out): it contains the course folder (choose another folder with --output)"
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isFolder) {
            guard isFolder.boolValue else { return "\(out) exists and is not a folder" }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
            if !entries.isEmpty && !entries.contains(SiteBuild.marker) {
                return "refusing to replace \(out): it is not empty and was not made by `unrolled build` (no \(SiteBuild.marker)); choose an empty or new folder"
            }
        }
        return nil
    }
}

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
    let temporary: URL
    private var swapped = false

    init(_ options: SiteOptions) {
        self.options = options
        let output = options.output.standardizedFileURL
        temporary = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).building-\(ProcessInfo.processInfo.processIdentifier)")
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
            try? FileManager.default.removeItem(at: temporary)
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        } catch {
            throw BuildFailure(diagnostics: [.error("", "cannot create \(temporary.path): \(error.localizedDescription)")])
        }
    }

    func readConfig() {
        let (config, problems) = CourseConfig.load(from: options.course)
        self.config = config
        problems.forEach(report)
    }

    func collectPages() {
        let all = markdownFiles()
        let known = Set(all)
        var ordered: [String] = []
        for chapter in config.chapters {
            guard let path = normalizedPath(chapter, relativeTo: ""), known.contains(path) else {
                report(.error(CourseConfig.fileName, line: config.chapterLines[chapter], "chapter '\(chapter)' not found in the course folder"))
                continue
            }
            if !ordered.contains(path) { ordered.append(path) }
        }
        pages = ordered.map(Page.init)
        let rest = all.filter { !ordered.contains($0) }.map(Page.init)
        for page in rest { readFrontMatter(page) }
        pages.forEach { page in if !rest.contains(where: { $0 === page }) { readFrontMatter(page) } }
        pages += rest.sorted { ($0.order ?? .infinity, $0.source) < ($1.order ?? .infinity, $1.source) }
        options.progress("pages: \(pages.count)")
        if pages.isEmpty {
            report(.warning("", "no Markdown pages found in \(options.course.path) (notes/*.md or any *.md)"))
        }
    }

    /// `notes/*.md` when there is a `notes` folder, otherwise every `*.md` under the course folder
    /// (hidden folders, `_`-folders and the output folder left out).
    private func markdownFiles() -> [String] {
        let files = FileManager.default
        let notes = options.course.appendingPathComponent("notes")
        if let names = try? files.contentsOfDirectory(atPath: notes.path) {
            return names.filter { $0.hasSuffix(".md") && !$0.hasPrefix(".") }.sorted().map { "notes/" + $0 }
        }
        let output = options.output.standardizedFileURL.resolvingSymlinksInPath().path
        var found: [String] = []
        var folders = [""]
        while let folder = folders.popLast() {
            let url = folder.isEmpty ? options.course : options.course.appendingPathComponent(folder)
            guard url.standardizedFileURL.resolvingSymlinksInPath().path != output else { continue }
            for name in (try? files.contentsOfDirectory(atPath: url.path)) ?? [] where !name.hasPrefix(".") {
                let path = folder.isEmpty ? name : folder + "/" + name
                var isFolder: ObjCBool = false
                let exists = files.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isFolder)
                if exists && isFolder.boolValue {
                    if !name.hasPrefix("_") { folders.append(path) }
                } else if name.hasSuffix(".md") {
                    found.append(path)
                }
            }
        }
        return found.sorted()
    }

    private func readFrontMatter(_ page: Page) {
        let url = options.course.appendingPathComponent(page.source)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            report(.error(page.source, "cannot read the file"))
            return
        }
        let (matter, body, problems) = FrontMatter.split(String(decoding: data, as: UTF8.self), file: page.source)
        problems.forEach(report)
        page.body = body
        page.order = matter.order
        page.summary = matter.summary
        if let title = matter.title { page.title = title }
    }

    func parsePages() {
        for page in pages {
            let document = MarkdownDocument(page.body)
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
            next: temporary.appendingPathComponent(TraceCache.folder),
            generator: options.generator)
        var count = 0
        for page in pages {
            guard let document = page.document else { continue }
            for block in document.codeBlocks(info: "unrolled") {
                switch Directive.parse(body: block.content, file: page.source, line: block.line) {
                case .failure(let failure): failure.diagnostics.forEach(report)
                case .success(let directive):
                    count += 1
                    if let figure = figure(for: directive, page: page, cache: &cache, number: count) {
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

    private var templates: Templates?

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

    private func figure(for directive: Directive, page: Page, cache: inout TraceCache, number: Int) -> String? {
        let trace: TraceDocument
        let json: Data
        do {
            switch directive.source {
            case .demo(let model, let parameters):
                (trace, json) = try cache.trace(model: model, parameters: parameters)
            case .file(let path):
                let candidates = [normalizedPath(path, relativeTo: page.sourceFolder), normalizedPath(path, relativeTo: "")].compactMap { $0 }
                guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: options.course.appendingPathComponent($0).path) }) else {
                    report(.error(page.source, line: directive.line, "trace '\(path)' not found (looked in \(candidates.joined(separator: " and "))); make it with `unrolled trace <demo> --output \(path)`"))
                    return nil
                }
                let data = try Data(contentsOf: options.course.appendingPathComponent(found))
                do {
                    trace = try TraceDocument.decode(from: data)
                } catch {
                    report(.error(page.source, line: directive.line, "'\(path)' is not a valid Unrolled trace: \(error); remake it with `unrolled trace`"))
                    return nil
                }
                if let problem = TraceValidation.problem(in: trace) {
                    report(.error(page.source, line: directive.line, "'\(path)' does not replay: \(problem); remake it with `unrolled trace`"))
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
        let context = TraceFigure.context(trace: trace, json: json, title: directive.title, caption: directive.caption, number: number)
        return templates.render("trace-figure", context)
    }

    func stopOnErrors() throws(BuildFailure) {
        if !errors.isEmpty { throw BuildFailure(diagnostics: diagnostics) }
    }

    func renderPages() throws(BuildFailure) {
        let templates = try loadTemplates()
        let sources = Dictionary(pages.map { ($0.source, $0) }, uniquingKeysWith: { first, _ in first })
        for page in pages {
            guard let document = page.document else { continue }
            page.html = document.render(
                replacingCodeBlock: { block in page.figures[block.line] },
                rewritingDestination: { reference in self.resolve(reference, on: page, pages: sources) })
            checkRawImages(on: page, pages: sources)
        }
        for (index, page) in pages.enumerated() {
            let html = templates.render("page", pageContext(page, index: index))
            try write(html, to: page.output)
        }
        try write(templates.render("index", indexContext()), to: "index.html")
        try write(SearchIndex.script(for: pages), to: SearchIndex.path)
        summary.pages = pages.count
    }

    /// The new destination of a link or image on `page` (`lstm.md#gates` → `lstm.html#gates`), or nil
    /// to keep it; notes a local image or file to copy, and warns about one that is missing.
    private func resolve(_ reference: LinkReference, on page: Page, pages: [String: Page]) -> String? {
        let destination = reference.destination
        if destination.isEmpty || destination.hasPrefix("#") || destination.hasPrefix("/") || destination.hasPrefix("//")
            || destination.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:", options: .regularExpression) != nil
        {
            return nil
        }
        let (pathPart, fragment) = splitFragment(destination)
        let path = pathPart.removingPercentEncoding ?? pathPart
        guard let target = normalizedPath(path, relativeTo: page.sourceFolder) else {
            report(.warning(page.source, line: reference.line, "'\(destination)' points outside the course folder; it is left as written"))
            return nil
        }
        if path.hasSuffix(".md") {
            guard let other = pages[target] else {
                report(.warning(page.source, line: reference.line, "broken link '\(destination)': no page \(target) in the course"))
                return nil
            }
            return relativePath(from: page.output, to: other.output) + fragment
        }
        if FileManager.default.fileExists(atPath: options.course.appendingPathComponent(target).path) {
            files.insert(target)
        } else {
            let what = reference.kind == .image ? "image" : "linked file"
            report(.warning(page.source, line: reference.line, "\(what) '\(destination)' not found (looked for \(target)); the page shows \(reference.kind == .image ? "its alt text" : "a dead link")"))
        }
        return nil
    }

    /// Images written as raw HTML (`<img src="images/cell.png" width=300>`, common in real notes)
    /// are copied and checked like Markdown images; the line is where the source first names them.
    private func checkRawImages(on page: Page, pages: [String: Page]) {
        let markdownImages = Set((page.document?.links ?? []).filter { $0.kind == .image }.map(\.destination))
        let pattern = try! NSRegularExpression(pattern: "<img\\b[^>]*?\\ssrc\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))", options: [.caseInsensitive])
        let html = page.html
        var seen: Set<String> = []
        var lines: [Substring]?
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            guard let range = (1...3).lazy.compactMap({ Range(match.range(at: $0), in: html) }).first else { continue }
            let source = String(html[range]).replacingOccurrences(of: "&amp;", with: "&")
            guard !markdownImages.contains(source), seen.insert(source).inserted else { continue }
            if lines == nil { lines = page.body.split(separator: "\n", omittingEmptySubsequences: false) }
            let line = lines?.firstIndex { $0.contains(source) }.map { $0 + 1 }
            _ = resolve(LinkReference(kind: .image, destination: source, title: "", text: "", line: line ?? 1), on: page, pages: pages)
        }
    }

    func copyImages() {
        let manager = FileManager.default
        for file in files.sorted() {
            let to = temporary.appendingPathComponent(file)
            do {
                try manager.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
                if !manager.fileExists(atPath: to.path) {
                    try manager.copyItem(at: options.course.appendingPathComponent(file), to: to)
                }
            } catch {
                report(.error(file, "cannot copy: \(error.localizedDescription)"))
            }
        }
        summary.files = files.count
    }

    func copyAssets() throws(BuildFailure) {
        let manager = FileManager.default
        let assets = temporary.appendingPathComponent("assets")
        do {
            let source = options.templates.appendingPathComponent("assets")
            if manager.fileExists(atPath: source.path) {
                try manager.copyItem(at: source, to: assets)
            } else {
                try manager.createDirectory(at: assets, withIntermediateDirectories: true)
            }
            let katex = assets.appendingPathComponent("katex")
            if manager.fileExists(atPath: options.katex.appendingPathComponent("katex.min.js").path) {
                try manager.createDirectory(at: katex, withIntermediateDirectories: true)
                for name in ["katex.min.js", "katex.min.css", "fonts"] where manager.fileExists(atPath: options.katex.appendingPathComponent(name).path) {
                    try copyFollowingLinks(options.katex.appendingPathComponent(name), to: katex.appendingPathComponent(name))
                }
            } else {
                report(.warning("", "KaTeX not found at \(options.katex.path) (Debian package libjs-katex; `bash scripts/setup` installs it): math shows as TeX source"))
                try stopOnErrors()
            }
            try Data("built by unrolled build\n".utf8).write(to: temporary.appendingPathComponent(SiteBuild.marker))
        } catch let failure as BuildFailure {
            throw failure
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot copy the assets: \(error.localizedDescription)")])
        }
    }

    /// Puts the finished site in place of the old one: two renames, so no reader sees half a site.
    func swapIn() throws(BuildFailure) {
        let manager = FileManager.default
        let output = options.output.standardizedFileURL
        let previous = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).previous-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try? manager.removeItem(at: previous)
            let hadOutput = manager.fileExists(atPath: output.path)
            if hadOutput { try manager.moveItem(at: output, to: previous) }
            do {
                try manager.moveItem(at: temporary, to: output)
            } catch {
                if hadOutput { try? manager.moveItem(at: previous, to: output) }
                throw error
            }
            swapped = true
            try? manager.removeItem(at: previous)
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot put the site in place at \(output.path): \(error.localizedDescription)")])
        }
    }

    func removeTemporaryFolder() {
        if !swapped { try? FileManager.default.removeItem(at: temporary) }
    }

    private func write(_ html: String, to path: String) throws(BuildFailure) {
        let url = temporary.appendingPathComponent(path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(html.utf8).write(to: url)
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [.error("", "cannot write \(path): \(error.localizedDescription)")])
        }
    }
}

func splitFragment(_ destination: String) -> (String, String) {
    guard let hash = destination.firstIndex(of: "#") else { return (destination, "") }
    return (String(destination[..<hash]), String(destination[hash...]))
}

/// Copies a file or folder, following symbolic links (Debian's KaTeX links to its fonts elsewhere),
/// so the site holds real files that work on any host.
func copyFollowingLinks(_ from: URL, to: URL) throws {
    let manager = FileManager.default
    let source = from.resolvingSymlinksInPath()
    var isFolder: ObjCBool = false
    guard manager.fileExists(atPath: source.path, isDirectory: &isFolder) else { return }
    if isFolder.boolValue {
        try manager.createDirectory(at: to, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: source.path) {
            try copyFollowingLinks(source.appendingPathComponent(name), to: to.appendingPathComponent(name))
        }
    } else {
        try manager.copyItem(at: source, to: to)
    }
}

/// The relative URL from one site file to another (`notes/a.html` → `notes/b.html` is `b.html`).
func relativePath(from: String, to: String) -> String {
    var fromParts = from.split(separator: "/").dropLast().map(String.init)
    var toParts = to.split(separator: "/").map(String.init)
    while let first = fromParts.first, let other = toParts.first, first == other, toParts.count > 1 {
        fromParts.removeFirst()
        toParts.removeFirst()
    }
    return String(repeating: "../", count: fromParts.count) + toParts.joined(separator: "/")
}
