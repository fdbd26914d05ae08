/// A problem in an equations text, at its line and column, saying what to do.
public struct EquationDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Severity: String, Sendable, Equatable {
        case error, warning
    }

    public var severity: Severity
    public var position: SourcePosition
    public var message: String

    public init(_ severity: Severity, at position: SourcePosition, _ message: String) {
        self.severity = severity
        self.position = position
        self.message = message
    }

    static func error(_ position: SourcePosition, _ message: String) -> EquationDiagnostic {
        EquationDiagnostic(.error, at: position, message)
    }

    static func warning(_ position: SourcePosition, _ message: String) -> EquationDiagnostic {
        EquationDiagnostic(.warning, at: position, message)
    }

    /// `3:12: error: unknown name 'W2'; did you mean 'W_2'?`
    public var description: String { "\(position): \(severity.rawValue): \(message)" }

    /// The same diagnostic with `file:` in front, the way compilers print one.
    public func description(file: String) -> String { "\(file):\(description)" }
}

/// Why an equations text cannot be traced: every error found (in the order of the text), and the
/// warnings found before them.
public struct EquationErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [EquationDiagnostic]

    public init(_ diagnostics: [EquationDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.position < $1.position }
    }

    public var errors: [EquationDiagnostic] { diagnostics.filter { $0.severity == .error } }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// The closest of `candidates` to `name` by edit distance, when close enough to be a likely slip
/// (at most a third of the name's length, at least one edit); case differences count half.
func suggestion(for name: String, in candidates: [String]) -> String? {
    let scored = candidates.filter { $0 != name }.map { ($0, distance(name, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }) else { return nil }
    let allowed = max(1.0, Double(name.count) / 3)
    return best.1 <= allowed ? best.0 : nil
}

/// Levenshtein distance in characters (two neighbours swapped count as one edit), where a change
/// of case alone costs ½ and inserting or dropping `_` ¼ (`W2` is a quarter step from `W_2`).
private func distance(_ a: String, _ b: String) -> Double {
    let a = Array(a), b = Array(b)
    var previous = (0...b.count).map { Double($0) }
    var beforePrevious = previous
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [Double(i)] + [Double](repeating: 0, count: b.count)
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution: Double =
                a[i - 1] == b[j - 1] ? 0 : a[i - 1].lowercased() == b[j - 1].lowercased() ? 0.5 : 1
            let deleteCost: Double = a[i - 1] == "_" ? 0.25 : 1
            let insertCost: Double = b[j - 1] == "_" ? 0.25 : 1
            current[j] = min(previous[j] + deleteCost, current[j - 1] + insertCost, previous[j - 1] + substitution)
            // Two neighbours swapped (`tahn` for `tanh`) is one slip.
            if i >= 2, j >= 2, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { current[j] = min(current[j], beforePrevious[j - 2] + 1) }
        }
        beforePrevious = previous
        previous = current
    }
    return a.isEmpty ? Double(b.count) : previous[b.count]
}
