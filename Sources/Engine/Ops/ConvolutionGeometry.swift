import Trace

// What the convolution ops share: the attributes that place a kernel over an image (stride, zero
// padding, dilation, groups), the checks and the output-size rule. How they compute is in
// ConvolutionColumns.swift.

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
}
