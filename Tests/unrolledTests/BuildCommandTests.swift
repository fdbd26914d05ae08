import Foundation
import Testing

@Suite("unrolled build")
struct BuildCommandTests {
    @Test("builds COURSE into COURSE/_site, progress and a one-line summary on standard error")
    func buildsIntoTheDefaultFolder() throws {
        let folder = try CLI.course(["notes/a.md": "# A\n\n```unrolled\nmodel: neuron\n```\n"])
        let result = try CLI.run(["build", folder.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("pages: 1\n"))
        let last = result.standardError.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("built 1 page, 1 trace, 0 images, 0 warnings in "))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("_site/notes/a.html").path))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("_site/index.html").path))
    }

    @Test("a build with errors lists them with file:line, exits 1 and keeps the previous site")
    func errorsExitNonZero() throws {
        let folder = try CLI.course(["notes/a.md": "# A\n"])
        #expect(try CLI.run(["build", folder.path]).status == 0)
        let page = folder.appendingPathComponent("_site/notes/a.html")
        let before = try Data(contentsOf: page)
        try Data("# A\n```unrolled\nmodel: lstmm\n```\n".utf8).write(to: folder.appendingPathComponent("notes/a.md"))
        let result = try CLI.run(["build", folder.path])
        #expect(result.status == 1)
        #expect(result.standardError.contains("error: notes/a.md:3: unknown model 'lstmm' — did you mean 'lstm'?\n"))
        #expect(result.standardError.contains("build failed: 1 error; "))
        #expect(try Data(contentsOf: page) == before)
    }

    @Test("--strict turns a missing image into an error")
    func strictFailsOnWarnings() throws {
        let folder = try CLI.course(["notes/a.md": "# A\n\n![cell](cell.png)\n"])
        let relaxed = try CLI.run(["build", folder.path])
        #expect(relaxed.status == 0)
        #expect(relaxed.standardError.contains("warning: notes/a.md:3: image 'cell.png' not found"))
        let strict = try CLI.run(["build", folder.path, "--strict"])
        #expect(strict.status == 1)
        #expect(strict.standardError.contains("error: notes/a.md:3: image 'cell.png' not found"))
    }

    @Test("refuses to write the site over the course folder or a folder that holds it (exit 2)")
    func refusesDangerousOutputs() throws {
        let folder = try CLI.course(["notes/a.md": "# A\n"])
        for output in [folder, folder.deletingLastPathComponent()] {
            let result = try CLI.run(["build", folder.path, "--output", output.path])
            #expect(result.status == 2)
            #expect(result.standardError.hasPrefix("error: refusing to write the site"))
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("notes/a.md").path))
    }
}
