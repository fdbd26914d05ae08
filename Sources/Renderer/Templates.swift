import Foundation
import Mustache

/// The site's page templates (Mustache, hummingbird-project/swift-mustache), read from a folder:
/// `page.mustache`, `index.mustache`, and partials under `partials/` (used as `{{> sidebar}}`).
/// The folder's `assets/` (CSS, scripts) is copied into every site as it is.
struct Templates {
    let directory: URL
    private let library: MustacheLibrary

    /// The `Templates/` folder of this source tree: the default when none is given.
    static var bundled: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Templates")
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
                try library.register(text, named: source.name)
            } catch {
                throw .error(source.url.path, "template does not parse: \(error)")
            }
        }
        self.library = library
    }

    func render(_ template: String, _ context: [String: Any]) -> String {
        library.render(context, withTemplate: template) ?? ""
    }
}
