import Foundation

/// What a reference's link text becomes: its placeholders filled in from what the reference found.
///
/// - `{step}`: the step's number (the first of a run named by filters alone);
/// - `{steps}`: a run's numbers, `8–12` (a single step: `8`), an error when they are not consecutive;
/// - `{count}`: how many steps a run has;
/// - `{norm}`: the Euclidean norm ‖v‖₂ of the value (formats as for `{value}`);
/// - `{value}`: the value, formatted as the viewer formats numbers (three significant digits, a real
///   minus sign); `{value:.4f}` four decimals, `{value:.3g}` three significant digits, `{value:.2e}`
///   scientific. A tensor shows as `[0.406, −0.12]`, a matrix by rows, at most 16 values.
///
/// An empty link text shows `step N` (`steps A–B` for a run), or the value for an element or a
/// history value.
enum ReferenceText {
    static let maxQuotedValues = 16

    /// What the link's text becomes: each placeholder it holds (`{step}`) and its replacement, or,
    /// for a link without text, the text it gets.
    static func fill(_ text: String, of reference: TraceReference, with found: ResolvedReference) -> Result<LinkRewrite, ReferenceProblem> {
        let empty = text.trimmingCharacters(in: .whitespaces).isEmpty
        let template = empty ? defaultText(of: reference, found) : text
        var replacements: [String: String] = [:]
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                return .failure(.syntax("'{' without '}' in the link text"))
            }
            let placeholder = String(rest[rest.index(after: open)..<close])
            switch replacement(placeholder, found) {
            case .success(let value): replacements["{\(placeholder)}"] = value
            case .failure(let problem): return .failure(problem)
            }
            rest = rest[rest.index(after: close)...]
        }
        guard empty else { return .success(LinkRewrite(destination: nil, replacements: replacements)) }
        let filled = replacements.reduce(template) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        return .success(LinkRewrite(destination: nil, emptyText: filled))
    }

    /// What an empty link text shows: the value of an element or a history value, else the step(s).
    private static func defaultText(of reference: TraceReference, _ found: ResolvedReference) -> String {
        switch reference.target {
        case .history: return "{value}"
        case .steps(_, let element?, _) where element.count > 0: return "{value}"
        default: return found.steps.count > 1 ? "steps {steps}" : "step {step}"
        }
    }

    private static func replacement(_ placeholder: String, _ found: ResolvedReference) -> Result<String, ReferenceProblem> {
        switch placeholder {
        case "step":
            guard let first = found.steps.first else { return .failure(.syntax("{step} of a history value: a history value has no step")) }
            return .success("\(first + 1)")
        case "steps":
            guard let first = found.steps.first, let last = found.steps.last else {
                return .failure(.syntax("{steps} of a history value: a history value has no steps"))
            }
            guard last - first + 1 == found.steps.count else {
                let numbers = found.steps.prefix(6).map { String($0 + 1) }.joined(separator: ", ")
                return .failure(.unresolved("{steps}: the steps are not consecutive (\(numbers)\(found.steps.count > 6 ? ", …" : "")); narrow the filters or name each"))
            }
            return .success(first == last ? "\(first + 1)" : "\(first + 1)–\(last + 1)")
        case "count":
            guard !found.steps.isEmpty else {
                return .failure(.syntax("{count} of a history value: {count} counts the steps of a run (`#:@t=1,phase=forward`)"))
            }
            return .success("\(found.steps.count)")
        default:
            let (name, spec) = placeholder.firstIndex(of: ":").map {
                (String(placeholder[..<$0]), String(placeholder[placeholder.index(after: $0)...]) as String?)
            } ?? (placeholder, nil)
            guard name == "value" || name == "norm" else {
                return .failure(.syntax("'{\(placeholder)}' is not a placeholder; the link text may hold {step}, {steps}, {count}, {value} or {norm}, the last two with a format ({value:.3f})"))
            }
            guard let value = found.value else {
                return .failure(.syntax("{\(name)} of a run of steps: name a tensor (`#:c_2`) to quote its value"))
            }
            guard let format = NumberFormat(spec) else {
                return .failure(.syntax("'{\(placeholder)}': write {\(name)}, {\(name):.3f} (decimals), {\(name):.3g} (significant digits) or {\(name):.2e}"))
            }
            guard name == "norm" else { return quote(value, format) }
            return .success(format.text(value.norm))
        }
    }

    /// A value as a sentence quotes it: one number, `[0.406, −0.12]`, or a matrix by rows.
    static func quote(_ value: QuotedValue, _ format: NumberFormat) -> Result<String, ReferenceProblem> {
        guard let data = value.data else {
            return .failure(.unresolved("{value}: the tensor has \(value.count) values, more than the \(maxQuotedValues) a sentence can hold; quote an element (`c_2[1,1]`)"))
        }
        let numbers = data.map(format.text)
        let rows = value.shape.filter { $0 != 1 }
        if value.shape.isEmpty || data.count == 1 { return .success(numbers.first ?? "[]") }
        if rows.count <= 1 { return .success("[" + numbers.joined(separator: ", ") + "]") }
        let width = value.shape.last!, lines = stride(from: 0, to: numbers.count, by: width).map {
            "[" + numbers[$0..<min($0 + width, numbers.count)].joined(separator: ", ") + "]"
        }
        return .success("[" + lines.joined(separator: ", ") + "]")
    }
}

