import Foundation
import Testing
@testable import Renderer

/// A course written by someone careless or hostile: file names that read as URLs, paths and
/// symbolic links out of the course, links into the output folder, two sources for one output file.
@Suite struct HostileCourseTests {
    // MARK: - File names become links through one encoder

    static let oddNames = ["javascript:alert(1).md", "x#y.md", "Week 1: Intro.md", "a?b%c d é.md"]

    @Test func fileNamesBecomeRelativePercentEncodedLinksThatOpenTheirPages() throws {
        var files = Dictionary(uniqueKeysWithValues: Self.oddNames.map { ("notes/\($0)", "# Page \($0)\n\nText.\n") })
        files["notes/links.md"] = "# Links\n\n[intro](<Week 1: Intro.md>) and [script](<./javascript:alert(1).md>)\n"
        let course = try TestCourse(files)
        try course.build(strict: true)

        let sitePages = ["index.html"] + (Self.oddNames + ["links.md"]).map { "notes/" + $0.dropLast(3) + ".html" }
        var hrefs = 0
        for page in sitePages {
            let html = try course.page(page)
            for href in attributeValues("href", in: html) where !href.hasPrefix("#") && !href.hasPrefix("http") && href != "data:," {
                hrefs += 1
                #expect(!hasURLScheme(href), "\(page): href \(href) reads as a URL with a scheme")
                let path = String(href.prefix { $0 != "#" })
                let target = course.output.appendingPathComponent(page).deletingLastPathComponent().appendingPathComponent(path.removingPercentEncoding ?? path)
                #expect(FileManager.default.fileExists(atPath: target.path), "\(page): href \(href) opens no file")
            }
        }
        #expect(hrefs > 40)
        let index = try course.page("index.html")
        #expect(index.contains("href=\"notes/javascript%3Aalert(1).html\""))
        #expect(index.contains("href=\"notes/x%23y.html\""))
        #expect(index.contains("href=\"notes/Week%201%3A%20Intro.html\""))
        #expect(index.contains("href=\"notes/a%3Fb%25c%20d%20%C3%A9.html\""))
        let links = try course.page("notes/links.html")
        #expect(links.contains("href=\"Week%201%3A%20Intro.html\">intro</a>"))
        #expect(links.contains("href=\"javascript%3Aalert(1).html\">script</a>"))
        let search = try course.page(SearchIndex.path)
        #expect(search.contains("\"href\":\"notes/javascript%3Aalert(1).html\""))
        #expect(!search.contains("\"href\":\"notes/javascript:"))
    }

    @Test func aTraceNamedAfterAnOddPageLinksBackToIt() throws {
        let course = try TestCourse(["notes/Week 1: Intro.md": "# W\n\n```unrolled\nmodel: neuron\n```\n"])
        try course.build()
        let tracePage = try course.page("traces/week-1-intro-1.html")
        #expect(tracePage.contains("href=\"../notes/Week%201%3A%20Intro.html#week-1-intro-1\""))
        let page = try course.page("notes/Week 1: Intro.html")
        #expect(page.contains("href=\"../traces/week-1-intro-1.html\""))
    }

    // MARK: - Every path a course names stays inside the course

    @Test func aCorpusFileOutsideTheCourseIsAnErrorAtItsLine() throws {
        let course = try TestCourse([:])
        let secret = course.root.appendingPathComponent("secret.txt")
        try Data("alpha beta gamma delta".utf8).write(to: secret)
        for written in [secret.path, "../../secret.txt", "/etc/passwd"] {
            try course.write("notes/w.md", "# W\n\n```unrolled\nmodel: cbow\ncorpus-file: \(written)\n```\n")
            let failures = course.failures()
            #expect(failures.count == 1)
            #expect(failures.first?.hasPrefix("notes/w.md:3: corpus-file: '\(written)'") == true, "\(failures)")
        }
    }

    @Test func aCorpusFileResolvesFromThePageAndIsRecordedAsWritten() throws {
        let course = try TestCourse([
            "notes/corpora/small.txt": "the cat sat on the mat the dog sat on the log",
            "notes/w.md": "# W\n\n```unrolled\nmodel: cbow\ncorpus-file: corpora/small.txt\ntrain: 1\n```\n",
        ])
        try course.build()
        let html = try course.page("notes/w.html")
        #expect(html.contains("corpora/small.txt"))
        #expect(!html.contains(course.course.path))
        func words() throws -> [String] { try course.siteTrace("w-1").tensors.flatMap { ($0.labels ?? []).compactMap { $0 }.flatMap { $0 } } }
        #expect(try words().contains("dog"))
        // An edited corpus is a new trace, not the cached one.
        try course.write("notes/corpora/small.txt", "red green blue red green yellow")
        try course.build()
        #expect(try words().contains("yellow"))
    }

