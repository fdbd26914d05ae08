import Foundation
import Testing

/// `unrolled init [DIR]`: writes the starter course of `Templates/starter` as it is, refuses a folder
/// that is not empty (unless --force, which adds only what is missing), never leaves half a course.
@Suite("unrolled init")
struct InitCommandTests {
    /// The starter course in this source tree, which an `unrolled` built here finds.
    static let starter = URL(fileURLWithPath: "../../Templates/starter", relativeTo: URL(fileURLWithPath: #filePath)).standardizedFileURL

    @Test("writes exactly the files of Templates/starter, byte for byte, and says what comes next")
    func writesTheStarterFolder() throws {
        let root = try Self.folder([:])
        defer { try? FileManager.default.removeItem(at: root) }
        let course = root.appendingPathComponent("new/my-course")
        let result = try CLI.run(["init", course.path])
        #expect(result.status == 0, "\(result.standardError)")
        let expected = try Self.entries(Self.starter)
        #expect(try Self.entries(course) == expected)
        #expect(result.outputText.hasPrefix("wrote a starter course into \(course.path):\n"))
        for path in expected.keys where expected[path] != .folder {
            #expect(result.outputText.contains("\n  \(path)\n"), "the report does not list \(path)")
        }
        #expect(result.outputText.contains("unrolled serve \(course.path) "))
        #expect(result.outputText.contains("unrolled build \(course.path) --strict "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("new").path) == ["my-course"])
    }

    @Test("the starter holds what the issue asks for: course.yml, two notes, a picture, .gitignore, README, a Pages workflow")
    func theStarterHoldsTheRequiredFiles() throws {
        let text = { (path: String) in try String(contentsOf: Self.starter.appendingPathComponent(path), encoding: .utf8) }
        let notes = try FileManager.default.contentsOfDirectory(atPath: Self.starter.appendingPathComponent("notes").path).filter { $0.hasSuffix(".md") }
        #expect(notes.count == 2)
        let ignored = try text(".gitignore").split(separator: "\n").map(String.init)
        #expect(ignored.contains("_site/") && ignored.contains(".unrolled-cache/"))
        let workflow = try text(".github/workflows/pages.yml")
        for needed in ["unrolled build . --strict", "actions/upload-pages-artifact@", "actions/deploy-pages@", "path: _site", "pages: write", "id-token: write", "libcmark-gfm-dev", "libmimalloc-dev"] {
            #expect(workflow.contains(needed), "pages.yml lacks \(needed)")
        }
        #expect(try text("README.md").contains("_site/"))
        #expect(try text("notes/images/neuron.svg").hasPrefix("<svg "))
        #expect(try text("course.yml").contains("chapters:"))
    }

    @Test("the current folder by default; an empty folder, or one holding only .git, is used in place")
    func writesIntoAnEmptyFolderInPlace() throws {
        let root = try Self.folder([".git/config": "[core]\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try FileManager.default.attributesOfItem(atPath: root.path)[.systemFileNumber] as? Int
        let result = try CLI.run(["init"], in: root)
        #expect(result.status == 0, "\(result.standardError)")
        // The folder itself stays (a shell whose current folder it is keeps seeing it): same inode.
        #expect(try FileManager.default.attributesOfItem(atPath: root.path)[.systemFileNumber] as? Int == before)
        var expected = try Self.entries(Self.starter)
        expected[".git"] = .folder
        expected[".git/config"] = .file(Data("[core]\n".utf8))
        #expect(try Self.entries(root) == expected)
        #expect(result.outputText.contains("unrolled build . --strict "))
        #expect(result.outputText.contains("into _site/"))
    }

    @Test("a folder that is not empty is refused (exit 2), naming it and --force; nothing is written")
    func refusesAFolderThatIsNotEmpty() throws {
        let root = try Self.folder(["course.yml": "mine"])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try CLI.run(["init", root.path])
        #expect(result.status == 2)
        #expect(result.standardError.hasPrefix("error: refusing to write a course into \(root.path): the folder is not empty (it holds course.yml)"))
        #expect(result.standardError.contains("--force"))
        #expect(result.outputText.isEmpty)
        #expect(try Self.entries(root) == ["course.yml": .file(Data("mine".utf8))])
    }

    @Test("a file where the folder should be is refused (exit 2)")
    func refusesAFile() throws {
        let root = try Self.folder(["course": ""])
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("course")
        for target in [file, file.appendingPathComponent("inside")] {
            let result = try CLI.run(["init", target.path])
            #expect(result.status == 2)
            #expect(result.standardError.hasPrefix("error: \(file.path) is a file, not a folder"))
        }
        #expect(try Self.entries(root) == ["course": .file(Data())])
    }

    @Test("--force adds only the missing files and keeps every file that is there, bytes unchanged")
    func forceAddsOnlyWhatIsMissing() throws {
        let root = try Self.folder(["README.md": "# My own notes\n", "notes/01-neuron.md": "# My own notes\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let mine = Data("# My own notes\n".utf8)
        let result = try CLI.run(["init", root.path, "--force"])
        #expect(result.status == 0, "\(result.standardError)")
        var expected = try Self.entries(Self.starter)
        expected["README.md"] = .file(mine)
        expected["notes/01-neuron.md"] = .file(mine)
        #expect(try Self.entries(root) == expected)
        #expect(result.outputText.contains("kept, as they were:\n  README.md\n  notes/01-neuron.md\n"))
        #expect(!result.outputText.contains("\n  README.md\nkept"))

        let again = try CLI.run(["init", root.path, "--force"])
        #expect(again.status == 0)
        #expect(again.outputText.contains("nothing was written"))
        #expect(try Self.entries(root) == expected)
    }

    @Test("--force refuses a file where the starter has a folder, before writing anything")
    func forceRefusesAFileInTheWay() throws {
        let root = try Self.folder(["notes": "not a folder"])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try CLI.run(["init", root.path, "--force"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("notes is a file, where the starter course has a folder"))
        #expect(try Self.entries(root) == ["notes": .file(Data("not a folder".utf8))])
    }

    /// Each step (`stage FILE`, `move ROOT`) made to fail, into a new folder (one rename puts it in
    /// place) and with --force into a folder that exists (a rename per missing entry).
    @Test("a step that fails leaves no half-written course: what moved moves back, staging is removed", arguments: [
        ("stage course.yml", false), ("stage notes/images/neuron.svg", false), ("move my-course", false),
        ("stage notes/02-your-own-equations.md", true), ("move .github", true), ("move notes", true),
    ])
    func aFailedStepLeavesTheFolderAsItWas(step: String, force: Bool) throws {
        let root = try Self.folder(["README.md": "mine"])
        defer { try? FileManager.default.removeItem(at: root) }
        let before = try Self.entries(root)
        let course = force ? root : root.appendingPathComponent("my-course")
        let result = try CLI.run(["init", course.path] + (force ? ["--force"] : []), environment: ["UNROLLED_TEST_FAIL_BEFORE": step])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: "))
        #expect(result.standardError.contains("\(course.path) was left as it was"))
        #expect(try Self.entries(root) == before)
    }

    @Test("the help: what it writes, --force, examples; the root command lists init")
    func helpText() throws {
        let help = try CLI.run(["init", "--help"])
        #expect(help.status == 0)
        for needed in ["OVERVIEW: Start a new course", "course.yml", ".gitignore", "pages.yml", "--force", "Examples:", "unrolled init my-course", "USAGE: unrolled init [<dir>] [--force]"] {
            #expect(help.outputText.contains(needed), "init --help lacks \(needed)")
        }
        let root = try CLI.run(["--help"])
        #expect(root.outputText.contains("\n  init "))
    }

    @Test("a folder of page templates without a starter (UNROLLED_TEMPLATES) does not hide the installed starter")
    func pageTemplatesWithoutAStarter() throws {
        let root = try Self.folder(["templates/page.mustache": "{{title}}"])
        defer { try? FileManager.default.removeItem(at: root) }
        let templates = root.appendingPathComponent("templates/page.mustache")
        let course = root.appendingPathComponent("course")
        let result = try CLI.run(["init", course.path], environment: ["UNROLLED_TEMPLATES": templates.deletingLastPathComponent().path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(try Self.entries(course) == Self.entries(Self.starter))
    }

    // MARK: - Helpers

    enum Entry: Equatable { case folder, file(Data) }

    /// Every file and folder under `folder`, hidden ones too, by relative path.
    static func entries(_ folder: URL) throws -> [String: Entry] {
        var found: [String: Entry] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(path)
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
            found[path] = isFolder.boolValue ? .folder : .file(try Data(contentsOf: url))
        }
        return found
    }

    /// A new temporary folder holding `files` (relative path: text).
    static func folder(_ files: [String: String]) throws -> URL {
        let root = try CLI.temporaryDirectory()
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }
}
