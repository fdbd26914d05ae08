import Foundation

/// Math that KaTeX cannot typeset, found at build time instead of as red text in a reader's
/// browser (#15): every span of the rendered pages is typeset once by Debian's KaTeX under Node
/// (`Templates/tools/check-math.js`, with the browser's own options from viewer-kit.js), and each
/// one KaTeX refuses is a warning at its file and line (an error with `--strict`).
///
/// Pages still typeset their math in the browser: the viewer needs KaTeX there anyway (trace
/// equations, tensor names), KaTeX's HTML is about ten times the TeX it replaces, and a site built
/// where Node is missing stays the same. Where Node or KaTeX is missing the check is skipped, and
/// the build says so.
enum MathCheck {
    struct Span: Sendable {
        let file: String
        let line: Int
        let tex: String
        let display: Bool
    }

    /// The math spans of a rendered page, `<span class="math inline">` and `<div class="math
    /// display">`, with the line each starts on in the page's source (its first line's text,
    /// searched after the previous span's). Byte searches, in one pass over each text.
    static func spans(inHTML html: String, source: String, file: String) -> [Span] {
        var html = html, source = source
        // Both texts read in place (a copy of each page was a third of this scan's cost).
        return html.withUTF8 { html in source.withUTF8 { source in spans(inHTML: html, source: source, file: file) } }
    }

