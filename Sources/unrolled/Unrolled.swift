import ArgumentParser

@main
struct Unrolled: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unrolled",
        abstract: "See how neural networks compute, number by number.",
        discussion: """
            Runs the networks of a deep-learning course on an instrumented tensor engine and records \
            every forward, backward and update operation as a trace (JSON, format v1; see docs/trace-format.md).

            Examples:
              unrolled demos
              unrolled trace neuron --activation tanh
              unrolled trace mlp --layers 2,4,1 --train 200 --output mlp.json
              unrolled build Site --output Site/_site
              unrolled embed lstm --steps 3 --output lstm.html
            """,
        version: "0.1.0",
        subcommands: [TraceCommand.self, DemosCommand.self, OpsCommand.self, BuildCommand.self, EmbedCommand.self]
    )

    /// ArgumentParser's own `main`, except that a usage error it catches (an unknown option, a
    /// missing argument) exits with 2, like every usage error of the commands themselves, instead
    /// of its EX_USAGE (64). Help, the version and every other outcome are as ArgumentParser has them.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            printError(fullMessage(for: error))
            exit(withError: ExitCode(2))
        }
    }
}

/// Prints one line to standard error and returns exit status 2 (a usage error), as every
/// command does for unknown demos, unknown parameters and values out of range.
func usageFailure(_ message: String) -> ExitCode {
    printError("error: \(message)")
    return ExitCode(2)
}

func printError(_ text: String) {
    var standardError = StandardError()
    print(text, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandleOutput.standardError(string)
    }
}
