import Trace

// Convolution as the course writes it, y = w ⋆ x + b: cross-correlation over N×C×H×W images with a
// C_out×(C_in/G)×k_h×k_w kernel (PyTorch's conv2d), and the two ops its backward pass is made of.
// The gradients are themselves recorded ops, so every value of ∂x, ∂w and ∂b has provenance:
//   ∂x = conv_transpose2d(∂y, w)     each input pixel collects the kernel taps that reached it
//   ∂w = conv2d_weight(x, ∂y)        each tap collects input × output-gradient over every position
//   ∂b = Σ_{n,i,j} ∂y                one sum per output channel (sum_to, then reshape)

/// y[n,o,i,j] = b[o] + Σ_{c′,u,v} w[o,c′,u,v] · x[n, g·C_in/G + c′, i·s + u·d − p, j·s + v·d − p]
/// (zero outside x; g the group of o). Inputs x, w and optionally b.
public struct Conv2D: Op {
    public static let name = "conv2d"
    public static var arity: Int? { 3 }
    public static var optionalInputs: Int { 1 }
    public static let attributes = ConvGeometry.attributes
    public let geometry: ConvGeometry
    public init(_ geometry: ConvGeometry = ConvGeometry()) { self.geometry = geometry }
    public init(attrs: [String: JSONValue]) throws(OpError) { geometry = try ConvGeometry(Attributes(Self.name, attrs)) }
    public var attrs: [String: JSONValue] { recorded(geometry.recorded) }

    func shapes(_ s: [[Int]]) throws(OpError) -> ConvShapes {
        let (x, w) = (s[0], s[1])
        try checkImage(Self.name, "x", x)
        try checkImage(Self.name, "the kernel w", w, layout: "C_out×(C_in/groups)×k_h×k_w")
        try geometry.check(Self.name, channelsIn: x[1], channelsOut: w[0])
        guard w[1] * geometry.groups == x[1] else {
            throw OpError(
                op: Self.name,
                "the kernel \(describe(w)) reads \(w[1]) channel(s) per group × \(geometry.groups) group(s), but x \(describe(x)) has \(x[1]): make the kernel's second dimension C_in/groups = \(x[1] / geometry.groups)")
        }
        if s.count == 3, s[2] != [w[0]] {
            throw OpError(op: Self.name, "the bias must have one value per output channel (\(w[0])), got shape \(describe(s[2]))")
        }
        return ConvShapes(
            batch: x[0], channelsIn: x[1], height: x[2], width: x[3], channelsOut: w[0], kernelHeight: w[2], kernelWidth: w[3],
            outHeight: try geometry.outputLength(Self.name, axis: 0, input: x[2], kernel: w[2]),
            outWidth: try geometry.outputLength(Self.name, axis: 1, input: x[3], kernel: w[3]), geometry: geometry)
    }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try shapes(s).yShape }

    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let conv = try shapes(inputs.map(\.shape))
        return Tensor(shape: shape, scalars: conv.convolve(x: inputs[0], w: inputs[1], bias: inputs.count == 3 ? inputs[2] : nil))
    }

    public func gradients(_ c: GradientContext) -> [Var?] {
        let (x, w) = (c.inputs[0], c.inputs[1])
        let conv = try! shapes(c.inputs.map(\.shape))
        // The output padding that makes the transposed convolution give back x's full size: with a
        // stride, the last rows or columns a window never reached still get (zero) gradient.
        let extra = [0, 1].map { axis in
            let (s, p, d, k) = (geometry.stride[axis], geometry.padding[axis], geometry.dilation[axis], w.shape[2 + axis])
            return x.shape[2 + axis] - ((conv.yShape[2 + axis] - 1) * s - 2 * p + d * (k - 1) + 1)
        }
        return [
            c.needs[0] ? c.grad.tape.apply(ConvTranspose2D(geometry, outputPadding: extra), [c.grad, w]) : nil,
            c.needs[1] ? c.grad.tape.apply(Conv2DWeight(geometry, kernel: [conv.kernelHeight, conv.kernelWidth]), [x, c.grad]) : nil,
        ] + (c.inputs.count == 3 ? [c.needs[2] ? biasGradient(c.grad) : nil] : [])
    }

    /// `w \star x + b`, as the course writes a convolution.
    public func tex(_ x: [TeXName]) -> TeXName {
        let product = TeXName.infix(x[1], "\\star", x[0], .product)
        return x.count == 3 ? .infix(product, "+", x[2], .sum) : product
    }

    public func work(_ inputs: [Tensor], _ output: Tensor) -> Double { 2 * ((try? shapes(inputs.map(\.shape)).products) ?? 0) }
}

