import Foundation
import Models

/// What `unrolled build` needs to know.
public struct SiteOptions: Sendable {
    /// The course folder: `course.yml` (optional) and Markdown notes.
    public var course: URL
    /// Where the site goes; replaced whole, only after a build without errors.
    public var output: URL
    /// Warnings (missing image, broken link) fail the build.
    public var strict = false
    /// The trace cache's folder (`TraceCache`): by default `.unrolled-cache` in the course folder,
    /// or the user's cache folder when the course folder cannot be written (`defaultCache`).
    public var cache: URL
    /// Empty the trace cache first: every trace is computed again.
    public var clean = false
    /// Page templates and `assets/`; by default the first found by `Templates.locate()` (the
    /// source tree's `Templates/` when none is found: loading them then fails with a clear error).
    public var templates: URL
    /// Debian's KaTeX (`libjs-katex`), copied into the site; math shows as TeX when it is missing.
    public var katex = URL(fileURLWithPath: "/usr/share/javascript/katex")
    /// Debian's highlight.js (`libjs-highlight.js`), copied into the site; code is plain when it is missing.
    public var highlight = URL(fileURLWithPath: "/usr/share/javascript/highlight.js")
    /// Hears one line per step (`pages: 4`, `traces: 3, 2 from cache`).
    public var progress: @Sendable (String) -> Void = { _ in }
    /// Hears a directive's long training run as it goes (the command line draws a progress line).
    public var demoProgress: ProgressHandler?
    /// Hears each step of putting the site in place (`move out`, `exchange`, `delete the old site`)
    /// just before it happens: how the tests stop a build at each instant of the swap.
    public var beforePublishStep: (@Sendable (String) -> Void)?
    /// The live preview's traces kept decoded between rebuilds (`SiteSession`); nil for a build.
    var traceMemo: TraceMemo?

    public init(course: URL, output: URL? = nil) {
        self.course = course
        self.output = output ?? course.appendingPathComponent("_site")
        self.templates = (try? Templates.locate()) ?? Templates.bundled
        self.cache = Self.defaultCache(for: course)
    }

    /// The name of the trace cache's folder in a course (an instructor's `.gitignore` lists it).
    public static let cacheFolderName = ".unrolled-cache"

    /// `COURSE/.unrolled-cache`, or, when the course folder cannot be written (a read-only
    /// checkout), `$XDG_CACHE_HOME/unrolled/<hash of the course's path>` (`~/.cache/…` by default).
    public static func defaultCache(for course: URL) -> URL {
        let course = course.standardizedFileURL
        if access(course.path, W_OK) == 0 || !FileManager.default.fileExists(atPath: course.path) {
            return course.appendingPathComponent(cacheFolderName)
        }
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache")
        return base.appendingPathComponent("unrolled").appendingPathComponent(contentHash(Data(course.resolvingSymlinksInPath().path.utf8)))
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

/// The site build: stages over values, read top to bottom, each handing the next what it made
/// and returning what it found wrong (kept in order in a `BuildLog`):
///
/// `CourseSources` (course.yml, the pages read, the introduction) → `ParsedCourse` (Markdown
/// parsed) → `CourseWithFigures` (directives' traces) → `RenderedSite` (every HTML file) →
/// `WrittenSite` (staged with the linked files, assets and KaTeX) → published.
///
/// Output is staged in a folder inside the output folder and swapped in whole at the end (see
/// `StagingFolder`), so a build with errors leaves the previous site exactly as it was and a build
/// writes nothing outside the output folder. Every error the stages find is reported together.
public enum Site {
    /// Builds the site. Throws the build's diagnostics (every error, and the warnings) when it fails.
    public static func build(_ options: SiteOptions) throws(BuildFailure) -> BuildSummary {
        let start = ContinuousClock.now
        let staging = try StagingFolder.prepare(options)
        if options.clean { try? FileManager.default.removeItem(at: options.cache) }
        do {
            var summary = try build(options, into: staging)
            let elapsed = ContinuousClock.now - start
            summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            return summary
        } catch {
            staging.discard()
            throw error
        }
    }

    private static func build(_ options: SiteOptions, into staging: StagingFolder) throws(BuildFailure) -> BuildSummary {
        let folder = CourseFolder(root: options.course, output: options.output)
        var log = BuildLog(strict: options.strict)
        let assets = AssetCopy.start(options, into: staging)
        defer { assets.wait() }
        let templates = Background { () throws(Diagnostic) in try Templates(directory: options.templates) }
        defer { templates.wait() }
        // KaTeX checks the math meanwhile (Node on a core the directives and pages leave).
        let mathAhead = MathCheck.Ahead.launch(katex: options.katex, templates: options.templates, cache: options.cache)
        defer { _ = mathAhead.wait() }   // no build leaves Node running
        // Read the course config, the pages and the introduction; parse them; run the directives.
        let sources = log.keep(CourseSources.read(options, from: folder))
        let parsed = ParsedCourse(sources) { mathAhead.offer($0.document.equations) }
        mathAhead.submit((parsed.pages + [parsed.introduction].compactMap { $0 }).flatMap(\.document.equations))
        let course = log.keep(CourseWithFigures.make(parsed, options: options, folder: folder))
        try log.stopOnErrors()
        // Render every page, trace page and the index; write them; copy the files the pages link to.
        let rendered = log.keep(RenderedSite.render(course, templates: try log.check(templates.result), folder: folder) {
            WrittenSite.write($0, into: staging)
        })
        try log.check { () throws(Diagnostic) in if let failure = rendered.handOverFailure { throw failure } }
        let written = log.keep(WrittenSite.copyLinkedFiles(rendered, from: folder, into: staging))
        let math = MathCheck.check(rendered.mathSpans, katex: options.katex, templates: options.templates, cache: options.cache,
            ahead: mathAhead.wait(), stored: mathAhead.stored)
        log.report(math.warnings)
        options.progress(math.note)
        try log.stopOnErrors()
        // The assets and KaTeX (copied meanwhile), highlight.js, then the site put in place.
        log.report(try log.check { () throws(Diagnostic) in try assets.result() })
        let code = Highlighting.isWanted(course.pages.map(\.parsed.document) + [course.introduction?.document].compactMap { $0 })
        log.report(try log.check { () throws(Diagnostic) in try Highlighting.copy(from: options.highlight, wanted: code, into: staging) })
        try log.stopOnErrors()
        try log.check { () throws(Diagnostic) in try staging.publish(announcing: options.beforePublishStep) }
        course.cache?.prune()
        return BuildSummary(
            pages: course.pages.count, traces: course.traces, tracesComputed: course.tracesComputed,
            tracesFromCache: course.tracesFromCache, files: written.files, warnings: log.warnings)
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
            // A crashed build's staging and old folders do not count (the next build removes them).
            let entries = ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).filter { !SiteStaging.isBuildFolder($0) }
            if !entries.isEmpty && !entries.contains(StagingFolder.marker) {
                return "refusing to replace \(out): it is not empty and was not made by `unrolled build` (no \(StagingFolder.marker)); choose an empty or new folder"
            }
        }
        return nil
    }
}
