/// A problem a build found, tied to the place in the course that causes it.
///
/// Shown as `notes/lstm.md:12: unknown model 'lstmm' — did you mean 'lstm'?`: the file relative
/// to the course folder, the line when there is one, and what to do.
public struct Diagnostic: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable {
        /// The build cannot produce a correct site; nothing is written.
        case error
        /// The site is written, with the problem visible (alt text for a missing image…); an error under `--strict`.
        case warning
    }

    public var severity: Severity
    /// The file, relative to the course folder (`notes/01-neuron.md`), or empty for the course as a whole.
    public var file: String
    /// 1-based line in `file`, when the problem has one.
    public var line: Int?
    /// 1-based column in `line` (in Unicode scalars, as YAML counts), when the problem knows it.
    public var column: Int?
    public var message: String

    public init(_ severity: Severity, file: String, line: Int? = nil, column: Int? = nil, _ message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public static func error(_ file: String, line: Int? = nil, column: Int? = nil, _ message: String) -> Diagnostic {
        Diagnostic(.error, file: file, line: line, column: column, message)
    }

    public static func warning(_ file: String, line: Int? = nil, _ message: String) -> Diagnostic {
        Diagnostic(.warning, file: file, line: line, message)
    }

    /// `file:line: message` or `file:line:column: message`, as compilers print it, so editors can
    /// jump to the place.
    public var description: String {
        guard !file.isEmpty else { return message }
        guard let line else { return "\(file): \(message)" }
        let place = column.map { "\(file):\(line):\($0)" } ?? "\(file):\(line)"
        return "\(place): \(message)"
    }
}

/// The errors (and, for context, the warnings) of a build that could not write its site.
public struct BuildFailure: Error, Sendable {
    public var diagnostics: [Diagnostic]
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
}
