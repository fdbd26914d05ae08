import Foundation
import Renderer
import Synchronization

/// What the server serves and the pages hear, shared by the rebuilds and the requests: the last
/// good site and its generation (one per good rebuild, named in every page served, see
/// `ReloadScript`), the current failure, and the open reload channels (server-sent events).
final class PreviewState: Sendable {
    private struct State {
        var site: PreviewSite?
        var generation = 0
        /// The failure event of the last rebuild, when it failed.
        var failure: String?
        var listeners: [Int: AsyncStream<String>.Continuation] = [:]
        var nextListener = 0
        var closed = false
    }

    private let state = Mutex(State())

    /// The site served and its generation.
    var current: (site: PreviewSite?, generation: Int) {
        state.withLock { ($0.site, $0.generation) }
    }

    /// A good rebuild: its site is served from now on, and every open page reloads.
    ///
    /// `textOnly`: the pages rendered again when only their text changed (no trace's data, no
    /// asset, no picture): an open page among them refreshes its text in place, the others stay as
    /// they are (`ReloadScript`); nil reloads every open page.
    func publish(_ site: PreviewSite, textOnly pages: [String]? = nil) {
        let listeners = state.withLock { state in
            state.site = site
            state.generation += 1
            state.failure = nil
            return Array(state.listeners.values)
        }
        var data = "{}"
        if let pages, let json = try? JSONEncoder().encode(["pages": pages]) { data = String(decoding: json, as: UTF8.self) }
        for listener in listeners { listener.yield(Self.event("reload", data: data)) }
    }

    /// The same build's site with a file brought up to date (the search index): no page reloads.
    func replace(_ site: PreviewSite) {
        state.withLock { $0.site = site }
    }

    /// A failed rebuild: the last good site stays; every open page shows the errors.
    func fail(_ failure: FailureReport) {
        let event = Self.event("failure", data: String(decoding: (try? JSONEncoder().encode(failure)) ?? Data("{}".utf8), as: UTF8.self))
        let listeners = state.withLock { state in
            state.failure = event
            return Array(state.listeners.values)
        }
        for listener in listeners { listener.yield(event) }
    }

    /// A reload channel for a page served at generation `since`: it hears at once of the builds
    /// it missed and of the current failure, then of every rebuild, until the server stops.
    func listen(since: Int?) -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        // Reconnect quickly after a restart of the server.
        continuation.yield("retry: 500\n\n")
        let id: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            if let since, since < state.generation { continuation.yield(Self.event("reload", data: "{}")) }
            if let failure = state.failure { continuation.yield(failure) }
            state.nextListener += 1
            state.listeners[state.nextListener] = continuation
            return state.nextListener
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) }
        }
        return stream
    }

    /// Ends every reload channel (the server is stopping: a page's open request must not hold it).
    func close() {
        let listeners = state.withLock { state in
            state.closed = true
            defer { state.listeners = [:] }
            return Array(state.listeners.values)
        }
        for listener in listeners { listener.finish() }
    }

    private static func event(_ name: String, data: String) -> String {
        "event: \(name)\ndata: \(data)\n\n"
    }
}

/// A failed rebuild as the overlay shows it.
struct FailureReport: Encodable, Sendable {
    struct Item: Encodable, Sendable {
        /// `file:line:column`, `file`, or empty for the course as a whole.
        var place: String
        var severity: String
        var message: String
    }

    var title: String
    var diagnostics: [Item]

    init(_ failure: BuildFailure) {
        let count = failure.errors.count
        title = "The build failed: \(count) error\(count == 1 ? "" : "s")"
        diagnostics = failure.diagnostics.map { diagnostic in
            let place = diagnostic.file.isEmpty ? "" : [diagnostic.file, diagnostic.line.map(String.init), diagnostic.column.map(String.init)]
                .compactMap { $0 }.joined(separator: ":")
            return Item(place: place, severity: diagnostic.severity.rawValue, message: diagnostic.message)
        }
    }
}
