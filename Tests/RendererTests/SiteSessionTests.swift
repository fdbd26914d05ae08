import Foundation
import Testing
@testable import Renderer

/// The live preview's session (`unrolled serve`): what a rebuild renders again after an edit, and
/// that the pages it serves are the pages `unrolled build` writes.
@Suite("Site session")
struct SiteSessionTests {
    private static let notes = [
        "course.yml": "title: Session\n",
        "notes/01-a.md": "# Alpha\n\nFirst words.\n\n## Part\n\nMore.\n",
        "notes/02-b.md": "# Beta\n\nSee [alpha](01-a.md#part).\n\n```unrolled\nmodel: neuron\n```\n\nBetween.\n\n```unrolled\nmodel: neuron\nactivation: tanh\n```\n",
    ]

    private func page(_ session: SiteSession, _ path: String) throws -> String {
        guard case .data(let data)? = session.site?.resource(at: path) else { throw SessionTestError("no \(path) in the site") }
        return String(decoding: data, as: UTF8.self)
    }

    @Test("the session's files are the files `unrolled build` writes, which hold no reload script")
    func sameAsBuild() throws {
        let course = try TestCourse(Self.notes)
        try course.build()
        let built = try course.snapshot()
        let session = SiteSession(course.options())
        let update = session.rebuild()
        #expect(update.failure == nil)
        #expect(update.isWholeSite)
        let rendered = built.keys.filter { $0.hasSuffix(".html") || $0.hasPrefix("traces/") || $0 == "assets/search-index.js" }.sorted()
        #expect(rendered.count == 8)  // the index, two pages, two traces' pages and data, the search index
        for path in rendered {
            #expect(try page(session, path) == String(decoding: built[path]!, as: UTF8.self), "\(path)")
            #expect(!String(decoding: built[path]!, as: UTF8.self).contains("__unrolled"), "\(path)")
        }
    }

    @Test("an edit to a note that touches no directive renders that page alone")
    func onePage() throws {
        let course = try TestCourse(Self.notes)
        let session = try built(course)
        let before = try page(session, "notes/02-b.html")
        try course.write("notes/01-a.md", "# Alpha\n\nFirst words, edited.\n\n## Part\n\nMore.\n")
        let update = session.rebuild(changed: ["notes/01-a.md"])
        #expect(update.failure == nil)
        #expect(update.rendered == ["notes/01-a.html"])
        #expect(!update.isWholeSite)
        #expect(try page(session, "notes/01-a.html").contains("First words, edited."))
        #expect(try page(session, "notes/02-b.html") == before)
        // The search index follows the page, once the page is served.
        #expect(!(try page(session, "assets/search-index.js").contains("First words, edited.")))
        #expect(session.refreshSearchIndex())
        #expect(try page(session, "assets/search-index.js").contains("First words, edited."))
        #expect(!session.refreshSearchIndex())
    }

    @Test("a title change renders every page (their sidebars) and the index")
    func titleChange() throws {
        let course = try TestCourse(Self.notes)
        let session = try built(course)
        try course.write("notes/01-a.md", "# Aleph\n\nFirst words.\n\n## Part\n\nMore.\n")
        let update = session.rebuild(changed: ["notes/01-a.md"])
        #expect(update.isWholeSite)
        #expect(update.rendered.contains("index.html"))
        #expect(update.rendered.contains("notes/02-b.html"))
        #expect(try page(session, "notes/02-b.html").contains("Aleph"))
        #expect(try page(session, "index.html").contains("Aleph"))
        #expect(!(try page(session, "notes/02-b.html").contains("Alpha")))
    }

    @Test("a changed directive runs that directive alone; lines moved above one run none")
    func oneDirective() throws {
        let course = try TestCourse(Self.notes)
        let session = SiteSession(course.options())
        #expect(session.rebuild().tracesComputed == 2)
        let b = Self.notes["notes/02-b.md"]!
        try course.write("notes/02-b.md", b.replacingOccurrences(of: "activation: tanh", with: "activation: relu"))
        let update = session.rebuild(changed: ["notes/02-b.md"])
        #expect(update.failure == nil)
        #expect(update.tracesComputed == 1)
        #expect(update.rendered == ["notes/02-b.html", "traces/b-1.html", "traces/b-1.js", "traces/b-2.html", "traces/b-2.js"])
        #expect(try page(session, "traces/b-2.html").contains("relu"))
        #expect(try page(session, "traces/b-2.js") != page(session, "traces/b-1.js"))
        // The second directive two lines further down, unchanged: its trace comes from memory.
        try course.write("notes/02-b.md", b.replacingOccurrences(of: "activation: tanh", with: "activation: relu")
            .replacingOccurrences(of: "Between.", with: "Between,\nover\nthree lines."))
        let moved = session.rebuild(changed: ["notes/02-b.md"])
        #expect(moved.failure == nil)
        #expect(moved.tracesComputed == 0)
        #expect(moved.rendered == ["notes/02-b.html"])
    }

