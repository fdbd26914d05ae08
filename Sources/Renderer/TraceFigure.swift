import Foundation
import Trace

/// What a directive becomes on a page: the `<unrolled-trace>` viewer element with the trace as JSON
/// inside it (Chromium refuses `fetch` over `file://`, so the data travels in the page), a static
/// summary for readers without JavaScript and for print, and a link to the trace's own page.
/// The same context renders the standalone page `traces/<id>.html` and `unrolled embed`'s file.
enum TraceFigure {
    /// What `trace-figure.mustache` shows of one trace.
    struct Context: TemplateContext {
        /// The trace's id on the site: the viewer element's id and `trace-id`, deep links `#<id>:<step>`.
        var id: String
        var title: String
        /// Inline HTML (see `inlineHTML`).
        var caption: String
        var hasCaption: Bool
        var model: String
        var config: [Setting]
        var stepCount: Int
        var tensorCount: Int
        /// The trace's JSON, safe inside a `<script>` (see `scriptSafe`).
        var json: TemplateText
        /// The link to the trace's standalone page, relative to where the figure is shown.
        var pageHref: String
        var hasPage: Bool
        /// The directive shown above the viewer (`echo: true`), as text.
        var source: String
        var hasSource: Bool

        /// A configuration value as the static summary shows it.
        struct Setting: Sendable {
            var name: String
            var value: String
        }

        init(trace: TraceDocument, json: Data, id: String, title: String?, caption: String?, pageHref: String? = nil, source: String? = nil) {
            self.id = id
            self.title = title ?? trace.title
            self.caption = caption.map(TraceFigure.inlineHTML) ?? ""
            hasCaption = caption != nil
            model = trace.model
            config = trace.config.keys.sorted().map { Setting(name: $0, value: trace.config[$0]!.displayText) }
            stepCount = trace.steps.count
            tensorCount = trace.tensors.count
            self.json = TemplateText(TraceFigure.scriptSafe(json))
            self.pageHref = pageHref ?? ""
            hasPage = pageHref != nil
            self.source = source ?? ""
            hasSource = source != nil
        }
    }

    /// A caption's Markdown (emphasis, code, links, `$…$` math) as inline HTML: one paragraph, unwrapped.
    static func inlineHTML(_ markdown: String) -> String {
        unwrapParagraph(Markdown.html(from: markdown))
    }

    /// The HTML of one paragraph without its `<p>`; anything else as it is.
    static func unwrapParagraph(_ html: String) -> String {
        var html = html.trimmingCharacters(in: .whitespacesAndNewlines)
        if html.hasPrefix("<p>"), html.hasSuffix("</p>"), html.components(separatedBy: "<p>").count == 2 {
            html = String(html.dropFirst(3).dropLast(4))
        }
        return html
    }

    /// JSON that cannot end its `<script>` element early: `<` becomes `\u003c` (still the same JSON).
    static func scriptSafe(_ json: Data) -> String {
        String(decoding: json, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
    }

    /// The id a directive's trace gets when it names none: the page's file name without a leading
    /// chapter number (`notes/06-lstm.md` → `lstm`), then the trace's number on the page: `lstm-1`.
    static func defaultID(pageSource: String, number: Int) -> String {
        let stem = URL(fileURLWithPath: pageSource).deletingPathExtension().lastPathComponent
        var slug = String(stem.lowercased().unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "-"
        })
        if let dash = slug.firstIndex(of: "-"), slug[..<dash].allSatisfy(\.isNumber), slug.index(after: dash) < slug.endIndex {
            slug = String(slug[slug.index(after: dash)...])
        }
        while slug.contains("--") { slug = slug.replacingOccurrences(of: "--", with: "-") }
        // At most 200 (ASCII) characters: `traces/<id>.html` must fit a file name's 255 bytes.
        slug = String(slug.prefix(200)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        return (slug.isEmpty ? "trace" : slug) + "-\(number)"
    }
}
