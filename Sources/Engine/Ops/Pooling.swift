import Trace

// Pooling and nearest-neighbour upsampling over N×C×H×W images, each channel on its own, and the
// backward op each gradient is recorded as. Windows are k_h×k_w, placed every `stride`, over the
// input padded by `padding` on each side (at most half the window, as in PyTorch).

/// A pooling window: its size, stride and padding ([h, w] each).
public struct PoolWindow: Sendable, Equatable {
    public var kernel: [Int]
    public var stride: [Int]
    public var padding: [Int]

    public init(kernel: [Int], stride: [Int]? = nil, padding: [Int] = [0, 0]) {
        (self.kernel, self.stride, self.padding) = (kernel, stride ?? kernel, padding)
    }

    /// A k×k window moved by `stride` (the window's size when absent: windows side by side).
    public init(_ k: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernel: [k, k], stride: [stride ?? k, stride ?? k], padding: [padding, padding])
    }

    static let attributes: [any AnyOpAttribute] = [kernelAttribute, strideAttribute, paddingAttribute]
    init(_ a: Attributes) throws(OpError) {
        self.init(kernel: try a[kernelAttribute], stride: try a[strideAttribute], padding: try a[paddingAttribute])
    }
    var recorded: [(key: String, value: JSONValue?)] {
        [kernelAttribute.record(kernel), strideAttribute.record(stride), paddingAttribute.record(padding)]
    }

    /// The pooled size of an N×C×H×W input (N×C×H_o×W_o), or an error naming the attribute to change.
    func pooledShape(_ op: String, _ x: [Int]) throws(OpError) -> [Int] {
        try checkImage(op, "x", x)
        try checkPair(op, "kernel", kernel, atLeast: 1)
        try checkPair(op, "stride", stride, atLeast: 1)
        try checkPair(op, "padding", padding, atLeast: 0)
        guard 2 * padding[0] <= kernel[0], 2 * padding[1] <= kernel[1] else {
            throw OpError(op: op, "padding \(padding) must be at most half the window \(kernel) on each axis")
        }
        let geometry = ConvGeometry(stride: stride, padding: padding, dilation: [1, 1])
        return [x[0], x[1], try geometry.outputLength(op, axis: 0, input: x[2], kernel: kernel[0]),
                try geometry.outputLength(op, axis: 1, input: x[3], kernel: kernel[1])]
    }

    /// Calls `body(plane, output offset, input offsets of the window's cells inside the input)` for
    /// every output position of every channel: the positions in the padding are left out.
    func forEachWindow(input x: [Int], output y: [Int], _ body: (_ out: Int, _ cells: [Int]) -> Void) {
        let (height, width) = (x[2], x[3])
        var cells: [Int] = []
        cells.reserveCapacity(kernel[0] * kernel[1])
        for plane in 0..<(x[0] * x[1]) {
            for i in 0..<y[2] {
                for j in 0..<y[3] {
                    cells.removeAll(keepingCapacity: true)
                    for u in 0..<kernel[0] {
                        let h = i * stride[0] + u - padding[0]
                        guard h >= 0 && h < height else { continue }
                        for v in 0..<kernel[1] {
                            let w = j * stride[1] + v - padding[1]
                            if w >= 0 && w < width { cells.append((plane * height + h) * width + w) }
                        }
                    }
                    body((plane * y[2] + i) * y[3] + j, cells)
                }
            }
        }
    }
}

/// An op whose attributes are one pooling window's (max_pool2d, avg_pool2d, max_pool2d_backward).
public protocol WindowOp: Op {
    var window: PoolWindow { get }
    init(_ window: PoolWindow)
}

extension WindowOp {
    public static var attributes: [any AnyOpAttribute] { PoolWindow.attributes }
    public init(attrs: [String: JSONValue]) throws(OpError) { self.init(try PoolWindow(Attributes(Self.name, attrs))) }
    public var attrs: [String: JSONValue] { recorded(window.recorded) }
}

