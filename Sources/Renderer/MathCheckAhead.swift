import Foundation
import Synchronization

extension MathCheck {
    /// KaTeX's verdicts on a course's equations, asked of Node on a thread of its own as the pages
    /// are parsed, while the build parses the rest, runs the directives and renders: Node takes
    /// a quarter of a second to start and check a course's math, and the build leaves a core for
    /// it. The final check (`check(_:…ahead:)`) reads what came back and only asks about math it
    /// did not see (a ```` ```math ```` block, an introduction's). Nothing here is saved: the final
    /// check saves the verdicts of the spans the site really shows.
    ///
    /// On a first build (the cache holds no verdict for this KaTeX) Node is started before the
    /// course is even read (`launch`): loading Node and KaTeX is half of its time, and done while
    /// the pages are read it no longer ends the build; each page's math is then sent to it as soon
    /// as the page is parsed (`offer`). It runs without V8's
    /// optimizing compiler (`nodeFlags` for the count it cannot know yet: a course's first build
    /// rarely checks 1,500 distinct equations). A rebuild starts Node only for new equations.
    final class Ahead: Sendable {
        private let verdicts = Mutex<[Equation: String?]?>(nil)
        private let done = DispatchSemaphore(value: 0)
        private let katex: URL, templates: URL, cache: URL?
        /// Node started by `launch`, until `submit` ends its input, and what it was sent: a
        /// verdict names its equation by its place in `sent`.
        private let early: Mutex<(run: NodeRun?, sent: [Equation], seen: Set<Equation>)>
        private let submitted = Mutex(false)
        /// Whether `launch` started Node (for the tests).
        let startedEarly: Bool
        /// The verdicts of earlier builds, read once for the build (hashing KaTeX to name them
        /// is a few milliseconds, which a rebuild with nothing changed spent three times).
        let stored: MathVerdicts?

        private init(katex: URL, templates: URL, cache: URL?, early: NodeRun?, stored: MathVerdicts?) {
            (self.katex, self.templates, self.cache) = (katex, templates, cache)
            self.early = Mutex((early, [], []))
            startedEarly = early != nil
            self.stored = stored
        }

        /// Before the course is read: Node started now when nothing is stored (a first build),
        /// else later by `submit` and only when an equation is new.
        static func launch(katex: URL, templates: URL, cache: URL?) -> Ahead {
            var early: NodeRun?
            let tool = checkTool(katex: katex, templates: templates)
            let stored = tool.flatMap { tool in cache.map { MathVerdicts(folder: $0, files: tool.files) } }
            if let tool, stored?.stored.isEmpty ?? true {
                early = NodeRun.start(tool.node, nodeFlags(checking: 0) + tool.arguments)
            }
            return Ahead(katex: katex, templates: templates, cache: cache, early: early, stored: stored)
        }

        /// A parsed page's equations, sent to the early Node at once (the ones not sent before), so
        /// that KaTeX checks them while the other pages are parsed: the parsers wait on one another
        /// (`MarkdownDocument.parse`) and leave a core part idle. Nothing when Node was not started
        /// early: a rebuild asks only about what `submit` finds new. Any thread.
        func offer(_ equations: [Equation]) {
            early.withLock { early in
                guard let run = early.run else { return }
                let new = equations.filter { early.seen.insert($0).inserted }
                guard !new.isEmpty else { return }
                early.sent += new
                run.send(MathCheck.inputLine(new))
            }
        }

        /// Checks `equations` (in any order, repeats allowed) besides those offered: the last
        /// input. Once only.
        func submit(_ equations: [Equation]) {
            guard submitted.withLock({ let first = !$0; $0 = true; return first }) else { return }
            offer(equations)
            let (started, sent) = early.withLock { early in
                defer { early.run = nil }
                return (early.run, early.sent)
            }
            if let started {
                Thread.detachNewThread { self.finish(MathCheck.problems(of: sent, output: started.finish()) ?? [:]) }
                return
            }
            var seen = Set<Equation>()
            let distinct = equations.filter { seen.insert($0).inserted }
            let (katex, templates, cache, stored) = (katex, templates, cache, stored)
            Thread.detachNewThread {
                self.finish(MathCheck.verdicts(for: distinct, katex: katex, templates: templates, cache: cache, stored: stored).verdicts ?? [:])
            }
        }

        private func finish(_ result: [Equation: String?]) {
            verdicts.withLock { $0 = result }
            done.signal()
        }

        /// The verdicts once Node has answered (empty when it could not run). A build that stops
        /// before `submit` (an error in the course) submits nothing, which ends an early Node.
        func wait() -> [Equation: String?] {
            submit([])
            if let ready = verdicts.withLock({ $0 }) { return ready }
            done.wait()
            done.signal()  // for a later wait
            return verdicts.withLock { $0 } ?? [:]
        }
    }
}
