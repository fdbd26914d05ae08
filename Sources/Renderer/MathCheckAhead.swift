import Foundation
import Synchronization

extension MathCheck {
    /// KaTeX's verdicts on a course's equations, asked of Node on a thread of its own as soon as
    /// the pages are parsed, while the build runs the directives and renders the pages: Node takes
    /// a quarter of a second to start and check a course's math, and the build leaves a core for
    /// it. The final check (`check(_:…ahead:)`) reads what came back and only asks about math it
    /// did not see (a ```` ```math ```` block, an introduction's). Nothing here is saved: the final
    /// check saves the verdicts of the spans the site really shows.
    final class Ahead: Sendable {
        private let verdicts = Mutex<[Equation: String?]?>(nil)
        private let done = DispatchSemaphore(value: 0)

        /// Starts checking `equations` (in any order, repeats allowed); none is an empty result at once.
        static func start(_ equations: [Equation], katex: URL, templates: URL, cache: URL?) -> Ahead {
            let ahead = Ahead()
            var seen = Set<Equation>()
            let distinct = equations.filter { seen.insert($0).inserted }
            guard !distinct.isEmpty else {
                ahead.finish([:])
                return ahead
            }
            Thread.detachNewThread {
                ahead.finish(MathCheck.verdicts(for: distinct, katex: katex, templates: templates, cache: cache).verdicts ?? [:])
            }
            return ahead
        }

        private func finish(_ result: [Equation: String?]) {
            verdicts.withLock { $0 = result }
            done.signal()
        }

        /// The verdicts once Node has answered (empty when it could not run).
        func wait() -> [Equation: String?] {
            if let ready = verdicts.withLock({ $0 }) { return ready }
            done.wait()
            done.signal()  // for a later wait
            return verdicts.withLock { $0 } ?? [:]
        }
    }
}
