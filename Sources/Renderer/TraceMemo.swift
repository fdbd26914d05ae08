import Foundation
import Synchronization

/// The traces of a live preview (`SiteSession`), kept in memory from one rebuild to the next (with
/// their answers to references, and decoded once asked): the trace cache (`TraceCache`) gives a
/// directive's trace without running its demo again, but from its files. Keyed as
/// the cache is (the demo, its resolved configuration and the files it reads) or, for a `src:`
/// trace, by the file's path and bytes; a key not found is a trace made anew, and the page that
/// shows it is noted so that the session renders that page again.
final class TraceMemo: Sendable {
    private struct State {
        var traces: [String: ShownTrace] = [:]
        var used: Set<String> = []
        var freshPages: Set<String> = []
    }

    private let state = Mutex(State())

    /// The trace kept under `key`, or the one `make` makes (then kept). `page`:
    /// the source of the page that shows it.
    func trace(_ key: String, page: String, make: () throws -> ShownTrace?) rethrows -> ShownTrace? {
        if let known = state.withLock({ state -> ShownTrace? in
            state.used.insert(key)
            return state.traces[key]
        }) {
            return known
        }
        guard let made = try make() else { return nil }
        state.withLock { state in
            state.traces[key] = made
            state.freshPages.insert(page)
        }
        return made
    }

    /// Whether a trace is kept under `key`.
    func holds(_ key: String) -> Bool { state.withLock { $0.traces[key] != nil } }

    /// Starts a round of the figures stage: the pages whose traces are new are counted from here.
    func begin() {
        state.withLock { state in
            state.used = []
            state.freshPages = []
        }
    }

    /// Ends a round: the pages that show a trace made in it. After a round over every directive
    /// (`forgettingUnused`), the traces none of them used are forgotten, so an instructor trying
    /// values one after another does not fill the memory.
    func end(forgettingUnused: Bool) -> Set<String> {
        state.withLock { state in
            if forgettingUnused {
                let used = state.used
                state.traces = state.traces.filter { used.contains($0.key) }
            }
            return state.freshPages
        }
    }
}
