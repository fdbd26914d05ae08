import Engine
import Foundation

/// The functions an equation may call, each the engine op of the same name (or a few steps of
/// them, as `sum` of a list is additions): what a trace step records is what the author wrote.
///
/// A function takes tensors first, then its attributes (integers, lists of integers, flags or
/// numbers), positionally in the order listed or by name (`sum(x, axis=1)`, `softmax(z, 0)`).
/// Functions whose number of tensors varies (`concat`, `conv2d`) take attributes by name only.
struct FunctionSpec: Sendable {
    /// How the function is written in TeX: `\tanh`, `\sigma`, `\operatorname{relu}`.
    enum TeX: Sendable {
        case command(String)
        case named(String)
    }

    var name: String
    /// How many tensors it takes (`nil` upper bound: any number).
    var tensors: ClosedRange<Int>
    var attributes: [AttributeSpec]
    var tex: TeX
    /// One line for help and errors: `sum(x, axis?, keepdims=false)`.
    var usage: String
    /// For an element-wise function, its value on a plain number: `sqrt(d)` of a size folds.
    var scalar: (@Sendable (Double) -> Double)?
    /// The steps: the op, given the tensors' shapes and the attributes read.
    var plan: @Sendable (_ shapes: [[Int]], _ attributes: AttributeValues) throws(FunctionError) -> [PlannedStep]

    var takesPositionalAttributes: Bool { tensors.lowerBound == tensors.upperBound }
}

/// One recorded step of a function: an op on some of the call's tensors, or on the step before.
struct PlannedStep: Sendable {
    enum Operand: Sendable, Equatable {
        case tensor(Int)
        case previous
    }

    var op: any Op
    var operands: [Operand]
}

/// An attribute a function reads.
struct AttributeSpec: Sendable {
    enum Kind: Sendable, Equatable {
        case integer, integers, flag, real
    }

    var name: String
    var kind: Kind
    /// Absent: the attribute must be given.
    var defaultValue: AttributeValue?
    /// Whether nil is a valid value when not given (`sum`'s axis: all elements).
    var optional: Bool = false
}

enum AttributeValue: Sendable, Equatable {
    case integer(Int)
    case integers([Int])
    case flag(Bool)
    case real(Double)
}

/// The attributes a call gave or defaulted, by name.
struct AttributeValues: Sendable {
    var values: [String: AttributeValue]

    func integer(_ name: String) -> Int? {
        if case .integer(let v) = values[name] { return v }
        return nil
    }

    /// An integer list; a single integer counts as a list of it twice for 2-D windows (`stride=2`).
    func pair(_ name: String) -> [Int]? {
        switch values[name] {
        case .integer(let v): return [v, v]
        case .integers(let v): return v
        default: return nil
        }
    }

    func integers(_ name: String) -> [Int]? {
        switch values[name] {
        case .integer(let v): return [v]
        case .integers(let v): return v
        default: return nil
        }
    }

    func flag(_ name: String) -> Bool { values[name] == .flag(true) }

    func real(_ name: String) -> Double? {
        switch values[name] {
        case .real(let v): return v
        case .integer(let v): return Double(v)
        default: return nil
        }
    }
}

/// Why a call's attributes do not make an op.
struct FunctionError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

enum Functions {
    static func named(_ name: String) -> FunctionSpec? { table[aliases[name] ?? name] }

    static let aliases: [String: String] = ["σ": "sigmoid", "ReLU": "relu", "ln": "log", "softmax_log": "log_softmax"]

    static var names: [String] { table.keys.sorted() }

    static let table: [String: FunctionSpec] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    private static func unary(_ name: String, _ tex: FunctionSpec.TeX, _ op: any Op, _ scalar: @escaping @Sendable (Double) -> Double)
        -> FunctionSpec
    {
        FunctionSpec(name: name, tensors: 1...1, attributes: [], tex: tex, usage: "\(name)(x)", scalar: scalar) { _, _ in
            [PlannedStep(op: op, operands: [.tensor(0)])]
        }
    }

