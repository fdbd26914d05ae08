/// numpy broadcasting: shapes are aligned on their last axes; each pair of dimensions must be
/// equal or one of them 1; a missing leading dimension counts as 1.
enum Broadcasting {
    /// The shape two broadcast operands produce, or `nil` when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        if a == b { return a }  // the common case, without building a new array
        let rank = max(a.count, b.count)
        var result = [Int](small: 1, count: rank)
        for axis in 0..<rank {
            let da = axis < rank - a.count ? 1 : a[axis - (rank - a.count)]
            let db = axis < rank - b.count ? 1 : b[axis - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else { return nil }
            result[axis] = da == 1 ? db : da
        }
        return result
    }

    /// Whether `source` broadcasts to exactly `target` (the rule of `broadcast_to` and `sum_to`).
    static func fits(_ source: [Int], into target: [Int]) -> Bool {
        shape(source, target) == target
    }

    /// Strides for reading a tensor of shape `source` as if it had shape `target`:
    /// 0 along broadcast axes. - Precondition: `fits(source, into: target)`.
    static func strides(of source: [Int], in target: [Int]) -> [Int] {
        let sourceStrides = Tensor.strides(of: source)
        let offset = target.count - source.count
        var result = [Int](small: 0, count: target.count)
        for axis in target.indices where axis >= offset && source[axis - offset] != 1 { result[axis] = sourceStrides[axis - offset] }
        return result
    }

    /// Walks `target` in row-major order one run of its last axis at a time: calls
    /// `body(start, bases)` where `start` is the run's first position in `target` and `bases[k]`
    /// the matching offset of operand k read through `strides[k]`. Within a run, operand k
    /// advances by `strides[k].last` per position. (Per-run rather than per-element calls keep
    /// the odometer out of the inner loop.)
    @inline(__always)
    static func forEachRun(_ target: [Int], _ strides: [[Int]], _ body: (Int, [Int]) -> Void) {
        let count = Tensor.count(of: target)
        guard count > 0 else { return }
        guard let inner = target.last else {
            body(0, strides.map { _ in 0 })
            return
        }
        let outerRank = target.count - 1
        var position = [Int](small: 0, count: outerRank)
        var bases = [Int](small: 0, count: strides.count)
        var start = 0
        while start < count {
            body(start, bases)
            start += inner
            var axis = outerRank - 1
            while axis >= 0 {
                position[axis] += 1
                for k in strides.indices { bases[k] += strides[k][axis] }
                if position[axis] < target[axis] { break }
                for k in strides.indices { bases[k] -= strides[k][axis] * target[axis] }
                position[axis] = 0
                axis -= 1
            }
        }
    }

    /// `f` applied element by element to two broadcast operands.
    @inline(__always)
    static func binary(_ a: Tensor, _ b: Tensor, to shape: [Int], _ f: (Double, Double) -> Double) -> Tensor {
        // Every path below writes every element, so the output starts uninitialized (no zeroing pass).
        let count = Tensor.count(of: shape)
        let out = [Double](unsafeUninitializedCapacity: count) { z, initialized in
            a.scalars.withUnsafeBufferPointer { x in
                b.scalars.withUnsafeBufferPointer { y in
                    if a.shape == b.shape {
                        for i in 0..<z.count { z[i] = f(x[i], y[i]) }
                    } else if b.count == 1 {
                        let s = y[0]
                        for i in 0..<z.count { z[i] = f(x[i], s) }
                    } else if a.count == 1 {
                        let s = x[0]
                        for i in 0..<z.count { z[i] = f(s, y[i]) }
                    } else if let width = shape.last, width > 0, a.shape == shape, b.shape == shape.dropLast() + [1] {
                        // One value of b per row of a (a bias column added to a batch): no odometer.
                        for row in 0..<z.count / width {
                            let s = y[row]
                            for i in row * width..<(row + 1) * width { z[i] = f(x[i], s) }
                        }
                    } else {
                        let sa = strides(of: a.shape, in: shape), sb = strides(of: b.shape, in: shape)
                        let (ia, ib, inner) = (sa.last ?? 0, sb.last ?? 0, shape.last ?? 1)
                        forEachRun(shape, [sa, sb]) { start, bases in
                            var (pa, pb) = (bases[0], bases[1])
                            for j in start..<start + inner {
                                z[j] = f(x[pa], y[pb])
                                pa += ia
                                pb += ib
                            }
                        }
                    }
                }
            }
            initialized = count
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Sums `x` down to `target`, undoing a broadcast. - Precondition: `fits(target, into: x.shape)`.
    static func sum(_ x: Tensor, to target: [Int]) -> Tensor {
        var out = [Double](repeating: 0, count: Tensor.count(of: target))
        let into = strides(of: target, in: x.shape)
        let (step, inner) = (into.last ?? 0, x.shape.last ?? 1)
        x.scalars.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { z in
                forEachRun(x.shape, [into]) { start, bases in
                    var p = bases[0]
                    if step == 0 {
                        // The whole run adds into one element (a bias's gradient): the same additions in
                        // the same order, kept in a register instead of stored after each.
                        var total = z[p]
                        for j in start..<start + inner { total += source[j] }
                        z[p] = total
                        return
                    }
                    for j in start..<start + inner {
                        z[p] += source[j]
                        p += step
                    }
                }
            }
        }
        return Tensor(shape: target, scalars: out)
    }

    /// Repeats `x` along broadcast axes to fill `target`. - Precondition: `fits(x.shape, into: target)`.
    static func expand(_ x: Tensor, to target: [Int]) -> Tensor {
        gather(x, shape: target, strides: strides(of: x.shape, in: target))
    }

    /// A tensor of `shape` whose elements are read from `x` through `strides` (0 along repeated axes,
    /// permuted for a transpose).
    static func gather(_ x: Tensor, shape: [Int], strides: [Int]) -> Tensor {
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        let (step, inner) = (strides.last ?? 0, shape.last ?? 1)
        x.scalars.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { z in
                forEachRun(shape, [strides]) { start, bases in
                    var p = bases[0]
                    for j in start..<start + inner {
                        z[j] = source[p]
                        p += step
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }
}

/// An axis split of a shape: `outer` blocks of `length` positions along the axis, each position
/// followed by `inner` contiguous elements. Element (o, k, i) is at `(o · length + k) · inner + i`.
struct AxisLayout {
    let outer: Int
    let length: Int
    let inner: Int

    init(_ shape: [Int], axis: Int) {
        outer = shape[..<axis].reduce(1, *)
        length = shape[axis]
        inner = shape[(axis + 1)...].reduce(1, *)
    }

    @inline(__always)
    func index(_ o: Int, _ k: Int, _ i: Int) -> Int { (o * length + k) * inner + i }
}
