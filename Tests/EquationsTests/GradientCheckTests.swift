import Engine
@testable import Equations
import Testing

/// The gradients a program records against central differences of its own loss, for the
/// programs that reach every op: what the language adds between the text and the engine's ops
/// (operands, attributes, a reshaped bias, folded numbers) must leave the backward pass right.
@Suite("Equations: gradients against central differences")
struct GradientCheckTests {
    @Test("∂Q/∂p for every element of every parameter and input equals (Q(p + h) − Q(p − h)) / 2h", arguments: ReachabilityTests.programs.keys.sorted())
    func centralDifferences(_ name: String) throws {
        let p = try program(try #require(ReachabilityTests.programs[name]))
        let loss = try #require(p.loss)
        var random = SeededGenerator(seed: 7)
        let values = p.values(drawingFrom: &random)
        let tape = Tape()
        let bound = p.bind(values, on: tape)
        let gradients = tape.backward(try #require(p.forward(on: tape, leaves: bound)[loss]))

        func Q(_ values: [TensorKey: Tensor]) -> Double {
            let tape = Tape(recording: false)
            return p.forward(on: tape, leaves: p.bind(values, on: tape))[loss]!.value.scalars[0]
        }
        let h = 1e-6
        var checked = 0
        for leaf in p.leaves where leaf.role != .const {
            let gradient = try #require(gradients[bound[leaf.key]!], "no gradient of \(leaf.key)").value
            let value = values[leaf.key]!
            #expect(gradient.shape == value.shape, "\(leaf.key)")
            for i in value.scalars.indices {
                var (up, down) = (values, values)
                up[leaf.key]!.scalars[i] += h
                down[leaf.key]!.scalars[i] -= h
                let difference = (Q(up) - Q(down)) / (2 * h)
                #expect(
                    abs(gradient.scalars[i] - difference) <= 1e-6 * max(1, abs(difference)),
                    "∂Q/∂\(leaf.key)[\(i)]: recorded \(gradient.scalars[i]), central difference \(difference)")
                checked += 1
            }
        }
        #expect(checked >= 9, "every element of every parameter and input")
    }
}
