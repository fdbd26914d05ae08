// How the three convolutions compute: im2col. For one image and one group, the columns matrix
// X̂ (P × Q) holds in column q the P = (C_in/G)·k_h·k_w input values output position q reads —
// row p = (c′, u, v) is tap w[·,c′,u,v]'s input, 0 where it falls in the zero padding. Then
//   conv2d            Y_g  = W_g · X̂               (C_out/G × Q)
//   conv2d_weight     ∂W_gᵀ = Σ_n X̂ · ∂Y_gᵀ        (P × C_out/G)
//   conv_transpose2d  X̂′  = W_gᵀ · ∂Y_g, added back onto the image where each column came from (col2im)
// are matrix products (the engine's tiled `multiply`). They are the same sum Σ w·x read three ways,
// which is why each op is the others' adjoint. Output positions are taken in blocks, so that X̂ stays
// small whatever the kernel (a step from a hostile trace cannot make it huge).

/// At most this many values in one block of the columns matrix (8 MB).
private let columnsBlockLimit = 1 << 20

extension ConvShapes {
    /// P: the values one output position reads, per group.
    var taps: Int { channelsIn / geometry.groups * kernelHeight * kernelWidth }
    var outPerGroup: Int { channelsOut / geometry.groups }
    var inPerGroup: Int { channelsIn / geometry.groups }

    /// Output positions (of one image's H_o·W_o) in blocks small enough for one columns matrix.
    var positionBlocks: [Range<Int>] {
        let count = outHeight * outWidth
        let size = max(1, min(count, columnsBlockLimit / max(taps, 1)))
        return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
    }

    /// Calls `body(c′, u, v, offset to add to the output position's (row, column) in the input)` for each row p of X̂.
    private func forEachTap(_ body: (_ p: Int, _ channel: Int, _ rowOffset: Int, _ columnOffset: Int) -> Void) {
        let g = geometry
        var p = 0
        for c in 0..<inPerGroup {
            for u in 0..<kernelHeight {
                for v in 0..<kernelWidth {
                    body(p, c, u * g.dilation[0] - g.padding[0], v * g.dilation[1] - g.padding[1])
                    p += 1
                }
            }
        }
    }

    /// The positions of `block` for the tap offset by (rowOffset, columnOffset), one output row at a
    /// time: `body(k, count, row, first, last)` for the positions k ..< k + count of the block, which
    /// lie on one output row and read input row `row` (nil where the tap falls in the padding above or
    /// below); of them, those at k + first ..< k + last read the input, at column
    /// (j₀ + t)·stride + columnOffset for position k + t (j₀ the output column of k, `start` below),
    /// and the others the padding. Whole runs instead of a test per position: im2col and col2im are
    /// then plain loops over memory.
    @inline(__always)
    private func forEachRun(
        _ block: Range<Int>, _ rowOffset: Int, _ columnOffset: Int,
        _ body: (_ k: Int, _ count: Int, _ start: Int, _ row: Int?, _ first: Int, _ last: Int) -> Void
    ) {
        let (sh, sw) = (geometry.stride[0], geometry.stride[1])
        // Output columns j whose input column j·sw + columnOffset lies in 0 ..< width.
        let lowest = columnOffset >= 0 ? 0 : (-columnOffset + sw - 1) / sw
        let highest = width - 1 - columnOffset >= 0 ? (width - 1 - columnOffset) / sw : -1
        var position = block.lowerBound
        while position < block.upperBound {
            let i = position / outWidth
            let start = position - i * outWidth
            let count = min(block.upperBound, (i + 1) * outWidth) - position
            let h = i * sh + rowOffset
            let first = min(max(lowest - start, 0), count)
            let last = max(min(highest + 1 - start, count), first)
            body(position - block.lowerBound, count, start, h >= 0 && h < height ? h : nil, first, last)
            position += count
        }
    }

    /// X̂ for image n, group g, the output positions of `block`: P × block.count.
    func columns(_ x: UnsafePointer<Double>, image n: Int, group g: Int, _ block: Range<Int>) -> [Double] {
        let count = block.count
        let sw = geometry.stride[1]
        return [Double](unsafeUninitializedCapacity: taps * count) { out, initialized in
            let out = out.baseAddress!
            forEachTap { p, c, rowOffset, columnOffset in
                let plane = x + ((n * channelsIn + g * inPerGroup + c) * height * width)
                let row = out + p * count
                forEachRun(block, rowOffset, columnOffset) { k, run, start, h, first, last in
                    guard let h else {
                        (row + k).initialize(repeating: 0, count: run)
                        return
                    }
                    (row + k).initialize(repeating: 0, count: first)
                    let source = plane + h * width + start * sw + columnOffset
                    for t in first..<last { (row + k + t).initialize(to: source[t * sw]) }
                    (row + k + last).initialize(repeating: 0, count: run - last)
                }
            }
            initialized = taps * count
        }
    }