    private static let axisAttributes = [
        AttributeSpec(name: "axis", kind: .integer, defaultValue: nil, optional: true),
        AttributeSpec(name: "keepdims", kind: .flag, defaultValue: .flag(false)),
        AttributeSpec(name: "axes", kind: .integers, defaultValue: nil, optional: true),
    ]

    /// `sum(x)`, `sum(x, 1)`, `sum(x, axes=[0, 2], keepdims=true)`; `sum(Q[1..T])` adds the list.
    private static func reduction(_ name: String, _ tex: FunctionSpec.TeX, _ make: @escaping @Sendable (Int?, [Int]?, Bool) -> any Op)
        -> FunctionSpec
    {
        FunctionSpec(
            name: name, tensors: 1...1, attributes: axisAttributes, tex: tex,
            usage: "\(name)(x, axis?, keepdims=false) or \(name)(x, axes=[…])"
        ) { _, a throws(FunctionError) in
            if a.integer("axis") != nil, a.integers("axes") != nil { throw FunctionError("give axis or axes, not both") }
            return [PlannedStep(op: make(a.integer("axis"), a.integers("axes"), a.flag("keepdims")), operands: [.tensor(0)])]
        }
    }

    private static func natural(_ name: String, _ value: Int) throws(FunctionError) -> Int {
        guard value >= 0 else { throw FunctionError("\(name) is \(value); it counts from 0") }
        return value
    }

