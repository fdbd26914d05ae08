import Dispatch
import Synchronization

/// `transform` of every element, in order, computed on every core (pages are independent and a
/// big course's build is mostly per-page work). The compiler checks that nothing races: the
/// elements and results are `Sendable`, `transform` is `@Sendable`, and each result goes into
/// its own slot under a lock (taken once per element, so never a cost beside a page's work).
func concurrentMap<Element: Sendable, Result: Sendable>(_ items: [Element], _ transform: @Sendable (Element) -> Result) -> [Result] {
    let slots = Mutex([Result?](repeating: nil, count: items.count))
    DispatchQueue.concurrentPerform(iterations: items.count) { index in
        let result = transform(items[index])
        slots.withLock { $0[index] = result }
    }
    return slots.withLock { $0.map { $0! } }
}
