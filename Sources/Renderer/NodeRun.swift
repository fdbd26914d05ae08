import Foundation

/// A Node process started before its input is known (KaTeX's check, `MathCheck`): it loads KaTeX
/// and then waits on its standard input, so that a build can start it first and hand it the
/// equations once the pages are parsed. `finish` gives the input and returns the output.
final class NodeRun: @unchecked Sendable {
    // Touched by `finish` only, once, on one thread.
    private let process: Process
    private let stdin = Pipe(), stdout = Pipe()

    private init(_ process: Process) { self.process = process }

    /// `tool` started with `arguments`, or nil when it cannot start.
    static func start(_ tool: URL, _ arguments: [String]) -> NodeRun? {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let run = NodeRun(process)
        process.standardInput = run.stdin
        process.standardOutput = run.stdout
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        return run
    }

    /// The standard output once `input` is written and the process has ended; nil when it fails or
    /// runs past a minute from here.
    func finish(input: Data) -> Data? {
        // Written on its own thread: a large input must not wait on a full output pipe.
        let stdin = stdin
        let writer = Thread {
            try? stdin.fileHandleForWriting.write(contentsOf: input)
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let process = process
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: timer)
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        timer.cancel()
        return process.terminationStatus == 0 ? output : nil
    }
}