    @Test func srcImagesLinksAndChaptersOutsideTheCourseAreErrors() throws {
        let course = try TestCourse([
            "course.yml": "chapters:\n  - ../outside.md\n",
            "notes/a.md": "# A\n\n```unrolled\nsrc: /etc/passwd\n```\n\n```unrolled\nsrc: ../../x.json\n```\n",
        ])
        #expect(course.failures() == [
            "course.yml:2: chapter '../outside.md': '../outside.md' points outside the course folder; move the file into the course and name it relative to this file",
            "notes/a.md:3: src: '/etc/passwd' is an absolute path; a course names its files relative to the file that names them, inside the course folder",
            "notes/a.md:7: src: '../../x.json' points outside the course folder; move the file into the course and name it relative to this file",
        ])
        // Links are checked when pages render, after directives.
        try course.write("course.yml", "title: T\n")
        try course.write("notes/a.md", "# A\n\n![x](../../secret.png)\n\n[y](/etc/passwd)\n")
        #expect(course.failures() == [
            "notes/a.md:3: '../../secret.png': '../../secret.png' points outside the course folder; move the file into the course and name it relative to this file",
        ], "a site-root link (/etc/passwd) is a URL, not a file")
    }

    @Test func aSrcPathIsRelativeToThePageWithAHintForACoursePath() throws {
        let course = try TestCourse(["traces/x.json": "{}", "notes/a.md": "# A\n\n```unrolled\nsrc: traces/x.json\n```\n"])
        #expect(course.failures() == [
            "notes/a.md:3: trace 'traces/x.json' not found (looked for notes/traces/x.json); paths are relative to the page: write '../traces/x.json'",
        ])
    }

    // MARK: - Symbolic links

    @Test func aSymlinkOutOfTheCourseIsRefusedAndNothingIsCopied() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n![p](img/passwd)\n"])
        let outside = course.root.appendingPathComponent("etc")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("root:x:0:0".utf8).write(to: outside.appendingPathComponent("passwd"))
        try FileManager.default.createSymbolicLink(at: course.course.appendingPathComponent("notes/img"), withDestinationURL: outside)
        let failures = course.failures()
        #expect(failures == ["notes/a.md:3: 'img/passwd': notes/img/passwd is a symbolic link to \(outside.resolvingSymlinksInPath().path)/passwd, outside the course folder; copy the file into the course instead of linking it"])
        #expect(!FileManager.default.fileExists(atPath: course.output.appendingPathComponent("notes/img/passwd").path))
    }

    @Test func aPageThatLinksOutOfTheCourseIsRefused() throws {
        let course = try TestCourse(["a.md": "# A\n"])
        let outside = course.root.appendingPathComponent("outside.md")
        try Data("# secret\n".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(at: course.course.appendingPathComponent("b.md"), withDestinationURL: outside)
        #expect(course.failures().contains { $0.hasPrefix("b.md: b.md is a symbolic link to ") })
    }

    @Test func linkLoopsEndAndEveryPageIsBuiltOnce() throws {
        let course = try TestCourse(["a.md": "# A\n", "sub/b.md": "# B\n"])
        for name in ["l1", "l2", "sub/up"] {
            try FileManager.default.createSymbolicLink(atPath: course.course.appendingPathComponent(name).path, withDestinationPath: name == "sub/up" ? ".." : ".")
        }
        try FileManager.default.createSymbolicLink(atPath: course.course.appendingPathComponent("self").path, withDestinationPath: "self")
        let summary = try course.build()
        #expect(summary.pages == 2)
    }

    @Test func aLinkedFolderIsCopiedWithoutItsLinksOut() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n[data](data/)\n", "notes/data/x.csv": "1,2\n"])
        try FileManager.default.createSymbolicLink(atPath: course.course.appendingPathComponent("notes/data/loop").path, withDestinationPath: ".")
        try course.build()
        #expect(FileManager.default.fileExists(atPath: course.output.appendingPathComponent("notes/data/x.csv").path))
        #expect(!FileManager.default.fileExists(atPath: course.output.appendingPathComponent("notes/data/loop").path))
    }

    @Test func aFIFOIsRefusedNotReadForever() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n[f](fifo.txt)\n\n```unrolled\nsrc: trace.json\n```\n"])
        for name in ["notes/fifo.txt", "notes/trace.json", "notes/b.md"] {
            #expect(mkfifo(course.course.appendingPathComponent(name).path, 0o600) == 0)
        }
        #expect(course.failures() == [
            "notes/b.md: notes/b.md is not a regular file (a FIFO or a device would never end); use a file",
            "notes/a.md:5: src: notes/trace.json is not a regular file (a FIFO or a device would never end); use a file",
        ])
        try FileManager.default.removeItem(at: course.course.appendingPathComponent("notes/b.md"))
        try course.write("notes/a.md", "# A\n\n[f](fifo.txt)\n")
        #expect(course.failures() == ["notes/fifo.txt: is not a regular file or folder; a page can link only to files and folders"])
    }

    // MARK: - The output folder is never an input

    @Test func aLinkIntoTheOutputFolderIsAnError() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\n[s](../_site)\n"])
        try course.write("notes/a.md", "# A\n")
        try course.build()
        try course.write("notes/a.md", "# A\n\n[s](../_site)\n\n![i](../_site/index.html)\n")
        let failures = course.failures()
        #expect(failures == [
            "notes/a.md:3: '../_site': _site is inside the output folder; the site the build writes is never one of its inputs",
            "notes/a.md:5: '../_site/index.html': _site/index.html is inside the output folder; the site the build writes is never one of its inputs",
        ])
    }

    @Test func anOutputFolderWithoutUnderscoreInsideTheCourseIsNotReadAsPages() throws {
        let course = try TestCourse(["a.md": "# A\n"])
        let output = course.course.appendingPathComponent("public")
        _ = try Site.build(course.options(output: output))
        let summary = try Site.build(course.options(output: output))
        #expect(summary.pages == 1)
    }

    // MARK: - Two sources for one output file

    @Test func aPageAndATraceWithTheSameOutputPathAreAnErrorNamingBoth() throws {
        let course = try TestCourse([
            "traces/x-1.md": "# Page\n",
            "a.md": "# A\n\n```unrolled\nmodel: neuron\nid: x-1\n```\n",
        ])
        #expect(course.failures().contains(
            "the page traces/x-1.md and the trace `id: x-1` (a.md:3) would both be written to traces/x-1.html in the site; rename one of them"))
    }

    @Test func aMadeUpTraceIDStepsAroundAPage() throws {
        let course = try TestCourse(["traces/a-1.md": "# Page\n", "a.md": "# A\n\n```unrolled\nmodel: neuron\n```\n"])
        try course.build()
        #expect(try course.page("traces/a-1.html").contains("Page"))
        #expect(try course.page("traces/a-1-2.html").contains("unrolled-trace"))
    }

    @Test func aLinkedFileThatIsAlsoAPageOrAnAssetIsAnError() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\n[raw](b.html)\n\n[css](../assets/site.css)\n",
            "notes/b.md": "# B\n",
            "notes/b.html": "<p>raw</p>",
            "assets/site.css": "body {}",
        ])
        let failures = course.failures()
        #expect(failures.contains("the page notes/b.md and the linked file notes/b.html would both be written to notes/b.html in the site; rename one of them"))
        #expect(failures.contains { $0.hasPrefix("the site's assets (") && $0.hasSuffix("would both be written to assets/site.css in the site; rename one of them") })
    }
}

/// The values of an attribute in HTML (double-quoted, as the templates write them).
func attributeValues(_ name: String, in html: String) -> [String] {
    html.components(separatedBy: " \(name)=\"").dropFirst().compactMap { $0.split(separator: "\"", maxSplits: 1).first.map(String.init) }
}

extension HostileCourseTests {
    @Test func aLongPathIsQuotedShortInItsError() throws {
        let long = String(repeating: "../", count: 2000) + "x.png"
        let course = try TestCourse(["notes/a.md": "# A\n\n![x](\(long))\n\n[y](missing-\(String(repeating: "y", count: 5000)).md)\n"])
        let failures = course.failures(strict: true)
        #expect(failures.count == 2)
        #expect(failures.allSatisfy { $0.count < 800 }, "\(failures.map(\.count))")
    }
}
