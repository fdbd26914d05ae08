/// Everything a build has found so far, in the order the stages found it. Each stage returns its
/// own diagnostics; the build keeps them here, where `--strict` makes a warning an error.
struct BuildLog: Sendable {
    let strict: Bool
    private(set) var diagnostics: [Diagnostic] = []

    init(strict: Bool) { self.strict = strict }

    var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    mutating func report(_ found: [Diagnostic]) {
        for var diagnostic in found {
            if strict && diagnostic.severity == .warning {
                diagnostic.severity = .error
                diagnostic.message += " (an error with --strict)"
            }
            diagnostics.append(diagnostic)
        }
    }

    /// A stage's output, its diagnostics kept.
    mutating func keep<Output>(_ result: Staged<Output>) -> Output {
        report(result.diagnostics)
        return result.output
    }

    /// Stops the build when an error was found: no site is written.
    func stopOnErrors() throws(BuildFailure) {
        if diagnostics.contains(where: { $0.severity == .error }) { throw BuildFailure(diagnostics: diagnostics) }
    }

    /// Runs a step that cannot go on after `fatal` (a template that does not load, a file that
    /// cannot be written): the build stops with everything found so far and that error.
    func check<Output>(_ step: () throws(Diagnostic) -> Output) throws(BuildFailure) -> Output {
        do {
            return try step()
        } catch {
            throw BuildFailure(diagnostics: diagnostics + [error])
        }
    }
}

/// What a stage made and what it found on the way (errors and warnings, in order).
struct Staged<Output> {
    var output: Output
    var diagnostics: [Diagnostic]

    init(_ output: Output, _ diagnostics: [Diagnostic]) {
        self.output = output
        self.diagnostics = diagnostics
    }
}

extension Staged: Sendable where Output: Sendable {}
