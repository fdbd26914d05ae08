import Foundation
import Mustache

/// The site's page templates (Mustache, hummingbird-project/swift-mustache), read from a folder:
/// `page.mustache`, `index.mustache`, and partials under `partials/` (used as `{{> sidebar}}`).
/// The folder's `assets/` (CSS, scripts) is copied into every site as it is.
public struct Templates: Sendable {
    let directory: URL
    private let library: MustacheLibrary
    /// The viewer's special views, `viewer/views/<name>.js` under `assets/`, sorted: every script of
    /// that folder that `partials/head.mustache` does not load by name (those are the views'
    /// support scripts, which must load first). Every context that renders the head carries it as
    /// `viewScripts`, so a view is added by adding its file (docs/viewer.md); `unrolled embed` reads
    /// the rendered head.
    let viewScripts: [String]

    /// The `Templates/` folder of this source tree: the last place `locate` looks.
    public static var bundled: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates")
    }

    /// Where the templates are when none is given, so that an installed `unrolled` finds its own:
    /// the folder named by `UNROLLED_TEMPLATES`, then `<executable's folder>/../share/unrolled/Templates`
    /// (an installed prefix), `<executable's folder>/Templates` (beside it), then this source
    /// tree's `Templates/`. The first that holds a `page.mustache` wins; the error names them all.
    /// `holding` names another file to look for (`starter/course.yml`, the course `unrolled init`
    /// writes), so that a folder of page templates without it does not hide the installed one.
    public static func locate(
        holding marker: String = "page.mustache",
        environment: [String: String] = ProcessInfo.processInfo.environment,
        executable: URL? = Bundle.main.executableURL,
        bundled: URL = Templates.bundled
    ) throws(Diagnostic) -> URL {
        var places: [(URL, String)] = []
        if let named = environment["UNROLLED_TEMPLATES"], !named.isEmpty {
            places.append((URL(fileURLWithPath: named), "UNROLLED_TEMPLATES"))
        }
        if let folder = executable?.resolvingSymlinksInPath().deletingLastPathComponent() {
            places.append((folder.deletingLastPathComponent().appendingPathComponent("share/unrolled/Templates"), "installed beside the executable"))
            places.append((folder.appendingPathComponent("Templates"), "next to the executable"))
        }
        places.append((bundled, "the source tree"))
        for (place, _) in places where FileManager.default.fileExists(atPath: place.appendingPathComponent(marker).path) {
            return place.standardizedFileURL
        }
        let looked = places.map { "\($0.0.standardizedFileURL.path) (\($0.1))" }.joined(separator: ", ")
        throw .error("", "no site templates found (a folder with \(marker)); looked in \(looked). "
            + "Set UNROLLED_TEMPLATES to the Templates folder of the Unrolled sources, or pass --templates")
    }

    init(directory: URL) throws(Diagnostic) {
        self.directory = directory
        var library = MustacheLibrary()
        let files = FileManager.default
        var sources: [(name: String, url: URL)] = []
        for (folder, prefix) in [(directory, ""), (directory.appendingPathComponent("partials"), "")] {
            for name in (try? files.contentsOfDirectory(atPath: folder.path))?.sorted() ?? [] where name.hasSuffix(".mustache") {
                sources.append((prefix + String(name.dropLast(".mustache".count)), folder.appendingPathComponent(name)))
            }
        }
        for required in ["page", "index"] where !sources.contains(where: { $0.name == required }) {
            throw .error(directory.path, "no \(required).mustache in the templates folder")
        }
        for source in sources {
            do {
                let text = try String(contentsOf: source.url, encoding: .utf8)
                TemplateEscaping.registered
                do {
                    try library.register(TemplateEscaping.pragma + text, named: source.name)
                } catch {
                    // The error as the file has it: its line numbers not shifted by the pragma's line.
                    try library.register(text, named: source.name)
                    throw error
                }
            } catch {
                throw .error(source.url.path, "template does not parse: \(error)")
            }
        }
        self.library = library
        viewScripts = Self.viewScripts(in: directory)
    }

    private static func viewScripts(in directory: URL) -> [String] {
        let head = (try? String(contentsOf: directory.appendingPathComponent("partials/head.mustache"), encoding: .utf8)) ?? ""
        let views = directory.appendingPathComponent("assets/viewer/views")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: views.path)) ?? []
        return names.filter { $0.hasSuffix(".js") }.sorted().map { "viewer/views/\($0)" }
            .filter { !head.contains("assets/\($0)\"") }
    }

    /// The template `name` (a file of the folder or of its `partials/`) filled in from `context`.
    /// Throws when there is no such template: a page is never written empty.
    func render(_ name: String, _ context: some TemplateContext) throws(Diagnostic) -> String {
        guard let text = library.render(mustacheValue(context) ?? [:], withTemplate: name) else {
            throw .error(directory.path, "cannot render the template '\(name)': there is no \(name).mustache in the templates folder or its partials/")
        }
        return text
    }
}

/// What a template can be filled in from: a struct whose stored properties are the names the
/// template uses: `{{title}}` is the property `title`, a Bool or an Optional decides a section
/// (nil: as if the name were absent), an array repeats one.
protocol TemplateContext: Sendable {}

/// The one place a context becomes what swift-mustache reads: a struct a dictionary of its stored
/// properties (nested structs too), an Optional its value or nothing; text, numbers, Booleans,
/// arrays and the types that answer for themselves (`TemplateText`, a `MustacheParent`) as they
/// are. Reflected once per render, not at every `{{name}}` as swift-mustache's own `Mirror`
/// lookup does (that cost a big course's build a tenth of its time); an array's elements are
/// left to that lookup, since walking every table of contents cost more than the few names
/// its templates read.
func mustacheValue(_ value: Any) -> Any? {
    // Casts to concrete types first: asking for a protocol costs a lookup per value.
    if value is String || value is TemplateText || value is Bool || value is Int { return value }
    let mirror = Mirror(reflecting: value)
    switch mirror.displayStyle {
    case .struct? where !(value is MustacheParent):
        var fields: [String: Any] = [:]
        for case let (label?, field) in mirror.children {
            fields[label] = mustacheValue(field)
        }
        return fields
    case .optional?:
        return mirror.children.first.flatMap { mustacheValue($0.value) }
    default:
        return value
    }
}
