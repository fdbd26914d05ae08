import Foundation
import Models
import Synchronization

/// Progress of a long demo run on standard error:
/// `lstm: training 1200/100000 iterations (1.2%), loss 0.0123, about 6 min left`.
///
/// On a terminal the line is redrawn in place, at most ten times a second. Anywhere else (a log,
/// a pipe, CI) carriage returns would be noise, so a plain line is printed at most every
/// `interval` — 5 s, or `UNROLLED_PROGRESS_INTERVAL` seconds — and only once a run has gone on
/// that long: a short run prints nothing, a long one is seen to go on.
enum ProgressLine {
    private static let isTerminal = isatty(STDERR_FILENO) == 1
    private static let defaultInterval = 5.0

    // A build computes the traces it lacks on every core, so reports come from several demo runs
    // at once, each on the thread that runs it: each run is timed on its own, under a lock.
    private struct State {
        var runs: [String: Run] = [:]
        var shown = false
    }
    private static let state = Mutex(State())

    /// The run being reported on: when its first report came, and when a line was last shown.
    private struct Run {
        let demo: String
        let total: Int
        let start: ContinuousClock.Instant
        let startDone: Int
        var lastLine: ContinuousClock.Instant
        var printed = false

        func goesOn(with progress: DemoProgress) -> Bool {
            progress.demo == demo && progress.total == total && progress.done > startDone
        }

        /// The time the rest will take at the pace since the first report, once there is one.
        func remaining(_ progress: DemoProgress, now: ContinuousClock.Instant) -> Duration? {
            guard progress.done > startDone, progress.done < progress.total else { return nil }
            return (now - start) * Double(progress.total - progress.done) / Double(progress.done - startDone)
        }
    }

    static func handler() -> ProgressHandler {
        let interval = ProcessInfo.processInfo.environment["UNROLLED_PROGRESS_INTERVAL"].flatMap(Double.init) ?? defaultInterval
        return { progress in report(progress, interval: isTerminal ? 0.1 : interval) }
    }

    private static func report(_ progress: DemoProgress, interval: Double) {
        let now = ContinuousClock.now
        state.withLock { state in
            // A new run is timed from its first report.
            // Runs told apart by demo and length (two `mlp` directives of different lengths at once).
            let run = "\(progress.demo) \(progress.total) \(progress.unit)"
            var current = state.runs[run].flatMap { $0.goesOn(with: progress) ? $0 : nil }
                ?? Run(demo: progress.demo, total: progress.total, start: now, startDone: progress.done, lastLine: now)
            defer { state.runs[run] = progress.done == progress.total ? nil : current }
            let finished = progress.done == progress.total
            guard now - current.lastLine >= .seconds(interval) || (finished && current.printed) else { return }
            current.lastLine = now
            current.printed = true
            let line = text(progress, remaining: current.remaining(progress, now: now))
            if isTerminal {
                state.shown = true
                FileHandleOutput.standardError("\r\u{1B}[K" + line)
            } else {
                FileHandleOutput.standardError(line + "\n")
            }
        }
    }

    /// `lstm: training 1200/100000 iterations (1.2%), loss 0.0123, about 6 min left`.
    private static func text(_ progress: DemoProgress, remaining: Duration?) -> String {
        let percent = progress.total > 0 ? 100 * Double(progress.done) / Double(progress.total) : 100
        var line = "\(progress.demo): training \(progress.done)/\(progress.total) \(progress.unit) "
        line += "(\(String(format: "%.1f", percent))%), loss \(String(format: "%.4g", progress.loss))"
        if let remaining { line += ", about \(describe(remaining)) left" }
        return line
    }

    /// `40 s`, `6 min`, `2.5 h`.
    private static func describe(_ duration: Duration) -> String {
        let seconds = Double(duration.components.seconds)
        if seconds < 90 { return "\(max(1, Int(seconds.rounded()))) s" }
        if seconds < 5400 { return "\(Int((seconds / 60).rounded())) min" }
        return "\(String(format: "%.1f", seconds / 3600)) h"
    }

    /// Ends the terminal's progress line, if one was drawn, so the next message starts on a fresh line.
    static func clear() {
        state.withLock { state in
            guard state.shown else { return }
            FileHandleOutput.standardError("\r\u{1B}[K")
            state.shown = false
        }
    }
}
