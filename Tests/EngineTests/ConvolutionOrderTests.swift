import Engine
import Testing

/// The three convolutions against loops written from the order of arithmetic that
/// docs/trace-format.md states for them, bit for bit: im2col's runs, the transposed products and
/// col2im must change speed, never a bit. Odd sizes, stride 2, padding, dilation and two groups, so
/// that rows and columns of every tap fall partly in the padding.
@Suite("Convolution order of arithmetic")
struct ConvolutionOrderTests {
    // N = 2, C_in = 4, C_out = 6, groups 2, 7×9 input, 3×2 kernel, stride (2, 1), padding (1, 2), dilation (1, 2).
    static let geometry = ConvGeometry(stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2)
    static let (batch, channelsIn, channelsOut, height, width, kh, kw) = (2, 4, 6, 7, 9, 3, 2)
    static let (inPerGroup, outPerGroup) = (channelsIn / 2, channelsOut / 2)
    static let outHeight = (height + 2 * 1 - 1 * (kh - 1) - 1) / 2 + 1
    static let outWidth = (width + 2 * 2 - 2 * (kw - 1) - 1) / 1 + 1

    let x = seeded([batch, channelsIn, height, width], seed: 61)
    let w = seeded([channelsOut, inPerGroup, kh, kw], seed: 62)
    let b = seeded([channelsOut], seed: 63)
    let dy = seeded([batch, channelsOut, outHeight, outWidth], seed: 64)

    /// The input value tap (c′, u, v) of output (i, j) of image n, group g reads: 0 in the padding.
    func input(_ n: Int, _ g: Int, _ c: Int, _ u: Int, _ v: Int, _ i: Int, _ j: Int) -> (value: Double, at: Int?) {
        let (h, col) = (i * 2 + u * 1 - 1, j * 1 + v * 2 - 2)
        guard h >= 0, h < Self.height, col >= 0, col < Self.width else { return (0, nil) }
        let at = ((n * Self.channelsIn + g * Self.inPerGroup + c) * Self.height + h) * Self.width + col
        return (x.scalars[at], at)
    }

    /// Taps p = (c′, u, v) in order.
    var taps: [(c: Int, u: Int, v: Int)] {
        (0..<Self.inPerGroup).flatMap { c in (0..<Self.kh).flatMap { u in (0..<Self.kw).map { v in (c, u, v) } } }
    }

    func weight(_ o: Int, _ tap: (c: Int, u: Int, v: Int)) -> Double { w.scalars[((o * Self.inPerGroup + tap.c) * Self.kh + tap.u) * Self.kw + tap.v] }
    func gradient(_ n: Int, _ o: Int, _ i: Int, _ j: Int) -> Double { dy.scalars[((n * Self.channelsOut + o) * Self.outHeight + i) * Self.outWidth + j] }

    @Test("conv2d: each output sums w·x̂ over the taps in order from +0.0, then adds b")
    func conv2dOrder() throws {
        let y = try Conv2D(Self.geometry).forward([x, w, b])
        var expected: [Double] = []
        for n in 0..<Self.batch {
            for o in 0..<Self.channelsOut {
                for i in 0..<Self.outHeight {
                    for j in 0..<Self.outWidth {
                        var sum = 0.0
                        for tap in taps { sum += weight(o, tap) * input(n, o / Self.outPerGroup, tap.c, tap.u, tap.v, i, j).value }
                        expected.append(sum + b.scalars[o])
                    }
                }
            }
        }
        #expect(sameBits(y.scalars, expected))
    }

    @Test("conv2d_weight: per image a sum over the positions in order, the images added in order")
    func conv2dWeightOrder() throws {
        let dw = try Conv2DWeight(Self.geometry, kernel: [Self.kh, Self.kw]).forward([x, dy])
        var expected = [Double](repeating: 0, count: w.count)
        for o in 0..<Self.channelsOut {
            for (p, tap) in taps.enumerated() {
                var total = 0.0
                for n in 0..<Self.batch {
                    var part = 0.0
                    for i in 0..<Self.outHeight {
                        for j in 0..<Self.outWidth {
                            part += input(n, o / Self.outPerGroup, tap.c, tap.u, tap.v, i, j).value * gradient(n, o, i, j)
                        }
                    }
                    total += part
                }
                expected[o * taps.count + p] = total
            }
        }
        #expect(sameBits(dw.scalars, expected))
    }

    @Test("conv_transpose2d: each column value sums W·∂Y over the group's outputs in order, then is added onto x tap by tap, position by position")
    func convTranspose2dOrder() throws {
        let dx = try ConvTranspose2D(Self.geometry, outputPadding: [0, 0]).forward([dy, w])
        var expected = [Double](repeating: 0, count: x.count)
        for g in 0..<2 {
            for n in 0..<Self.batch {
                for tap in taps {
                    for i in 0..<Self.outHeight {
                        for j in 0..<Self.outWidth {
                            var column = 0.0
                            for o in g * Self.outPerGroup..<(g + 1) * Self.outPerGroup { column += weight(o, tap) * gradient(n, o, i, j) }
                            if let at = input(n, g, tap.c, tap.u, tap.v, i, j).at { expected[at] += column }
                        }
                    }
                }
            }
        }
        #expect(dx.shape == x.shape)
        #expect(sameBits(dx.scalars, expected))
    }
}
