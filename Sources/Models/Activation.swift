import Engine

/// A transfer function φ by name, with its TeX for equations.
public enum Activation: String, ParameterChoice {
    case sigmoid, tanh, relu

    public func callAsFunction(_ x: Var) -> Var {
        switch self {
        case .sigmoid: return Engine.sigmoid(x)
        case .tanh: return Engine.tanh(x)
        case .relu: return Engine.relu(x)
        }
    }

    /// `\sigma`, `\tanh`, `\operatorname{ReLU}`.
    public var tex: String {
        switch self {
        case .sigmoid: return "\\sigma"
        case .tanh: return "\\tanh"
        case .relu: return "\\operatorname{ReLU}"
        }
    }
}
