import Foundation
import Hummingbird
import Logging
import Renderer
import ServiceLifecycle
import Synchronization

/// What `unrolled serve` needs to know.
public struct PreviewOptions: Sendable {
    public var site: SiteOptions
    public var host = "127.0.0.1"
    /// 0: any free port (the one chosen is in the address `ready` hears).
    public var port = 3000
    /// Hears each line for the terminal: the address, what each rebuild did, its errors.
    public var report: @Sendable (String) -> Void = { _ in }
    /// Hears the site's address once the server listens.
    public var ready: @Sendable (String) -> Void = { _ in }

    public init(site: SiteOptions) { self.site = site }
}

/// `unrolled serve`: the course built in memory (`SiteSession`), served over HTTP by Hummingbird,
/// rebuilt as its files change (`Watcher`), the open pages reloaded (`PreviewState`).
public enum Preview {
    /// Builds, serves and watches until SIGINT or SIGTERM, then stops cleanly: the watcher and the
    /// reload channels first, then the server. Throws when the server cannot listen.
    public static func serve(_ options: PreviewOptions) async throws {
        let session = SiteSession(options.site)
        let state = PreviewState()
        let first = session.rebuild()
        for line in RebuildReport.lines(first, changed: nil) { options.report(line) }
        if let site = session.site {
            state.publish(site)
        } else if let failure = first.failure {
            state.fail(FailureReport(failure))
        }
        let output = relativePath(of: options.site.output, in: options.site.course)
        let watcher = try Watcher(course: options.site.course, templates: options.site.templates, filter: WatchFilter(output: output))
        let rebuilds = Rebuilds(session: session, state: state, watcher: watcher, report: options.report)
        var logger = Logger(label: "unrolled-serve")
        logger.logLevel = .critical
        let host = options.host
        let app = Application(
            responder: PreviewResponder(state: state),
            configuration: .init(address: .hostname(host, port: options.port), serverName: "unrolled serve"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? options.port
                options.ready("http://\(host.contains(":") ? "[\(host)]" : host):\(port)/")
            },
            logger: logger)
        // Stopped in the reverse order: the rebuilds (and the reload channels) before the server.
        let group = ServiceGroup(configuration: .init(services: [app, rebuilds], gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
        try await group.run()
    }

    /// The output folder's path inside the course folder, or nil when it is elsewhere.
    static func relativePath(of output: URL, in course: URL) -> String? {
        let out = output.standardizedFileURL.path, root = course.standardizedFileURL.path
        return out.hasPrefix(root + "/") ? String(out.dropFirst(root.count + 1)) : nil
    }
}

/// The rebuild loop: each batch of changes rebuilds the session; a good rebuild is served and
/// reloads the open pages, a failed one shows its errors in them.
final class Rebuilds: Service {
    private let session: Mutex<SiteSession>
    private let state: PreviewState
    private let watcher: Watcher
    private let report: @Sendable (String) -> Void

    init(session: sending SiteSession, state: PreviewState, watcher: Watcher, report: @escaping @Sendable (String) -> Void) {
        self.session = Mutex(session)
        self.state = state
        self.watcher = watcher
        self.report = report
    }

    func run() async throws {
        for await batch in watcher.batches.cancelOnGracefulShutdown() {
            // A lost event may have been anything: everything is built again.
            let update = session.withLock { $0.rebuild(changed: batch.course, templatesChanged: batch.templates || batch.overflowed) }
            for line in RebuildReport.lines(update, changed: batch) { report(line) }
            if update.failure == nil, let site = session.withLock({ $0.site }) {
                // Notes' text alone changed, and only pages were rendered: those refresh in place.
                let textOnly = !update.isWholeSite && !batch.templates && batch.course.allSatisfy { $0.hasSuffix(".md") }
                    && update.rendered.allSatisfy { $0.hasSuffix(".html") }
                state.publish(site, textOnly: textOnly ? update.rendered : nil)
                // The search index after the pages: a reload does not wait for it.
                if let site = session.withLock({ $0.refreshSearchIndex() ? $0.site : nil }) { state.replace(site) }
            } else if let failure = update.failure {
                state.fail(FailureReport(failure))
            }
        }
        watcher.stop()
        state.close()
    }
}

/// A rebuild as the terminal shows it.
enum RebuildReport {
    static func lines(_ update: SessionUpdate, changed: ChangeBatch?) -> [String] {
        let time = String(format: "%.2f s", update.seconds)
        let cause = changed.map { batch -> String in
            let files = batch.course.sorted()
            let named = files.prefix(3).joined(separator: ", ") + (files.count > 3 ? " and \(files.count - 3) more" : "")
            return batch.templates ? "the templates changed" + (files.isEmpty ? "" : "; " + named) : named
        }
        guard let failure = update.failure else {
            let pages = update.rendered.filter { $0.hasSuffix(".html") }
            let what = update.isWholeSite
                ? "\(update.pages) page\(update.pages == 1 ? "" : "s")"
                : (pages.count <= 3 ? pages.joined(separator: ", ") : "\(pages.count) files")
            let traces = update.tracesComputed > 0 ? ", \(update.tracesComputed) trace\(update.tracesComputed == 1 ? "" : "s") computed" : ""
            return update.warnings.map { "warning: \($0)" }
                + ["\(changed == nil ? "built" : "rebuilt") \(what)\(traces)\(update.warnings.isEmpty ? "" : ", \(update.warnings.count) warning\(update.warnings.count == 1 ? "" : "s")") in \(time)"
                    + (cause.map { " (\($0))" } ?? "")]
        }
        let count = failure.errors.count
        return failure.diagnostics.map { "\($0.severity == .error ? "error" : "warning"): \($0)" }
            + ["build failed: \(count) error\(count == 1 ? "" : "s"); the last good site is still served"]
    }
}
