import Engine
import Trace

/// A recurrent network that produces its states from a sequence, one cell step per input: the
/// RNN, the LSTM and the GRU. `Bidirectional` runs any of them both ways.
///
/// The recurrent part's parameters come first in every parameter list, in the order of
/// `recurrentParameters`; a cell reads only those, by name, from its `CellParameters` (the output
/// layer, y_t = W h_t + b, which only the one-way network uses, follows them: `OneWayParameters`).
public protocol RecurrentNetwork: Sendable {
    /// What one step carries to the next: h_t, or h_t and c_t.
    associatedtype State
    /// The recurrent part's parameters by name, listed in `recurrentParameters` order.
    associatedtype CellParameters: ParameterSet

    var inputSize: Int { get }
    var hiddenSize: Int { get }
    var outputSize: Int { get }

    /// The recurrent part's parameters in drawing and binding order: their symbol, subscript and shape.
    var recurrentParameters: [RecurrentParameter] { get }

    /// The output layer's subscript, as the notes write it: `2` for the RNN's W_2, b_2; `y` for W_y, b_y.
    static var outputSubscript: String { get }

    /// The state before the first input read in `direction`: zeros, bound as inputs, named for position `t`
    /// (h_0, or hb_{T+1} for the backward direction).
    func initialState(on tape: Tape, at t: Int, _ direction: Direction) -> State

    /// The state after reading x_t, from the state of the neighbouring position read before it.
    func cell(_ x: Var, _ state: State, _ parameters: CellParameters, step t: Int, _ direction: Direction) -> State

    /// h_t of a state.
    func hidden(_ state: State) -> Var
}

/// A parameter of a recurrent part: `W` with subscript `f` is named `W_f` (TeX `W_{f}`).
public struct RecurrentParameter: Sendable {
    public let symbol: String
    public let subscriptText: String
    public let shape: [Int]

    public init(_ symbol: String, _ subscriptText: String, _ shape: [Int]) {
        self.symbol = symbol
        self.subscriptText = subscriptText
        self.shape = shape
    }
}

/// Which way a recurrent network reads x_1…x_T, and so how it names what it computes.
///
/// | | reads | state names | TeX | parameter names |
/// |---|---|---|---|---|
/// | `oneWay` | x_1…x_T | `h_2`, `c_2`, `f_2` | `h_{2}` | `W_f` |
/// | `forward` | x_1…x_T | `hf_2`, `cf_2`, `ff_2` | `\overrightarrow{h}_{2}` | `W_f_fwd` |
/// | `backward` | x_T…x_1 | `hb_2`, `cb_2`, `fb_2` | `\overleftarrow{h}_{2}` | `W_f_bwd` |
///
/// A time-indexed tensor keeps the index of the input it belongs to, so the backward direction's
/// step at t reads x_t and the state of t + 1, starting from hb_{T+1} = 0.
public enum Direction: Sendable {
    case oneWay, forward, backward

    /// The symbol in TeX, with the direction's arrow: `h`, `\overrightarrow{h}`, `\overleftarrow{h}`.
    public func symbol(_ tex: String) -> String {
        switch self {
        case .oneWay: tex
        case .forward: "\\overrightarrow{\(tex)}"
        case .backward: "\\overleftarrow{\(tex)}"
        }
    }

    /// The trace name of a time-indexed tensor: `h_2`, `hf_2`, `hb_2`.
    public func name(_ base: String, _ t: Int) -> String {
        switch self {
        case .oneWay: "\(base)_\(t)"
        case .forward: "\(base)f_\(t)"
        case .backward: "\(base)b_\(t)"
        }
    }

    /// The TeX of a time-indexed tensor: `h_{2}`, `\overrightarrow{h}_{2}`, `\overleftarrow{h}_{2}`.
    public func tex(_ base: String, _ t: Int) -> String { "\(symbol(base))_{\(t)}" }

    /// A parameter's trace name and TeX: `W_f` / `W_{f}`, `W_f_fwd` / `\overrightarrow{W}_{f}`.
    public func parameter(_ parameter: RecurrentParameter) -> (name: String, tex: String) {
        let suffix =
            switch self {
            case .oneWay: ""
            case .forward: "_fwd"
            case .backward: "_bwd"
            }
        return ("\(parameter.symbol)_\(parameter.subscriptText)\(suffix)", "\(symbol(parameter.symbol))_{\(parameter.subscriptText)}")
    }

    /// The index of the state a step reads, in equations: `t-1`, or `t+1` going backward.
    public var previous: String { self == .backward ? "t+1" : "t-1" }

    /// The position of the state a step at `t` reads.
    public func previous(_ t: Int) -> Int { self == .backward ? t + 1 : t - 1 }

    /// The positions in reading order: 1…T, or T…1 going backward.
    public func positions(_ steps: Int) -> [Int] { self == .backward ? Array((1...steps).reversed()) : Array(1...steps) }
}

extension RecurrentNetwork {
    /// Draws the recurrent part's parameters, in `recurrentParameters` order, each row-major
    /// uniform in ±1/√H (PyTorch's convention for its recurrent layers).
    func drawRecurrentParameters(using random: inout SeededGenerator) -> [Tensor] {
        let bound = 1 / Double(hiddenSize).squareRoot()
        return recurrentParameters.map { Tensor.uniform($0.shape, bound: bound, using: &random) }
    }

