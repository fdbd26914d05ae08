import Engine

/// A transfer function φ by name, with its TeX for equations.
enum Activation: String, Sendable {
    case sigmoid, tanh, relu

    init(_ name: String) {
        guard let activation = Activation(rawValue: name) else {
            preconditionFailure("activation '\(name)' passed validation but is unknown")
        }
        self = activation
    }

    func callAsFunction(_ x: Var) -> Var {
        switch self {
        case .sigmoid: return Engine.sigmoid(x)
        case .tanh: return Engine.tanh(x)
        case .relu: return Engine.relu(x)
        }
    }

    /// `\sigma`, `\tanh`, `\operatorname{ReLU}`.
    var tex: String {
        switch self {
        case .sigmoid: return "\\sigma"
        case .tanh: return "\\tanh"
        case .relu: return "\\operatorname{ReLU}"
        }
    }
}