    private static let inlineOpener = Array(#"<span class="math inline">"#.utf8), displayOpener = Array(#"<div class="math display">"#.utf8)
    private static let inlineCloser = Array("</span>".utf8), displayCloser = Array("</div>".utf8)

    private static func spans(inHTML html: UnsafeBufferPointer<UInt8>, source: UnsafeBufferPointer<UInt8>, file: String) -> [Span] {
        func find(_ needle: [UInt8], in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
            needle.withUnsafeBufferPointer { firstOffset(of: $0, in: text, from: start) }
        }
        var found: [Span] = []
        var at = 0, sourceAt = 0, line = 1
        // Each marker's next place, searched again only once passed (a page of inline math alone
        // must not search to its end for a display block at every span).
        var nextInline = find(inlineOpener, in: html, from: 0), nextDisplay = find(displayOpener, in: html, from: 0)
        while true {
            if let place = nextInline, place < at { nextInline = find(inlineOpener, in: html, from: at) }
            if let place = nextDisplay, place < at { nextDisplay = find(displayOpener, in: html, from: at) }
            let isDisplay: Bool
            switch (nextInline, nextDisplay) {
            case (nil, nil): return found
            case (let inline?, let display?): isDisplay = display < inline
            case (_, let display): isDisplay = display != nil
            }
            let open = isDisplay ? nextDisplay! : nextInline!
            let start = open + (isDisplay ? displayOpener : inlineOpener).count
            guard let end = find(isDisplay ? displayCloser : inlineCloser, in: html, from: start) else { return found }
            let tex = unescaped(String(decoding: html[start..<end], as: UTF8.self))
            at = end
            // Its first line that is not empty (page text has no `\r`, so a `\n` byte is a line break).
            let firstLine = tex.utf8.split(separator: UInt8(ascii: "\n")).first.map { String(decoding: $0, as: UTF8.self) } ?? tex
            var firstLineBytes = firstLine
            if let offset = firstLineBytes.withUTF8({ firstOffset(of: $0, in: source, from: sourceAt) }) {
                var newline = sourceAt
                while let next = firstOffset(of: UInt8(ascii: "\n"), in: source, from: newline, to: offset) {
                    line += 1
                    newline = next + 1
                }
                // Past this span's first line (which holds no line break): the same equation
                // written again further on is found there, not here.
                sourceAt = offset + firstLine.utf8.count
            }
            found.append(Span(file: file, line: line, tex: tex, display: isDisplay))
        }
    }

    /// Warnings for the spans KaTeX refuses; `note` says when the check could not run. With a
    /// `cache` folder, the verdicts of earlier builds are read from it (`MathVerdicts`; `stored`:
    /// read already) and only the equations it does not hold are typeset.
    static func check(
        _ spans: [Span], katex: URL, templates: URL, cache: URL? = nil, ahead: [Equation: String?] = [:], stored: MathVerdicts? = nil
    ) -> (warnings: [Diagnostic], note: String) {
        guard !spans.isEmpty else { return ([], "math: none") }
        // Each distinct equation once (KaTeX gives each call its own options, so a span's verdict
        // is its text's): notes repeat their $x_t$ and $h_t$ hundreds of times.
        var distinct: [Equation: Int] = [:]
        var equations: [Equation] = []
        let indices = spans.map { span in
            let equation = Equation(tex: span.tex, display: span.display)
            if let known = distinct[equation] { return known }
            distinct[equation] = equations.count
            equations.append(equation)
            return equations.count - 1
        }
        let checked = verdicts(for: equations, katex: katex, templates: templates, cache: cache, known: ahead, stored: stored)
        guard let verdicts = checked.verdicts else { return ([], "math: \(spans.count) spans, \(checked.note)") }
        checked.store?.save(verdicts)
        let warnings = zip(spans, indices).compactMap { span, index -> Diagnostic? in
            guard let message = verdicts[equations[index]] ?? nil else { return nil }
            let shown = span.tex.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ").excerpt
            return .warning(span.file, line: span.line, "math that KaTeX cannot typeset, `\(shown)`: \(message)")
        }
        return (warnings, "math: \(spans.count) spans checked by KaTeX")
    }

    /// KaTeX's verdict on each of `equations` (its message, or nil when it typesets): from `known`
    /// (checked ahead), the cache's stored verdicts (`stored` when read already), then Node for the
    /// rest; nil verdicts and a note when they cannot be had (no Node, no KaTeX, Node failed).
    /// Saves nothing: the caller saves the verdicts of the build's own equations through `store`.
    static func verdicts(
        for equations: [Equation], katex: URL, templates: URL, cache: URL?, known: [Equation: String?] = [:], stored: MathVerdicts? = nil
    ) -> (verdicts: [Equation: String?]?, store: MathVerdicts?, note: String) {
        guard let tool = checkTool(katex: katex, templates: templates) else {
            return (nil, nil, "not checked (Node.js or KaTeX not installed)")
        }
        let stored = stored ?? cache.map { MathVerdicts(folder: $0, files: tool.files) }
        var verdicts: [Equation: String?] = [:]
        for equation in equations { verdicts[equation] = known[equation] ?? stored?.stored[equation] }
        let unknown = equations.filter { verdicts[$0] == nil }
        guard !unknown.isEmpty else { return (verdicts, stored, "") }
        let run = NodeRun.start(tool.node, nodeFlags(checking: unknown.count) + tool.arguments)
        guard let found = problems(of: unknown, output: run?.finish(input: inputLine(unknown))) else {
            return (nil, nil, "not checked (Node.js failed)")
        }
        verdicts.merge(found) { _, new in new }
        return (verdicts, stored, "")
    }

    /// One line of check-math.js's input: `[[tex, display], …]` and a line break (JSON escapes
    /// the line breaks of the TeX itself).
    static func inputLine(_ equations: [Equation]) -> Data {
        var line = (try? JSONSerialization.data(withJSONObject: equations.map { [$0.tex, $0.display] })) ?? Data("[]".utf8)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// The verdicts check-math.js gave in `output` on the equations `sent` to it, in the order
    /// sent (its problems name them by place); nil when it gave none (it failed).
    static func problems(of sent: [Equation], output: Data?) -> [Equation: String?]? {
        guard let output, let problems = (try? JSONSerialization.jsonObject(with: output)) as? [[Any]] else { return nil }
        var verdicts: [Equation: String?] = [:]
        for equation in sent { verdicts[equation] = .some(nil) }
        for problem in problems {
            guard let index = problem.first as? Int, sent.indices.contains(index), let message = problem.last as? String else { continue }
            verdicts[sent[index]] = .some(message)
        }
        return verdicts
    }

    /// Node and what it runs (`check-math.js KATEX KIT`), and the files a verdict depends on; nil
    /// when Node, KaTeX or the script is missing.
    static func checkTool(katex: URL, templates: URL) -> (node: URL, arguments: [String], files: [URL])? {
        let script = templates.appendingPathComponent("tools/check-math.js")
        let kit = templates.appendingPathComponent("assets/viewer/viewer-kit.js")
        let library = katex.appendingPathComponent("katex.min.js")
        guard let node = executable("node") ?? executable("nodejs"), FileManager.default.isReadableFile(atPath: library.path),
            FileManager.default.isReadableFile(atPath: script.path)
        else { return nil }
        return (node, [script.path, library.path, kit.path], [library, script, kit])
    }

    /// V8's flags for typesetting `count` equations. Its optimizing compiler (TurboFan) costs more
    /// than it saves on a short run: with `--no-opt`, 238 distinct equations (the four seed notes)
    /// took 0.18 s of CPU instead of 0.30, and 2,856 took 0.90 instead of 0.78 (Node 20, measured
    /// with `time`); the two cross near 1,500. A course's first build checks every equation; a
    /// rebuild, only the new ones.
    static func nodeFlags(checking count: Int) -> [String] {
        count < 1_500 ? ["--no-opt"] : []
    }

    /// A span's TeX and mode: what KaTeX's verdict depends on.
    struct Equation: Hashable {
        let tex: String
        let display: Bool
    }

    private static let entities: [(name: [UInt8], character: UInt8)] = [
        (Array("&lt;".utf8), UInt8(ascii: "<")), (Array("&gt;".utf8), UInt8(ascii: ">")), (Array("&quot;".utf8), UInt8(ascii: "\"")),
        (Array("&#39;".utf8), UInt8(ascii: "'")), (Array("&amp;".utf8), UInt8(ascii: "&")),
    ]

    /// The TeX of a math span's HTML: `&lt;`, `&gt;`, `&quot;`, `&#39;` and `&amp;` as the
    /// characters they stand for, in one pass over the bytes (five Foundation replacements per
    /// span were a sixth of a big build); any other `&` stays as it is.
    static func unescaped(_ html: String) -> String {
        guard html.containsUTF8(UInt8(ascii: "&")) else { return html }
        let bytes = Array(html.utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count)
        var at = 0
        while at < bytes.count {
            if bytes[at] == UInt8(ascii: "&"), let entity = entities.first(where: { bytes[at...].starts(with: $0.name) }) {
                text.append(entity.character)
                at += entity.name.count
            } else {
                text.append(bytes[at])
                at += 1
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The first `name` on the PATH.
    private static func executable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}