/// The adjoint of conv2d in x (PyTorch's conv_transpose2d, same kernel layout): every y[n,o,i,j]
/// spreads w[o,c′,u,v] · y[n,o,i,j] onto x[n,c,i·s + u·d − p, j·s + v·d − p]. Inputs y, w (C_y×(C_x/G)×k_h×k_w)
/// and optionally b (C_x). Output size (H_y − 1)·s − 2p + d(k − 1) + a + 1, a the output padding.
/// ∂y = conv2d(g, w), ∂w = conv2d_weight(g, y), ∂b = Σ g.
public struct ConvTranspose2D: Op {
    public static let name = "conv_transpose2d"
    public static var arity: Int? { 3 }
    public static var optionalInputs: Int { 1 }
    public static let outputPaddingAttribute = OpAttribute<[Int]>.naturals("output_padding")
    public static let attributes = ConvGeometry.attributes + [outputPaddingAttribute]
    public let geometry: ConvGeometry
    public let outputPadding: [Int]
    public init(_ geometry: ConvGeometry = ConvGeometry(), outputPadding: [Int] = [0, 0]) {
        (self.geometry, self.outputPadding) = (geometry, outputPadding)
    }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (geometry, outputPadding) = (try ConvGeometry(a), try a[Self.outputPaddingAttribute])
    }
    public var attrs: [String: JSONValue] { recorded(geometry.recorded + [Self.outputPaddingAttribute.record(outputPadding)]) }

    /// The convolution this op is the transpose of: its x is this op's output, its y this op's input.
    func shapes(_ s: [[Int]]) throws(OpError) -> ConvShapes {
        let (y, w) = (s[0], s[1])
        try checkImage(Self.name, "y", y)
        try checkImage(Self.name, "the kernel w", w, layout: "C_y×(C_x/groups)×k_h×k_w")
        guard w[0] == y[1] else {
            throw OpError(op: Self.name, "the kernel \(describe(w)) has \(w[0]) output channel(s) of the convolution it transposes, but y \(describe(y)) has \(y[1])")
        }
        let channels = w[1] * max(geometry.groups, 0)
        try geometry.check(Self.name, channelsIn: channels, channelsOut: y[1])
        try checkPair(Self.name, "output_padding", outputPadding, atLeast: 0)
        guard outputPadding[0] < geometry.stride[0], outputPadding[1] < geometry.stride[1] else {
            throw OpError(op: Self.name, "output_padding \(outputPadding) must be smaller than the stride \(geometry.stride) on each axis")
        }
        let size = try [0, 1].map { (axis: Int) throws(OpError) -> Int in
            let (s, p, d, k) = (geometry.stride[axis], geometry.padding[axis], geometry.dilation[axis], w[2 + axis])
            guard y[2 + axis] <= 1 << 24, k <= 1 << 24, s <= 1 << 24, p <= 1 << 24, d <= 1 << 24 else {
                throw OpError(op: Self.name, "sizes beyond 2²⁴ are not supported")
            }
            let length = (y[2 + axis] - 1) * s - 2 * p + d * (k - 1) + outputPadding[axis] + 1
            guard length >= 1, y[2 + axis] >= 1 else {
                throw OpError(op: Self.name, "the output would be \(length) wide along axis \(2 + axis): use less padding")
            }
            return length
        }
        if s.count == 3, s[2] != [channels] {
            throw OpError(op: Self.name, "the bias must have one value per output channel (\(channels)), got shape \(describe(s[2]))")
        }
        return ConvShapes(
            batch: y[0], channelsIn: channels, height: size[0], width: size[1], channelsOut: y[1], kernelHeight: w[2], kernelWidth: w[3],
            outHeight: y[2], outWidth: y[3], geometry: geometry)
    }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try shapes(s).xShape }

    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let conv = try shapes(inputs.map(\.shape))
        return Tensor(shape: shape, scalars: conv.transposeConvolve(y: inputs[0], w: inputs[1], bias: inputs.count == 3 ? inputs[2] : nil))
    }

    public func gradients(_ c: GradientContext) -> [Var?] {
        let (y, w) = (c.inputs[0], c.inputs[1])
        return [
            c.needs[0] ? c.grad.tape.apply(Conv2D(geometry), [c.grad, w]) : nil,
            c.needs[1] ? c.grad.tape.apply(Conv2DWeight(geometry, kernel: [w.shape[2], w.shape[3]]), [c.grad, y]) : nil,
        ] + (c.inputs.count == 3 ? [c.needs[2] ? biasGradient(c.grad) : nil] : [])
    }

    public func work(_ inputs: [Tensor], _ output: Tensor) -> Double { 2 * ((try? shapes(inputs.map(\.shape)).products) ?? 0) }
}