    @Test("an error keeps the last good site and names its file and line; the fix serves the new page")
    func errorKeepsLastGood() throws {
        let course = try TestCourse(Self.notes)
        let session = try built(course)
        let good = try page(session, "notes/02-b.html")
        let b = Self.notes["notes/02-b.md"]!
        // The first directive's `model:` is line 6 of the note: "# Beta", "", "See …", "", "```unrolled", "model: …".
        try course.write("notes/02-b.md", b.replacingOccurrences(of: "model: neuron\n```\n\nBetween", with: "model: neuronn\n```\n\nBetween"))
        let failed = session.rebuild(changed: ["notes/02-b.md"])
        let errors = failed.failure?.errors ?? []
        #expect(errors.count == 1)
        #expect(errors.first?.file == "notes/02-b.md")
        #expect(errors.first?.line == 6)
        #expect(errors.first?.message.contains("neuronn") == true)
        #expect(try page(session, "notes/02-b.html") == good)
        try course.write("notes/02-b.md", b.replacingOccurrences(of: "Between.", with: "Fixed."))
        let fixed = session.rebuild(changed: ["notes/02-b.md"])
        #expect(fixed.failure == nil)
        #expect(try page(session, "notes/02-b.html").contains("Fixed."))
    }

    @Test("a new page renders the whole site; a deleted one leaves it")
    func pagesComeAndGo() throws {
        let course = try TestCourse(Self.notes)
        let session = try built(course)
        try course.write("notes/03-c.md", "# Gamma\n\nThird.\n")
        #expect(session.rebuild(changed: ["notes/03-c.md"]).isWholeSite)
        #expect(try page(session, "notes/01-a.html").contains("Gamma"))
        try FileManager.default.removeItem(at: course.course.appendingPathComponent("notes/03-c.md"))
        #expect(session.rebuild(changed: ["notes/03-c.md"]).isWholeSite)
        #expect(session.site?.resource(at: "notes/03-c.html") == nil)
    }
}

/// The files a preview serves: the rendered ones, the assets, and the files the pages link to,
/// never another file of the course or anything outside it.
@Suite("Preview site files")
struct PreviewSiteTests {
    @Test("a linked image is served; the notes' sources and paths that climb are not")
    func onlySiteFiles() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n![x](img/x.png) and [data](data/)\n"])
        try course.write("notes/img/x.png", "png")
        try course.write("notes/data/table.csv", "1,2")
        try course.write("secret.txt", "secret")
        let session = try built(course)
        let site = try #require(session.site)
        #expect(site.resource(at: "notes/img/x.png") == .file(course.course.appendingPathComponent("notes/img/x.png")))
        #expect(site.resource(at: "notes/data/table.csv") != nil)
        #expect(site.resource(at: "notes/a.md") == nil)
        #expect(site.resource(at: "secret.txt") == nil)
        #expect(site.resource(at: "notes/img/../../secret.txt") == nil)
        #expect(site.resource(at: "notes/data/../../secret.txt") == nil)
        #expect(site.resource(at: "assets/../secret.txt") == nil)
        #expect(site.resource(at: "assets/katex/katex.min.js") != nil)
        #expect(site.resource(at: "assets/viewer/viewer.js") != nil)
    }

    @Test("a linked folder's link to a file outside the course is not served")
    func linkOutside() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n[data](data/)\n"])
        try course.write("notes/data/ok.txt", "ok")
        try course.write("../outside.txt", "outside")
        try FileManager.default.createSymbolicLink(
            atPath: course.course.appendingPathComponent("notes/data/leak.txt").path, withDestinationPath: course.root.appendingPathComponent("outside.txt").path)
        let session = SiteSession(course.options())
        _ = session.rebuild()
        let site = try #require(session.site)
        #expect(site.resource(at: "notes/data/ok.txt") != nil)
        #expect(site.resource(at: "notes/data/leak.txt") == nil)
    }
}

/// A session of `course`, built once without errors.
private func built(_ course: TestCourse) throws -> SiteSession {
    let session = SiteSession(course.options())
    let first = session.rebuild()
    guard first.failure == nil else { throw SessionTestError("the first build failed: \(first.failure!.diagnostics)") }
    return session
}

struct SessionTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
