import Yams

/// The Markdown a page is read with beyond GFM's own extensions: what `course.yml`'s `markdown:`
/// turns off.
///
/// ```yaml
/// markdown:
///   tab-tables: false     # tab-separated lines stay text (default true)
///   alerts: false         # `> [!NOTE]` stays a blockquote (default true)
/// ```
public struct MarkdownOptions: Equatable, Sendable {
    /// Top-level paragraphs whose lines all have the same number (≥ 2) of tab-separated cells
    /// become tables (see `TabTables`).
    public var tabTables = true
    /// GitHub's alerts: a top-level blockquote opening with `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`,
    /// `[!WARNING]` or `[!CAUTION]` (see `Alerts`).
    public var alerts = true

    public init(tabTables: Bool = true, alerts: Bool = true) {
        self.tabTables = tabTables
        self.alerts = alerts
    }

    /// CommonMark and GFM alone: what the spec suite checks.
    static let gfmOnly = MarkdownOptions(tabTables: false, alerts: false)

    private static var keys: [(name: String, path: WritableKeyPath<MarkdownOptions, Bool>)] {
        [("tab-tables", \.tabTables), ("alerts", \.alerts)]
    }

    /// Reads the value of `course.yml`'s `markdown:` (`file` names it in diagnostics).
    static func parse(_ node: Node, file: String, line: Int?) -> (MarkdownOptions, [Diagnostic]) {
        var options = MarkdownOptions()
        let known = keys.map(\.name).joined(separator: ", ")
        guard let mapping = node.mapping else {
            return (options, [.error(file, line: line, "`markdown` must be a mapping of extensions to true or false (\(known)), e.g. `markdown: {tab-tables: false}`")])
        }
        var diagnostics: [Diagnostic] = []
        for (key, value) in mapping {
            let name = key.string ?? ""
            let keyLine = key.mark?.line ?? line
            guard let path = keys.first(where: { $0.name == name })?.path else {
                diagnostics.append(.warning(file, line: keyLine, "unknown Markdown extension '\(name.excerpt)' under `markdown` (known: \(known))"))
                continue
            }
            guard let on = value.bool else {
                diagnostics.append(.error(file, line: keyLine, "`markdown: \(name):` must be true or false, not '\((value.string ?? "").excerpt)'"))
                continue
            }
            options[keyPath: path] = on
        }
        return (options, diagnostics)
    }
}
