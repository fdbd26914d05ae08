import Foundation
import Testing
@testable import Renderer

/// A template that cannot render is an error naming it, never an empty page.
@Suite struct TemplateRenderTests {
    /// `page.mustache` and `index.mustache` (all a templates folder needs to load), and `extra`.
    func templates(_ extra: [String: String] = [:]) throws -> (Templates, URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-render-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in ["page": "{{title}}", "index": "{{title}}"].merging(extra, uniquingKeysWith: { $1 }) {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name + ".mustache"))
        }
        return (try Templates(directory: folder), folder)
    }

    @Test func aMissingTemplateIsAnErrorNamingIt() throws {
        let (templates, folder) = try templates()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: Diagnostic.error(folder.path,
            "cannot render the template 'trace-page': there is no trace-page.mustache in the templates folder or its partials/"))
        {
            try templates.render("trace-page", NavigationEntry(title: "A", href: "a.html", current: false))
        }
    }

    @Test func aContextsPropertiesAreTheTemplatesNames() throws {
        let (templates, folder) = try templates(["entry": "{{#current}}*{{/current}}<a href=\"{{href}}\">{{title}}</a>"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(try templates.render("entry", NavigationEntry(title: "A & B", href: "a.html", current: true)) == "*<a href=\"a.html\">A &amp; B</a>")
        #expect(try templates.render("entry", NavigationEntry(title: "C", href: "c.html", current: false)) == "<a href=\"c.html\">C</a>")
    }

    @Test func aBuildWhoseTemplatesLackOneFailsAndWritesNothing() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n```unrolled\nmodel: neuron\n```\n"])
        let templates = course.root.appendingPathComponent("templates")
        try FileManager.default.copyItem(at: Templates.bundled, to: templates)
        try FileManager.default.removeItem(at: templates.appendingPathComponent("trace-page.mustache"))
        var options = course.options()
        options.templates = templates
        do {
            _ = try Site.build(options)
            Issue.record("the build should fail")
        } catch {
            #expect(error.errors.map(\.message) == [
                "cannot render the template 'trace-page': there is no trace-page.mustache in the templates folder or its partials/"
            ])
        }
        #expect(!FileManager.default.fileExists(atPath: course.output.path))
    }
}
