import Engine
import Testing
import Trace

// Forward values of the image ops, worked out by hand in the comments.
// x9 is 1×1×3×3 = [[1 2 3] [4 5 6] [7 8 9]]; k4 is the 1×1×2×2 kernel [[1 2] [3 4]].
// x16 is 1×1×4×4 = [[1 3 2 4] [5 7 6 8] [9 11 10 12] [13 15 14 16]] (maxima not in one corner).

private let x9 = T([1, 1, 3, 3], (1...9).map(Double.init))
private let k4 = T([1, 1, 2, 2], [1, 2, 3, 4])
private let x16 = T([1, 1, 4, 4], [1, 3, 2, 4, 5, 7, 6, 8, 9, 11, 10, 12, 13, 15, 14, 16])
private let twoChannels = T([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])

extension ForwardCases {
    static let convolution: [ForwardCase] = [
        // y[i,j] = 1·x[i,j] + 2·x[i,j+1] + 3·x[i+1,j] + 4·x[i+1,j+1] + 0.5: 1+4+12+20 = 37, 2+6+15+24 = 47, 4+10+21+32 = 67, 5+12+24+36 = 77
        ForwardCase("2×2 kernel with bias", Conv2D(), [x9, k4, T([1], [0.5])], T([1, 1, 2, 2], [37.5, 47.5, 67.5, 77.5])),
        // padding 1, stride 2: output ⌊(3 + 2 − 1 − 1)/2⌋ + 1 = 2; windows at rows/cols −1 and 1.
        // (0,0) sees only x[0,0]·4 = 4; (0,1) x[0,1]·3 + x[0,2]·4 = 6 + 12; (1,0) x[1,0]·2 + x[2,0]·4 = 8 + 28; (1,1) 5 + 12 + 24 + 36
        ForwardCase("stride 2, padding 1", Conv2D(ConvGeometry(stride: 2, padding: 1)), [x9, k4], T([1, 1, 2, 2], [4, 18, 36, 77])),
        // dilation 2: the taps are x[0,0], x[0,2], x[2,0], x[2,2]: 1·1 + 3·2 + 7·3 + 9·4 = 64
        ForwardCase("dilation 2", Conv2D(ConvGeometry(dilation: 2)), [x9, k4], T([1, 1, 1, 1], [64])),
        // two input channels into one: y = 1·x₀ + 10·x₁
        ForwardCase("1×1, 2 channels in", Conv2D(), [twoChannels, T([1, 2, 1, 1], [1, 10])], T([1, 1, 2, 2], [51, 62, 73, 84])),
        // two outputs: y₀ = x₀ + 10·x₁, y₁ = −x₀ + x₁ + 100 = 104 everywhere
        ForwardCase(
            "1×1, 2 in, 2 out, bias", Conv2D(), [twoChannels, T([2, 2, 1, 1], [1, 10, -1, 1]), T([2], [0, 100])],
            T([1, 2, 2, 2], [51, 62, 73, 84, 104, 104, 104, 104])),
        // depthwise (groups 2): y₀ = 2·x₀, y₁ = −x₁
        ForwardCase(
            "depthwise", Conv2D(ConvGeometry(groups: 2)), [twoChannels, T([2, 1, 1, 1], [2, -1])],
            T([1, 2, 2, 2], [2, 4, 6, 8, -5, -6, -7, -8])),
        // a batch of two images, each convolved alone: the second is x9 + 10, so each sum gains 10·(1+2+3+4)
        ForwardCase(
            "batch of 2", Conv2D(), [T([2, 1, 3, 3], (1...9).map(Double.init) + (11...19).map(Double.init)), k4],
            T([2, 1, 2, 2], [37, 47, 67, 77, 137, 147, 167, 177])),

        // conv_transpose2d, stride 1: x[h,w] = Σ y[i,j]·w[h−i,w−j] with y = w = [[1 2] [3 4]]:
        // corners 1, 2·2, 3·3, 4·4; edges 2+2, 3+3, 8+8, 12+12; centre 4+6+6+4
        ForwardCase("stride 1", ConvTranspose2D(), [k4, k4], T([1, 1, 3, 3], [1, 4, 4, 6, 20, 16, 9, 24, 16])),
        // stride 2, output padding 1: each y[i,j]·w lands on its own 2×2 block; row 4 and column 4 get only the bias
        ForwardCase(
            "stride 2, output padding 1, bias", ConvTranspose2D(ConvGeometry(stride: 2), outputPadding: [1, 1]), [k4, k4, T([1], [0.5])],
            T([1, 1, 5, 5], [1, 2, 2, 4, 0, 3, 4, 6, 8, 0, 3, 6, 4, 8, 0, 9, 12, 12, 16, 0, 0, 0, 0, 0, 0].map { $0 + 0.5 })),

        // conv2d_weight: dw[u,v] = Σ_ij dy[i,j]·x[i+u,j+v] with dy = [[1 0] [0 −1]]: x[u,v] − x[u+1,v+1] = −4
        ForwardCase(
            "stride 1", Conv2DWeight(ConvGeometry(), kernel: [2, 2]), [x9, T([1, 1, 2, 2], [1, 0, 0, -1])], T([1, 1, 2, 2], [-4, -4, -4, -4])),
        // stride 2 on 3×3 with a 2×2 kernel: one position, whose window is x[0..1,0..1]; dy = 2
        ForwardCase(
            "stride 2", Conv2DWeight(ConvGeometry(stride: 2), kernel: [2, 2]), [x9, T([1, 1, 1, 1], [2])], T([1, 1, 2, 2], [2, 4, 8, 10])),

        // max_pool2d 2×2, stride 2: maxima 7, 8, 15, 16
        ForwardCase("2×2, stride 2", MaxPool2D(PoolWindow(2)), [x16], T([1, 1, 2, 2], [7, 8, 15, 16])),
        // padding 1 with negative values: the padding is never chosen (a zero pad would win everywhere)
        ForwardCase(
            "padding 1, negatives", MaxPool2D(PoolWindow(2, stride: 1, padding: 1)), [T([1, 1, 2, 2], [-1, -2, -3, -4])],
            T([1, 1, 3, 3], [-1, -1, -2, -1, -1, -2, -3, -3, -4])),
        // max_pool2d_backward: dy[k] goes to the argmax of window k (cells 5, 7, 13, 15)
        ForwardCase(
            "2×2, stride 2", MaxPool2DBackward(PoolWindow(2)), [x16, T([1, 1, 2, 2], [1, 2, 3, 4])],
            T([1, 1, 4, 4], [0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4])),
        // the same padded windows as above, dy = 1…9: x₀₀ is the max of windows 0,1,3,4 (1+2+4+5 = 12), x₀₁ of 2,5 (3+6),
        // x₁₀ of 6,7 (7+8), x₁₁ of 8
        ForwardCase(
            "overlapping windows collect", MaxPool2DBackward(PoolWindow(2, stride: 1, padding: 1)),
            [T([1, 1, 2, 2], [-1, -2, -3, -4]), T([1, 1, 3, 3], (1...9).map(Double.init))], T([1, 1, 2, 2], [12, 9, 15, 9])),
        // a tie: the first maximum in row-major order takes the gradient
        ForwardCase("ties go to the first", MaxPool2DBackward(PoolWindow(2)), [T([1, 1, 2, 2], [5, 5, 5, 5]), T([1, 1, 1, 1], [1])], T([1, 1, 2, 2], [1, 0, 0, 0])),

        // avg_pool2d 2×2, stride 2: (1+3+5+7)/4 = 4, (2+4+6+8)/4 = 5, 12, 13
        ForwardCase("2×2, stride 2", AvgPool2D(PoolWindow(2)), [x16], T([1, 1, 2, 2], [4, 5, 12, 13])),
        // padding 1: each window holds one real cell and three padded zeros, all four counted
        ForwardCase("padding counts as zeros", AvgPool2D(PoolWindow(2, padding: 1)), [T([1, 1, 2, 2], [1, 2, 3, 4])], T([1, 1, 2, 2], [0.25, 0.5, 0.75, 1])),
        // global: one window the size of the image, per channel: (1+2+3+4)/4, (5+6+7+8)/4
        ForwardCase("global", AvgPool2D(PoolWindow(kernel: [2, 2])), [twoChannels], T([1, 2, 1, 1], [2.5, 6.5])),
        // avg_pool2d_backward: each cell of window k gets dy[k]/4
        ForwardCase(
            "2×2, stride 2", AvgPool2DBackward(PoolWindow(2), size: [4, 4]), [T([1, 1, 2, 2], [4, 8, 12, 16])],
            T([1, 1, 4, 4], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])),
        // overlapping 2×2 windows at stride 1 over 3×3, dy = 4: a cell gets 1 per window covering it (corner 1, edge 2, centre 4)
        ForwardCase(
            "overlapping windows", AvgPool2DBackward(PoolWindow(2, stride: 1), size: [3, 3]), [T([1, 1, 2, 2], [4, 4, 4, 4])],
            T([1, 1, 3, 3], [1, 2, 1, 2, 4, 2, 1, 2, 1])),