/// conv2d's gradient in its kernel: dw[o,c′,u,v] = Σ_{n,i,j} dy[n,o,i,j] · x[n, g·C_in/G + c′, i·s + u·d − p, j·s + v·d − p],
/// the correlation of the input with the output's gradient. Inputs x and dy; `kernel` is [k_h, k_w]
/// (with a stride, the kernel's size cannot be read off the two shapes). Backward only.
public struct Conv2DWeight: Op {
    public static let name = "conv2d_weight"
    public static var arity: Int? { 2 }
    public static var isDifferentiable: Bool { false }
    public static let attributes = ConvGeometry.attributes + [kernelAttribute]
    public let geometry: ConvGeometry
    public let kernel: [Int]
    public init(_ geometry: ConvGeometry, kernel: [Int]) { (self.geometry, self.kernel) = (geometry, kernel) }
    public init(attrs: [String: JSONValue]) throws(OpError) {
        let a = Attributes(Self.name, attrs)
        (geometry, kernel) = (try ConvGeometry(a), try a[kernelAttribute])
    }
    public var attrs: [String: JSONValue] { recorded(geometry.recorded + [kernelAttribute.record(kernel)]) }

    func shapes(_ s: [[Int]]) throws(OpError) -> ConvShapes {
        let (x, dy) = (s[0], s[1])
        try checkImage(Self.name, "x", x)
        try checkImage(Self.name, "dy", dy)
        try checkPair(Self.name, "kernel", kernel, atLeast: 1)
        try geometry.check(Self.name, channelsIn: x[1], channelsOut: dy[1])
        let out = [try geometry.outputLength(Self.name, axis: 0, input: x[2], kernel: kernel[0]),
                   try geometry.outputLength(Self.name, axis: 1, input: x[3], kernel: kernel[1])]
        guard dy[0] == x[0], Array(dy[2...]) == out else {
            throw OpError(op: Self.name, "dy \(describe(dy)) is not the output of a \(describe(kernel)) convolution of x \(describe(x)) (expected \(x[0])×\(dy[1])×\(describe(out)))")
        }
        return ConvShapes(
            batch: x[0], channelsIn: x[1], height: x[2], width: x[3], channelsOut: dy[1], kernelHeight: kernel[0], kernelWidth: kernel[1],
            outHeight: out[0], outWidth: out[1], geometry: geometry)
    }

    public func shapeRule(_ s: [[Int]]) throws(OpError) -> [Int] { try shapes(s).wShape }

    public func forward(_ inputs: [Tensor]) throws(OpError) -> Tensor {
        let shape = try outputShape(of: inputs)
        let conv = try shapes(inputs.map(\.shape))
        return Tensor(shape: shape, scalars: conv.weightGradient(x: inputs[0], dy: inputs[1]))
    }

    public func gradients(_ c: GradientContext) -> [Var?] { [nil, nil] }

    public func work(_ inputs: [Tensor], _ output: Tensor) -> Double { 2 * ((try? shapes(inputs.map(\.shape)).products) ?? 0) }
}

/// Throws unless `shape` is rank 4.
func checkImage(_ op: String, _ name: String, _ shape: [Int], layout: String = "N×C×H×W") throws(OpError) {
    guard shape.count == 4 else { throw OpError(op: op, "\(name) must be \(layout) (rank 4), got \(describe(shape))") }
}

/// ∂b = Σ_{n,i,j} g[n,c,i,j]: summed to 1×C×1×1, then reshaped to b's C.
private func biasGradient(_ g: Var) -> Var {
    reshape(sumTo(g, [1, g.shape[1], 1, 1]), [g.shape[1]])
}

// MARK: - As functions on `Var`s

/// The convolution w ⋆ x + b (b optional) of an N×C_in×H×W image.
public func conv2d(_ x: Var, _ w: Var, _ b: Var? = nil, _ geometry: ConvGeometry = ConvGeometry()) -> Var {
    x.tape.apply(Conv2D(geometry), [x, w] + (b.map { [$0] } ?? []))
}

/// The transposed convolution of y with the kernel w (b optional): a learned upsampling.
public func convTranspose2d(_ y: Var, _ w: Var, _ b: Var? = nil, _ geometry: ConvGeometry = ConvGeometry(), outputPadding: [Int] = [0, 0]) -> Var {
    y.tape.apply(ConvTranspose2D(geometry, outputPadding: outputPadding), [y, w] + (b.map { [$0] } ?? []))
}

extension OpRegistry {
    /// The image ops (this file and Pooling.swift), in the order of the docs' op table.
    static let convolution: [any Op.Type] = [
        Conv2D.self, ConvTranspose2D.self, Conv2DWeight.self, MaxPool2D.self, MaxPool2DBackward.self, AvgPool2D.self,
        AvgPool2DBackward.self, UpsampleNearest2D.self, UpsampleNearest2DBackward.self,
    ]
}
