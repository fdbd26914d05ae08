import Foundation
import Mustache
import Trace

/// What a directive becomes on a page: the `<unrolled-trace>` viewer element, a static summary for
/// readers without JavaScript and for print, and a link to the trace's own page. In a site the
/// element names its data's script (`data-src`, `TraceScript`), shared by the chapter and the
/// trace's own page; in `unrolled embed`'s file the same script is inline, before the element.
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
        /// The link to the trace's data script (`TraceScript`), when the page does not hold it.
        var dataSrc: String
        var hasDataSrc: Bool
        /// No outline (`unrolled embed --compact`).
        var compact = false
        /// The view shown first (`unrolled embed --view`).
        var view = ""
        var hasView = false
        /// The link to the trace's standalone page, relative to where the figure is shown.
        var pageHref: String
        var hasPage: Bool
        /// The directive shown above the viewer (`echo: true`), as text.
        var source: String
        var hasSource: Bool

        /// A configuration value as the static summary shows it. It answers swift-mustache's
        /// lookups itself: reflecting it at each `{{name}}` and `{{value}}` was a tenth of a rebuild
        /// with nothing changed (126 figures of the bundled course).
        struct Setting: MustacheParent, Sendable {
            var name: String
            var value: String

            func child(named key: String) -> Any? {
                switch key {
                case "name": TemplateText(name)
                case "value": TemplateText(value)
                default: nil
                }
            }
        }

        /// Where the viewer finds the trace's data: in a shared script, or set by a script of the page.
        enum DataSource {
            case script(href: String)
            case page
        }

        init(trace: TraceSummary, data: DataSource, id: String, title: String?, caption: String?, pageHref: String? = nil, source: String? = nil) {
            self.id = id
            self.title = title ?? trace.title
            self.caption = caption.map(TraceFigure.inlineHTML) ?? ""
            hasCaption = caption != nil
            model = trace.model
            config = trace.config.map { Setting(name: $0.name, value: $0.value) }
            stepCount = trace.steps
            tensorCount = trace.tensors
            switch data {
            case .script(let href):
                dataSrc = href
                hasDataSrc = true
            case .page:
                dataSrc = ""
                hasDataSrc = false
            }
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
        // Byte-level: Foundation's trimming and splitting were a tenth of the figures stage.
        var utf8 = Substring(html).utf8
        while let first = utf8.first, [0x20, 0x09, 0x0A, 0x0D].contains(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, [0x20, 0x09, 0x0A, 0x0D].contains(last) { utf8 = utf8.dropLast() }
        let text = Substring(utf8)
        if text.hasPrefix("<p>"), text.hasSuffix("</p>"), text.dropFirst(3).firstRange(of: "<p>") == nil {
            return String(text.dropFirst(3).dropLast(4))
        }
        return String(text)
    }

    /// The id a directive's trace gets when it names none: the page's file name without a leading
    /// chapter number (`notes/06-lstm.md` → `lstm`), then the trace's number on the page: `lstm-1`.
    static func defaultID(pageSource: String, number: Int) -> String {
        let stem = PageSource.splitName(pageSource).stem
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