/// y = the largest value in each window (padding never chosen). ∂x = max_pool2d_backward(x, g).
public struct MaxPool2D: WindowOp {
    public static let name = "max_pool2d"
    public let window: PoolWindow
    public init(_ window: PoolWindow) { self.window = window }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try window.pooledShape(Self.name, s[0]) }
    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let x = inputs[0]
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        window.forEachWindow(input: x.shape, output: shape) { k, cells in out[k] = x.scalars[argmax(x, cells)] }
        return Tensor(shape: shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.grad.tape.apply(MaxPool2DBackward(window), [c.inputs[0], c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\operatorname{maxpool}", x) }
}

/// The cell of `cells` holding the window's maximum: the first in row-major order when several tie
/// (PyTorch's rule on the CPU), and a NaN wins as soon as it is met (a NaN input propagates).
private func argmax(_ x: Tensor, _ cells: [Int]) -> Int {
    var best = cells[0]
    for cell in cells where x.scalars[cell].isNaN || x.scalars[cell] > x.scalars[best] {
        best = cell
        if x.scalars[cell].isNaN { break }
    }
    return best
}

/// ∂x of max-pooling: each dy[n,c,i,j] added at its window's argmax in x (zero elsewhere); a cell
/// that is the maximum of several overlapping windows collects each of their gradients. Backward only.
public struct MaxPool2DBackward: WindowOp {
    public static let name = "max_pool2d_backward"
    public static var arity: Int? { 2 }
    public static var isDifferentiable: Bool { false }
    public let window: PoolWindow
    public init(_ window: PoolWindow) { self.window = window }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        let pooled = try window.pooledShape(Self.name, s[0])
        guard s[1] == pooled else {
            throw OpError(op: Self.name, "dy must have the pooled shape \(describe(pooled)), got \(describe(s[1]))")
        }
        return s[0]
    }
    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let (x, dy) = (inputs[0], inputs[1])
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        window.forEachWindow(input: x.shape, output: dy.shape) { k, cells in out[argmax(x, cells)] += dy.scalars[k] }
        return Tensor(shape: shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil] }
}