        // upsample_nearest2d ×2: each pixel becomes a 2×2 block
        ForwardCase(
            "×2", UpsampleNearest2D(scale: [2, 2]), [T([1, 1, 2, 2], [1, 2, 3, 4])],
            T([1, 1, 4, 4], [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])),
        ForwardCase("×1 by ×2", UpsampleNearest2D(scale: [1, 2]), [T([1, 1, 1, 2], [1, 2])], T([1, 1, 1, 4], [1, 1, 2, 2])),
        // upsample_nearest2d_backward: the sum of each 2×2 block of 1…16 (1+2+5+6, 3+4+7+8, 9+10+13+14, 11+12+15+16)
        ForwardCase("×2", UpsampleNearest2DBackward(scale: [2, 2]), [T([1, 1, 4, 4], (1...16).map(Double.init))], T([1, 1, 2, 2], [14, 22, 46, 54])),
    ]
}

extension GradientCases {
    /// Gradient checks of the image ops (seeds 300 on).
    static let convolution: [GradientCase] = [
        GradientCase("conv2d", "3×3 with bias", [x([2, 2, 5, 5], 300), x([3, 2, 3, 3], 301), x([3], 302)]) { conv2d($0[0], $0[1], $0[2]) },
        GradientCase("conv2d", "stride 2, padding 1", [x([1, 2, 5, 5], 303), x([2, 2, 3, 3], 304), x([2], 305)]) {
            conv2d($0[0], $0[1], $0[2], ConvGeometry(stride: 2, padding: 1))
        },
        GradientCase("conv2d", "stride 2 leaving the last row unread", [x([1, 1, 6, 6], 306), x([1, 1, 3, 3], 307)]) {
            conv2d($0[0], $0[1], nil, ConvGeometry(stride: 2))
        },
        GradientCase("conv2d", "dilation 2, padding 2", [x([1, 1, 5, 5], 308), x([2, 1, 3, 3], 309)]) {
            conv2d($0[0], $0[1], nil, ConvGeometry(padding: 2, dilation: 2))
        },
        GradientCase("conv2d", "depthwise", [x([1, 3, 4, 4], 310), x([3, 1, 3, 3], 311), x([3], 312)]) {
            conv2d($0[0], $0[1], $0[2], ConvGeometry(padding: 1, groups: 3))
        },
        GradientCase("conv2d", "2 groups, 4 → 2 channels, 2×3 kernel, stride [1, 2]", [x([1, 4, 4, 5], 313), x([2, 2, 2, 3], 314)]) {
            conv2d($0[0], $0[1], nil, ConvGeometry(stride: [1, 2], padding: [0, 1], dilation: [1, 1], groups: 2))
        },
        GradientCase("conv_transpose2d", "stride 2, output padding 1, bias", [x([1, 2, 3, 3], 315), x([2, 3, 3, 3], 316), x([3], 317)]) {
            convTranspose2d($0[0], $0[1], $0[2], ConvGeometry(stride: 2, padding: 1), outputPadding: [1, 1])
        },
        GradientCase("conv_transpose2d", "2 groups, dilation 2", [x([2, 2, 3, 3], 318), x([2, 2, 2, 2], 319)]) {
            convTranspose2d($0[0], $0[1], nil, ConvGeometry(dilation: 2, groups: 2))
        },
        GradientCase("max_pool2d", "2×2, stride 2", [x([2, 2, 4, 4], 320)]) { maxPool2d($0[0], PoolWindow(2)) },
        GradientCase("max_pool2d", "3×3, stride 2, padding 1 (overlapping)", [x([1, 2, 5, 5], 321)]) {
            maxPool2d($0[0], PoolWindow(3, stride: 2, padding: 1))
        },
        GradientCase("avg_pool2d", "3×3, stride 2, padding 1", [x([1, 2, 5, 5], 322)]) { avgPool2d($0[0], PoolWindow(3, stride: 2, padding: 1)) },
        GradientCase("avg_pool2d", "global", [x([2, 3, 3, 4], 323)]) { globalAvgPool2d($0[0]) },
        GradientCase("upsample_nearest2d", "×2 by ×3", [x([1, 2, 2, 3], 324)]) {
            $0[0].tape.apply(UpsampleNearest2D(scale: [2, 3]), [$0[0]])
        },
    ]
}

