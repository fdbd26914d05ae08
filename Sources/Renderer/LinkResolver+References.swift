import Foundation
import Models

/// References to traces' steps and values (`#:dQ/dy`, `lstm.md#lstm-2:c_2@t=2`), and links to the
/// traces' own pages (`../traces/lstm-2.html`): found, checked and rewritten (docs/site.md,
/// "Referring to steps and values"). A reference that finds nothing, or more than one step, is an
/// error at its file and line, with or without `--strict`.
extension LinkResolver {
    /// The rewrite of a link whose fragment is a trace reference on `target` (the page itself, or
    /// the page the link points to), or nil after reporting why it cannot be resolved.
    mutating func resolveReference(
        _ fragment: String, link: LinkReference, on target: ParsedPage, from page: ParsedPage, caption: FigureTrace?
    ) -> LinkRewrite? {
        let written = fragment.percentDecoded ?? fragment
        func fail(_ message: String) -> LinkRewrite? {
            diagnostics.append(.error(page.page.source, line: link.line, "reference '#\(written.excerpt)': \(message)"))
            return nil
        }
        let reference: TraceReference
        switch TraceReference.parse(fragment) {
        case .success(let parsed): reference = parsed
        case .failure(let problem): return fail(problem.message)
        }
        let samePage = target.page.source == page.page.source
        let shown = traces[target.page.source] ?? []
        let figure: FigureTrace
        if reference.traceID.isEmpty {
            if let caption {
                figure = caption
            } else if !samePage {
                return fail("name the trace on \(target.page.source): `#<id>:…` (\(listIDs(shown)))")
            } else if let above = shown.last(where: { $0.line < link.line }) {
                figure = above
            } else {
                return fail("no trace above line \(link.line) to refer to; name one: `#<id>:…` (\(listIDs(shown)))")
            }
        } else if let named = shown.first(where: { $0.id == reference.traceID }) {
            figure = named
        } else {
            let elsewhere = traces.first { $0.value.contains { $0.id == reference.traceID } }.map {
                "; it is on \($0.key): write `\(relativePath(from: page.page.source, to: $0.key))#\(written)`"
            }
            let near = closest(to: reference.traceID, in: shown.map(\.id)).map { "; did you mean '\($0)'?" }
            return fail("no trace '\(reference.traceID)' on \(samePage ? "this page" : target.page.source)\(elsewhere ?? near ?? "") (\(listIDs(shown)))")
        }
        let found: ResolvedReference
        // Its answer depends only on the trace and what follows the trace's id.
        switch figure.trace.resolve(reference, key: Self.target(of: written)) {
        case .success(let resolved): found = resolved
        case .failure(let problem): return fail("in trace \(figure.id): \(problem.message)")
        }
        var rewrite: LinkRewrite
        // A title starting with `answer` makes the reference an exercise's answer (`Exercise`).
        let filled = ExerciseAnswer.parse(title: link.title).map { answer in
            answer.flatMap { exerciseRewrite($0, link: link, written: written, found: found, figure: figure, page: page) }
        } ?? ReferenceText.fill(link.text, of: reference, with: found)
        switch filled {
        case .success(let made): rewrite = made
        case .failure(let problem): return fail(problem.message)
        }
        // The viewer opens at the step (`#<id>:<N>`); a history value opens the figure.
        rewrite.destination = "#" + figure.id + (found.steps.first.map { ":\($0 + 1)" } ?? "")
        return rewrite
    }

    /// The HTML of a figure's caption (inline Markdown), its references resolved against its trace.
    mutating func caption(of figure: FigureTrace, on page: ParsedPage) -> String? {
        guard let markdown = figure.caption else { return nil }
        let document = MarkdownDocument(markdown)
        let rewrites = document.links.map { link -> LinkRewrite? in
            var link = link
            link.line += figure.captionLine - 1
            return resolve(link, on: page, caption: figure)
        }
        var next = 0
        let html = document.render(rewritingLink: { _ in
            defer { next += 1 }
            return next < rewrites.count ? rewrites[next] : nil
        })
        return TraceFigure.unwrapParagraph(html)
    }

    /// The trace id of a link to a trace's own page (`../traces/lstm-2.html` from `notes/`), or nil
    /// when the link is to something else.
    func standaloneTracePage(_ path: String, on page: ParsedPage) -> String? {
        guard let site = normalizedPath(path, relativeTo: page.page.sourceFolder), site.hasPrefix("traces/"), site.hasSuffix(".html"),
            !site.dropFirst("traces/".count).contains("/"), folder.check(site) != nil
        else { return nil }
        return String(site.dropFirst("traces/".count).dropLast(".html".count))
    }

    /// Warns when a link names a trace page the site does not have, or a step it does not have.
    mutating func checkTracePage(_ id: String, fragment: String, link: LinkReference, on page: ParsedPage) {
        guard traceIDs.contains(id) else {
            let near = closest(to: id, in: Array(traceIDs)).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(.error(page.page.source, line: link.line, "broken link '\(link.destination.excerpt)': the site has no trace '\(id)'\(near)"))
            return
        }
        let step = String(fragment.dropFirst())
        guard step.count > 0, let (_, figures) = traces.first(where: { $0.value.contains { $0.id == id } }),
            let figure = figures.first(where: { $0.id == id })
        else { return }
        // The trace page's viewer has the same id: `traces/lstm-2.html#lstm-2:14`.
        let decoded = step.percentDecoded ?? step
        guard case .success(let reference) = TraceReference.parse(decoded), reference.traceID == id, case .step(let n) = reference.target,
            n <= figure.trace.summary.steps
        else {
            diagnostics.append(.error(page.page.source, line: link.line,
                "broken link '\(link.destination.excerpt)': a trace page opens at `#\(id):N`, N from 1 to \(figure.trace.summary.steps)"))
            return
        }
    }

    /// Reports reference syntax that Markdown did not read as a link, left in the page as text:
    /// `[steps {steps}](#:@scope=net input)` (a destination ends at a space) would otherwise show
    /// its placeholders to the reader with no error. Code, scripts and attributes are not looked at.
    /// `snippets`: `unreadReferences(in:)` of the page's HTML, the link text and the destination up
    /// to its first space, as the page shows them.
    mutating func checkUnreadReferences(on page: ParsedPage, snippets: [String]) {
        var reported = Set<String>()
        for snippet in snippets where reported.insert(snippet).inserted {
            let line = page.page.body.utf8Offset(of: snippet).map { page.page.body.line(atUTF8Offset: $0) } ?? 1
            diagnostics.append(.error(page.page.source, line: line,
                "a reference that is not a link ('\(snippet.excerpt) …'): a link's destination ends at a space; write it as %20, or put the destination in <…>"))
        }
    }

    /// What a reference as written names in its trace: all after the trace's id (`c_2[2]` of `lstm-1:c_2[2]`).
    static func target(of written: String) -> String {
        written.firstIndex(of: ":").map { String(written[written.index(after: $0)...]) } ?? written
    }

    private func listIDs(_ figures: [FigureTrace]) -> String {
        figures.isEmpty ? "the page shows no trace" : "its traces: " + figures.map { "\($0.id) (line \($0.line))" }.joined(separator: ", ")
    }
}
