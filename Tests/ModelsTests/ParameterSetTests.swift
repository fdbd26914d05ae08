import Engine
import Models
import Testing
import Trace

/// The named parameter sets: `list` keeps the drawing order docs/models.md gives, and a set
/// rebuilt from its list holds the very same tensors; the views each demo suggests.
@Suite("parameter sets and suggested views")
struct ParameterSetTests {
    /// The names of `bind`'s list, and whether the set rebuilt from that list lists the same Vars.
    private func names<Parameters: ParameterSet>(_ bind: ([Tensor], Tape) -> Parameters, _ values: [Tensor]) -> ([String], Bool) {
        let bound = bind(values, Tape())
        let rebuilt = Parameters(bound.list)
        return (bound.list.map(\.name), rebuilt.list.map(\.id) == bound.list.map(\.id))
    }

    @Test func recurrentSetsListInTheDocumentedOrder() {
        var random = SeededGenerator(seed: 1)
        let peephole = LSTM(inputSize: 2, hiddenSize: 3, outputSize: 1, peepholes: true)
        let (lstm, same) = names({ peephole.bind($0, on: $1) }, peephole.initialParameters(using: &random))
        #expect(lstm == ["W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o", "p_f", "p_i", "p_o", "W_y", "b_y"])
        #expect(same)

        let gru = Bidirectional(GRU(inputSize: 2, hiddenSize: 3, outputSize: 1), outputSize: 1)
        let (bigru, sameBidirectional) = names({ gru.bind($0, on: $1) }, gru.initialParameters(using: &random))
        let cell = ["W_z", "b_z", "W_r", "b_r", "W_h", "b_h"]
        #expect(bigru == cell.map { $0 + "_fwd" } + cell.map { $0 + "_bwd" } + ["W_y", "b_y"])
        #expect(sameBidirectional)
    }

    @Test func transformerSetsListInTheDocumentedOrder() {
        var random = SeededGenerator(seed: 1)
        let network = EncoderDecoder(modelSize: 4, heads: 2, feedForwardSize: 3, vocabularySize: 5)
        let (listed, same) = names({ network.bind($0, on: $1) }, network.initialParameters(using: &random))
        let encoder = ["W_Q", "W_K", "W_V", "W_O", "gamma_1", "beta_1", "W_1", "b_1", "W_2", "b_2", "gamma_2", "beta_2"].map { $0 + "^enc" }
        #expect(Array(listed[..<12]) == encoder)
        #expect(listed.count == 32 && listed.suffix(2) == ["W_out", "b_out"])
        #expect(same)

        let mlp = MLP(layers: [2, 3, 4, 1], activation: .sigmoid)
        let (layers, sameLayers) = names({ mlp.bind($0, on: $1) }, mlp.initialParameters(using: &random))
        #expect(layers == ["W_1", "b_1", "W_2", "b_2", "W_3", "b_3"])
        #expect(sameLayers)
    }

    @Test("gradient-flow suggests the LSTM cell only for an lstm traced step by step")
    func gradientFlowViews() throws {
        let demo = try Demos.named("gradient-flow")
        let views = { (given: [String: JSONValue]) throws in try demo.trace(given.merging(["steps": .int(4)]) { a, _ in a }).views }
        #expect(try views(["network": .string("lstm")]) == ["lstm-cell", "unrolled", "training"])
        #expect(try views(["network": .string("lstm"), "record": .string("history")]) == ["unrolled", "training"])
        #expect(try views([:]) == ["unrolled", "training"])
    }
}
