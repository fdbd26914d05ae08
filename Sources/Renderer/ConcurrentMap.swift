import Dispatch

/// `transform` of every element, in order, computed on every core (pages are independent and a
/// big course's build is mostly per-page work). `transform` must only read shared state.
func concurrentMap<Element, Result>(_ items: [Element], _ transform: (Element) -> Result) -> [Result] {
    withoutActuallyEscaping(transform) { transform in
        var results = [Result?](repeating: nil, count: items.count)
        results.withUnsafeMutableBufferPointer { slots in
            // Each iteration writes its own slot; `transform` is the caller's promise of no races.
            let shared = Unchecked((items: items, transform: transform, slots: slots))
            DispatchQueue.concurrentPerform(iterations: items.count) { index in
                let work = shared.value
                work.slots[index] = work.transform(work.items[index])
            }
        }
        return results.map { $0! }
    }
}

/// A value handed to other threads where the code guarantees they do not race (see the uses).
struct Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
