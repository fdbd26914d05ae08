import Engine
import Foundation
import Testing
import Trace

@Suite("Backward pass structure")
struct BackwardTests {
    /// y = tanh(W • x + b), L = Σ y ⊙ y.
    func smallNetwork() -> (tape: Tape, w: Var, x: Var, b: Var, loss: Var) {
        let tape = Tape()
        let w = tape.parameter(seeded([2, 3], seed: 1), name: "W")
        let x = tape.input(seeded([3, 1], seed: 2), name: "x")
        let b = tape.parameter(seeded([2, 1], seed: 3), name: "b")
        let y = tanh(w • x + b)
        return (tape, w, x, b, sum(y * y))
    }

    @Test("forward steps are phase forward, the steps backward records are phase backward")
    func backwardIsRecordedInPhaseBackward() {
        let (tape, _, _, _, loss) = smallNetwork()
        #expect(tape.stepCount == 5)  // matmul, add, tanh, mul, sum
        tape.backward(loss)
        let trace = tape.trace(title: "net", model: "test", config: [:])
        #expect(trace.steps.count > 5)
        #expect(trace.steps.prefix(5).allSatisfy { $0.phase == .forward })
        #expect(trace.steps.dropFirst(5).allSatisfy { $0.phase == .backward && $0.output > loss.id })
        #expect(trace.steps.map(\.index) == Array(0..<trace.steps.count))
        // tanh's gradient is its local derivative, a recorded step
        #expect(trace.steps.contains { $0.op == "tanh_backward" && $0.phase == .backward })
        #expect(trace.loss == loss.id)
        #expect(trace.tensors[loss.id].role == .loss)
    }

    @Test("a tensor used twice (y = x ⊙ x + x) gets its contributions summed by a recorded add step")
    func contributionsAlongTwoPathsAreSummedByAdd() throws {
        let tape = Tape()
        let x = tape.input(T([2], [0.5, -2]), name: "x")
        let loss = sum(x * x + x)
        let gradient = try #require(tape.backward(loss)[x])
        // ∂/∂x Σ (x² + x) = 2x + 1
        #expect(gradient.value == T([2], [2, -3]))

        let trace = tape.trace(title: "twice", model: "test", config: [:])
        let final = try #require(trace.gradients[String(x.id)])
        #expect(final == gradient.id)
        #expect(trace.tensors[final].role == .gradient)
        #expect(trace.tensors[final].of == x.id)
        let step = try #require(trace.steps.first { $0.output == final })
        #expect(step.op == "add")
        #expect(step.phase == .backward)
        // every accumulation of x's contributions is an add in the backward phase, producing a gradient of x
        let accumulations = trace.steps.filter { $0.op == "add" && $0.phase == .backward && trace.tensors[$0.output].of == x.id }
        #expect(accumulations.count >= 1)
        #expect(accumulations.allSatisfy { trace.tensors[$0.output].role == .gradient })
    }

    @Test("a parameter used at two time steps has its gradient accumulated by an add, equal to finite differences")
    func parameterSharedAcrossTimeStepsAccumulates() throws {
        let tape = Tape()
        let w = tape.parameter(seeded([2, 2], seed: 4), name: "W")
        let h0 = tape.input(seeded([2, 1], seed: 5), name: "h0", requiresGradient: false)
        let h1 = tape.scope("t = 1") { tanh(w • h0) }
        let h2 = tape.scope("t = 2") { tanh(w • h1) }
        let loss = sum(h2)
        let gradient = try #require(tape.backward(loss)[w])

        let trace = tape.trace(title: "bptt", model: "test", config: [:])
        let step = try #require(trace.steps.first { $0.output == gradient.id })
        #expect(step.op == "add" && step.phase == .backward)
        #expect(trace.tensors[gradient.id].role == .gradient && trace.tensors[gradient.id].of == w.id)
        // both summands are gradient contributions for W
        #expect(step.inputs.allSatisfy { trace.tensors[$0].role == .gradient && trace.tensors[$0].of == w.id })

        let h0Value = h0.value
        let numeric = GradientCheck.numericGradients([w.value], weights: T([], [1])) { v in
            let h0 = v[0].tape.constant(h0Value, name: "h0")
            return sum(tanh(v[0] • tanh(v[0] • h0)))
        }[0]
        expectTensor(gradient.value, numeric, tolerance: 1e-6)
    }

    @Test("every gradient tensor but the loss seed is the output of a recorded step")
    func everyGradientExceptTheSeedIsProducedByAStep() throws {
        let tape = Tape()
        let e = tape.parameter(seeded([4, 3], seed: 6), name: "E")
        let w = tape.parameter(seeded([3, 3], seed: 7), name: "W")
        let b = tape.parameter(seeded([3], seed: 8), name: "b")
        let tokens = rows(e, [1, 3, 1])
        let hidden = relu(tokens • w + b)
        let joined = concat([hidden, slice(tokens, axis: 1, 0..<2)], axis: 1)
        let probabilities = softmax(joined, axis: 1)
        let loss = mean(square(probabilities - 0.2 * sigmoid(joined))) + sum(exp(b))
        tape.backward(loss)
        let trace = tape.trace(title: "mix", model: "test", config: [:])

        let produced = Set(trace.steps.map(\.output))
        let gradients = trace.tensors.filter { $0.role == .gradient }
        #expect(gradients.count > 10)
        let unproduced = gradients.filter { !produced.contains($0.id) }
        #expect(unproduced.count == 1)
        let seed = try #require(unproduced.first)
        #expect(seed.of == trace.loss)
        #expect(seed.data == [1])
        #expect(seed.shape == trace.tensors[loss.id].shape)
        // and every gradient says what it is the gradient of
        #expect(gradients.allSatisfy { $0.of != nil })
    }

