import Foundation
import Trace

/// One trace as an HTML file for other notes and slides (`unrolled embed`). By default the file
/// holds everything, inline: the viewer's scripts and styles, KaTeX with its fonts as `data:`
/// URLs, and the trace in its compact layout (`TraceScript`). It opens from disk, offline, in an
/// `<iframe>` or a slide deck, and requests nothing. With shared assets (`EmbedOptions.assets`)
/// the viewer, KaTeX and its fonts go into a folder beside the file instead, written once for
/// every embed of that folder, and the file holds the trace only.
public enum Embed {
    /// What the file shows and how it is made.
    public struct Options: Sendable {
        public var title: String?
        /// No outline: the step panel takes the width (for slides).
        public var compact = false
        /// The view shown first (`lstm-cell`); nil for the step panel.
        public var view: String?
        /// A folder, relative to the file's, that holds the viewer and KaTeX for every embed
        /// written beside it; nil to inline them.
        public var assets: String?

        public init() {}
    }

    /// The file's HTML and, when the assets are shared, the files to write beside it (by path
    /// relative to the HTML file's folder).
    public struct Output: Sendable {
        public var html: String
        public var assets: [(path: String, data: Data)] = []
    }

    /// The viewer's files under the templates' `assets/` that a site page loads, in its order:
    /// those the rendered `partials/head` names (`assets/viewer/….js"` and `….css"`), so its fixed
    /// files and the views' folder listing (`Templates.viewScripts`) are read in one place each.
    static func viewerAssets(_ library: Templates, ending suffix: String) throws(Diagnostic) -> [String] {
        let head = try library.render("head", HeadContext(root: "", viewScripts: library.viewScripts, isTracePage: false))
        return head.components(separatedBy: "assets/").dropFirst().compactMap { piece in
            guard piece.hasPrefix("viewer/"), let end = piece.firstIndex(of: "\"") else { return nil }
            let path = String(piece[..<end])
            return path.hasSuffix(suffix) ? path : nil
        }
    }

    /// - Parameters:
    ///   - templates: the templates folder (its `embed.mustache`, `partials/` and `assets/`).
    ///   - katex: Debian's KaTeX folder; when it is missing the page still works and shows math as TeX source.
    public static func make(trace: TraceDocument, options: Options, templates: URL, katex: URL) throws(Diagnostic) -> Output {
        let library = try Templates(directory: templates)
        let id = Directive.isValidID(trace.model) ? trace.model : "trace"
        var figure = TraceFigure.Context(trace: TraceSummary(trace), data: .page, id: id, title: options.title, caption: nil)
        figure.hasPage = false
        figure.compact = options.compact
        figure.view = options.view ?? ""
        figure.hasView = options.view != nil
        let data: String
        do {
            data = TraceScript.text(id: id, payload: try TraceScript.payload(trace))
        } catch {
            throw .error("", "cannot encode the trace: \(error)")
        }
        var files = try Files(library: library, templates: templates, katex: katex)
        var context = EmbedContext(title: figure.title, figure: try library.render("trace-figure", figure), data: safeInside(data, element: "script"))
        var output = Output(html: "")
        if let folder = options.assets {
            let base = folder.hasSuffix("/") ? folder : folder + "/"
            context.stylesheets = files.styles.map { base + $0.path }
            context.scriptFiles = files.scripts.map { base + $0.path }
            output.assets = (files.styles + files.scripts + files.fonts).map { (base + $0.path, $0.data) }
        } else {
            files.inlineFonts(katex: katex)
            context.styles = files.styles.map { safeInside(String(decoding: $0.data, as: UTF8.self), element: "style") }
            context.scripts = files.scripts.map { safeInside(String(decoding: $0.data, as: UTF8.self), element: "script") }
        }
        output.html = try library.render("embed", context)
        return output
    }

    /// What `embed.mustache` shows: styles and scripts inline, or links to the shared ones.
    struct EmbedContext: TemplateContext {
        var title: String
        var figure: String
        /// The trace's data script, run before the viewer's scripts.
        var data: String
        var styles: [String] = []
        var scripts: [String] = []
        var stylesheets: [String] = []
        var scriptFiles: [String] = []
    }

    /// The files an embed needs, by their path in the shared folder, in the order a page loads them.
    struct Files {
        var styles: [(path: String, data: Data)] = []
        var scripts: [(path: String, data: Data)] = []
        var fonts: [(path: String, data: Data)] = []

        init(library: Templates, templates: URL, katex: URL) throws(Diagnostic) {
            let assets = templates.appendingPathComponent("assets")
            if let css = try? String(contentsOf: katex.appendingPathComponent("katex.min.css").resolvingSymlinksInPath(), encoding: .utf8),
                let script = try? Data(contentsOf: katex.appendingPathComponent("katex.min.js").resolvingSymlinksInPath())
            {
                styles.append(("katex/katex.min.css", Data(KaTeXStyles.woff2Only(css) { "url(\($0)) format(\"woff2\")" }.utf8)))
                scripts.append(("katex/katex.min.js", script))
                for name in KaTeXStyles.fontFiles(in: katex) {
                    if let font = try? Data(contentsOf: katex.appendingPathComponent("fonts/" + name).resolvingSymlinksInPath()) {
                        fonts.append(("katex/fonts/" + name, font))
                    }
                }
            }
            for name in try ["site.css"] + viewerAssets(library, ending: ".css") {
                if let text = try? Data(contentsOf: assets.appendingPathComponent(name)) { styles.append((name, text)) }
            }
            let viewer = try viewerAssets(library, ending: ".js")
            if viewer.isEmpty {
                throw .error(templates.appendingPathComponent("partials/head.mustache").path, "names none of the viewer's scripts (assets/viewer/…)")
            }
            for name in viewer + ["frame-size.js"] {
                guard let text = try? Data(contentsOf: assets.appendingPathComponent(name)) else {
                    throw .error(assets.appendingPathComponent(name).path, "the viewer's script is missing from the templates folder")
                }
                scripts.append((name, text))
            }
        }

        /// KaTeX's stylesheet with its WOFF2 fonts as `data:` URLs, so the file needs no folder beside it.
        mutating func inlineFonts(katex: URL) {
            guard let at = styles.firstIndex(where: { $0.path == "katex/katex.min.css" }) else { return }
            styles[at].data = Data(Embed.inlineFonts(String(decoding: styles[at].data, as: UTF8.self), fonts: katex.appendingPathComponent("fonts")).utf8)
        }
    }

    /// KaTeX's stylesheet with each font's WOFF2 file as a `data:` URL and the other formats dropped
    /// (every browser that runs the viewer reads WOFF2), so the file needs no folder beside it.
    static func inlineFonts(_ css: String, fonts: URL) -> String {
        KaTeXStyles.woff2Only(css) { path in
            let file = fonts.appendingPathComponent((path as NSString).lastPathComponent)
            guard let data = try? Data(contentsOf: file.resolvingSymlinksInPath()) else { return nil }
            return "url(data:font/woff2;base64,\(data.base64EncodedString())) format('woff2')"
        }
    }

    /// Text that cannot close its inline `<script>`/`<style>` element early. `<\/` means the same in
    /// JavaScript strings and regular expressions; in CSS the sequence only occurs inside strings.
    static func safeInside(_ text: String, element: String) -> String {
        text.replacingOccurrences(of: "</\(element)", with: "<\\/\(element)", options: .caseInsensitive)
    }
}
