import Foundation
import Testing
@testable import Renderer

/// Math KaTeX cannot typeset is reported at build time, at its file and line, with KaTeX's reason
/// (Node.js and Debian's KaTeX typeset every span with the browser's options).
@Suite("Math checked at build time")
struct MathCheckTests {
    static let canCheck = ["node", "nodejs"].contains { name in
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/\(name)")
        }
    } && FileManager.default.fileExists(atPath: "/usr/share/javascript/katex/katex.min.js")

    @Test func spansAreFoundWithTheirLines() {
        let html = #"<p><span class="math inline">a &lt; b</span></p><div class="math display">x &amp; y\\z</div><p><span class="math inline">c</span></p>"#
        let source = "Intro\n\n$a < b$\n\n$$\nx & y\\\\z\n$$\n\nThen $c$.\n"
        let spans = MathCheck.spans(inHTML: html, source: source, file: "notes/a.md")
        #expect(spans.map(\.tex) == ["a < b", "x & y\\\\z", "c"])
        #expect(spans.map(\.display) == [false, true, false])
        #expect(spans.map(\.line) == [3, 6, 9])
    }

    @Test(.enabled(if: canCheck, "needs Node.js and Debian's KaTeX (scripts/setup installs both)"))
    func whatKaTeXRefusesIsAWarningAtItsLineAndAnErrorWithStrict() throws {
        let course = try TestCourse([
            "notes/a.md": "# A\n\nFine: $\\frac{1}{2}$ and $\\norm{x}$.\n\nBroken: $\\frac{1$ here.\n\n$$\n\\def\\x{1}\\x\n$$\n",
        ])
        var options = course.options()
        options.katex = URL(fileURLWithPath: "/usr/share/javascript/katex")
        let summary = try Site.build(options)
        let warnings = summary.warnings.map(\.description)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.first?.hasPrefix("notes/a.md:5: math that KaTeX cannot typeset, `\\frac{1`: KaTeX parse error:") == true, "\(warnings)")
        #expect(warnings.last?.hasPrefix("notes/a.md:8: math that KaTeX cannot typeset, `\\def\\x{1}\\x`") == true, "\(warnings)")
        #expect(warnings.last?.contains("macro definitions are turned off") == true, "\(warnings)")
        options.strict = true
        #expect(throws: BuildFailure.self) { try Site.build(options) }
    }

    /// Each distinct equation goes to KaTeX once; its verdict is reported at every span that
    /// holds it (each at its own line), and the same TeX inline and displayed are two equations
    /// (`align` is for display only).
    @Test(.enabled(if: canCheck, "needs Node.js and Debian's KaTeX (scripts/setup installs both)"))
    func aRepeatedEquationIsReportedAtEachOfItsLines() throws {
        let align = "\\begin{align}a\\end{align}"
        let course = try TestCourse([
            "notes/a.md": "# A\n\nOne $\\frac{1$.\n\nTwo $\\frac{1$ and $\\frac{1$.\n\n$$\(align)$$\n\nThree $\(align)$.\n",
        ])
        var options = course.options()
        options.katex = URL(fileURLWithPath: "/usr/share/javascript/katex")
        let warnings = try Site.build(options).warnings.map(\.description)
        #expect(warnings.map { $0.prefix(while: { $0 != " " }) } == ["notes/a.md:3:", "notes/a.md:5:", "notes/a.md:5:", "notes/a.md:9:"], "\(warnings)")
        #expect(warnings.last?.contains("can be used only in display mode") == true, "\(warnings)")
    }

    /// KaTeX's verdicts are kept in the cache folder for the next build, which reads them instead
    /// of typesetting again: a verdict planted in the file for `x` (which KaTeX typesets) is what the
    /// next build reports; with another KaTeX (another key) the file is ignored.
    @Test(.enabled(if: canCheck, "needs Node.js and Debian's KaTeX (scripts/setup installs both)"))
    func verdictsAreKeptInTheCacheForTheNextBuild() throws {
        let course = try TestCourse(["notes/a.md": "# A\n\nFine $x$, broken $\\frac{1$.\n"])
        var options = course.options()
        options.katex = URL(fileURLWithPath: "/usr/share/javascript/katex")
        #expect(try Site.build(options).warnings.count == 1)
        let file = options.cache.appendingPathComponent(MathVerdicts.fileName)
        let saved = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let entries = try #require(saved["equations"] as? [[Any]])
        #expect(entries.count == 2)
        #expect(entries.contains { $0[0] as? String == "x" && $0[2] is NSNull })
        #expect(entries.contains { $0[0] as? String == "\\frac{1" && ($0[2] as? String)?.hasPrefix("KaTeX parse error") == true })
        func plant(key: Any) throws {
            let planted: [String: Any] = ["key": key, "equations": [["x", false, "planted"], ["\\frac{1", false, "planted too"]]]
            try JSONSerialization.data(withJSONObject: planted).write(to: file)
        }
        try plant(key: saved["key"]!)
        let warnings = try Site.build(options).warnings.map(\.description)
        #expect(warnings.count == 2 && warnings.allSatisfy { $0.contains("planted") }, "\(warnings)")
        try plant(key: "another KaTeX")
        let fresh = try Site.build(options).warnings.map(\.description)
        #expect(fresh.count == 1 && fresh[0].contains("KaTeX parse error"), "\(fresh)")
    }

    /// The build asks KaTeX about the parsed pages' math while it renders (`MathCheck.Ahead`): each
    /// distinct equation once, the verdicts those the final check gets, nothing saved by it. On a
    /// first build Node is started before the pages are read, and given them when they are.
    @Test(.enabled(if: canCheck, "needs Node.js and Debian's KaTeX (scripts/setup installs both)"))
    func equationsAreCheckedAheadOnceEach() throws {
        let course = try TestCourse([:])
        let katex = URL(fileURLWithPath: "/usr/share/javascript/katex"), templates = try Templates.locate()
        let cache = course.root.appendingPathComponent("cache")
        let good = MathCheck.Equation(tex: "x^2", display: false), bad = MathCheck.Equation(tex: "\\frac{1", display: false)
        let ahead = MathCheck.Ahead.launch(katex: katex, templates: templates, cache: cache)
        #expect(ahead.startedEarly)   // nothing stored: a first build
        ahead.submit([good, bad, good])
        let verdicts = ahead.wait()
        #expect(verdicts.count == 2)
        #expect(verdicts[good] == .some(nil))
        #expect((verdicts[bad] ?? nil)?.hasPrefix("KaTeX parse error") == true)
        #expect(ahead.wait() == verdicts)   // a second wait returns at once, the same
        ahead.submit([good])                // and a second submit changes nothing
        #expect(ahead.wait() == verdicts)
        #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent(MathVerdicts.fileName).path))

        // Pages' math offered as each page is parsed, then the rest submitted: every verdict lands
        // on its own equation (Node names them by their place in what it was sent).
        let streamed = MathCheck.Ahead.launch(katex: katex, templates: templates, cache: cache)
        let display = MathCheck.Equation(tex: "\\begin{bmatrix}1\\end{bmatrix}", display: true)
        let other = MathCheck.Equation(tex: "\\badcommand", display: false)
        #expect(streamed.startedEarly)
        streamed.offer([good])
        streamed.offer([bad, good, display])
        streamed.offer([])
        streamed.submit([display, other, good])
        let all = streamed.wait()
        #expect(all.count == 4)
        #expect(all[good] == .some(nil) && all[display] == .some(nil))
        #expect((all[bad] ?? nil)?.contains("\\frac{1") == true)
        #expect((all[other] ?? nil)?.contains("Undefined control sequence") == true)

        // A build that stops before its pages are parsed: the early Node is given nothing and ends.
        #expect(MathCheck.Ahead.launch(katex: katex, templates: templates, cache: cache).wait().isEmpty)

        // With verdicts stored (a rebuild), Node starts only for an equation they lack.
        _ = MathCheck.check([MathCheck.Span(file: "a.md", line: 1, tex: "x^2", display: false)], katex: katex, templates: templates, cache: cache)
        let rebuild = MathCheck.Ahead.launch(katex: katex, templates: templates, cache: cache)
        #expect(!rebuild.startedEarly)
        rebuild.submit([good, bad])
        #expect(rebuild.wait() == verdicts)
    }

    /// What the spans' text went through before: Foundation's replacements, one entity after another.
    @Test func entitiesAreReadAsFoundationsReplacementsReadThem() {
        func replaced(_ html: String) -> String {
            html.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
                .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
                .replacingOccurrences(of: "&amp;", with: "&")
        }
        #expect(MathCheck.unescaped("a &lt; b &amp;&amp; c &amp;lt; d &#39;e&quot; &nbsp; &") == "a < b && c &lt; d 'e\" &nbsp; &")
        let pieces = ["&", "amp;", "lt;", "gt;", "quot;", "#39;", ";", "&amp;", "&lt;", "a", "é", "\\", "\n", " "]
        var random = SplitMix(seed: 15)
        for _ in 0..<3000 {
            let html = (0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            #expect(MathCheck.unescaped(html) == replaced(html), "\(html.debugDescription)")
        }
    }

    @Test func withoutNodeTheCheckIsSkippedAndSaysSo() {
        let spans = [MathCheck.Span(file: "a.md", line: 1, tex: "\\frac{1", display: false)]
        let result = MathCheck.check(spans, katex: URL(fileURLWithPath: "/nonexistent"), templates: URL(fileURLWithPath: "/nonexistent"))
        #expect(result.warnings.isEmpty)
        #expect(result.note == "math: 1 spans, not checked (Node.js or KaTeX not installed)")
    }
}
