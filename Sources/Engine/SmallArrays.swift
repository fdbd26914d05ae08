/// Shapes, strides and positions: arrays of a few `Int`s that every op makes.
///
/// `Array(repeating:count:)`, `Array(unsafeUninitializedCapacity:)` and `map` allocate through the
/// standard library's `_allocateBufferUninitialized`, which is not inlinable and so runs
/// unspecialized: it looks the storage class's metadata up at run time, about 300 instructions
/// more per array than `reserveCapacity` and `append`, which are inlined and specialized. For a
/// tensor's values that is nothing; for the few numbers of a shape it was most of the cost.
extension Array where Element == Int {
    /// `count` copies of `value`.
    @inline(__always)
    init(small value: Int, count: Int) {
        self.init()
        reserveCapacity(count)
        for _ in 0..<count { append(value) }
    }
}
