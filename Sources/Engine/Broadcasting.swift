/// numpy broadcasting: shapes are aligned on their last axes; each pair of dimensions must be
/// equal or one of them 1; a missing leading dimension counts as 1.
enum Broadcasting {
    /// The shape two broadcast operands produce, or `nil` when they are incompatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
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
        return target.indices.map { axis in
            axis < offset || source[axis - offset] == 1 ? 0 : sourceStrides[axis - offset]
        }
    }

    /// Calls `body(outputIndex, sourceIndex)` for every position of `target`, in row-major order,
    /// where `sourceIndex` is the position read through `strides`.
    @inline(__always)
    static func forEach(_ target: [Int], _ strides: [[Int]], _ body: (Int, [Int]) -> Void) {
        let count = Tensor.count(of: target)
        guard count > 0 else { return }
        var position = [Int](repeating: 0, count: target.count)
        var sources = [Int](repeating: 0, count: strides.count)
        for index in 0..<count {
            body(index, sources)
            // Advance the odometer and the source offsets with it.
            var axis = target.count - 1
            while axis >= 0 {
                position[axis] += 1
                for k in strides.indices { sources[k] += strides[k][axis] }
                if position[axis] < target[axis] { break }
                for k in strides.indices { sources[k] -= strides[k][axis] * target[axis] }
                position[axis] = 0
                axis -= 1
            }
        }
    }

    /// `f` applied element by element to two broadcast operands.
    @inline(__always)
    static func binary(_ a: Tensor, _ b: Tensor, to shape: [Int], _ f: (Double, Double) -> Double) -> Tensor {
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        a.scalars.withUnsafeBufferPointer { x in
            b.scalars.withUnsafeBufferPointer { y in
                out.withUnsafeMutableBufferPointer { z in
                    if a.shape == b.shape {
                        for i in 0..<z.count { z[i] = f(x[i], y[i]) }
                    } else if b.count == 1 {
                        let s = y[0]
                        for i in 0..<z.count { z[i] = f(x[i], s) }
                    } else if a.count == 1 {
                        let s = x[0]
                        for i in 0..<z.count { z[i] = f(s, y[i]) }
                    } else {
                        let strides = [Self.strides(of: a.shape, in: shape), Self.strides(of: b.shape, in: shape)]
                        forEach(shape, strides) { index, sources in z[index] = f(x[sources[0]], y[sources[1]]) }
                    }
                }
            }
        }
        return Tensor(shape: shape, scalars: out)
    }

    /// Sums `x` down to `target`, undoing a broadcast. - Precondition: `fits(target, into: x.shape)`.
    static func sum(_ x: Tensor, to target: [Int]) -> Tensor {
        var out = [Double](repeating: 0, count: Tensor.count(of: target))
        let strides = [Self.strides(of: target, in: x.shape)]
        x.scalars.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { z in
                forEach(x.shape, strides) { index, targets in z[targets[0]] += source[index] }
            }
        }
        return Tensor(shape: target, scalars: out)
    }

    /// Repeats `x` along broadcast axes to fill `target`. - Precondition: `fits(x.shape, into: target)`.
    static func expand(_ x: Tensor, to target: [Int]) -> Tensor {
        var out = [Double](repeating: 0, count: Tensor.count(of: target))
        let strides = [Self.strides(of: x.shape, in: target)]
        x.scalars.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { z in
                forEach(target, strides) { index, sources in z[index] = source[sources[0]] }
            }
        }
        return Tensor(shape: target, scalars: out)
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

/// A valid axis for a tensor of `rank`, with negative axes counted from the end (numpy).
func normalizedAxis(_ axis: Int, rank: Int, op: String) throws(OpError) -> Int {
    let normalized = axis < 0 ? axis + rank : axis
    guard normalized >= 0 && normalized < rank else {
        throw OpError(op: op, "axis \(axis) is out of range for a tensor of rank \(rank)")
    }
    return normalized
}
