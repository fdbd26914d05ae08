import Trace

// What the convolution ops share: the attributes that place a kernel over an image (stride, zero
// padding, dilation, groups), the output-size rule, and the one loop that visits every
// (output position, kernel tap) pair. conv2d, conv_transpose2d and conv2d_weight are that same sum
// read three ways — which of x, w, y is written — so they share the loop, and each is the other two's
// adjoint by construction.

let strideAttribute = OpAttribute<[Int]>.naturals("stride")
let paddingAttribute = OpAttribute<[Int]>.naturals("padding")
let dilationAttribute = OpAttribute<[Int]>.naturals("dilation")
let groupsAttribute = OpAttribute<Int>.natural("groups")
/// A window's size [k_h, k_w]: a pooling window, or the kernel conv2d_weight makes.
let kernelAttribute = OpAttribute<[Int]>.naturals("kernel")

/// Where a kernel goes over an image: stride, zero padding and dilation per spatial axis ([h, w]),
/// and how many groups the channels split into (1: every output sees every input channel; C_in:
/// depthwise).
public struct ConvGeometry: Sendable, Equatable {
    public var stride: [Int]
    public var padding: [Int]
    public var dilation: [Int]
    public var groups: Int

    public init(stride: [Int], padding: [Int], dilation: [Int], groups: Int = 1) {
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
    }

    /// The same on both spatial axes.
    public init(stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1) {
        self.init(stride: [stride, stride], padding: [padding, padding], dilation: [dilation, dilation], groups: groups)
    }

    static let attributes: [any AnyOpAttribute] = [strideAttribute, paddingAttribute, dilationAttribute, groupsAttribute]

    init(_ a: Attributes) throws(OpError) {
        self.init(stride: try a[strideAttribute], padding: try a[paddingAttribute], dilation: try a[dilationAttribute], groups: try a[groupsAttribute])
    }

    var recorded: [(key: String, value: JSONValue?)] {
        [strideAttribute.record(stride), paddingAttribute.record(padding), dilationAttribute.record(dilation), groupsAttribute.record(groups)]
    }

    /// Throws unless every attribute has two entries in range and `groups` divides both channel counts.
    func check(_ op: String, channelsIn: Int, channelsOut: Int) throws(OpError) {
        try checkPair(op, "stride", stride, atLeast: 1)
        try checkPair(op, "padding", padding, atLeast: 0)
        try checkPair(op, "dilation", dilation, atLeast: 1)
        guard groups >= 1 else { throw OpError(op: op, "groups must be ≥ 1, got \(groups)") }
        guard channelsIn % groups == 0, channelsOut % groups == 0 else {
            throw OpError(
                op: op,
                "groups = \(groups) must divide both the \(channelsIn) input and \(channelsOut) output channels: choose groups among their common divisors")
        }
    }

    /// The output length along spatial axis `axis` (0: height, 1: width) of an input of `length`
    /// under a kernel of `kernel` taps: ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1.
    func outputLength(_ op: String, axis: Int, input length: Int, kernel: Int) throws(OpError) -> Int {
        let name = axis == 0 ? "height" : "width"
        let (s, p, d) = (stride[axis], padding[axis], dilation[axis])
        // Bounded so that absurd attrs from a hostile trace are refused, not overflowed.
        guard length <= 1 << 24, kernel <= 1 << 24, p <= 1 << 24, d <= 1 << 24 else {
            throw OpError(op: op, "sizes beyond 2²⁴ along the \(name) are not supported")
        }
        let span = d * (kernel - 1) + 1
        guard kernel >= 1, length + 2 * p >= span else {
            throw OpError(
                op: op,
                "the kernel spans \(span) along the \(name) (k = \(kernel), dilation \(d)), more than the padded input's \(length) + 2·\(p) = \(length + 2 * p): use a smaller kernel or dilation, or more padding")
        }
        return (length + 2 * p - span) / s + 1
    }
}

/// Throws unless `values` is a pair whose entries are at least `minimum`.
func checkPair(_ op: String, _ name: String, _ values: [Int], atLeast minimum: Int) throws(OpError) {
    guard values.count == 2 else {
        throw OpError(op: op, "\(name) must have two entries [height, width], got \(values)")
    }
    guard values.allSatisfy({ $0 >= minimum }) else {
        throw OpError(op: op, "\(name) must be ≥ \(minimum) on each axis, got \(values)")
    }
}

/// The dimensions of one convolution y = x ⋆ w: images x (N×C_in×H×W) and y (N×C_out×H_o×W_o),
/// kernel w (C_out×(C_in/G)×k_h×k_w).
struct ConvShapes {
    let batch, channelsIn, height, width: Int
    let channelsOut, kernelHeight, kernelWidth: Int
    let outHeight, outWidth: Int
    let geometry: ConvGeometry

