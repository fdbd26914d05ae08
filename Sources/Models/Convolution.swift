import Engine
import Trace

/// One convolution layer on an N×C_in×H×W image, as the course writes it — a correlation, the
/// kernel not flipped:
///
///     Y[o,i,j] = b[o] + Σ_{c′,u,v} W[o,c′,u,v] · X[g·C_in/G + c′, i·s + u·d − p, j·s + v·d − p]
///     A = max(0, Y)                  (when `relu`)
///     P = pool(A) over k_p×k_p windows, stride k_p   (when `pool` is max or avg)
///
/// X is zero outside the image (padding p), g = ⌊o/(C_out/G)⌋ is output channel o's group, W is
/// C_out×(C_in/G)×k×k, b is C_out. The output size along each axis is
/// H_o = ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1; the pooled size ⌊H_o/k_p⌋.
struct ConvolutionLayer {
    enum Pool: String, ParameterChoice { case none, max, avg }

    let geometry: ConvGeometry
    let kernel: Int
    let relu: Bool
    let pool: Pool
    let poolSize: Int

    /// The stages the layer computed: Y, then A (ReLU) and P (pool) when they ran. `last` is what
    /// the loss reads.
    struct Stages {
        let Y: Var
        let A: Var?
        let P: Var?
        var last: Var { P ?? A ?? Y }
        var lastSymbol: String { P != nil ? "P" : A != nil ? "A" : "Y" }
    }

    /// H_o for an input of `length` pixels (the op's rule; the demo has checked that it is ≥ 1).
    func outputLength(_ length: Int) -> Int {
        let (s, p, d) = (geometry.stride[0], geometry.padding[0], geometry.dilation[0])
        return (length + 2 * p - d * (kernel - 1) - 1) / s + 1
    }

    /// The layer's equation: the output size rule with this layer's numbers (the image and the
    /// kernel are square, so H_o = W_o), and the pooled size when there is a pool.
    func sizeEquation(input length: Int) -> String {
        let (s, p, d) = (geometry.stride[0], geometry.padding[0], geometry.dilation[0])
        var tex = "H_o = W_o = \\left\\lfloor \\frac{\(length) + 2 \\cdot \(p) - \(d) \\cdot (\(kernel) - 1) - 1}{\(s)} \\right\\rfloor + 1 = \(outputLength(length))"
        if pool != .none {
            tex += ", \\quad H_p = W_p = \\left\\lfloor \\frac{\(outputLength(length))}{\(poolSize)} \\right\\rfloor = \(outputLength(length) / poolSize)"
        }
        return tex
    }

    /// Runs the layer on X with kernel W and bias b, each stage in its own scope inside the
    /// scope of layer 1, its output tagged `feature_map` {layer: 1, stage}.
    func callAsFunction(_ X: Var, _ W: Var, _ b: Var) -> Stages {
        let tape = X.tape
        return tape.scope("convolution layer", kind: .layer(1), equation: sizeEquation(input: X.shape[2])) {
            let Y = tape.scope("convolution", equation: convolutionEquation) {
                conv2d(X, W, b, geometry).named("Y").tagged("feature_map", Self.context("conv"))
            }
            let A: Var? =
                relu
                ? tape.scope("ReLU", equation: "A = \\max(0, Y)") {
                    Engine.relu(Y).named("A").tagged("feature_map", Self.context("relu"))
                } : nil
            let P: Var? = pooled(A ?? Y, on: tape)
            return Stages(Y: Y, A: A, P: P)
        }
    }

    private func pooled(_ input: Var, on tape: Tape) -> Var? {
        let window = PoolWindow(poolSize)
        let source = relu ? "A" : "Y"
        switch pool {
        case .none: return nil
        case .max:
            return tape.scope("max pool", equation: "P_{o,i,j} = \\max_{u,v < \(poolSize)} \(source)_{o,\\, \(poolSize)i + u,\\, \(poolSize)j + v}") {
                maxPool2d(input, window).named("P").tagged("feature_map", Self.context("pool"))
            }
        case .avg:
            return tape.scope("average pool", equation: "P_{o,i,j} = \\frac{1}{\(poolSize * poolSize)} \\sum_{u,v < \(poolSize)} \(source)_{o,\\, \(poolSize)i + u,\\, \(poolSize)j + v}") {
                avgPool2d(input, window).named("P").tagged("feature_map", Self.context("pool"))
            }
        }
    }

    private var convolutionEquation: String {
        let (s, p, d) = (geometry.stride[0], geometry.padding[0], geometry.dilation[0])
        let row = "\(s == 1 ? "" : "\(s)")i + \(d == 1 ? "" : "\(d)")u\(p == 0 ? "" : " - \(p)")"
        let column = "\(s == 1 ? "" : "\(s)")j + \(d == 1 ? "" : "\(d)")v\(p == 0 ? "" : " - \(p)")"
        return "Y_{o,i,j} = b_o + \\sum_{c,u,v} W_{o,c,u,v} \\, X_{c,\\, \(row),\\, \(column)}"
    }

    private static func context(_ stage: String) -> [String: JSONValue] { ["layer": .int(1), "stage": .string(stage)] }

    /// Q = ½ Σ v² over every value v of the layer's last stage: ∂Q/∂v = v, so the backward pass
    /// starts from the output itself and every ∂X, ∂W, ∂b below it is a plain sum of products.
    static func loss(_ output: Var, symbol: String) -> Var {
        output.tape.scope("loss", kind: .loss, equation: "Q = \\tfrac{1}{2} \\sum_{o,i,j} \(symbol)_{o,i,j}^2") {
            (0.5 * sum(square(output))).named("Q")
        }
    }
}
