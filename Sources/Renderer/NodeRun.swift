import Foundation

/// A Node process started before its input is known (KaTeX's check, `MathCheck`): it loads KaTeX
/// and then reads its standard input as it comes, so that a build can start it first, `send` it
/// each page's equations as the page is parsed, and `finish` once every page is.
final class NodeRun: @unchecked Sendable {
    private let process: Process
    private let stdin = Pipe(), stdout = Pipe()
    /// Writes in the order they were sent, off the sender's thread: a full pipe (Node busy) must
    /// not hold up the page parser that sent them.
    private let writer = DispatchQueue(label: "unrolled.node-input")
    /// Signalled as the process ends. Foundation's `waitUntilExit`, called on a thread other than
    /// the one that started the process (as `finish` is), polls every 50 ms: up to that long after
    /// Node had answered, at the very end of a build.
    private let exited = DispatchSemaphore(value: 0)

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
        let exited = run.exited
        process.terminationHandler = { _ in exited.signal() }
        do { try process.run() } catch { return nil }
        // Below the build's own threads: its verdicts are needed only at the build's end, so it
        // takes the time a core would otherwise idle (the parsers waiting on one another, the
        // stages one thread runs) before it takes the pages' time.
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(process.processIdentifier), 10)
        return run
    }

    /// Adds `data` to the standard input (after what was sent before).
    func send(_ data: Data) {
        let input = stdin.fileHandleForWriting
        writer.async { try? input.write(contentsOf: data) }
    }

    /// The standard output once `input` is sent after the rest, the input ended and the process
    /// ended; nil when it fails or runs past a minute from here.
    func finish(input: Data = Data()) -> Data? {
        if !input.isEmpty { send(input) }
        let handle = stdin.fileHandleForWriting
        writer.async { try? handle.close() }
        let process = process
        let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 60, execute: timer)
        // Read while the writer writes: a large output must not wait on a full input pipe.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        exited.wait()
        timer.cancel()
        return process.terminationStatus == 0 ? output : nil
    }
}
