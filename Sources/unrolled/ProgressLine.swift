import Foundation
import Models

/// A one-line progress report on standard error (`training 41200/100000 (41%), loss 0.00123`),
/// redrawn in place at most ten times a second. Only when standard error is a terminal:
/// logs and pipes get no carriage-return noise.
enum ProgressLine {
    private static let isTerminal = isatty(STDERR_FILENO) == 1
    nonisolated(unsafe) private static var lastDraw = ContinuousClock.now - .seconds(1)
    nonisolated(unsafe) private static var shown = false

    static func handler() -> ProgressHandler? {
        guard isTerminal else { return nil }
        return { done, total, loss in
            let now = ContinuousClock.now
            guard done == total || now - lastDraw >= .milliseconds(100) else { return }
            lastDraw = now
            shown = true
            let percent = total > 0 ? 100 * done / total : 100
            FileHandleOutput.standardError(
                "\r\u{1B}[Ktraining \(done)/\(total) (\(percent)%), loss \(String(format: "%.6g", loss))")
        }
    }

    /// Ends the progress line, if one was drawn, so the next message starts on a fresh line.
    static func clear() {
        guard shown else { return }
        FileHandleOutput.standardError("\r\u{1B}[K")
        shown = false
    }
}
