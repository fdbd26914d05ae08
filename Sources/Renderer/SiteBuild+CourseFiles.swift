import Foundation
import Models
import Trace

/// The files a directive names (`src:`, and the `.file` parameters of a demo such as
/// `corpus-file:`), found through `CourseFolder`: relative to the page, inside the course.
extension SiteBuild {
    /// The course-relative path of a `src:` trace, or nil after reporting why there is none.
    func locateTrace(_ written: String, on page: Page, line: Int) -> String? {
        switch folder.locate(written, from: page.sourceFolder).flatMap({ path in folder.checkFile(path).map { .failure($0) } ?? .success(path) }) {
        case .success(let path):
            return path
        case .failure(.missing(let path)):
            // The usual slip: a path written from the course folder instead of from the page.
            let hint = normalizedPath(written, relativeTo: "").flatMap { fromCourse in
                folder.check(fromCourse) == nil && fromCourse != path
                    ? "; paths are relative to the page: write '\(relativePath(from: page.source, to: fromCourse))'" : nil
            }
            report(.error(page.source, line: line,
                "trace '\(written.excerpt)' not found (looked for \(path.excerpt))\(hint ?? "; make it with `unrolled trace <demo> --output \(path.excerpt)`")"))
        case .failure(let problem):
            report(.error(page.source, line: line, "src: \(problem.message)"))
        }
        return nil
    }

    /// The text of every file the demo's `.file` parameters name, by the path as written; nil after
    /// reporting a path that is not in the course or cannot be read.
    func namedFiles(demo: Demo, config: DemoConfig, on page: Page, line: Int) -> [String: String]? {
        var files: [String: String] = [:]
        var ok = true
        for parameter in demo.parameters {
            guard case .file = parameter.kind, let written = config.values[parameter.name]?.stringValue else { continue }
            switch folder.locate(written, from: page.sourceFolder) {
            case .success(let path):
                guard let data = folder.contents(path), let text = String(validating: data, as: UTF8.self) else {
                    report(.error(page.source, line: line, "\(parameter.name): cannot read \(path) as UTF-8 text"))
                    ok = false
                    continue
                }
                files[written] = text
            case .failure(let problem):
                report(.error(page.source, line: line, "\(parameter.name): \(problem.message)"))
                ok = false
            }
        }
        return ok ? files : nil
    }
}
