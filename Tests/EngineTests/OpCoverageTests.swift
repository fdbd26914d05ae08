import Engine
import Testing
import Trace

@Suite("Op registry coverage")
struct OpCoverageTests {
    @Test("every op kind in the registry has hand-derived forward cases")
    func everyRegisteredOpHasForwardCases() {
        let registered = Set(OpRegistry.names)
        let covered = Set(ForwardCases.all.map(\.op.name))
        #expect(registered.subtracting(covered).isEmpty, "no forward case: \(registered.subtracting(covered).sorted())")
        #expect(covered.subtracting(registered).isEmpty)
    }

    @Test("registry labels are unique and each kind rebuilds itself by its label")
    func registryLabelsAreUnique() throws {
        #expect(Set(OpRegistry.names).count == OpRegistry.kinds.count)
        for c in ForwardCases.all {
            let rebuilt = try OpRegistry.op(named: c.op.name, attrs: c.op.attrs)
            #expect(type(of: rebuilt) == type(of: c.op), "\(c.testDescription)")
        }
    }

    @Test("an op rebuilt from its recorded attrs computes bitwise the same output", arguments: ForwardCases.all)
    func opRebuiltFromAttrsComputesTheSame(_ c: ForwardCase) throws {
        let original = try c.op.forward(c.inputs)
        let rebuilt = try OpRegistry.op(named: c.op.name, attrs: c.op.attrs)
        let replayed = try rebuilt.forward(c.inputs)
        #expect(replayed.shape == original.shape)
        #expect(sameBits(replayed.scalars, original.scalars))
        #expect(rebuilt.attrs == c.op.attrs)
    }

    @Test("a step's recorded attrs and label are the op's", arguments: ForwardCases.all)
    func recordedStepCarriesAttrs(_ c: ForwardCase) throws {
        let tape = Tape()
        let output = try tape.tryApply(c.op, c.inputs.enumerated().map { tape.constant($1, name: "x\($0)") })
        let trace = tape.trace(title: "", model: "", config: [:])
        #expect(trace.steps.count == 1)
        let step = try #require(trace.steps.first)
        #expect(step.op == c.op.name)
        #expect(step.attrs == c.op.attrs)
        #expect(step.output == output.id)
        #expect(step.inputs == Array(0..<c.inputs.count))
        #expect(step.phase == .forward)
        #expect(trace.tensors[output.id].role == .activation)
    }
}