    static let all: [FunctionSpec] = [
        unary("exp", .command("\\exp"), Exp()) { Foundation.exp($0) },
        unary("log", .command("\\log"), Log()) { Foundation.log($0) },
        unary("sqrt", .command("\\sqrt"), Sqrt()) { $0.squareRoot() },
        unary("square", .named("square"), Square()) { $0 * $0 },
        unary("tanh", .command("\\tanh"), Tanh()) { Foundation.tanh($0) },
        unary("sigmoid", .command("\\sigma"), Sigmoid()) { 1 / (1 + Foundation.exp(-$0)) },
        unary("relu", .named("relu"), ReLU()) { max($0, 0) },
        // The perceptron's Heaviside step; its gradient is zero (step_backward).
        unary("step", .named("step"), Heaviside()) { $0 >= 0 ? 1 : ($0.isNaN ? $0 : 0) },
        reduction("sum", .command("\\sum")) { Sum(axis: $0, axes: $1, keepdims: $2) },
        reduction("mean", .named("mean")) { Mean(axis: $0, axes: $1, keepdims: $2) },
        FunctionSpec(
            name: "softmax", tensors: 1...1, attributes: [AttributeSpec(name: "axis", kind: .integer, defaultValue: .integer(0))],
            tex: .named("softmax"), usage: "softmax(z, axis=0)"
        ) { _, a throws(FunctionError) in [PlannedStep(op: Softmax(axis: try natural("axis", a.integer("axis")!)), operands: [.tensor(0)])] },
        FunctionSpec(
            name: "log_softmax", tensors: 1...1, attributes: [AttributeSpec(name: "axis", kind: .integer, defaultValue: .integer(0))],
            tex: .named("log\\,softmax"), usage: "log_softmax(z, axis=0)"
        ) { _, a throws(FunctionError) in [PlannedStep(op: LogSoftmax(axis: try natural("axis", a.integer("axis")!)), operands: [.tensor(0)])] },
        FunctionSpec(
            name: "transpose", tensors: 1...1, attributes: [AttributeSpec(name: "perm", kind: .integers, defaultValue: nil, optional: true)],
            tex: .named("transpose"), usage: "transpose(x) or transpose(x, perm=[1, 0, 2])"
        ) { _, a in [PlannedStep(op: Transpose(perm: a.integers("perm")), operands: [.tensor(0)])] },
        FunctionSpec(
            name: "reshape", tensors: 1...1, attributes: [AttributeSpec(name: "shape", kind: .integers)],
            tex: .named("reshape"), usage: "reshape(x, [2, 3])"
        ) { _, a in [PlannedStep(op: Reshape(shape: a.integers("shape")!), operands: [.tensor(0)])] },
        FunctionSpec(
            name: "concat", tensors: 1...Int.max, attributes: [AttributeSpec(name: "axis", kind: .integer, defaultValue: .integer(0))],
            tex: .named("concat"), usage: "concat(a, b, …, axis=0) or concat(h[1..T], axis=1)"
        ) { shapes, a throws(FunctionError) in
            [PlannedStep(op: Concat(axis: try natural("axis", a.integer("axis")!)), operands: shapes.indices.map { .tensor($0) })]
        },
        FunctionSpec(
            name: "slice", tensors: 1...1,
            attributes: [
                AttributeSpec(name: "axis", kind: .integer), AttributeSpec(name: "start", kind: .integer),
                AttributeSpec(name: "end", kind: .integer),
            ],
            tex: .named("slice"), usage: "slice(x, axis, start, end) (0-based, end excluded)"
        ) { _, a throws(FunctionError) in
            let (axis, start, end) = (
                try natural("axis", a.integer("axis")!), try natural("start", a.integer("start")!), try natural("end", a.integer("end")!)
            )
            guard start < end else { throw FunctionError("slice start \(start) must be before end \(end) (end excluded)") }
            return [PlannedStep(op: Slice(axis: axis, start: start, end: end), operands: [.tensor(0)])]
        },
        FunctionSpec(
            name: "rows", tensors: 1...1, attributes: [AttributeSpec(name: "indices", kind: .integers)],
            tex: .named("rows"), usage: "rows(E, [2, 0]) (0-based)"
        ) { _, a throws(FunctionError) in
            let indices = a.integers("indices")!
            for i in indices { _ = try natural("a row index", i) }
            return [PlannedStep(op: Rows(indices: indices), operands: [.tensor(0)])]
        },
        FunctionSpec(
            name: "flip", tensors: 1...1, attributes: [AttributeSpec(name: "axes", kind: .integers)],
            tex: .named("flip"), usage: "flip(x, axes=[1])"
        ) { _, a in [PlannedStep(op: Flip(axes: a.integers("axes")!), operands: [.tensor(0)])] },
        FunctionSpec(
            name: "pad", tensors: 1...1,
            attributes: [
                AttributeSpec(name: "axis", kind: .integer), AttributeSpec(name: "before", kind: .integer),
                AttributeSpec(name: "after", kind: .integer),
            ],
            tex: .named("pad"), usage: "pad(x, axis, before, after) (zeros)"
        ) { _, a throws(FunctionError) in
            [
                PlannedStep(
                    op: Pad(
                        axis: try natural("axis", a.integer("axis")!), before: try natural("before", a.integer("before")!),
                        after: try natural("after", a.integer("after")!)), operands: [.tensor(0)])
            ]
        },
        FunctionSpec(
            name: "where", tensors: 2...2, attributes: [AttributeSpec(name: "value", kind: .real, defaultValue: .real(0))],
            tex: .named("where"), usage: "where(mask, x, value=0): x where mask ≠ 0, value elsewhere"
        ) { _, a in [PlannedStep(op: Where(value: a.real("value")!), operands: [.tensor(0), .tensor(1)])] },
        FunctionSpec(
            name: "broadcast_to", tensors: 1...1, attributes: [AttributeSpec(name: "shape", kind: .integers)],
            tex: .named("broadcast"), usage: "broadcast_to(x, [2, 3])"
        ) { _, a in [PlannedStep(op: BroadcastTo(shape: a.integers("shape")!), operands: [.tensor(0)])] },
        FunctionSpec(
            name: "sum_to", tensors: 1...1, attributes: [AttributeSpec(name: "shape", kind: .integers)],
            tex: .named("sum\\_to"), usage: "sum_to(x, [2, 1])"
        ) { _, a in [PlannedStep(op: SumTo(shape: a.integers("shape")!), operands: [.tensor(0)])] },
        convolution("conv2d"),
        convolution("conv_transpose2d"),
        pooling("max_pool2d") { MaxPool2D($0) },
        pooling("avg_pool2d") { AvgPool2D($0) },
        FunctionSpec(
            name: "upsample_nearest2d", tensors: 1...1, attributes: [AttributeSpec(name: "scale", kind: .integers)],
            tex: .named("upsample"), usage: "upsample_nearest2d(x, 2)"
        ) { _, a in [PlannedStep(op: UpsampleNearest2D(scale: a.pair("scale")!), operands: [.tensor(0)])] },
    ]

