import Foundation
import Testing
import Trace

@Suite("unrolled trace")
struct TraceCommandTests {
    @Test("writes a valid v1 trace to standard output")
    func writesTraceToStandardOutput() throws {
        let result = try CLI.run(["trace", "neuron"])
        #expect(result.status == 0, "\(result.standardError)")
        let trace = try TraceDocument.decode(from: result.standardOutput)
        #expect(trace.model == "neuron")
        #expect(trace.format == "unrolled-trace" && trace.version == 1)
        #expect(trace.config["activation"] == .string("sigmoid"))
        #expect(result.standardError.isEmpty)
    }

    @Test("demo parameters are options, in both --name value and --name=value forms")
    func parametersAsOptions() throws {
        let result = try CLI.run(["trace", "mlp", "--layers", "2,4,2", "--loss=cross-entropy", "--activation", "relu"])
        #expect(result.status == 0, "\(result.standardError)")
        let trace = try TraceDocument.decode(from: result.standardOutput)
        #expect(trace.config["layers"] == [2, 4, 2])
        #expect(trace.config["loss"] == "cross-entropy")
        #expect(trace.tensors.contains { $0.name == "W_2" && $0.shape == [2, 4] })
    }

    @Test("a boolean parameter alone means true; with a value, that value; options may come before or after it")
    func booleanFlags() throws {
        let alone = try CLI.run(["trace", "self-attention", "--causal", "--train", "2"])
        let spelled = try CLI.run(["trace", "self-attention", "--train=2", "--causal", "true"])
        let last = try CLI.run(["trace", "self-attention", "--pretty", "--train", "2", "--causal"])
        #expect(alone.status == 0, "\(alone.standardError)")
        #expect(alone.standardOutput == spelled.standardOutput)
        #expect(try TraceDocument.decode(from: last.standardOutput) == TraceDocument.decode(from: alone.standardOutput))
        let off = try CLI.run(["trace", "self-attention", "--causal", "false"])
        #expect(try TraceDocument.decode(from: off.standardOutput).config["causal"] == "false")
    }

    @Test("--output writes the file, creating folders, and reports on standard error")
    func outputFile() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nested/neuron.json").path
        let result = try CLI.run(["trace", "neuron", "--activation", "tanh", "--output", path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.contains("wrote \(path)"))
        let trace = try TraceDocument.decode(from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(trace.config["activation"] == "tanh")
    }

    @Test("the same demo and seed give identical bytes from two runs")
    func deterministicOutput() throws {
        let arguments = ["trace", "mlp", "--train", "5", "--seed", "42"]
        let first = try CLI.run(arguments), second = try CLI.run(arguments)
        #expect(first.status == 0 && second.status == 0)
        #expect(first.standardOutput == second.standardOutput)
        let other = try CLI.run(["trace", "mlp", "--train", "5", "--seed", "43"])
        #expect(other.standardOutput != first.standardOutput)
    }

    @Test("--pretty indents the same trace")
    func prettyOutput() throws {
        let compact = try CLI.run(["trace", "neuron"]), pretty = try CLI.run(["trace", "neuron", "--pretty"])
        #expect(pretty.outputText.contains("\n  \""))
        #expect(try TraceDocument.decode(from: compact.standardOutput) == TraceDocument.decode(from: pretty.standardOutput))
    }

    @Test(
        "bad input exits with status 2 and one line naming the fix",
        arguments: [
            (["trace", "nueron"], "error: unknown demo 'nueron'; did you mean 'neuron'?"),
            (["trace", "neuron", "--lrr", "0.1"], "error: unknown parameter --lrr for neuron; did you mean --lr?"),
            (["trace", "mlp", "--activation", "tahn"], "error: --activation: unknown value 'tahn'; did you mean 'tanh'? (choose sigmoid, tanh, relu)"),
            (["trace", "mlp", "--train", "0"], "error: --train 0 is out of range; allowed: 1…100000"),
            (["trace", "mlp", "--layers", "2,x,1"], "error: --layers: '2,x,1' is not valid; expected 2 to 6 integers in 1…256, comma-separated"),
            (["trace", "neuron", "--seed"], "error: --seed needs a value"),
            (["trace", "mlp", "--layers", "3,3,1"], "error: --data xor needs 2 inputs and 1 output with --loss mse (e.g. --layers 2,3,1)"),
            (["trace", "self-attention", "--causal", "ture"], "error: --causal: unknown value 'ture'; did you mean 'true'? (choose false, true)"),
            (["trace", "neuron", "stray"], "error: unexpected argument 'stray'; parameters are written --name value (see `unrolled trace neuron --help`)"),
        ])
    func badInput(arguments: [String], expected: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == expected + "\n")
    }

    @Test("an unwritable --output fails without leaving a file")
    func unwritableOutput() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let blocker = folder.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let result = try CLI.run(["trace", "neuron", "--output", blocker.appendingPathComponent("trace.json").path])
        #expect(result.status == 1)
        #expect(result.standardError.hasPrefix("error: cannot write"))
        #expect(try String(contentsOf: blocker, encoding: .utf8) == "x")
    }

    @Test("trace <demo> --help lists the demo's parameters with defaults and ranges")
    func demoHelp() throws {
        let result = try CLI.run(["trace", "mlp", "--help"])
        #expect(result.status == 0)
        #expect(result.outputText.contains("--layers"))
        #expect(result.outputText.contains("default 2,3,1"))
        #expect(result.outputText.contains("--lr"))
        #expect(result.outputText.contains("0 < x ≤ 10"))
    }
}