@Suite("Convolution and pooling ops")
struct ConvolutionTests {
    @Test("forward output equals the hand-derived values", arguments: ForwardCases.convolution)
    func forwardMatchesHandDerivedValues(_ c: ForwardCase) throws {
        try c.check()
    }

    @Test("shapes that do not fit are errors naming the attribute and the fix")
    func misfitsAreClearErrors() {
        let image = [1, 2, 4, 4]
        let cases: [(any Op, [[Int]], String)] = [
            (Conv2D(ConvGeometry(stride: 0)), [image, [3, 2, 3, 3]], "stride must be ≥ 1"),
            (Conv2D(), [image, [3, 2, 5, 5]], "use a smaller kernel or dilation, or more padding"),
            (Conv2D(ConvGeometry(dilation: 2)), [image, [3, 2, 3, 3]], "the kernel spans 5 along the height"),
            (Conv2D(ConvGeometry(groups: 2)), [[1, 2, 4, 4], [3, 1, 3, 3]], "groups = 2 must divide both the 2 input and 3 output channels"),
            (Conv2D(), [image, [3, 1, 3, 3]], "make the kernel's second dimension C_in/groups = 2"),
            (Conv2D(), [image, [3, 2, 3, 3], [2]], "one value per output channel (3)"),
            (Conv2D(), [[2, 4, 4], [3, 2, 3, 3]], "x must be N×C×H×W"),
            (ConvTranspose2D(ConvGeometry(stride: 2), outputPadding: [2, 0]), [[1, 3, 2, 2], [3, 2, 3, 3]], "smaller than the stride"),
            (MaxPool2D(PoolWindow(2, padding: 2)), [image], "at most half the window"),
            (MaxPool2D(PoolWindow(5)), [image], "use a smaller kernel"),
            (AvgPool2D(PoolWindow(kernel: [2, 2], stride: [0, 1])), [image], "stride must be ≥ 1"),
            (UpsampleNearest2DBackward(scale: [2, 2]), [[1, 1, 3, 4]], "not a multiple of the scale"),
        ]
        for (op, shapes, message) in cases {
            #expect {
                _ = try op.outputShape(shapes)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    @Test("the output size is ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1")
    func outputSizeFormula() throws {
        // (H, k, s, p, d) → expected, worked by hand: (32, 5, 1, 2, 1) keeps 32; (7, 3, 2, 0, 1) → ⌊4/2⌋ + 1 = 3;
        // (8, 3, 1, 2, 2) → ⌊(8 + 4 − 4 − 1)/1⌋ + 1 = 8; (5, 2, 3, 0, 1) → ⌊3/3⌋ + 1 = 2
        let cases = [(32, 5, 1, 2, 1, 32), (7, 3, 2, 0, 1, 3), (8, 3, 1, 2, 2, 8), (5, 2, 3, 0, 1, 2)]
        for (h, k, s, p, d, expected) in cases {
            let shape = try Conv2D(ConvGeometry(stride: s, padding: p, dilation: d)).outputShape([[1, 1, h, h], [1, 1, k, k]])
            #expect(shape == [1, 1, expected, expected], "H \(h) k \(k) s \(s) p \(p) d \(d)")
        }
    }
}

@Suite("Convolutions over several blocks of output positions")
struct ConvolutionBlockTests {
    // 64 channels × 3×3 taps = 576 values per position, and 45×45 = 2025 positions: more than one
    // columns matrix holds (2²⁰ values), so the positions go in two blocks, split at 2²⁰/576 = 1820.
    let x = seeded([1, 64, 47, 47], seed: 330)
    let w = seeded([2, 64, 3, 3], seed: 331)
    let dy = seeded([1, 2, 45, 45], seed: 332)

    /// y[0,o,i,j] written out as the sum of the definition.
    func direct(_ o: Int, _ i: Int, _ j: Int) -> Double {
        var sum = 0.0
        for c in 0..<64 {
            for u in 0..<3 {
                for v in 0..<3 { sum += w.scalars[((o * 64 + c) * 3 + u) * 3 + v] * x.scalars[(c * 47 + i + u) * 47 + j + v] }
            }
        }
        return sum
    }

    @Test("conv2d equals the definition on both sides of the block boundary")
    func forwardAcrossBlocks() throws {
        let y = try Conv2D().forward([x, w])
        for q in [0, 1819, 1820, 2024] {
            let (i, j) = (q / 45, q % 45)
            for o in 0..<2 { #expect(abs(y.scalars[(o * 45 + i) * 45 + j] - direct(o, i, j)) < 1e-12, "o \(o) q \(q)") }
        }
    }

    @Test("conv2d_weight and conv_transpose2d are conv2d's adjoints across blocks")
    func adjointsAcrossBlocks() throws {
        let y = try Conv2D().forward([x, w])
        let dw = try Conv2DWeight(ConvGeometry(), kernel: [3, 3]).forward([x, dy])
        let dx = try ConvTranspose2D().forward([dy, w])
        let dot = { (a: Tensor, b: Tensor) in zip(a.scalars, b.scalars).reduce(0) { $0 + $1.0 * $1.1 } }
        // ⟨conv2d(x, w), dy⟩ = ⟨w, conv2d_weight(x, dy)⟩ = ⟨x, conv_transpose2d(dy, w)⟩
        let reference = dot(y, dy)
        #expect(abs(dot(w, dw) - reference) < 1e-9 * abs(reference))
        #expect(abs(dot(x, dx) - reference) < 1e-9 * abs(reference))
        // one weight gradient by its definition: Σ_ij dy[0,1,i,j] · x[0,5,i+2,j+1]
        var expected = 0.0
        for i in 0..<45 {
            for j in 0..<45 { expected += dy.scalars[(45 + i) * 45 + j] * x.scalars[(5 * 47 + i + 2) * 47 + j + 1] }
        }
        #expect(abs(dw.scalars[((1 * 64 + 5) * 3 + 2) * 3 + 1] - expected) < 1e-11)
    }
}