    /// Binds the recurrent part's parameters (the first values) as parameters named for `direction`.
    public func bindRecurrent(_ values: ArraySlice<Tensor>, on tape: Tape, _ direction: Direction) -> CellParameters {
        CellParameters(bindParameters(values, recurrentParameters, on: tape, direction))
    }

    /// Runs the cell over the inputs in `direction`'s order from the initial state, each step in
    /// its `t = k` scope, where `each` also runs (with t and the new state) after the cell.
    /// Returns the states in reading order, the initial one first: h_0…h_T, or h_{T+1}…h_1 going backward.
    public func run(
        _ inputs: [Var], _ parameters: CellParameters, _ direction: Direction = .oneWay, each: (Int, State) -> Void = { _, _ in }
    ) -> [State] {
        let tape = inputs[0].tape
        let positions = direction.positions(inputs.count)
        var states = [initialState(on: tape, at: direction.previous(positions[0]), direction)]
        for t in positions {
            tape.scope("t = \(t)", kind: direction.timeStep(t)) {
                let state = cell(inputs[t - 1], states[states.count - 1], parameters, step: t, direction)
                states.append(state)
                each(t, state)
            }
        }
        return states
    }
}

// MARK: - The one-way network: the recurrent part, then the output layer

extension RecurrentNetwork {
    /// W and b of y_t = W h_t + b, O×H and O×1, named with `outputSubscript`.
    var outputParameters: [RecurrentParameter] {
        [
            RecurrentParameter("W", Self.outputSubscript, [outputSize, hiddenSize]),
            RecurrentParameter("b", Self.outputSubscript, [outputSize, 1]),
        ]
    }

    /// The recurrent part's parameters, then the output layer's, each drawn row-major uniform in
    /// ±1/√H (PyTorch's convention for its `RNN`, `LSTM` and `GRU`, here the output layer's too).
    public func initialParameters(using random: inout SeededGenerator) -> [Tensor] {
        let bound = 1 / Double(hiddenSize).squareRoot()
        return drawRecurrentParameters(using: &random)
            + outputParameters.map { Tensor.uniform($0.shape, bound: bound, using: &random) }
    }

    /// The parameters on `tape` in `initialParameters` order, named as in the notes: `W_1`, `b_1`,
    /// `W_2`, `b_2` for the RNN.
    public func bind(_ values: [Tensor], on tape: Tape) -> OneWayParameters<Self> {
        OneWayParameters(bindParameters(values, recurrentParameters + outputParameters, on: tape, .oneWay))
    }

    /// y_t = W_y h_t + b_y (W_2, b_2 for the RNN), in the scope `output`.
    public func output(_ h: Var, _ parameters: OneWayParameters<Self>, step t: Int) -> Var {
        let (W_y, b_y, s) = (parameters.W_y, parameters.b_y, Self.outputSubscript)
        return h.tape.scope("output", equation: "y_{t} = W_\(s) h_{t} + b_\(s)") {
            (W_y • h + b_y).named("y_\(t)", tex: "y_{\(t)}").tagged("output", ["t": .int(t)])
        }
    }

    /// Runs the network over x_1…x_T from the zero state: each step's cell, then its output, in
    /// the step's `t = k` scope. Returns h_0…h_T and y_1…y_T (`run` gives whole states, c_t too).
    public func unroll(_ inputs: [Var], _ parameters: OneWayParameters<Self>) -> (states: [Var], outputs: [Var]) {
        var outputs: [Var] = []
        let states = run(inputs, parameters.cell) { t, state in outputs.append(output(hidden(state), parameters, step: t)) }
        return (states.map(hidden), outputs)
    }
}

/// The one-way network's parameters: the recurrent part's, then the output layer's W_y, b_y
/// (named W_2, b_2 in the RNN).
public struct OneWayParameters<Network: RecurrentNetwork>: ParameterSet {
    public let cell: Network.CellParameters
    public let W_y: Var
    public let b_y: Var

    public var list: [Var] { cell.list + [W_y, b_y] }

    public init(_ list: ArraySlice<Var>) {
        cell = Network.CellParameters(list.dropLast(2))
        (W_y, b_y) = (list[list.endIndex - 2], list[list.endIndex - 1])
    }
}

/// The networks whose state is h_t alone (the RNN and the GRU).
extension RecurrentNetwork where State == Var {
    /// h_0 = 0 (or the backward direction's h_{T+1}), as an input.
    public func initialState(on tape: Tape, at t: Int, _ direction: Direction) -> Var {
        tape.input(.zeros([hiddenSize, 1]), name: direction.name("h", t), tex: direction.tex("h", t)).tagged("hidden_state", direction.at(t))
    }

    public func hidden(_ state: Var) -> Var { state }
}
/// The values bound in order as the given parameters, named for `direction`.
private func bindParameters(
    _ values: some Sequence<Tensor>, _ parameters: [RecurrentParameter], on tape: Tape, _ direction: Direction
) -> [Var] {
    zip(values, parameters).map { value, parameter in
        let (name, tex) = direction.parameter(parameter)
        return tape.parameter(value, name: name, tex: tex)
    }
}
