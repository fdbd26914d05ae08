import Foundation
import Trace

/// One trace as a single self-contained HTML file (`unrolled embed`): the viewer's scripts and
/// styles, KaTeX with its fonts as `data:` URLs, and the trace, all inline. It opens from disk,
/// offline, in an `<iframe>` or a slide deck, and requests nothing.
public enum Embed {
    /// The viewer's files under the templates' `assets/` that a site page loads, in its order:
    /// those the rendered `partials/head` names (`assets/viewer/….js"` and `….css"`), so its fixed
    /// files and the views' folder listing (`Templates.viewScripts`) are read in one place each.
    static func viewerAssets(_ library: Templates, ending suffix: String) throws(Diagnostic) -> [String] {
        let head = try library.render("head", HeadContext(viewScripts: library.viewScripts))
        return head.components(separatedBy: "assets/").dropFirst().compactMap { piece in
            guard piece.hasPrefix("viewer/"), let end = piece.firstIndex(of: "\"") else { return nil }
            let path = String(piece[..<end])
            return path.hasSuffix(suffix) ? path : nil
        }
    }

    /// What `partials/head.mustache` needs when read for its list of files: assets at the root.
    struct HeadContext: TemplateContext {
        var root = ""
        var viewScripts: [String]
    }

    /// - Parameters:
    ///   - templates: the templates folder (its `embed.mustache`, `partials/` and `assets/`).
    ///   - katex: Debian's KaTeX folder; when it is missing the page still works and shows math as TeX source.
    public static func html(trace: TraceDocument, json: Data, title: String?, templates: URL, katex: URL) throws(Diagnostic) -> String {
        let library = try Templates(directory: templates)
        let assets = templates.appendingPathComponent("assets")
        let id = Directive.isValidID(trace.model) ? trace.model : "trace"
        var figure = TraceFigure.Context(trace: trace, data: .inline(json), id: id, title: title, caption: nil)
        figure.hasPage = false
        var css: [String] = []
        var js: [String] = []
        let katexCSS = katex.appendingPathComponent("katex.min.css")
        if let text = try? String(contentsOf: katexCSS, encoding: .utf8),
            let script = try? String(contentsOf: katex.appendingPathComponent("katex.min.js"), encoding: .utf8)
        {
            css.append(inlineFonts(text, fonts: katex.appendingPathComponent("fonts")))
            js.append(script)
        }
        for name in try ["site.css"] + viewerAssets(library, ending: ".css") {
            if let text = try? String(contentsOf: assets.appendingPathComponent(name), encoding: .utf8) { css.append(text) }
        }
        let scripts = try viewerAssets(library, ending: ".js")
        if scripts.isEmpty {
            throw .error(templates.appendingPathComponent("partials/head.mustache").path, "names none of the viewer's scripts (assets/viewer/…)")
        }
        for name in scripts {
            guard let text = try? String(contentsOf: assets.appendingPathComponent(name), encoding: .utf8) else {
                throw .error(assets.appendingPathComponent(name).path, "the viewer's script is missing from the templates folder")
            }
            js.append(text)
        }
        return try library.render("embed", EmbedContext(
            title: figure.title,
            figure: try library.render("trace-figure", figure),
            styles: css.map { safeInside($0, element: "style") },
            scripts: js.map { safeInside($0, element: "script") }))
    }

    /// What `embed.mustache` shows.
    struct EmbedContext: TemplateContext {
        var title: String
        var figure: String
        var styles: [String]
        var scripts: [String]
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