/// y = the mean of each window, the padding counting as zeros (k_h·k_w terms always; PyTorch's
/// count_include_pad). Global average pooling is the window of the whole image.
/// ∂x = avg_pool2d_backward(g) {…, size}.
public struct AvgPool2D: WindowOp {
    public static let name = "avg_pool2d"
    public let window: PoolWindow
    public init(_ window: PoolWindow) { self.window = window }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try window.pooledShape(Self.name, s[0]) }
    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let x = inputs[0]
        let count = Double(window.kernel[0] * window.kernel[1])
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        window.forEachWindow(input: x.shape, output: shape) { k, cells in
            out[k] = cells.reduce(0) { $0 + x.scalars[$1] } / count
        }
        return Tensor(shape: shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        let x = c.inputs[0]
        return [c.grad.tape.apply(AvgPool2DBackward(window, size: [x.shape[2], x.shape[3]]), [c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\operatorname{avgpool}", x) }
}

/// ∂x of average pooling: every cell of each window gets dy[n,c,i,j] / (k_h·k_w); `size` is the
/// input's H, W (several input sizes pool to the same output). Backward only.
public struct AvgPool2DBackward: Op {
    public static let name = "avg_pool2d_backward"
    public static var isDifferentiable: Bool { false }
    public static let sizeAttribute = OpAttribute<[Int]>.naturals("size")
    public static let attributes = PoolWindow.attributes + [sizeAttribute]
    public let window: PoolWindow
    public let size: [Int]
    public init(_ window: PoolWindow, size: [Int]) { (self.window, self.size) = (window, size) }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (window, size) = (try PoolWindow(a), try a[Self.sizeAttribute])
    }
    public var attrs: [String: JSONValue] { recorded(window.recorded + [Self.sizeAttribute.record(size)]) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        try checkImage(Self.name, "dy", s[0])
        try checkPair(Self.name, "size", size, atLeast: 1)
        let input = [s[0][0], s[0][1]] + size
        let pooled = try window.pooledShape(Self.name, input)
        guard s[0] == pooled else {
            throw OpError(op: Self.name, "dy must have the pooled shape \(describe(pooled)) of a \(describe(size)) input, got \(describe(s[0]))")
        }
        return input
    }
    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let dy = inputs[0]
        let count = Double(window.kernel[0] * window.kernel[1])
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        window.forEachWindow(input: shape, output: dy.shape) { k, cells in
            for cell in cells { out[cell] += dy.scalars[k] / count }
        }
        return Tensor(shape: shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil] }
}

let scaleAttribute = OpAttribute<[Int]>.naturals("scale")

/// y[n,c,i,j] = x[n,c,⌊i/f_h⌋,⌊j/f_w⌋]: each pixel repeated f_h×f_w times (a decoder's upsampling).
/// ∂x = upsample_nearest2d_backward(g).
public struct UpsampleNearest2D: Op {
    public static let name = "upsample_nearest2d"
    public static let attributes: [any AnyOpAttribute] = [scaleAttribute]
    public let scale: [Int]
    public init(scale: [Int]) { self.scale = scale }
    public init(attrs: [String: JSONValue]) throws(OpError) { scale = try Attributes(Self.name, attrs)[scaleAttribute] }
    public var attrs: [String: JSONValue] { recorded(scaleAttribute.record(scale)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        try checkImage(Self.name, "x", s[0])
        try checkPair(Self.name, "scale", scale, atLeast: 1)
        guard scale.allSatisfy({ $0 <= 1 << 16 }) else { throw OpError(op: Self.name, "scale \(scale) is beyond 2¹⁶") }
        return [s[0][0], s[0][1], s[0][2] * scale[0], s[0][3] * scale[1]]
    }
    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let x = inputs[0]
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        forEachBlock(small: x.shape, scale: scale) { from, to in out[to] = x.scalars[from] }
        return Tensor(shape: shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] {
        [c.grad.tape.apply(UpsampleNearest2DBackward(scale: scale), [c.grad])]
    }
    public func tex(_ x: [TeXName]) -> TeXName { .call("\\operatorname{upsample}", x) }
}

/// ∂x of nearest upsampling: the sum of dy over each f_h×f_w block. Backward only.
public struct UpsampleNearest2DBackward: Op {
    public static let name = "upsample_nearest2d_backward"
    public static var isDifferentiable: Bool { false }
    public static let attributes: [any AnyOpAttribute] = [scaleAttribute]
    public let scale: [Int]
    public init(scale: [Int]) { self.scale = scale }
    public init(attrs: [String: JSONValue]) throws(OpError) { scale = try Attributes(Self.name, attrs)[scaleAttribute] }
    public var attrs: [String: JSONValue] { recorded(scaleAttribute.record(scale)) }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] {
        try checkImage(Self.name, "dy", s[0])
        try checkPair(Self.name, "scale", scale, atLeast: 1)
        guard s[0][2] % scale[0] == 0, s[0][3] % scale[1] == 0 else {
            throw OpError(op: Self.name, "dy's size \(s[0][2])×\(s[0][3]) is not a multiple of the scale \(scale)")
        }
        return [s[0][0], s[0][1], s[0][2] / scale[0], s[0][3] / scale[1]]
    }
    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let dy = inputs[0]
        var out = [Double](repeating: 0, count: Tensor.count(of: shape))
        forEachBlock(small: shape, scale: scale) { to, from in out[to] += dy.scalars[from] }
        return Tensor(shape: shape, scalars: out)
    }
    public func gradients(_ c: GradientContext) -> [Var?] { [nil] }
}

/// Calls `body(small offset, large offset)` for every pixel of the upsampled image, row by row.
private func forEachBlock(small: [Int], scale: [Int], _ body: (Int, Int) -> Void) {
    let (height, width) = (small[2], small[3])
    let (bigHeight, bigWidth) = (height * scale[0], width * scale[1])
    for plane in 0..<(small[0] * small[1]) {
        for i in 0..<bigHeight {
            for j in 0..<bigWidth {
                body((plane * height + i / scale[0]) * width + j / scale[1], (plane * bigHeight + i) * bigWidth + j)
            }
        }
    }
}

// MARK: - As functions on `Var`s

public func maxPool2d(_ x: Var, _ window: PoolWindow) -> Var { x.tape.apply(MaxPool2D(window), [x]) }
public func avgPool2d(_ x: Var, _ window: PoolWindow) -> Var { x.tape.apply(AvgPool2D(window), [x]) }

/// The mean of each channel over the whole image, N×C×H×W → N×C: an average pool whose window is
/// the image, then a reshape.
public func globalAvgPool2d(_ x: Var) -> Var {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    return reshape(avgPool2d(x, PoolWindow(kernel: [h, w])), [n, c])
}

public func upsampleNearest2d(_ x: Var, scale: Int) -> Var { x.tape.apply(UpsampleNearest2D(scale: [scale, scale]), [x]) }
