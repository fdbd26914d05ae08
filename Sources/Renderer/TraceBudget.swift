import Foundation
import Models

/// How much trace data one page may make its reader download before the build warns
/// (`trace-budget` in course.yml). A reader on a phone waits for every viewer's data; a page whose
/// traces weigh megabytes is usually a directive with more training or more units than its
/// figure needs, so the warning names the directives, heaviest first, and the parameters to lower.
struct TraceBudget: Equatable, Sendable {
    /// 1.5 MB of trace scripts (about 1.2 MB compressed over the wire): the bundled course's
    /// heaviest chapter, three 24-unit RNNs trained for 40 epochs, is 1.2 MB.
    static let standard = TraceBudget(bytes: 1_500_000)

    var bytes: Int

    /// `1.5 MB`, `800 KB` or a number of bytes; nil when the text is none of these.
    static func parse(_ text: String) -> TraceBudget? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first, parts.count <= 2, let number = Double(first), number > 0, number.isFinite else { return nil }
        let unit = parts.count == 2 ? parts[1].uppercased() : "B"
        let scale: Double
        switch unit {
        case "B": scale = 1
        case "KB": scale = 1_000
        case "MB": scale = 1_000_000
        default: return nil
        }
        return TraceBudget(bytes: Int(number * scale))
    }

    /// A trace a page shows, for the warning: where its directive is and what would make it smaller.
    struct Item: Sendable {
        let id: String
        let page: String
        let line: Int
        let bytes: Int
        /// The demo's parameters that scale its size, those the directive gave first; nil for a
        /// trace read from a file.
        let toLower: [String]?
    }

    /// One warning per page whose traces exceed the budget.
    func check(_ items: [Item]) -> [Diagnostic] {
        var pages: [String] = []
        var byPage: [String: [Item]] = [:]
        for item in items {
            if byPage[item.page] == nil { pages.append(item.page) }
            byPage[item.page, default: []].append(item)
        }
        return pages.compactMap { page in
            let traces = byPage[page]!
            let total = traces.reduce(0) { $0 + $1.bytes }
            guard total > bytes else { return nil }
            let heaviest = traces.sorted { $0.bytes > $1.bytes }
            let list = heaviest.map { item in
                let lower = item.toLower.map { names in names.isEmpty ? "" : ": lower " + names.map { "`\($0)`" }.joined(separator: " or ") }
                    ?? ": remake the trace file smaller"
                return "line \(item.line) (\(item.id), \(Self.megabytes(item.bytes)))\(lower)"
            }
            return .warning(page, line: heaviest[0].line,
                "the page's traces are \(Self.megabytes(total)) of data for its readers to download, over the budget of "
                    + "\(Self.megabytes(bytes)) (`trace-budget` in course.yml); heaviest first: " + list.joined(separator: "; "))
        }
    }

    /// `1.23 MB`
    static func megabytes(_ bytes: Int) -> String { String(format: "%.2f MB", Double(bytes) / 1_000_000) }
}

extension Demo {
    /// The parameters that make this demo's trace bigger (`scales:` in their declarations): those
    /// the directive gave, or all of them when it gave none. What a page over its budget should lower.
    func sizeParameters(given: Set<String>) -> [String] {
        let scaling = parameters.filter { $0.scaling != nil }.map(\.name)
        let named = scaling.filter { given.contains($0) }
        return named.isEmpty ? scaling : named
    }
}