    var xShape: [Int] { [batch, channelsIn, height, width] }
    var yShape: [Int] { [batch, channelsOut, outHeight, outWidth] }
    var wShape: [Int] { [channelsOut, channelsIn / geometry.groups, kernelHeight, kernelWidth] }

    /// Multiplications in the sum (one per tap per output value); each is also an add.
    var products: Double {
        Double(batch) * Double(channelsOut) * Double(outHeight) * Double(outWidth) * Double(channelsIn / geometry.groups)
            * Double(kernelHeight) * Double(kernelWidth)
    }

    /// Which of the three tensors `visit` accumulates into.
    enum Written { case y, x, w }

    /// Adds every product w[o,c′,u,v] · x[n,c,i·s+u·d−p, j·s+v·d−p] into the written tensor at its
    /// place (y[n,o,i,j] for conv2d, x[n,c,h,w] for conv_transpose2d, w[o,c′,u,v] for conv2d_weight),
    /// the other two being read. Taps that fall in the zero padding are skipped: each row's range of
    /// j is computed once, so the inner loop has no bounds test.
    func visit(_ written: Written, x: UnsafeMutablePointer<Double>, w: UnsafeMutablePointer<Double>, y: UnsafeMutablePointer<Double>) {
        let g = geometry
        let (sh, sw, ph, pw, dh, dw) = (g.stride[0], g.stride[1], g.padding[0], g.padding[1], g.dilation[0], g.dilation[1])
        let inPerGroup = channelsIn / g.groups, outPerGroup = channelsOut / g.groups
        for n in 0..<batch {
            for o in 0..<channelsOut {
                let group = o / outPerGroup
                for c1 in 0..<inPerGroup {
                    let c = group * inPerGroup + c1
                    for u in 0..<kernelHeight {
                        let rows = valid(outHeight, offset: u * dh - ph, stride: sh, limit: height)
                        for v in 0..<kernelWidth {
                            let offset = v * dw - pw
                            let columns = valid(outWidth, offset: offset, stride: sw, limit: width)
                            guard !columns.isEmpty else { continue }
                            let wi = ((o * inPerGroup + c1) * kernelHeight + u) * kernelWidth + v
                            for i in rows {
                                let xRow = ((n * channelsIn + c) * height + i * sh + u * dh - ph) * width + offset
                                let yRow = ((n * channelsOut + o) * outHeight + i) * outWidth
                                switch written {
                                case .y:
                                    let tap = w[wi]
                                    for j in columns { y[yRow + j] += tap * x[xRow + j * sw] }
                                case .x:
                                    let tap = w[wi]
                                    for j in columns { x[xRow + j * sw] += tap * y[yRow + j] }
                                case .w:
                                    var sum = 0.0
                                    for j in columns { sum += y[yRow + j] * x[xRow + j * sw] }
                                    w[wi] += sum
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The output positions i in 0..<count whose tap i·stride + offset lands inside 0..<limit.
    private func valid(_ count: Int, offset: Int, stride: Int, limit: Int) -> Range<Int> {
        // i·s + offset ≥ 0  ⇔  i ≥ ⌈−offset / s⌉;   i·s + offset ≤ limit − 1  ⇔  i ≤ ⌊(limit − 1 − offset) / s⌋
        let first = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        let lastPlace = limit - 1 - offset
        let end = lastPlace < 0 ? 0 : min(count, lastPlace / stride + 1)
        return first < end ? first..<end : 0..<0
    }
}

/// Runs `visit` with the written tensor starting as `initial` (its shape's zeros, or the bias
/// spread over it) and the other two read from their tensors; returns the written values.
func convolve(_ shapes: ConvShapes, _ written: ConvShapes.Written, x: Tensor?, w: Tensor?, y: Tensor?, initial: [Double]) -> [Double] {
    var out = initial
    let read = [x, w, y].compactMap { $0 }
    // An empty tensor has no taps to visit (and its buffer may have no address).
    guard !out.isEmpty, read.allSatisfy({ $0.count > 0 }) else { return out }
    let (xs, ws, ys) = (x?.scalars ?? [0], w?.scalars ?? [0], y?.scalars ?? [0])
    out.withUnsafeMutableBufferPointer { o in
        xs.withUnsafeBufferPointer { xp in
            ws.withUnsafeBufferPointer { wp in
                ys.withUnsafeBufferPointer { yp in
                    // The read tensors are only read: `visit` writes through the pointer `written` names.
                    func place(_ p: UnsafeBufferPointer<Double>, _ mine: ConvShapes.Written) -> UnsafeMutablePointer<Double> {
                        written == mine ? o.baseAddress! : UnsafeMutablePointer(mutating: p.baseAddress!)
                    }
                    shapes.visit(written, x: place(xp, .x), w: place(wp, .w), y: place(yp, .y))
                }
            }
        }
    }
    return out
}