    /// col2im: adds each value of X̂′ (P × block.count) onto the input position its place in X̂ reads.
    func addColumns(_ cols: [Double], into x: UnsafeMutablePointer<Double>, image n: Int, group g: Int, _ block: Range<Int>) {
        let count = block.count
        let sw = geometry.stride[1]
        cols.withUnsafeBufferPointer { cols in
            forEachTap { p, c, rowOffset, columnOffset in
                let plane = x + ((n * channelsIn + g * inPerGroup + c) * height * width)
                let row = cols.baseAddress! + p * count
                forEachRun(block, rowOffset, columnOffset) { k, _, start, h, first, last in
                    guard let h else { return }
                    let target = plane + h * width + start * sw + columnOffset
                    for t in first..<last { target[t * sw] += row[k + t] }
                }
            }
        }
    }

    /// Rows o of group g of an N×C_out×H_o×W_o tensor, image n, positions `block`: (C_out/G) × block.count.
    func outputRows(_ y: UnsafePointer<Double>, image n: Int, group g: Int, _ block: Range<Int>) -> [Double] {
        let plane = outHeight * outWidth
        var rows: [Double] = []
        rows.reserveCapacity(outPerGroup * block.count)
        for o in 0..<outPerGroup {
            let start = (n * channelsOut + g * outPerGroup + o) * plane
            rows += UnsafeBufferPointer(start: y + start + block.lowerBound, count: block.count)
        }
        return rows
    }
}

/// op(A)·op(B) for row-major A and B (op(A) m×k, op(B) k×n; see `multiply`), by the engine's kernel.
func product(_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int, transposeA: Bool = false, transposeB: Bool = false) -> [Double] {
    [Double](unsafeUninitializedCapacity: m * n) { c, count in
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                multiply(a.baseAddress, b.baseAddress, c.baseAddress, m, k, n, transposeA: transposeA, transposeB: transposeB)
            }
        }
        count = m * n
    }
}

extension ConvShapes {
    /// conv2d: y = W_g · X̂ + b, image by image, group by group.
    func convolve(x: Tensor, w: Tensor, bias: Tensor?) -> [Double] {
        var y = [Double](repeating: 0, count: Tensor.count(of: yShape))
        let plane = outHeight * outWidth
        guard !y.isEmpty, x.count > 0 else { return y }
        x.scalars.withUnsafeBufferPointer { x in
            for g in 0..<geometry.groups {
                let kernel = Array(w.scalars[g * outPerGroup * taps ..< (g + 1) * outPerGroup * taps])
                for n in 0..<batch {
                    for block in positionBlocks {
                        let out = product(kernel, columns(x.baseAddress!, image: n, group: g, block), outPerGroup, taps, block.count)
                        for o in 0..<outPerGroup {
                            let channel = g * outPerGroup + o
                            let start = (n * channelsOut + channel) * plane + block.lowerBound
                            let b = bias?.scalars[channel] ?? 0
                            for k in 0..<block.count { y[start + k] = out[o * block.count + k] + b }
                        }
                    }
                }
            }
        }
        return y
    }

    /// conv2d_weight: ∂W_g = (Σ_n X̂ · ∂Y_gᵀ)ᵀ.
    func weightGradient(x: Tensor, dy: Tensor) -> [Double] {
        var dw = [Double](repeating: 0, count: Tensor.count(of: wShape))
        guard !dw.isEmpty, x.count > 0, dy.count > 0 else { return dw }
        x.scalars.withUnsafeBufferPointer { x in
            dy.scalars.withUnsafeBufferPointer { dy in
                for g in 0..<geometry.groups {
                    var sum = [Double](repeating: 0, count: taps * outPerGroup)  // ∂W_gᵀ, P × C_out/G
                    for n in 0..<batch {
                        for block in positionBlocks {
                            let rows = outputRows(dy.baseAddress!, image: n, group: g, block)  // ∂Y_g, read transposed
                            let part = product(
                                columns(x.baseAddress!, image: n, group: g, block), rows, taps, block.count, outPerGroup, transposeB: true)
                            for k in sum.indices { sum[k] += part[k] }
                        }
                    }
                    let block = transposed(sum, taps, outPerGroup)
                    dw.replaceSubrange(g * outPerGroup * taps ..< (g + 1) * outPerGroup * taps, with: block)
                }
            }
        }
        return dw
    }

    /// conv_transpose2d: x = col2im(W_gᵀ · y_g) + b, where x is this convolution's input side.
    func transposeConvolve(y: Tensor, w: Tensor, bias: Tensor?) -> [Double] {
        let plane = height * width
        var x = [Double](repeating: 0, count: Tensor.count(of: xShape))
        if let bias {
            for n in 0..<batch {
                for c in 0..<channelsIn { x.replaceSubrange((n * channelsIn + c) * plane ..< (n * channelsIn + c + 1) * plane, with: repeatElement(bias.scalars[c], count: plane)) }
            }
        }
        guard !x.isEmpty, y.count > 0 else { return x }
        y.scalars.withUnsafeBufferPointer { y in
            x.withUnsafeMutableBufferPointer { x in
                for g in 0..<geometry.groups {
                    let kernel = Array(w.scalars[g * outPerGroup * taps ..< (g + 1) * outPerGroup * taps])  // W_g, read transposed
                    for n in 0..<batch {
                        for block in positionBlocks {
                            let cols = product(
                                kernel, outputRows(y.baseAddress!, image: n, group: g, block), taps, outPerGroup, block.count, transposeA: true)
                            addColumns(cols, into: x.baseAddress!, image: n, group: g, block)
                        }
                    }
                }
            }
        }
        return x
    }
}
