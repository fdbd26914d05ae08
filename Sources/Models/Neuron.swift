import Engine
import Trace

/// The neurons of the notes' table, by the φ that makes their output:
///
///     sigmoid, tanh, relu, step:  net = w · x + b,  y = φ(net)        (step: the perceptron)
///     sigmoid with steepness k:   y = σ(k · net)                      (→ the step as k → ∞)
///     softmax:                    net = W x + b,    y = softmax(net)  (a layer of K neurons)
///     rbf:                        y = exp(−‖x − c‖² / (2σ²))          (centre c, width σ)
public enum NeuronKind: String, ParameterChoice {
    case sigmoid, tanh, relu, step, softmax, rbf

    /// Whether y = φ(w · x + b) with an element-wise φ (the ones a perceptron rule or a data set takes).
    var isElementwise: Bool { ![.softmax, .rbf].contains(self) }
}

/// One neuron (or softmax layer) on one example: its math only, reading like the equations.
/// `parameters` are [w, b] (w is K×n: one row per neuron), or [c, σ] for the RBF neuron.
struct Neuron {
    let kind: NeuronKind
    /// k of σ(k · net); 1 records no scaling (the plain sigmoid).
    var steepness: Double = 1

    /// The output y and the loss Q for input x (n×1) and target t (K×1; one-hot for softmax).
    /// `example` subscripts the names (`net_2`, `y_2`) when a trace holds several examples.
    func callAsFunction(_ x: Var, target t: Var, _ parameters: [Var], example: Int? = nil) -> (y: Var, Q: Var) {
        let tape = x.tape
        let (name, tex) = (Self.names(example), Self.tex(example))
        let y: Var
        if kind == .rbf {
            let (c, σ) = (parameters[0], parameters[1])
            let distance = tape.scope("distance", equation: "\\lVert x - c \\rVert^2 = \\textstyle\\sum_i (x_i - c_i)^2") {
                sum(square((x - c).named(name("x−c"), tex: "\(tex("x")) - c"))).named(name("‖x−c‖²"), tex: "\\lVert x - c \\rVert^2")
            }
            y = tape.scope("transfer function", equation: "y = \\exp\\!\\left(-\\frac{\\lVert x - c \\rVert^2}{2\\sigma^2}\\right)") {
                exp(-(distance / (2 * square(σ)))).named(name("y"), tex: tex("y"))
            }
        } else {
            let (w, b) = (parameters[0], parameters[1])
            let net = tape.scope("net input", equation: "\\mathrm{net} = w \\cdot x + b") {
                ((w • x).named(name("w·x"), tex: "w \\cdot \(tex("x"))") + b).named(name("net"), tex: tex("\\mathrm{net}"))
            }
            y = tape.scope("transfer function", equation: "y = \(transferTeX)") { transfer(net, example: example).named(name("y"), tex: tex("y")) }
        }
        let Q = tape.scope("objective", kind: .loss, equation: kind == .softmax ? "Q = -\\textstyle\\sum_k t_k \\log y_k" : "Q = \\tfrac{1}{2}\\,(y - t)^2") {
            (kind == .softmax ? -sum(t * log(y)) : halfSquaredError(y, t)).named(name("Q"), tex: tex("Q"))
        }
        return (y, Q)
    }

    /// φ(net) for the kinds that have a net input (`k·net_2` for example 2 of several).
    private func transfer(_ net: Var, example: Int?) -> Var {
        switch kind {
        case .sigmoid:
            let scaled = { (steepness * net).named(Self.names(example)("k·net"), tex: "\(k)\\," + Self.tex(example)("\\mathrm{net}")) }
            return steepness == 1 ? sigmoid(net) : sigmoid(scaled())
        case .tanh: return tanh(net)
        case .relu: return relu(net)
        case .step: return step(net)
        case .softmax: return softmax(net, axis: 0)
        case .rbf: preconditionFailure("the RBF neuron has no net input")
        }
    }

    /// The TeX of the transfer function's equation's right-hand side.
    var transferTeX: String {
        switch kind {
        case .sigmoid: return steepness == 1 ? "\\sigma(\\mathrm{net})" : "\\sigma(\(k)\\,\\mathrm{net})"
        case .tanh: return "\\tanh(\\mathrm{net})"
        case .relu: return "\\operatorname{ReLU}(\\mathrm{net})"
        case .step: return "\\operatorname{step}(\\mathrm{net})"
        case .softmax: return "\\operatorname{softmax}(\\mathrm{net})"
        case .rbf: return "\\exp\\!\\left(-\\lVert x - c \\rVert^2 / (2\\sigma^2)\\right)"
        }
    }

    private var k: String { TeXName.number(steepness) }

    private static func names(_ example: Int?) -> (String) -> String { { base in example.map { "\(base)_\($0)" } ?? base } }
    private static func tex(_ example: Int?) -> (String) -> String { { base in example.map { "\(base)_{\($0)}" } ?? base } }
}
