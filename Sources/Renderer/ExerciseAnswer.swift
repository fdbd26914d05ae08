import Foundation

/// What a link's title says about the answer of an exercise (docs/site.md, "Exercises that check
/// answers"). A reference to a value is an exercise's answer when its title's first word is
/// `answer`:
///
/// ```markdown
/// 1. Compute the net input by hand. [net =](#:net "answer ±0.001")
/// ```
///
/// After `answer` (and an optional `:`) come, separated by spaces or commas: a tolerance, absolute
/// (`±0.001`, also `+-0.001` or `+/-0.001`: keyboards lack ±) and/or relative (`±1%`), and `norm`
/// for the Euclidean norm of a whole tensor. A reader's answer `a` is right when
/// |a − v| ≤ absolute + relative·|v| for the trace's value v (numpy's `isclose`); with no tolerance
/// written, `relative` is 1% (an answer to three significant digits, worked out from numbers the
/// viewer shows rounded, is within it) and `absolute` is 0.
struct ExerciseAnswer: Equatable, Sendable {
    var absolute: Double = 0
    var relative: Double = ExerciseAnswer.defaultRelative
    /// The answer is the norm ‖v‖₂ of the value rather than the value (one number) itself.
    var norm = false

    static let defaultRelative = 0.01

    /// The answer a title describes; nil when the title does not mark an answer (its first word is
    /// not `answer`): the link is an ordinary reference.
    static func parse(title: String) -> Result<ExerciseAnswer, ReferenceProblem>? {
        let trimmed = title.trimmingWhitespaces
        guard trimmed.lowercased().hasPrefix("answer") else { return nil }
        var rest = trimmed.dropFirst("answer".count)
        if let next = rest.first, next != ":", next != ",", !next.isWhitespace { return nil }  // `answers`, `answered`
        if rest.first == ":" { rest = rest.dropFirst() }
        var answer = ExerciseAnswer()
        var absolute: Double?, relative: Double?
        let words = rest.split { $0 == "," || $0.isWhitespace }.map(String.init)
        for word in words {
            if word == "norm" {
                answer.norm = true
                continue
            }
            guard let (amount, isRelative) = tolerance(word) else {
                let sign = word.hasPrefix("±") || word.hasPrefix("+-") || word.hasPrefix("+/-")
                return .failure(.syntax(sign
                    ? "'\(word.excerpt)' is not a tolerance: write ±0.001 (absolute), ±1% (relative) or both, `answer ±0.001 ±1%`"
                    : "'\(word.excerpt)' in an answer's title: after `answer` come a tolerance (±0.001, ±1%) and `norm` (a tensor's norm), nothing else"))
            }
            if isRelative {
                guard relative == nil else { return .failure(.syntax("two relative tolerances in an answer's title ('\(title.excerpt)'): keep one")) }
                relative = amount
            } else {
                guard absolute == nil else { return .failure(.syntax("two absolute tolerances in an answer's title ('\(title.excerpt)'): keep one")) }
                absolute = amount
            }
        }
        // One tolerance written replaces the default: `±0.001` alone is absolute only.
        if absolute != nil || relative != nil {
            answer.absolute = absolute ?? 0
            answer.relative = relative ?? 0
        }
        return .success(answer)
    }

    /// `±0.001` → (0.001, false); `±1%` → (0.01, true); nil when not a tolerance.
    private static func tolerance(_ word: String) -> (Double, Bool)? {
        guard let sign = ["±", "+/-", "+-"].first(where: { word.hasPrefix($0) }) else { return nil }
        var number = String(word.dropFirst(sign.count))
        let isRelative = number.hasSuffix("%")
        if isRelative { number.removeLast() }
        // Digits, a point and an exponent only: `Double("inf")`, `Double("0x1p3")` and a sign are not tolerances.
        guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == "e" || $0 == "E" || $0 == "-") }),
            number.first!.isNumber || number.first == ".", let amount = Double(number), amount.isFinite
        else { return nil }
        return (isRelative ? amount / 100 : amount, isRelative)
    }

    /// The tolerance as the page states it: `±0.001`, `±1e−6`, `±1%`, `±0.001 + 0.5%`, `exactly`.
    var text: String {
        // The shortest text of each number, as a sentence quotes it (`1e−6`, not Swift's `1e-06`).
        let number = NumberFormat.significant(15)
        let absoluteText = number.text(absolute), relativeText = number.text(relative * 100) + "%"
        switch (absolute > 0, relative > 0) {
        case (true, true): return "±\(absoluteText) + \(relativeText)"
        case (true, false): return "±\(absoluteText)"
        case (false, true): return "±" + relativeText
        case (false, false): return "exactly"
        }
    }
}
