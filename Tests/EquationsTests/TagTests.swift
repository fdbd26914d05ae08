@testable import Equations
import Testing
import Trace

/// `tag h hidden_state`: each tensor of the sequence is tagged with its index, so the viewer's
/// Unrolled view finds the states of a recurrence written as equations.
@Suite("Equations: tags for the viewer")
struct TagTests {
    static let recurrence = """
        input x[1..3] : 2x1
        param W : 2x2
        const h[0] = zeros(2, 1)
        h[t] = tanh(W h[t-1] + x[t]) for t = 1..3
        loss Q = sum(h[3])
        tag h hidden_state
        """

    @Test("every h[t] is tagged hidden_state with its t, h[0] included; the trace suggests the Unrolled view")
    func tagged() throws {
        for train in [0, 1, 3] {
            let trace = try trace(Self.recurrence, ["train": .int(train)])
            for t in 0...3 {
                let h = try trace.tensor("h_\(t)")
                #expect(h.tags == ["quantity": .string("hidden_state"), "t": .int(t)], "h_\(t), train \(train)")
            }
            #expect(trace.views?.first == "unrolled", "train \(train)")
            // The views take each root scope for a pass: one root, whatever the number of time steps.
            let roots = trace.scopes.filter { $0.parent == nil }
            #expect(roots.count == max(1, min(train, 1)), "train \(train): \(roots.map(\.name))")
        }
        let untagged = try trace(Self.recurrence.replacingOccurrences(of: "tag h hidden_state", with: ""))
        #expect(untagged.views == [] && untagged.tensors.allSatisfy { $0.tags == nil })
    }

    @Test("a tag names a sequence of the program and a quantity the viewer knows")
    func errors() {
        // Five lines and the tag's line, 6.
        let base = Self.recurrence.replacingOccurrences(of: "tag h hidden_state", with: "")
        let cases: [(String, Int, Int, String)] = [
            ("tag h hidden_stat", 6, 7, "unknown tag 'hidden_stat'; did you mean hidden_state?"),
            ("tag g hidden_state", 6, 5, "unknown name 'g'"),
            ("tag W hidden_state", 6, 5, "W is a single tensor"),
            ("tag h hidden_state\ntag h cell_state", 7, 5, "h is tagged twice"),
            ("tag h", 6, 6, "expected what h is after its name (tag h hidden_state)"),
        ]
        for (line, row, column, words) in cases {
            let found = diagnostics(base + line).filter { $0.severity == .error }
            #expect(found.count == 1, "\(line): \(found)")
            #expect(found.first?.position == SourcePosition(line: row, column: column), "\(line): \(found)")
            #expect(found.first?.message.contains(words) == true, "\(line): \(found)")
        }
    }
}
