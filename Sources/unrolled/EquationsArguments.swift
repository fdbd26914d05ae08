import ArgumentParser
import Equations
import Foundation
import Models

/// `--equations FILE` of `unrolled trace` and `unrolled embed`: the demo `equations` reading FILE,
/// its problems printed the way a compiler prints them (FILE:line:column: error: …), all of them.
extension DemoRun {
    /// The demo to run: the one named, or `equations` when only `--equations` is given.
    static func demoName(_ named: String?, equations: String?) throws -> String? {
        guard equations != nil else { return named }
        if let named, named != "equations" {
            throw usageFailure("--equations traces your equations; it does not go with the demo '\(named.excerpt)'")
        }
        return "equations"
    }

    /// The demo's parameters with `--equations-file FILE` added for `--equations FILE`.
    static func arguments(_ parameters: [String], equations: String?) -> [String] {
        guard let equations else { return parameters }
        return parameters + ["--equations-file", equations]
    }

    /// Before the `equations` demo runs: every problem of its text, at its line and column of the
    /// file (or of `--equations`' text). Throws exit status 2 when there is an error; prints warnings.
    static func checkEquations(_ config: DemoConfig) throws {
        let text: String
        let place: String
        if let path = config.values["equations-file"]?.stringValue {
            do {
                (text, place) = (try DemoConfig.readFromDisk(path), path)
            } catch {
                throw usageFailure("cannot read the equations in '\(path.excerpt)' (\(error))")
            }
        } else if let given = config.values["equations"]?.stringValue, config.explicit.contains("equations") {
            (text, place) = (given, "equations")
        } else {
            return
        }
        do {
            let program = try EquationProgram(parsing: text)
            for warning in program.warnings { printError(warning.description(file: place)) }
        } catch {
            for diagnostic in error.diagnostics { printError(diagnostic.description(file: place)) }
            let count = error.errors.count
            printError("\(count) error\(count == 1 ? "" : "s") in \(place); nothing was traced")
            throw ExitCode(2)
        }
    }
}
