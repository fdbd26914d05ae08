import Engine
import Trace

/// GoogLeNet's Inception module (Szegedy et al. 2015): four branches read the same input and their
/// outputs are stacked along the channels,
///
///     y = [ branch_1x1(x) ; branch_3x3(x) ; branch_5x5(x) ; branch_pool(x) ].
///
/// Every convolution keeps the H×W of its input (stride 1, zero padding (k − 1)/2) and is followed
/// by a ReLU, so the four outputs line up pixel for pixel.
///
/// - `naive`: 1×1, 3×3 and 5×5 convolutions straight on x, and a 3×3 max-pool (stride 1,
///   padding 1) that passes x's C_in channels through;
/// - `reduced`: the 3×3 and 5×5 convolutions read a 1×1 convolution of x to fewer channels
///   (`c3-reduce`, `c5-reduce`) instead of x, and the pool is followed by a 1×1 projection
///   (`pool-proj`), so no branch reads all C_in channels with a large kernel.
///
/// A k×k convolution from C_in to C_out channels on an H_o×W_o output has C_in·C_out·k² + C_out
/// parameters and H_o·W_o·C_in·C_out·k² multiplications (one per kernel tap, input channel,
/// output channel and output pixel; the bias is an addition). Max-pooling only compares.
public struct InceptionModule: Sendable {
    public enum Variant: String, CaseIterable, Sendable { case naive, reduced }

    /// The channels each branch's layers produce (GoogLeNet's table names them #1×1, #3×3 reduce, …).
    public struct Widths: Sendable, Equatable {
        public var c1, c3Reduce, c3, c5Reduce, c5, poolProjection: Int
        public init(c1: Int, c3Reduce: Int, c3: Int, c5Reduce: Int, c5: Int, poolProjection: Int) {
            (self.c1, self.c3Reduce, self.c3, self.c5Reduce, self.c5, self.poolProjection) = (c1, c3Reduce, c3, c5Reduce, c5, poolProjection)
        }
    }

    /// A k×k convolution C_in → C_out with its 'same' zero padding, named as in the equations
    /// (`W_3r` is the 3×3 branch's 1×1 reduction, `W_3` its 3×3 kernel; `b_…` the biases).
    public struct Convolution: Sendable, Equatable {
        public let name: String
        public let k, channelsIn, channelsOut: Int

        public var parameters: Int { channelsIn * channelsOut * k * k + channelsOut }
        /// Multiplications for one H×W input (the output is H×W too).
        public func multiplications(size: Int) -> Int { size * size * channelsIn * channelsOut * k * k }
        var geometry: ConvGeometry { ConvGeometry(padding: (k - 1) / 2) }
        var tex: String { "W_{\(name.dropFirst(2))}" }
    }

    /// A layer of a branch: a convolution followed by its ReLU, or the 3×3 max-pool.
    public enum Layer: Sendable, Equatable {
        case convolution(Convolution)
        case maxPool
    }

    /// One branch: its name as the trace declares it (`1x1`, `3x3`, `5x5`, `pool`) and its layers in order.
    public struct Branch: Sendable, Equatable {
        public let name: String
        public let layers: [Layer]

        public var convolutions: [Convolution] {
            layers.compactMap { if case .convolution(let c) = $0 { c } else { nil } }
        }
        public var parameters: Int { convolutions.reduce(0) { $0 + $1.parameters } }
        public func multiplications(size: Int) -> Int { convolutions.reduce(0) { $0 + $1.multiplications(size: size) } }
        /// The channels the branch hands to the concatenation (a naive pool passes its input's).
        public func outputChannels(input: Int) -> Int { convolutions.last?.channelsOut ?? input }
    }

    public static let pool = PoolWindow(3, stride: 1, padding: 1)

    public let channelsIn: Int
    public let variant: Variant
    public let branches: [Branch]

    public init(channelsIn c: Int, widths w: Widths, variant: Variant) {
        channelsIn = c
        self.variant = variant
        func conv(_ name: String, _ k: Int, _ from: Int, _ to: Int) -> Layer {
            .convolution(Convolution(name: name, k: k, channelsIn: from, channelsOut: to))
        }
        switch variant {
        case .naive:
            branches = [
                Branch(name: "1x1", layers: [conv("W_1", 1, c, w.c1)]),
                Branch(name: "3x3", layers: [conv("W_3", 3, c, w.c3)]),
                Branch(name: "5x5", layers: [conv("W_5", 5, c, w.c5)]),
                Branch(name: "pool", layers: [.maxPool]),
            ]
        case .reduced:
            branches = [
                Branch(name: "1x1", layers: [conv("W_1", 1, c, w.c1)]),
                Branch(name: "3x3", layers: [conv("W_3r", 1, c, w.c3Reduce), conv("W_3", 3, w.c3Reduce, w.c3)]),
                Branch(name: "5x5", layers: [conv("W_5r", 1, c, w.c5Reduce), conv("W_5", 5, w.c5Reduce, w.c5)]),
                Branch(name: "pool", layers: [.maxPool, conv("W_p", 1, c, w.poolProjection)]),
            ]
        }
    }

