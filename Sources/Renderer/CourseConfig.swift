import Foundation
import Models
import Yams

/// A course's `course.yml` (optional; every field optional):
///
/// ```yaml
/// title: Neural networks, unrolled
/// author: A. Teacher
/// description: One page per network, every number shown.
/// chapters:            # page order; pages not listed follow, by front matter `order`, then file name
///   - notes/01-neuron.md
///   - notes/02-lstm.md
/// markdown:            # extensions beyond GFM, each on by default (`MarkdownOptions`)
///   tab-tables: false
/// trace-budget: 1.5 MB # a page whose traces weigh more gets a warning (`TraceBudget`)
/// ```
struct CourseConfig: Equatable, Sendable {
    static let fileName = "course.yml"

    var title = "Course notes"
    var author: String?
    var description: String?
    /// Source paths relative to the course folder, in reading order.
    var chapters: [String] = []
    /// The 1-based line of each chapter entry, for errors that point at it.
    var chapterLines: [String: Int] = [:]
    /// The Markdown extensions the pages are read with.
    var markdown = MarkdownOptions()
    /// The most trace data one page may load before the build warns.
    var traceBudget = TraceBudget.standard

    /// Reads `course.yml` from the course folder; the defaults when there is none.
    static func load(from course: URL) -> (CourseConfig, [Diagnostic]) {
        let url = course.appendingPathComponent(fileName)
        // One byte past the limit is enough to refuse a file that is too long, however long it is.
        guard let file = try? FileHandle(forReadingFrom: url) else { return (CourseConfig(), []) }
        defer { try? file.close() }
        let data = (try? file.read(upToCount: BoundedYAML.maxBytes + 1)) ?? Data()
        // Read as the pages are: a byte-order mark, CRLF or UTF-16 from Windows editors (SourceText.swift).
        let (text, problem) = sourceText(data, file: fileName)
        let (config, diagnostics) = parse(text)
        return (config, (problem.map { [$0] } ?? []) + diagnostics)
    }

    /// Reads the text of a `course.yml`.
    static func parse(_ text: String) -> (CourseConfig, [Diagnostic]) {
        var config = CourseConfig()
        let node: Node?
        do {
            node = try BoundedYAML.compose(text, firstLine: 1)
        } catch {
            return (config, [error.diagnostic(file: fileName, subject: fileName)])
        }
        guard let node else { return (config, []) }
        guard let mapping = node.mapping else {
            return (config, [.error(fileName, line: 1, "expected `key: value` lines (title, author, description, chapters, markdown, trace-budget)")])
        }
        var diagnostics: [Diagnostic] = []
        for (key, value) in mapping {
            let line = key.mark?.line
            switch key.string ?? "" {
            case "title": config.title = value.string ?? config.title
            case "author": config.author = value.string
            case "description": config.description = value.string
            case "chapters":
                guard case .sequence(let items) = value else {
                    diagnostics.append(.error(fileName, line: line, "`chapters` must be a list of page paths (`- notes/01-neuron.md`)"))
                    continue
                }
                for item in items {
                    guard let path = item.string else { continue }
                    config.chapters.append(path)
                    config.chapterLines[path] = item.mark?.line ?? line
                }
            case "trace-budget":
                guard let text = value.string, let budget = TraceBudget.parse(text) else {
                    diagnostics.append(.error(fileName, line: line, "`trace-budget` must be a size such as `1.5 MB` or `800 KB`"))
                    continue
                }
                config.traceBudget = budget
            case "markdown":
                let (options, problems) = MarkdownOptions.parse(value, file: fileName, line: line)
                config.markdown = options
                diagnostics += problems
            case let other:
                diagnostics.append(.warning(fileName, line: line, "unknown key '\(other.excerpt)' (known: title, author, description, chapters, markdown, trace-budget)"))
            }
        }
        return (config, diagnostics)
    }
}
