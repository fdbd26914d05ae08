import Engine
import Trace

/// The `neuron` demo's own parameters.
enum NeuronParameters {
    /// How the parameters learn: by the gradient (SGD), or by Rosenblatt's rule, which needs none.
    enum Update: String, ParameterChoice { case sgd, perceptron }
    /// What the neuron learns from: the one example x, t, or the four points of a truth table.
    enum Data: String, ParameterChoice {
        case single, and, or, xor

        /// The examples (x, t) of a truth table over (0,0), (0,1), (1,0), (1,1).
        var examples: [(x: [Double], t: Double)] {
            let points: [[Double]] = [[0, 0], [0, 1], [1, 0], [1, 1]]
            let targets: [Double]
            switch self {
            case .single: return []
            case .and: targets = [0, 0, 0, 1]
            case .or: targets = [0, 1, 1, 1]
            case .xor: targets = [0, 1, 1, 0]
            }
            return zip(points, targets).map { ($0, $1) }
        }
    }

    static let activation = Parameter<NeuronKind>("activation", "the neuron: φ = sigmoid, tanh, relu or step (the perceptron), a softmax layer, or an RBF neuron", default: .sigmoid)
    static let inputs = Parameter<Int>("inputs", "number of inputs n (when x is not given)", 1...16, default: 3, scales: .size, givenMatters: true)
    static let x = OptionalParameter<[Double]>("x", "the input values (default: drawn from the seed)", count: 1...16, each: -1e6...1e6, scales: .size)
    static let w = OptionalParameter<[Double]>("w", "the weights, one per input (softmax: K rows of n, row by row; default: drawn from the seed)", count: 1...256, each: -1e6...1e6, scales: .size)
    static let b = OptionalParameter<Double>("b", "the bias (softmax: every class's; default: drawn from the seed)", min: -1e6, max: 1e6)
    static let target = Parameter<Double>("target", "the desired output t", min: -1e6, max: 1e6, default: 1, givenMatters: true)
    static let steepness = Parameter<Double>("steepness", "k of the sigmoid σ(k·net): large k approaches the step", min: 0, max: 1000, minExclusive: true, default: 1, givenMatters: true)
    static let classes = Parameter<Int>("classes", "K, the neurons of a softmax layer (one per class)", 2...16, default: 3, scales: .size, givenMatters: true)
    static let correctClass = Parameter<Int>("class", "the correct class of a softmax layer, 1…K (t is its one-hot vector)", 1...16, default: 1, givenMatters: true)
    static let centre = OptionalParameter<[Double]>("c", "the RBF neuron's centre, one value per input (default: drawn from the seed)", count: 1...16, each: -1e6...1e6, scales: .size)
    static let width = Parameter<Double>("width", "the RBF neuron's width σ", min: 0, max: 1e6, minExclusive: true, default: 1, givenMatters: true)
    static let update = Parameter<Update>("update", "the learning rule: sgd (w ← w − η ∂Q/∂w) or perceptron (w ← w + η (t − y) x; step only)", default: .sgd)
    static let data = Parameter<Data>("data", "the examples: the single x and target, or the truth table of and, or, xor (2 inputs)", default: .single)
    static let training = Training("epochs over the examples, each example one update (the first epoch is traced step by step)", 1...1000, learningRate: 0.5)
}
