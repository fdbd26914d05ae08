import Foundation

/// A link's reference to a step or a value of a trace, written as its fragment: `#<trace>:<what>`
/// (docs/site.md, "Referring to steps and values"). Prose names what a step computes —
/// `#:dQ/dy`, `#lstm-2:c_2@t=2`, `#:@phase=backward`, `#:history.loss@last` — and the build finds
/// the step, checks it and writes its number; a bare number (`#lstm-2:14`) is checked too.
struct TraceReference: Equatable, Sendable {
    /// The trace's id; empty for the trace nearest above the link (in a caption: its own).
    var traceID: String
    var target: Target

    enum Target: Equatable, Sendable {
        /// Step N as the viewer numbers them, from 1.
        case step(Int)
        /// The steps that make a tensor of this name (every step when nil) and pass the filters;
        /// `element` picks one value of that tensor (1-based, as the viewer writes `c_2[2,1]`).
        case steps(name: String?, element: [Int]?, filters: [Filter])
        /// A value of the training history: `loss`, or a snapshot's key.
        case history(series: String, element: [Int]?, filters: [Filter])
    }

    enum Filter: Equatable, Sendable {
        /// `key=value`: the phase, the op, a scope (by name) the step is in, the k-th contribution
        /// to a gradient, or an attribute declared on the step's scopes or its tensor's tags.
        case equals(String, String)
        /// `first`, `last`, or `k`: one of the matches, in step order.
        case first, last, nth(Int)
        /// `total`: a gradient's final value, the one the update reads.
        case total

        var text: String {
            switch self {
            case .equals(let key, let value): "\(key)=\(value)"
            case .first: "first"
            case .last: "last"
            case .nth(let k): "\(k)"
            case .total: "total"
            }
        }
    }

    /// Whether a link's fragment (without `#`) is a trace reference: a trace id (or nothing), a
    /// colon, then something. Heading ids never hold a colon.
    static func isReference(_ fragment: String) -> Bool {
        guard let colon = fragment.firstIndex(of: ":") else { return false }
        return fragment[..<colon].allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }

    /// Parses a fragment that `isReference` accepted, as written: percent-escapes are decoded piece
    /// by piece after the split, so that `%2C` is a comma inside a name (`scope=queries%2C keys`).
    static func parse(_ fragment: String) -> Result<TraceReference, ReferenceProblem> {
        guard let colon = fragment.firstIndex(of: ":") else { return .failure(.syntax("no ':' after the trace id")) }
        let traceID = decoded(fragment[..<colon])
        let what = String(fragment[fragment.index(after: colon)...]).trimmingWhitespaces
        if what.isEmpty {
            return .failure(.syntax("nothing after ':'; name a tensor (`#\(traceID):h_2`), filters (`#\(traceID):@phase=backward`) or a step number"))
        }
        if let number = Int(decoded(what)) {
            guard number >= 1 else { return .failure(.syntax("steps are numbered from 1, as the viewer shows them")) }
            return .success(TraceReference(traceID: traceID, target: .step(number)))
        }
        let (subject, filterText) = split(what, at: "@")
        var filters: [Filter] = []
        if let filterText {
            for piece in filterText.split(separator: ",", omittingEmptySubsequences: false) {
                switch parseFilter(decoded(piece).trimmingWhitespaces) {
                case .success(let filter): filters.append(filter)
                case .failure(let problem): return .failure(problem)
                }
            }
        }
        let (name, element): (String, [Int]?)
        switch parseElement(decoded(subject).trimmingWhitespaces) {
        case .success(let parsed): (name, element) = parsed
        case .failure(let problem): return .failure(problem)
        }
        if name.hasPrefix("history.") {
            let series = String(name.dropFirst("history.".count))
            guard !series.isEmpty else { return .failure(.syntax("name the history's series: `history.loss`")) }
            return .success(TraceReference(traceID: traceID, target: .history(series: series, element: element, filters: filters)))
        }
        if name.isEmpty {
            guard element == nil else { return .failure(.syntax("an element needs a tensor: `c_2[2,1]`")) }
            guard !filters.isEmpty else { return .failure(.syntax("nothing after ':'")) }
        }
        return .success(TraceReference(traceID: traceID, target: .steps(name: name.isEmpty ? nil : name, element: element, filters: filters)))
    }

    private static func decoded<S: StringProtocol>(_ text: S) -> String {
        text.percentDecoded ?? String(text)
    }

    private static func split(_ text: String, at separator: Character) -> (String, String?) {
        guard let index = text.firstIndex(of: separator) else { return (text, nil) }
        return (String(text[..<index]), String(text[text.index(after: index)...]))
    }

    private static func parseFilter(_ text: String) -> Result<Filter, ReferenceProblem> {
        switch text {
        case "": return .failure(.syntax("an empty filter (two commas, or a comma at the end)"))
        case "first": return .success(.first)
        case "last": return .success(.last)
        case "total": return .success(.total)
        default: break
        }
        if let k = Int(text) {
            return k >= 1 ? .success(.nth(k)) : .failure(.syntax("matches are counted from 1: '@\(text)'"))
        }
        let (key, value) = split(text, at: "=")
        guard let value, !key.isEmpty, !value.isEmpty else {
            return .failure(.syntax("'\(text)' is not a filter: write key=value (`t=2`, `phase=backward`), first, last, total or a number"))
        }
        return .success(.equals(key.trimmingWhitespaces, value.trimmingWhitespaces))
    }

    /// `c_2[2,1]` → ("c_2", [2, 1]); a name without brackets has no element.
    private static func parseElement(_ text: String) -> Result<(String, [Int]?), ReferenceProblem> {
        guard text.hasSuffix("]"), let open = text.lastIndex(of: "[") else { return .success((text, nil)) }
        let inside = text[text.index(after: open)..<text.index(before: text.endIndex)]
        let indices = inside.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingWhitespaces) }
        guard !indices.isEmpty, indices.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            return .failure(.syntax("'[\(inside)]' is not an element: write indices from 1, as the viewer does (`c_2[2,1]`)"))
        }
        return .success((String(text[..<open]), indices.map { $0! }))
    }
}

/// Why a reference cannot be resolved; `message` is what the author reads after file:line.
enum ReferenceProblem: Error, Equatable {
    case syntax(String)
    case unresolved(String)

    var message: String {
        switch self {
        case .syntax(let text), .unresolved(let text): text
        }
    }
}
