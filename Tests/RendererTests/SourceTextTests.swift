import Foundation
import Testing
@testable import Renderer

/// Notes saved on Windows: `\r\n` line endings, a byte-order mark, UTF-16, bytes of another
/// encoding. They read as the same page as their UTF-8, `\n` twin.
@Suite struct SourceTextTests {
    private func text(_ bytes: [UInt8]) -> String { sourceText(Data(bytes), file: "a.md").0 }

    @Test func lineEndingsBecomeLineFeedsAndTheByteOrderMarkGoes() {
        #expect(text(Array("a\r\nb\rc\n\r\r\nd\r".utf8)) == "a\nb\nc\n\n\nd\n")
        #expect(text([0xEF, 0xBB, 0xBF] + Array("---\r\ntitle: T\r\n---\r\n".utf8)) == "---\ntitle: T\n---\n")
        // Only a mark at the very start is one; elsewhere U+FEFF is text (a zero-width no-break space).
        #expect(text(Array("a\u{FEFF}b".utf8)) == "a\u{FEFF}b")
        #expect(text([]) == "")
        #expect(text([0xEF, 0xBB, 0xBF]) == "")
    }

    @Test func aUTF16FileWithItsMarkIsDecoded() {
        let little: [UInt8] = [0xFF, 0xFE] + "# Été\r\n".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let big: [UInt8] = [0xFE, 0xFF] + "# Été\r\n".utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(sourceText(Data(little), file: "a.md").0 == "# Été\n")
        #expect(sourceText(Data(big), file: "a.md").0 == "# Été\n")
        #expect(sourceText(Data(little), file: "a.md").1 == nil)
    }

    @Test func bytesThatAreNotUTF8AreReplacedWithAWarningAtTheirLine() {
        // Windows-1252's é is the byte E9.
        let (text, warning) = sourceText(Data(Array("# A\r\n\r\ncaf".utf8) + [0xE9] + Array("\r\n".utf8)), file: "notes/a.md")
        #expect(text == "# A\n\ncaf\u{FFFD}\n")
        #expect(warning?.description == "notes/a.md:3: the file is not UTF-8 (byte 0xE9 here, and perhaps others): such bytes show as �; save the file as UTF-8")
    }

    @Test func aMegabyteOfCarriageReturnsBecomesLineFeeds() {
        #expect(text(Array(repeating: UInt8(ascii: "\r"), count: 1 << 20)).utf8.count == 1 << 20)
        #expect(text(Array(repeating: Array("\r\n".utf8), count: 1 << 19).flatMap { $0 }).utf8.count == 1 << 19)
    }

    @Test func aWindowsCourseYmlIsReadAsItsUnixTwin() throws {
        let yaml = "title: Deep learning\nchapters:\n  - notes/b.md\n  - notes/a.md\n"
        let course = try TestCourse(["notes/a.md": "# A\n", "notes/b.md": "# B\n"])
        try course.write("course.yml", "\u{FEFF}" + yaml.replacingOccurrences(of: "\n", with: "\r\n"))
        let (config, diagnostics) = CourseConfig.load(from: course.course)
        #expect(diagnostics.isEmpty)
        #expect(config.title == "Deep learning")
        #expect(config.chapters == ["notes/b.md", "notes/a.md"])
    }

    @Test func aWindowsPageWithFrontMatterBuildsAsItsUnixTwin() throws {
        let unix = "---\ntitle: The neuron\norder: 1\n---\n# Weights\n\nA *sum*\nand a bias.\n\n```\ncode\n```\n\n- one\n- two\n\n> quoted\n\nSetext\n---\n\n<div id='x'>\nraw\n</div>\n"
        let windows = unix.replacingOccurrences(of: "\n", with: "\r\n")
        let course = try TestCourse(["notes/unix.md": unix])
        try course.write("notes/windows.md", "\u{FEFF}" + windows)
        try course.write("notes/mark.md", "\u{FEFF}" + unix.replacingOccurrences(of: "The neuron", with: "The mark"))
        let summary = try course.build(strict: true)
        #expect(summary.warnings == [])
        let expected = try course.page("notes/unix.html")
        let page = try course.page("notes/windows.html")
        #expect(article(page) == article(expected))
        #expect(page.contains("<title>The neuron · Course notes</title>"))
        #expect(!page.contains("\r"))
        #expect(article(page) == """

            <h1 id="weights"><a class="anchor" href="#weights" aria-hidden="true" tabindex="-1">#</a>Weights</h1>

            <nav class="toc" aria-label="On this page">
            <p>On this page</p>
            <ul>
            <li><a href="#setext">Setext</a></li>
            </ul>
            </nav>

            <p>A <em>sum</em>
            and a bias.</p>
            <pre><code>code
            </code></pre>
            <ul>
            <li>one</li>
            <li>two</li>
            </ul>
            <blockquote>
            <p>quoted</p>
            </blockquote>
            <h2 id="setext"><a class="anchor" href="#setext" aria-hidden="true" tabindex="-1">#</a>Setext</h2>
            <div id='x'>
            raw
            </div>


            """)
        #expect(try course.page("notes/mark.html").contains("<title>The mark · Course notes</title>"))
        // The front matter's order holds: the Windows page comes first with the Unix one.
        #expect(try course.page("index.html").contains("The neuron"))
    }

    @Test func aWindowsPageReportsItsLinesAsAnEditorShowsThem() throws {
        let course = try TestCourse(["notes/a.md": "---\r\ntitle: A\r\ncolour: red\r\n---\r\n# A\r\n\r\n[x](missing.md)\r\n"])
        try course.write("notes/b.md", "# B\r[y](gone.md)\r")
        let warnings = try course.build().warnings.map(\.description)
        #expect(warnings.contains { $0.hasPrefix("notes/a.md:3: unknown front matter key 'colour'") }, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("notes/a.md:7: broken link 'missing.md'") }, "\(warnings)")
        #expect(warnings.contains { $0.hasPrefix("notes/b.md:2: broken link 'gone.md'") }, "\(warnings)")
    }
}

/// A page's own content: what the site writes between `<article>` and `</article>`.
func article(_ html: String) -> String {
    guard let start = html.range(of: "<article>\n"), let end = html.range(of: "</article>") else { return html }
    return String(html[start.upperBound..<end.lowerBound])
}