/// How a quoted number is written: as the viewer does (three significant digits), or as asked.
enum NumberFormat: Equatable {
    case viewer
    case decimals(Int)
    case significant(Int)
    case scientific(Int)

    /// `nil` → the viewer's; `.3f`, `.3g`, `.2e` (0 to 15 digits); nil when not one of these.
    init?(_ spec: String?) {
        guard let spec else { self = .viewer; return }
        guard spec.hasPrefix("."), let kind = spec.last, let digits = Int(spec.dropFirst().dropLast()), (0...15).contains(digits) else { return nil }
        switch kind {
        case "f": self = .decimals(digits)
        case "g" where digits >= 1: self = .significant(digits)
        case "e": self = .scientific(digits)
        default: return nil
        }
    }

    func text(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "∞" : "−∞" }
        let sign = x < 0 || (x == 0 && x.sign == .minus && self != .viewer) ? "−" : ""
        let a = abs(x)
        switch self {
        case .viewer:
            // viewer-kit.js `format`: integers as they are, 3 significant digits in [0.001, 10⁴), else 2 decimals of scientific.
            if x == 0 { return "0" }
            if a.rounded() == a, a < 1e6 { return sign + String(Int(a)) }
            if a >= 1e-3, a < 1e4 { return sign + shortest(rounded(a, significant: 3)) }
            return sign + scientificText(a, decimals: 2, trimZeros: true)
        case .decimals(let n): return sign + String(format: "%.\(n)f", a)
        case .significant(let n): return a == 0 ? "0" : sign + shortest(rounded(a, significant: n))
        case .scientific(let n): return sign + scientificText(a, decimals: n, trimZeros: false)
        }
    }

    private func rounded(_ a: Double, significant digits: Int) -> Double {
        Double(String(format: "%.\(digits - 1)e", a)) ?? a
    }

    /// The shortest text that reads back as `a`, without a trailing `.0`.
    private func shortest(_ a: Double) -> String {
        if a.rounded() == a, a < 1e15 { return String(Int(a)) }
        let text = "\(a)"
        return text.contains("e") ? scientificText(a, decimals: 2, trimZeros: true) : text
    }

    /// `1.23e−5`: `decimals` digits after the point (trailing zeros dropped when asked), the
    /// exponent without `+` or leading zeros.
    private func scientificText(_ a: Double, decimals: Int, trimZeros: Bool) -> String {
        let text = String(format: "%.\(decimals)e", a)
        guard let e = text.firstIndex(of: "e") else { return text }
        var mantissa = String(text[..<e])
        if trimZeros, mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        let exponent = Int(text[text.index(after: e)...]) ?? 0
        return mantissa + "e" + (exponent < 0 ? "−" : "") + String(abs(exponent))
    }
}
