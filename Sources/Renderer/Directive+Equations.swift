import Equations
import Yams

/// An `equations` directive's program, checked where it is written: each problem of the equations
/// text is reported at its own line and column of the page, not at the directive's.
///
/// ````markdown
/// ```unrolled
/// model: equations
/// equations: |
///   input x = [1; 2]
///   param W : 2×2
///   y = tanh(W x)
///   loss Q = 1/2 * sum(y^2)
/// ```
/// ````
extension Directive {
    /// The diagnostics of `text`, the value of `equations:` whose key is on page line `keyLine`;
    /// `body` is the directive's body, which starts on page line `firstLine`.
    static func equationDiagnostics(_ text: String, value: Node, keyLine: Int, body: String, firstLine: Int, file: String) -> [Diagnostic] {
        if case .scalar(let scalar) = value, scalar.style == .folded {
            // `>` joins the lines into one: every statement after the first would be misread.
            return [.error(file, line: keyLine, "equations: write the equations as a literal block, `equations: |` (a folded block `>` joins them into one line)")]
        }
        let place = placement(of: value, keyLine: keyLine, body: body, firstLine: firstLine)
        func diagnostic(_ d: EquationDiagnostic) -> Diagnostic {
            let line = place.line + d.position.line - 1
            let column = d.position.line == 1 ? place.firstColumn + d.position.column - 1 : place.indent + d.position.column
            let message = "equations: \(d.message)"
            return d.severity == .error
                ? .error(file, line: line, column: column, message) : Diagnostic(.warning, file: file, line: line, column: column, message)
        }
        do {
            let program = try EquationProgram(parsing: text)
            return program.warnings.map(diagnostic)
        } catch {
            return error.diagnostics.map(diagnostic)
        }
    }

    /// The diagnostics of an equations file a directive names (`equations-file:`), at its lines.
    static func equationDiagnostics(inFile text: String, path: String) -> [Diagnostic] {
        func diagnostic(_ d: EquationDiagnostic) -> Diagnostic {
            Diagnostic(d.severity == .error ? .error : .warning, file: path, line: d.position.line, column: d.position.column, d.message)
        }
        do {
            return try EquationProgram(parsing: text).warnings.map(diagnostic)
        } catch {
            return error.diagnostics.map(diagnostic)
        }
    }

    /// Where the text's first line is on the page: a block (`|`) starts on the line after the key,
    /// indented as its first line is; a one-line value starts at its mark.
    private static func placement(of value: Node, keyLine: Int, body: String, firstLine: Int) -> (line: Int, indent: Int, firstColumn: Int) {
        guard case .scalar(let scalar) = value, scalar.style == .literal else {
            // A one-line value: it starts at its mark, after the quote when it is quoted.
            let quoted = if case .scalar(let scalar) = value, scalar.style == .singleQuoted || scalar.style == .doubleQuoted { 1 } else { 0 }
            let column = (value.mark?.column ?? 1) + quoted
            return (value.mark.map { firstLine + $0.line - 1 } ?? keyLine, 0, column)
        }
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        let after = keyLine - firstLine + 1  // index in `lines` of the line after the key
        var indent = 0
        if after >= 0, let first = lines.dropFirst(after).first(where: { !$0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } }) {
            indent = first.prefix { $0 == " " }.count
        }
        return (keyLine + 1, indent, indent + 1)
    }
}
