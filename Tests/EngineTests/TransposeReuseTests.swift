import Engine
import Testing
import Trace

/// The backward pass of an unrolled network needs Wᵀ at every step; the tape records it once.
@Suite("Transpose reuse")
struct TransposeReuseTests {
    @Test func aWeightUsedAtThreeStepsIsTransposedOnceInTheBackwardPass() throws {
        let tape = Tape()
        let W = tape.parameter(Tensor(rows: [[0.5, -1], [2, 0.25]]), name: "W")
        var h = tape.input(Tensor(column: [1, -2]), name: "h_0")
        for t in 1...3 { h = tape.scope("t = \(t)") { tanh(W • h) } }
        tape.backward(sum(h))
        let trace = tape.trace(title: "reuse", model: "test", config: [:])
        let transposesOfW = trace.steps.filter { $0.op == "transpose" && $0.inputs == [W.id] }
        #expect(transposesOfW.count == 1)
        // ∂Q/∂h_2, ∂Q/∂h_1 and ∂Q/∂h_0 (h_0 is an input that wants a gradient) all multiply by that Wᵀ.
        let users = trace.steps.filter { $0.inputs.contains(transposesOfW[0].output) }
        #expect(users.count == 3)
        #expect(users.allSatisfy { $0.op == "matmul" && $0.phase == .backward })
    }

    @Test func transposeWithAPermutationIsNotShared() {
        let tape = Tape()
        let x = tape.input(Tensor(shape: [2, 3, 1], scalars: [1, 2, 3, 4, 5, 6]), name: "x")
        let a = transpose(x, [2, 0, 1]), b = transpose(x, [2, 0, 1])
        #expect(a.id != b.id)
        #expect(a.value == b.value)
    }
}
