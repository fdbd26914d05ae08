import Engine
import Foundation
import Testing
import Trace

/// Every op's hand-worked forward cases, recorded as one trace and replayed step by step by the
/// independent numpy implementation (Tests/Python/numpy_ops.py, through Tests/Python/replay.py):
/// an op the engine registers is checked against numpy as soon as its forward cases exist,
/// without a recorded fixture. Needs python3 with numpy (what `make test` installs).
@Suite("Ops replayed by the numpy implementation")
struct NumpyReplayTests {
    static let pythonFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Python")

    @Test("every forward case's step replays in numpy to 1e-12")
    func everyForwardCaseReplaysInNumpy() throws {
        let tape = Tape()
        for c in ForwardCases.all {
            _ = try tape.tryApply(c.op, c.inputs.enumerated().map { tape.constant($1, name: "x\($0)") })
        }
        let trace = tape.trace(title: "every op's forward cases", model: "op-cases", config: [:])
        #expect(Set(trace.steps.map(\.op)) == Set(OpRegistry.names))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-op-cases-\(getpid()).json")
        try trace.jsonData().write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try run(["python3", Self.pythonFolder.appendingPathComponent("replay.py").path, file.path])
        #expect(status == 0, "numpy replay failed:\n\(output)")
    }

    private func run(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = Self.pythonFolder
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
