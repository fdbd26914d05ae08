import Foundation
import Trace

/// What the `trace-figure` template shows for a directive until the interactive viewer replaces
/// it: the trace's title, its configuration, a table of its steps, and the trace itself as JSON in
/// a `<script type="application/json">` for the viewer to read.
enum TraceFigure {
    /// The Mustache context of one figure. `number` makes its element id (`trace-1`, …) unique on the page.
    static func context(trace: TraceDocument, json: Data, title: String?, caption: String?, number: Int) -> [String: Any] {
        let names = trace.tensors.map(\.name)
        func name(_ id: Int) -> String { names.indices.contains(id) ? names[id] : "#\(id)" }
        let scopes = Dictionary(trace.scopes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        func path(_ id: Int?) -> String {
            var parts: [String] = []
            var current = id
            while let id = current, let scope = scopes[id], parts.count < 64 {
                parts.append(scope.name)
                current = scope.parent
            }
            return parts.reversed().joined(separator: " › ")
        }
        let steps: [[String: Any]] = trace.steps.map { step in
            [
                "index": step.index, "phase": step.phase.rawValue, "op": step.op,
                "inputs": step.inputs.map(name).joined(separator: ", "),
                "output": name(step.output), "scope": path(step.scope),
            ]
        }
        let config: [[String: Any]] = trace.config.keys.sorted().map { ["name": $0, "value": trace.config[$0]!.displayText] }
        return [
            "id": "trace-\(number)",
            "title": title ?? trace.title,
            "caption": caption.map(inlineHTML) ?? "",
            "hasCaption": caption != nil,
            "model": trace.model,
            "config": config,
            "steps": steps,
            "stepCount": trace.steps.count,
            "tensorCount": trace.tensors.count,
            "json": scriptSafe(json),
        ]
    }

    /// A caption's Markdown (emphasis, code, links, `$…$` math) as inline HTML: one paragraph, unwrapped.
    static func inlineHTML(_ markdown: String) -> String {
        var html = Markdown.html(from: markdown).trimmingCharacters(in: .whitespacesAndNewlines)
        if html.hasPrefix("<p>"), html.hasSuffix("</p>"), html.components(separatedBy: "<p>").count == 2 {
            html = String(html.dropFirst(3).dropLast(4))
        }
        return html
    }

    /// JSON that cannot end its `<script>` element early: `<` becomes `\u003c` (still the same JSON).
    static func scriptSafe(_ json: Data) -> String {
        String(decoding: json, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    }
}
