import Engine
import Foundation
import Models
import Trace

/// A directive's trace: run through the trace cache, or read from its `src:` file. The files a
/// directive names (`src:`, and the `.file` parameters of a demo such as `corpus-file:`) are found
/// through `CourseFolder`: relative to the page, inside the course.
extension FigureMaker {
    /// The trace, or nil after reporting why there is none.
    mutating func trace(for directive: Directive, on page: PageSource) -> ShownTrace? {
        do {
            switch directive.source {
            case .demo(let demo, let config):
                guard let files = namedFiles(demo: demo, config: config, on: page, line: directive.line) else { return nil }
                guard let memo = options.traceMemo else { return try cache.trace(demo, config, files: files, progress: options.demoProgress) }
                return try memo.trace(TraceCache.key(demo: demo, config: config, files: files), page: page.source) {
                    try cache.trace(demo, config, files: files, progress: options.demoProgress)
                }
            case .file(let path):
                guard let found = locateTrace(path, on: page, line: directive.line) else { return nil }
                guard let data = folder.contents(found) else { throw CoursePathProblem.notRegular(found) }
                guard let memo = options.traceMemo else { return try load(data, from: found, on: page, line: directive.line) }
                return try memo.trace("src \(found) \(contentHash(data))", page: page.source) {
                    try load(data, from: found, on: page, line: directive.line)
                }
            }
        } catch let error as DemoError {
            diagnostics.append(.error(page.source, line: directive.line, error.message()))
        } catch {
            diagnostics.append(.error(page.source, line: directive.line, "\(error)"))
        }
        return nil
    }

    /// A `src:` trace checked (see `TraceCheck.load`), or nil after reporting why it is refused.
    private mutating func load(_ data: Data, from found: String, on page: PageSource, line: Int) throws -> ShownTrace? {
        let trace: TraceDocument
        do throws(TraceError) {
            trace = try TraceCheck.load(data)
        } catch {
            diagnostics.append(.error(page.source, line: line, "\(error.description(file: found)); remake it with `unrolled trace`"))
            return nil
        }
        return ShownTrace(document: trace, payload: try TraceScript.payload(trace))
    }

    /// The course-relative path of a `src:` trace, or nil after reporting why there is none.
    private mutating func locateTrace(_ written: String, on page: PageSource, line: Int) -> String? {
        switch folder.locate(written, from: page.sourceFolder).flatMap({ path in folder.checkFile(path).map { .failure($0) } ?? .success(path) }) {
        case .success(let path):
            return path
        case .failure(.missing(let path)):
            // The usual slip: a path written from the course folder instead of from the page.
            let hint = normalizedPath(written, relativeTo: "").flatMap { fromCourse in
                folder.check(fromCourse) == nil && fromCourse != path
                    ? "; paths are relative to the page: write '\(relativePath(from: page.source, to: fromCourse))'" : nil
            }
            diagnostics.append(.error(page.source, line: line,
                "trace '\(written.excerpt)' not found (looked for \(path.excerpt))\(hint ?? "; make it with `unrolled trace <demo> --output \(path.excerpt)`")"))
        case .failure(let problem):
            diagnostics.append(.error(page.source, line: line, "src: \(problem.message)"))
        }
        return nil
    }

    /// The traces a page's demo directives ask for (`Directive.parse` of each of its blocks),
    /// worked out on a copy of the maker so that nothing is reported twice (the directives' own
    /// pass reports), for the cache to read or compute them ahead (`TraceCache.preload`, `computeAhead`).
    func traceJobs(_ directives: [Result<Directive, BuildFailure>], on page: PageSource) -> [TraceCache.Job] {
        var quiet = self
        return directives.compactMap { parse in
            guard case .success(let directive) = parse, case .demo(let demo, let config) = directive.source,
                let files = quiet.namedFiles(demo: demo, config: config, on: page, line: directive.line)
            else { return nil }
            return TraceCache.Job(demo: demo, config: config, files: files)
        }
    }

    /// The text of every file the demo's `.file` parameters name, by the path as written; nil after
    /// reporting a path that is not in the course or cannot be read.
    private mutating func namedFiles(demo: Demo, config: DemoConfig, on page: PageSource, line: Int) -> [String: String]? {
        var files: [String: String] = [:]
        var ok = true
        for parameter in demo.parameters {
            guard case .file = parameter.kind, let written = config.values[parameter.name]?.stringValue else { continue }
            switch folder.locate(written, from: page.sourceFolder) {
            case .success(let path):
                guard let data = folder.contents(path), let text = String(validating: data, as: UTF8.self) else {
                    diagnostics.append(.error(page.source, line: line, "\(parameter.name): cannot read \(path) as UTF-8 text"))
                    ok = false
                    continue
                }
                if demo.name == "equations", parameter.name == "equations-file" {
                    // Its problems at their own lines of that file, as the directive's own text would be.
                    let found = Directive.equationDiagnostics(inFile: text, path: path)
                    diagnostics += found
                    if found.contains(where: { $0.severity == .error }) { ok = false }
                }
                files[written] = text
            case .failure(let problem):
                diagnostics.append(.error(page.source, line: line, "\(parameter.name): \(problem.message)"))
                ok = false
            }
        }
        return ok ? files : nil
    }
}
