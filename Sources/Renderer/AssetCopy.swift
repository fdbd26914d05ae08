import Foundation
import Synchronization

/// The site's assets (the templates' `assets/`, KaTeX, the marker) copied on a thread of their
/// own while the build reads, runs and renders the course: they depend on nothing the course
/// says, and copying them is mostly the file system's time (about a tenth of a rebuild with
/// nothing changed, 60 files), which a core the build leaves idle can spend.
///
/// `wait()` before the staging folder is published or discarded: no path leaves it being written.
final class AssetCopy: Sendable {
    private let outcome = Mutex<Result<[Diagnostic], Diagnostic>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts copying into `staging` (`WrittenSite.copyAssets`).
    static func start(_ options: SiteOptions, into staging: StagingFolder) -> AssetCopy {
        let copy = AssetCopy()
        // Made here, before the pages' linked files may go there too, so the two never race to make it.
        try? FileManager.default.createDirectory(at: staging.url.appendingPathComponent("assets"), withIntermediateDirectories: true)
        Thread.detachNewThread {
            let result = Result { () throws(Diagnostic) in try WrittenSite.copyAssets(options, into: staging) }
            copy.outcome.withLock { $0 = result }
            copy.done.signal()
        }
        return copy
    }

    /// The copy's warnings once it is done; throws its error.
    func result() throws(Diagnostic) -> [Diagnostic] {
        wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Blocks until the copy is done; returns at once after the first time.
    func wait() {
        guard outcome.withLock({ $0 == nil }) else { return }
        done.wait()
        done.signal()  // for a later wait
    }
}
