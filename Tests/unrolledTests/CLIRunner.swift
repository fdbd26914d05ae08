import Foundation
import Synchronization

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

    /// Runs `unrolled` with `arguments`, with `environment` added to this process's own. After
    /// `timeout` seconds it is killed (SIGKILL: status 9), so that a hang fails its test instead of
    /// stopping the run.
    static func run(
        _ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:], timeout: Double = 600
    ) throws -> CLIResult {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let watchdog = DispatchWorkItem { kill(process.processIdentifier, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        // Both pipes are drained while the child runs: a full pipe would block it.
        let errorData = Mutex(Data())
        let errorRead = DispatchGroup()
        DispatchQueue.global().async(group: errorRead) {
            let data = error.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        errorRead.wait()
        process.waitUntilExit()
        watchdog.cancel()
        return CLIResult(status: process.terminationStatus, standardOutput: outData, standardError: String(decoding: errorData.withLock { $0 }, as: UTF8.self))
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
