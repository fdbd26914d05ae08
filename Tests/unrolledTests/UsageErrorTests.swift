import Testing

/// Every usage error exits with status 2, as the README says: those ArgumentParser catches (an
/// unknown option or subcommand, a missing or extra argument) as well as the commands' own.
@Suite("usage errors")
struct UsageErrorTests {
    @Test("a usage error ArgumentParser catches: its message and usage on standard error, exit 2", arguments: [
        ["build", "--bogus"], ["build", "a", "b"], ["build", "--output"], ["trace"], ["embed"],
        ["demos", "--bogus"], ["bogus"], ["--bogus"],
    ])
    func usageErrorsExitWith2(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
        #expect(result.standardError.hasPrefix("Error: "), "\(result.standardError)")
        #expect(result.standardError.contains("Usage: unrolled"), "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
    }

    @Test("help and the version still exit 0, on standard output", arguments: [
        ["--help"], ["build", "--help"], ["trace", "--help"], ["help", "embed"], ["--version"],
    ])
    func helpExitsWith0(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(arguments): \(result.standardError)")
        #expect(!result.standardOutput.isEmpty)
        #expect(result.standardError.isEmpty)
    }
}
