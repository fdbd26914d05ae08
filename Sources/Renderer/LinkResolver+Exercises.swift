import Foundation

/// A reference whose title marks an exercise's answer (`[net =](#:net "answer ±0.001")`): the value
/// it names, resolved as any reference, becomes an exercise on the page (see `Exercise`).
extension LinkResolver {
    /// The rewrite of an answer's link, or why it cannot be one. `written`: the reference as the
    /// author wrote it, percent-decoded; `found`: what it names in `figure`'s trace.
    mutating func exerciseRewrite(
        _ answer: ExerciseAnswer, link: LinkReference, written: String, found: ResolvedReference, figure: FigureTrace, page: ParsedPage
    ) -> Result<LinkRewrite, ReferenceProblem> {
        let what = Self.target(of: written)
        // Unique on the page: the same value asked twice is `…#2` the second time.
        var id = figure.id + ":" + what, copy = 1
        while !exerciseIDs.insert(page.page.source + "\n" + id).inserted {
            copy += 1
            id = figure.id + ":" + what + "#\(copy)"
        }
        let label = link.text.trimmingCharacters(in: .whitespaces)
        return Exercise.make(id: id, traceID: figure.id, label: label, answer: answer, found: found) { figure.trace.exerciseFacts(for: found) }
            .map { $0.rewrite(emptyLabel: label.isEmpty) }
    }
}
