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
              unrolled init my-course
              unrolled build Site --output Site/_site
              unrolled embed lstm --steps 3 --output lstm.html
              unrolled trace --equations module.txt --train 20 --output module.json
            """,
        version: "0.1.0",
        subcommands: [TraceCommand.self, DemosCommand.self, OpsCommand.self, InitCommand.self, BuildCommand.self, ServeCommand.self, EmbedCommand.self]
    )

    /// ArgumentParser's own `main`, except that a usage error it catches (an unknown option, a
    /// missing argument) exits with 2, like every usage error of the commands themselves, instead
    /// of its EX_USAGE (64). Help, the version and every other outcome are as ArgumentParser has them.
    static func main() {
        do {
            var command = try parseAsRoot(namingEquationsDemo(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            printError(fullMessage(for: error))
            exit(withError: ExitCode(2))
        }
    }
}

/// `unrolled trace --equations F --train 3` is `unrolled trace equations --equations F --train 3`:
/// with the demo named, ArgumentParser hands the demo's parameters after it to the command
/// (without a positional argument it would refuse `--train` as unknown).
func namingEquationsDemo(_ arguments: [String]) -> [String] {
    guard let command = arguments.first, command == "trace" || command == "embed", arguments.count > 1,
        arguments[1].hasPrefix("-"), arguments.contains(where: { $0 == "--equations" || $0.hasPrefix("--equations=") })
    else { return arguments }
    return [command, "equations"] + arguments.dropFirst()
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
