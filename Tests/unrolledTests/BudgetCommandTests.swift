import Foundation
import Testing

/// `unrolled trace` and `unrolled build` end to end on runs too big for the budget, and their
/// progress lines when standard error is not a terminal (here, a file).
@Suite("unrolled trace and build: budget and progress")
struct BudgetCommandTests {
    @Test("lstm --steps 200 --hidden 256, a 2.5 GB trace, is refused within seconds, naming the limit and what to lower")
    func hugeTraceRefused() throws {
        let result = try CLI.run(["trace", "lstm", "--steps", "200", "--hidden", "256"], timeout: 60)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(
            result.standardError.wholeMatch(of: /error: this trace would hold about \d(\.\d)? GB, the limit is 200 MB: lower --steps or --hidden\n/)
                != nil, "\(result.standardError)")
    }

    @Test("attention with 64 tokens, sizes 256 and 100000 iterations, hours of work, is refused within seconds")
    func hoursOfWorkRefused() throws {
        let result = try CLI.run(
            ["trace", "attention", "--tokens", "64", "--key-size", "256", "--value-size", "256", "--train", "100000"], timeout: 60)
        #expect(result.status == 2, "\(result.standardError)")
        #expect(
            result.standardError.wholeMatch(
                of: /error: this run would take about [\d.]+e12 floating-point operations, the limit is 2e11 \(a few minutes\): lower --tokens, --key-size, --value-size or --train\n/
            ) != nil, "\(result.standardError)")
    }

    @Test("--help states the budget")
    func helpStatesTheBudget() throws {
        let result = try CLI.run(["trace", "--help"])
        #expect(result.outputText.contains("200 MB"))
        #expect(result.outputText.contains("2e11"))
    }

    @Test("a directive over the budget fails the build at its file and line, naming the directive's keys")
    func buildRefusesAtTheDirective() throws {
        let folder = try CLI.course(["notes/a.md": "# A\n\n```unrolled\nmodel: lstm\nsteps: 200\nhidden: 256\n```\n"])
        let result = try CLI.run(["build", folder.path], timeout: 60)
        #expect(result.status == 1)
        #expect(
            result.standardError.contains(
                /\nerror: notes\/a.md:3: this trace would hold about \d(\.\d)? GB, the limit is 200 MB: lower steps or hidden\n/),
            "\(result.standardError)")
    }

    @Test("a standard error that is not a terminal gets a plain progress line per interval, here every report")
    func progressLinesWhenNotATerminal() throws {
        let folder = try CLI.temporaryDirectory()
        let result = try CLI.run(
            ["trace", "mlp", "--train", "300", "--output", folder.appendingPathComponent("mlp.json").path],
            environment: ["UNROLLED_PROGRESS_INTERVAL": "0"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardError.split(separator: "\n").filter { $0.hasPrefix("mlp: training ") }
        #expect(lines.count == 300)
        #expect(lines[1].wholeMatch(of: /mlp: training 2\/300 iterations \(0\.7%\), loss [-\d.e]+, about \d+ (s|min|h) left/) != nil, "\(lines[1])")
        #expect(lines.last?.wholeMatch(of: /mlp: training 300\/300 iterations \(100\.0%\), loss [-\d.e]+/) != nil, "\(lines.last ?? "")")
        #expect(!result.standardError.contains("\r"))
    }

    @Test("a run shorter than the interval prints no progress")
    func noProgressForShortRuns() throws {
        let folder = try CLI.temporaryDirectory()
        let result = try CLI.run(
            ["trace", "mlp", "--train", "300", "--output", folder.appendingPathComponent("mlp.json").path],
            environment: ["UNROLLED_PROGRESS_INTERVAL": "3600"])
        #expect(result.status == 0)
        #expect(result.standardError.hasPrefix("wrote "), "\(result.standardError)")
    }

    @Test("a build's directives report their progress the same way, between the build's own lines")
    func buildProgress() throws {
        let folder = try CLI.course(["notes/a.md": "# A\n\n```unrolled\nmodel: mlp\ntrain: 50\n```\n"])
        let result = try CLI.run(["build", folder.path], environment: ["UNROLLED_PROGRESS_INTERVAL": "0"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardError.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("mlp: training ") }.count == 50)
        let own = lines.filter { !$0.hasPrefix("mlp: training ") }
        #expect(own.first?.hasPrefix("building ") == true)
        #expect(own.contains("traces: 1 (1 computed, 0 from cache)"))
        #expect(own.last?.hasPrefix("built 1 page, 1 trace, ") == true)
    }

    @Test("directives computed at once report each run's progress on its own")
    func concurrentProgress() throws {
        let folder = try CLI.course(["notes/a.md": "# A\n\n```unrolled\nmodel: mlp\ntrain: 50\n```\n\n```unrolled\nmodel: mlp\ntrain: 40\nlr: 0.2\n```\n"])
        let result = try CLI.run(["build", folder.path], environment: ["UNROLLED_PROGRESS_INTERVAL": "0"])
        #expect(result.status == 0, "\(result.standardError)")
        let lines = result.standardError.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("mlp: training ") && $0.contains("/50 iterations") }.count == 50)
        #expect(lines.filter { $0.hasPrefix("mlp: training ") && $0.contains("/40 iterations") }.count == 40)
        #expect(lines.contains("traces: 2 (2 computed, 0 from cache)"))
    }
}
