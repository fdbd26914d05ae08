import Engine
import Trace

/// The tapped delay line of the notes: a line of L memory units holds the current and the L − 1
/// previous values of a signal, and the output is their weighted sum with learnable taps a_i,
///
///     ẑ_t = a_0 x_t + a_1 x_{t−1} + … + a_{L−1} x_{t−L+1}.
///
/// The notes write the tapped signal as y (the values of a layer Y); here it is the demo's input
/// sequence, named x_t like the input of every sequence demo, so the equations read
/// ẑ_t = Σ_i a_i x_{t−i}. Before the sequence starts the memory units hold zeros: x_0, x_{−1}, …,
/// x_{2−L} are recorded once as zero constants, so ẑ_1 = a_0 x_1 + a_1 x_0 + … and every tap takes
/// part at every step.
///
/// The network is **non-recurrent** (feed-forward): only past *inputs* are stored, never past
/// outputs, so ẑ_t goes to the loss and nothing is fed back; ∂Q/∂a_i is a sum of one contribution
/// per step, with no path through time between steps.
///
/// Taps (`tap-kind`): `scalar` a_i (shape [], a_i x), `vector` a_i (I×1, a_i ⊙ x) or `matrix` a_i
/// (O×I, a_i x as a matrix product). Scalar and vector taps keep the size of x_t, so the targets
/// have O = I. Shapes: x_t is I×1, ẑ_t is O×1 (I×1 for scalar and vector taps).
public struct TappedDelayLine: Sendable {
    public enum TapKind: String, Sendable, CaseIterable {
        case scalar, vector, matrix
    }

    public let taps: Int
    public let kind: TapKind
    public let inputSize: Int
    public let outputSize: Int

    public init(taps: Int, kind: TapKind, inputSize: Int, outputSize: Int) {
        precondition(kind == .matrix || inputSize == outputSize, "scalar and vector taps keep the size of the input")
        self.taps = taps
        self.kind = kind
        self.inputSize = inputSize
        self.outputSize = outputSize
    }

    /// The shape of one tap: [], I×1 or O×I.
    public var tapShape: [Int] {
        switch kind {
        case .scalar: []
        case .vector: [inputSize, 1]
        case .matrix: [outputSize, inputSize]
        }
    }

    /// a_0, …, a_{L−1}, each drawn row-major uniform in ±1/√(fan-in): the fan-in of an output
    /// element is L (scalar and vector taps) or L·I (matrix taps).
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let fanIn = kind == .matrix ? taps * inputSize : taps
        let bound = 1 / Double(fanIn).squareRoot()
        return (0..<taps).map { _ in Tensor.uniform(tapShape, bound: bound, using: &random) }
    }

    /// The taps a_0, …, a_{L−1}: `a[i]` is a_i.
    public struct Taps: ParameterSet {
        public let a: [Var]

        public var list: [Var] { a }
        public init(_ list: ArraySlice<Var>) { a = Array(list) }
    }

    /// The taps on `tape`, named `a_0`, `a_1`, … (TeX `a_{0}`).
    public func bind(_ values: [Tensor], on tape: Tape) -> Taps {
        Taps(values.enumerated().map { i, value in tape.parameter(value, name: "a_\(i)", tex: "a_{\(i)}") })
    }

    /// ẑ_1…ẑ_T for x_1…x_T: at each step, in the scopes `t = k` › `tapped delay line`, the products
    /// a_i x_{t−i} added from i = 0 up.
    public func outputs(_ inputs: [Var], _ taps: Taps) -> [Var] {
        let tape = inputs[0].tape
        // x_0, x_{−1}, …: what the memory units hold before the sequence reaches them.
        let before = (0..<(self.taps - 1)).map { k in
            tape.constant(.zeros([inputSize, 1]), name: "x_\(-k)", tex: "x_{\(-k)}").tagged("input", ["t": .int(-k)])
        }
        let line = before.reversed() + inputs  // line[L − 1 + (t − 1)] is x_t
        return inputs.indices.map { index in
            let t = index + 1
            return tape.scope("t = \(t)", kind: .timeStep(t)) {
                tape.scope("tapped delay line", kind: ScopeKind("delay_line"), equation: equation(at: t)) {
                    let terms = (0..<self.taps).map { i in product(taps.a[i], line[self.taps - 1 + index - i]) }
                    return terms.dropFirst().reduce(terms[0], +).named("zhat_\(t)", tex: "\\hat{z}_{\(t)}")
                        .tagged("delay_line_output", ["t": .int(t)])
                }
            }
        }
    }

    private func product(_ a: Var, _ x: Var) -> Var {
        switch kind {
        case .scalar, .vector: a * x
        case .matrix: a • x
        }
    }

    /// `\hat{z}_{3} = a_{0} x_{3} + a_{1} x_{2} + a_{2} x_{1}` (⊙ for vector taps).
    private func equation(at t: Int) -> String {
        let times = kind == .vector ? " \\odot " : " "
        let terms = (0..<taps).map { i in "a_{\(i)}\(times)x_{\(t - i)}" }
        return "\\hat{z}_{\(t)} = " + terms.joined(separator: " + ")
    }
}