    @Test("the gradients map has an entry for every parameter and gradient-requiring input, and no other")
    func gradientsMapCoversParametersAndInputs() throws {
        let tape = Tape()
        let w = tape.parameter(seeded([2, 3], seed: 9), name: "W")
        let b = tape.parameter(seeded([2, 1], seed: 10), name: "b")
        let x = tape.input(seeded([3, 1], seed: 11), name: "x")
        let scale = tape.input(seeded([2, 1], seed: 12), name: "s", requiresGradient: false)
        let target = tape.constant(seeded([2, 1], seed: 13), name: "t")
        let loss = halfSquaredError((w • x + b) * scale, target)
        let gradients = tape.backward(loss)
        let trace = tape.trace(title: "map", model: "test", config: [:])

        #expect(Set(trace.gradients.keys) == [String(w.id), String(b.id), String(x.id)])
        for variable in [w, b, x] {
            let id = try #require(trace.gradients[String(variable.id)])
            let record = trace.tensors[id]
            #expect(record.role == .gradient)
            #expect(record.of == variable.id)
            #expect(record.shape == variable.shape)
            #expect(record.data == gradients[variable]?.value.scalars)
        }
        #expect(gradients[scale] == nil)
        #expect(gradients[target] == nil)

        // by hand: with e = (W x + b) ⊙ s − t, ∂/∂b = e ⊙ s, ∂/∂W = (e ⊙ s) xᵀ, ∂/∂x = Wᵀ (e ⊙ s)
        let (wv, bv, xv, sv, tv) = (w.value, b.value, x.value, scale.value, target.value)
        var es = [Double](repeating: 0, count: 2)
        for i in 0..<2 {
            let z = (0..<3).map { wv[i, $0] * xv.scalars[$0] }.reduce(0, +) + bv.scalars[i]
            es[i] = (z * sv.scalars[i] - tv.scalars[i]) * sv.scalars[i]
        }
        expectTensor(try #require(gradients[b]).value, T([2, 1], es), tolerance: 1e-14)
        expectTensor(
            try #require(gradients[w]).value, T([2, 3], (0..<6).map { es[$0 / 3] * xv.scalars[$0 % 3] }), tolerance: 1e-14)
        expectTensor(
            try #require(gradients[x]).value, T([3, 1], (0..<3).map { j in wv[0, j] * es[0] + wv[1, j] * es[1] }),
            tolerance: 1e-14)
    }

    @Test("a chain of 5000 tanh ops backpropagates without recursion, to the product of the local derivatives")
    func deepChainBackpropagates() throws {
        let depth = 5000
        let tape = Tape()
        let x = tape.input(T([1], [0.9]), name: "x")
        var y = x
        for _ in 0..<depth { y = tanh(y) }
        let loss = sum(y)
        let gradient = try #require(tape.backward(loss)[x]).value

        // d/dx tanh∘…∘tanh = Π_k (1 − y_k²), y_k = tanh(y_{k−1}), y_0 = x
        var value = 0.9, product = 1.0
        for _ in 0..<depth {
            value = Foundation.tanh(value)
            product *= 1 - value * value
        }
        #expect(product > 0)
        #expect(close(gradient.scalar, product, tolerance: 1e-10))
        let trace = tape.trace(title: "deep", model: "test", config: [:])
        #expect(trace.steps.filter { $0.op == "tanh_backward" }.count == depth)
    }

    @Test("a gradient rule runs in the scope of the op it differentiates")
    func gradientStepsInheritTheOpsScope() throws {
        let tape = Tape()
        let w = tape.parameter(seeded([2, 2], seed: 14), name: "W")
        let x = tape.input(seeded([2, 1], seed: 15), name: "x", requiresGradient: false)
        let y = tape.scope("layer", equation: "y = \\tanh(W x)") { tanh(w • x) }
        let loss = sum(y)
        tape.backward(loss)
        let trace = tape.trace(title: "scopes", model: "test", config: [:])
        #expect(trace.scopes == [Scope(id: 0, name: "layer", parent: nil, equation: "y = \\tanh(W x)")])
        let backward = trace.steps.filter { $0.phase == .backward }
        #expect(backward.filter { ["tanh_backward", "matmul", "transpose"].contains($0.op) }.allSatisfy { $0.scope == 0 })
        #expect(backward.filter { $0.op == "broadcast_to" }.allSatisfy { $0.scope == nil })
        // x needs no gradient: only W's side of matmul's rule runs (g • xᵀ), not Wᵀ • g
        #expect(backward.filter { $0.op == "matmul" }.count == 1)
    }

    @Test("a parameter off the path to the loss gets no gradient and no entry in the gradients map")
    func noGradientOffThePath() {
        let tape = Tape()
        let a = tape.parameter(T([2], [1, 2]), name: "a")
        let unused = tape.parameter(T([2], [3, 4]), name: "unused")
        _ = unused * a
        let loss = sum(square(a))
        let gradients = tape.backward(loss)
        #expect(gradients[a]?.value == T([2], [2, 4]))
        #expect(gradients[unused] == nil)
        let trace = tape.trace(title: "off", model: "test", config: [:])
        #expect(trace.gradients[String(unused.id)] == nil)
    }
}
