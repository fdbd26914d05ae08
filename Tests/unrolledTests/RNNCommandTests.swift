import Foundation
import Testing
import Trace

/// `unrolled trace rnn` end to end: text and matrix values on a command line.
@Suite("unrolled trace rnn")
struct RNNCommandTests {
    @Test("--text hello --train 5: next-character prediction, trained, labelled with the vocabulary")
    func textTrains() throws {
        let result = try CLI.run(["trace", "rnn", "--text", "hello", "--train", "5"])
        #expect(result.status == 0, "\(result.standardError)")
        let trace = try TraceDocument.decode(from: result.standardOutput)
        #expect(trace.model == "rnn")
        #expect(trace.config["text"] == "hello")
        #expect(trace.config["steps"] == 4)
        #expect(trace.config["loss"] == "cross-entropy")
        #expect(trace.history?.map(\.iteration) == [1, 2, 3, 4, 5])
        #expect(trace.history?.map(\.traced) == [true, false, false, false, false])
        let x1 = try #require(trace.tensors.first { $0.name == "x_1" })
        #expect(x1.labels == [["h", "e", "l", "o"], nil])
        #expect(x1.data == [1, 0, 0, 0])
        #expect(trace.tensors.contains { $0.name == "W_1" && $0.version == 1 })
        // A text with spaces, quoted as one argument, is words.
        let words = try CLI.run(["trace", "rnn", "--text", "The cat sat on the mat."])
        #expect(words.status == 0, "\(words.standardError)")
        let wordsTrace = try TraceDocument.decode(from: words.standardOutput)
        #expect(wordsTrace.tensors.first { $0.name == "x_1" }?.labels == [["the", "cat", "sat", "on", "mat"], nil])
    }

    @Test("--inputs takes rows separated by ';' and numbers by ',' (also as --inputs=…)")
    func inputsParse() throws {
        for arguments in [["--inputs", "0.5,-1;1,0;0,2"], ["--inputs=0.5,-1;1,0;0,2"], ["--inputs", " 0.5, -1 ; 1,0; 0,2 "]] {
            let result = try CLI.run(["trace", "rnn"] + arguments)
            #expect(result.status == 0, "\(arguments): \(result.standardError)")
            let trace = try TraceDocument.decode(from: result.standardOutput)
            #expect(trace.config["steps"] == 3)
            #expect(trace.config["input"] == 2)
            #expect(trace.config["inputs"]?.arrayValue?.map(\.doubleArray) == [[0.5, -1], [1, 0], [0, 2]])
            let xs = ["x_1", "x_2", "x_3"].map { name in trace.tensors.first { $0.name == name }?.data }
            #expect(xs == [[0.5, -1], [1, 0], [0, 2]])
        }
        let withTargets = try CLI.run([
            "trace", "rnn", "--inputs", "0.5,-1;1,0", "--targets", "1,0,0;0,0,1", "--loss", "cross-entropy",
        ])
        #expect(withTargets.status == 0, "\(withTargets.standardError)")
        let trace = try TraceDocument.decode(from: withTargets.standardOutput)
        #expect(trace.config["output-size"] == 3)
        #expect(trace.tensors.first { $0.name == "target_2" }?.data == [0, 0, 1])
    }

    @Test("--output-size sets O while --output still names the file")
    func outputSizeBesideOutputFile() throws {
        let folder = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("rnn.json").path
        let result = try CLI.run(["trace", "rnn", "--output-size", "3", "--output", path])
        #expect(result.status == 0, "\(result.standardError)")
        let trace = try TraceDocument.decode(from: Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(trace.config["output-size"] == 3)
        #expect(trace.tensors.first { $0.name == "W_2" }?.shape == [3, 2])
    }

    @Test(
        "bad sequence values exit with status 2 and one line naming the option",
        arguments: [
            (["--inputs", "1,2;3"], "--inputs"),
            (["--inputs", "1,x"], "--inputs"),
            (["--inputs", "nan,1"], "--inputs"),
            (["--targets", "1;2", "--inputs", "1;2;3"], "--targets"),
            (["--text", "hello", "--loss", "mse"], "--text"),
            (["--text", "hello", "--inputs", "1;2"], "--text"),
            (["--steps", "201"], "--steps"),
        ])
    func badValues(arguments: [String], option: String) throws {
        let result = try CLI.run(["trace", "rnn"] + arguments)
        #expect(result.status == 2, "\(arguments)")
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError.hasPrefix("error: "), "\(result.standardError)")
        #expect(result.standardError.hasSuffix("\n"))
        #expect(result.standardError.dropLast().contains("\n") == false, "more than one line: \(result.standardError)")
        #expect(result.standardError.contains(option), "\(result.standardError)")
    }

    @Test("a ragged --inputs is reported with the option and what is expected")
    func raggedInputsMessage() throws {
        let result = try CLI.run(["trace", "rnn", "--inputs", "1,2;3"])
        #expect(result.status == 2)
        #expect(
            result.standardError
                == "error: --inputs: '[[1, 2], [3]]' is not valid; expected 1 to 200 rows of 1 to 256 numbers (rows separated by ';', numbers by ',')\n")
    }

    @Test("trace rnn --help lists the sequence options")
    func help() throws {
        let result = try CLI.run(["trace", "rnn", "--help"])
        #expect(result.status == 0)
        for option in ["--inputs", "--targets", "--text", "--steps", "--hidden", "--loss", "--train", "--lr", "--seed"] {
            #expect(result.outputText.contains(option), "\(option) missing from help")
        }
    }
}
