import Foundation

/// Runs the built `unrolled` binary (it sits beside the test bundle in the build folder).
struct CLIResult {
    let status: Int32
    let standardOutput: Data
    let standardError: String
    var outputText: String { String(decoding: standardOutput, as: UTF8.self) }
}

enum CLI {
    static var binary: URL {
        let buildFolder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [buildFolder, buildFolder.deletingLastPathComponent()].map { $0.appendingPathComponent("unrolled") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    /// Runs `unrolled` with `arguments`, and `environment` added to this process's. A run still
    /// going after `timeout` is terminated: its status is then that of the signal, which no test expects.
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], timeout: Duration? = nil
    ) throws -> CLIResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        // Standard error goes to a file: with a pipe for each stream, a child that fills the one not
        // being read (a long progress log) would block.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorFile) }
        let output = Pipe(), error = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = output
        process.standardError = error
        try process.run()
        if let timeout {
            let running = Running(process: process)
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(timeout.components.seconds)) { running.terminate() }
        }
        // Read before waiting: a large trace would otherwise fill the pipe and block the child.
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try error.close()
        let errData = try Data(contentsOf: errorFile)
        return CLIResult(status: process.terminationStatus, standardOutput: outData, standardError: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("unrolled-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A course folder with the given files, inside a fresh temporary folder.
    static func course(_ files: [String: String]) throws -> URL {
        let course = try temporaryDirectory().appendingPathComponent("course")
        for (path, text) in files {
            let url = course.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return course
    }
}

/// A child process the timeout may end from another thread (`terminate` may be called from any).
private struct Running: @unchecked Sendable {
    let process: Process

    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