    /// `conv2d(x, K)`, `conv2d(x, K, b, stride=2, padding=1, dilation=1, groups=1)`; the transposed
    /// one also takes `output_padding`.
    private static func convolution(_ name: String) -> FunctionSpec {
        var attributes = ["stride": 1, "padding": 0, "dilation": 1, "groups": 1].sorted { $0.key > $1.key }.map {
            AttributeSpec(name: $0.key, kind: .integers, defaultValue: .integer($0.value))
        }
        let transposed = name == "conv_transpose2d"
        if transposed { attributes.append(AttributeSpec(name: "output_padding", kind: .integers, defaultValue: .integer(0))) }
        return FunctionSpec(
            name: name, tensors: 2...3, attributes: attributes, tex: .named(transposed ? "conv^\\top" : "conv"),
            usage: "\(name)(x, K, b?, stride=1, padding=0, dilation=1, groups=1\(transposed ? ", output_padding=0" : ""))"
        ) { shapes, a throws(FunctionError) in
            guard let groups = a.integer("groups"), groups >= 1 else { throw FunctionError("groups is a whole number of at least 1") }
            let geometry = ConvGeometry(stride: a.pair("stride")!, padding: a.pair("padding")!, dilation: a.pair("dilation")!, groups: groups)
            let op: any Op = transposed ? ConvTranspose2D(geometry, outputPadding: a.pair("output_padding")!) : Conv2D(geometry)
            // A declared bias is a column (`param b : 2` is 2×1); the op takes its C values as a vector.
            if shapes.count == 3, shapes[2].count == 2, shapes[2][1] == 1 {
                return [
                    PlannedStep(op: Reshape(shape: [shapes[2][0]]), operands: [.tensor(2)]),
                    PlannedStep(op: op, operands: [.tensor(0), .tensor(1), .previous]),
                ]
            }
            return [PlannedStep(op: op, operands: shapes.indices.map { .tensor($0) })]
        }
    }

    /// `max_pool2d(x, 2)`, `avg_pool2d(x, kernel=3, stride=1, padding=1)`.
    private static func pooling(_ name: String, _ make: @escaping @Sendable (PoolWindow) -> any Op) -> FunctionSpec {
        FunctionSpec(
            name: name, tensors: 1...1,
            attributes: [
                AttributeSpec(name: "kernel", kind: .integers), AttributeSpec(name: "stride", kind: .integers, defaultValue: nil, optional: true),
                AttributeSpec(name: "padding", kind: .integers, defaultValue: .integer(0)),
            ],
            tex: .named(name == "max_pool2d" ? "maxpool" : "avgpool"), usage: "\(name)(x, kernel, stride=kernel, padding=0)"
        ) { _, a in
            let kernel = a.pair("kernel")!
            return [PlannedStep(op: make(PoolWindow(kernel: kernel, stride: a.pair("stride") ?? kernel, padding: a.pair("padding")!)), operands: [.tensor(0)])]
        }
    }
}