    public var outputChannels: Int { branches.reduce(0) { $0 + $1.outputChannels(input: channelsIn) } }
    public var parameters: Int { branches.reduce(0) { $0 + $1.parameters } }
    public func multiplications(size: Int) -> Int { branches.reduce(0) { $0 + $1.multiplications(size: size) } }

    /// Every convolution in drawing order: branch by branch (1×1, 3×3, 5×5, pool), layer by layer.
    public var convolutions: [Convolution] { branches.flatMap(\.convolutions) }

    /// W then b for every convolution in order, each uniform in ±1/√(C_in·k²) (PyTorch's default
    /// for a convolution's weight and bias).
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        convolutions.flatMap { c -> [Tensor] in
            let fanIn = c.channelsIn * c.k * c.k
            return [
                .fanInUniform([c.channelsOut, c.channelsIn, c.k, c.k], fanIn: fanIn, using: &random),
                .fanInUniform([c.channelsOut], fanIn: fanIn, using: &random),
            ]
        }
    }

    /// Binds the drawn values as parameters named W_… and b_… on `tape`, in `initialParameters` order.
    public func bind(_ values: [Tensor], on tape: Tape) -> [Var] {
        zip(convolutions.flatMap { [$0, $0] }, values).enumerated().map { index, pair in
            let (c, value) = pair
            let suffix = c.name.dropFirst(2)
            return index % 2 == 0
                ? tape.parameter(value, name: c.name, tex: c.tex) : tape.parameter(value, name: "b_\(suffix)", tex: "b_{\(suffix)}")
        }
    }

    /// y = the branches' outputs on x concatenated along the channels (axis 1), each branch in a
    /// scope of kind `branch` stating its parameters and multiplications, each layer in a `layer` scope.
    public func callAsFunction(_ x: Var, _ parameters: [Var]) -> Var {
        var next = parameters[...]
        let size = x.shape[2]
        let variantTag = JSONValue.string(variant.rawValue)
        let outputs = branches.map { branch in
            x.tape.scope(
                "\(branch.label) branch", kind: .branch(branch.name, parameters: branch.parameters, multiplications: branch.multiplications(size: size)),
                equation: branch.equation
            ) {
                var h = x
                for (index, layer) in branch.layers.enumerated() {
                    let context: [String: JSONValue] = ["layer": .int(index + 1), "branch": .string(branch.name), "variant": variantTag]
                    h = x.tape.scope("layer \(index + 1)", kind: .layer(index + 1), equation: layer.equation) {
                        switch layer {
                        case .maxPool:
                            return maxPool2d(h, Self.pool).named("m").tagged("feature_map", context.merging(["stage": "pool"]) { a, _ in a })
                        case .convolution(let c):
                            let (W, b) = (next.removeFirst(), next.removeFirst())
                            W.tagged("kernel", context)
                            let suffix = c.name.dropFirst(2)
                            let z = conv2d(h, W, b, c.geometry).named("z_\(suffix)", tex: "z_{\(suffix)}")
                                .tagged("feature_map", context.merging(["stage": "conv"]) { a, _ in a })
                            return relu(z).named("h_\(suffix)", tex: "h_{\(suffix)}")
                                .tagged("feature_map", context.merging(["stage": "relu"]) { a, _ in a })
                        }
                    }
                }
                return h
            }
        }
        return x.tape.scope("concatenation", equation: "y = [h_1; h_3; h_5; \(variant == .naive ? "m" : "h_p")]") {
            concat(outputs, axis: 1).named("y").tagged("feature_map", ["stage": "concat", "variant": variantTag])
        }
    }
}

extension InceptionModule.Branch {
    /// 1×1, 3×3, 5×5, pool: as a reader writes them.
    var label: String { name == "pool" ? "pool" : name.replacingOccurrences(of: "x", with: "×") }

    var equation: String {
        var expression = "x"
        for layer in layers {
            switch layer {
            case .maxPool: expression = "\\operatorname{maxpool}_{3\\times 3}(\(expression))"
            case .convolution(let c):
                let s = c.name.dropFirst(2)
                expression = "\\operatorname{relu}(W_{\(s)} * \(expression) + b_{\(s)})"
            }
        }
        return expression
    }
}

extension InceptionModule.Layer {
    var equation: String {
        switch self {
        case .maxPool: "m = \\operatorname{maxpool}_{3\\times 3,\\,s=1,\\,p=1}(x)"
        case .convolution(let c):
            "h_{\(c.name.dropFirst(2))} = \\operatorname{relu}(W_{\(c.name.dropFirst(2))} * h + b_{\(c.name.dropFirst(2))}),\\ \(c.k)\\times\(c.k),\\ \(c.channelsIn) \\to \(c.channelsOut)"
        }
    }
}
