import Foundation
import Synchronization

/// Work that depends on nothing the build is doing, run on a thread of its own meanwhile, on a
/// core the build leaves idle (the build's stages wait on one another's results at times): the
/// site's assets copied (`AssetCopy`), the templates read.
///
/// `wait()` before what the work touches is used or thrown away (no path leaves the staging
/// folder being written).
final class Background<Value: Sendable>: Sendable {
    private let outcome = Mutex<Result<Value, Diagnostic>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work`.
    init(_ work: @escaping @Sendable () throws(Diagnostic) -> Value) {
        Thread.detachNewThread { [self] in
            let result = Result { () throws(Diagnostic) in try work() }
            outcome.withLock { $0 = result }
            done.signal()
        }
    }

    /// The work's value once it is done; throws its error.
    func result() throws(Diagnostic) -> Value {
        wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Blocks until the work is done; returns at once after the first time.
    func wait() {
        guard outcome.withLock({ $0 == nil }) else { return }
        done.wait()
        done.signal()  // for a later wait
    }
}
