import Engine
import Foundation
import Testing
import Trace

/// A change that breaks a trace, for the parameterized tests below.
typealias TraceChange = @Sendable (inout TraceDocument) -> Void

@Suite("Checking a trace from elsewhere (TraceCheck)")
struct TraceCheckTests {
    /// The first problem TraceCheck finds in the attention sample after `change`.
    func problem(limits: TraceLimits = .standard, _ change: (inout TraceDocument) throws -> Void) throws -> TraceError {
        var trace = SampleTraces.attention()
        try change(&trace)
        return try #require(throws: TraceError.self) { try TraceCheck.check(trace, limits: limits) }
    }

    /// The index of the first step with this op in the attention sample.
    static func step(_ op: String) -> Int {
        SampleTraces.attention().steps.firstIndex { $0.op == op }!
    }

    @Test("every sample trace passes, decoded or in memory", arguments: SampleTraces.names)
    func samplesPass(_ name: String) throws {
        let trace = SampleTraces.named(name)
        try TraceCheck.check(trace)
        #expect(try TraceCheck.load(trace.jsonData()).tensors.count == trace.tensors.count)
    }

    @Test("a shape whose element count overflows is refused, and replaying a step that reads it throws instead of trapping")
    func overflowingShape() throws {
        let error = try problem { $0.tensors[0].shape = [4_294_967_296, 4_294_967_296, 4] }
        #expect(error.path == ["tensors", 0, "shape"])
        #expect(error.message.hasPrefix("the shape 4294967296×4294967296×4 of tensor 0 is not one a tensor may have"))
        var trace = SampleTraces.attention()
        trace.tensors[0].shape = [4_294_967_296, 4_294_967_296, 4]
        let reader = try #require(trace.steps.first { $0.inputs.contains(0) })
        #expect(throws: OpError.self) { try OpRegistry.replay(reader, in: trace) }
        #expect(Tensor.checkedCount(of: [4_294_967_296, 4_294_967_296, 4]) == nil)
        #expect(Tensor.checkedCount(of: [1 << 40, 0]) == nil)  // an empty tensor cannot carry a huge dimension either
        #expect(Tensor.checkedCount(of: [3, -1]) == nil)
        #expect(Tensor.checkedCount(of: [3, 0]) == 0)
        #expect(Tensor.checkedCount(of: []) == 1)
        #expect(Tensor.checkedCount(of: [1 << 13, 1 << 14]) == Tensor.maxCount)
    }

    @Test(
        "attrs asking for a huge output are refused before anything is allocated, by the check and by replay alone",
        arguments: [
            ("broadcast_to", "shape", .array([.int(1 << 40), .int(1 << 40)]), "1099511627776×1099511627776"),
            ("pad", "before", .int(1 << 62), "4×4611686018427387911"),
            ("pad", "after", .int(Int.max), "4×9223372036854775807"),  // the sum saturates instead of overflowing
            ("rows_backward", "count", .int(1 << 40), "1099511627776×"),
        ] as [(String, String, JSONValue, String)])
    func hugeOutputs(_ op: String, _ key: String, _ value: JSONValue, _ shape: String) throws {
        let index = Self.step(op)
        var trace = SampleTraces.attention()
        trace.steps[index].attrs[key] = value
        let error = try #require(throws: TraceError.self) { try TraceCheck.check(trace) }
        #expect(error.path == ["steps", .index(index)])
        #expect(error.message.contains("the output would have shape \(shape)"), "\(error.message)")
        #expect(error.message.contains("at most \(Tensor.maxCount) values"))
        let replay = try #require(throws: OpError.self) { try OpRegistry.replay(trace.steps[index], in: trace) }
        #expect(replay.message.contains(shape))
    }

    /// Ids that name nothing (or break the ids-are-positions rule): the path and message expected.
    static let danglingIDCases: [(String, String, TraceChange)] = [
        ("steps[3].inputs[0]", "step 3 reads tensor 999, which the trace does not have", { $0.steps[3].inputs[0] = 999 }),
        ("steps[3].output", "step 3 makes tensor 999", { $0.steps[3].output = 999 }),
        ("steps[3].scope", "step 3 is in scope 99, which the trace does not have", { $0.steps[3].scope = 99 }),
        ("steps[3].index", "step 3 has index 7", { $0.steps[3].index = 7 }),
        ("steps[4].output", "which step 3 made already", { $0.steps[4].output = $0.steps[3].output }),
        ("steps[3].inputs[0]", "inputs come before the output", { $0.steps[3].inputs[0] = $0.steps[3].output }),
        ("tensors[2].id", "tensor 2 has id 5", { $0.tensors[2].id = 5 }),
        ("tensors[2].of", "tensor 2 is of tensor -1", { $0.tensors[2].of = -1 }),
        ("scopes[1].parent", "the parent of scope 1 is scope 99", { $0.scopes[1].parent = 99 }),
        ("loss", "the loss is tensor 999", { $0.loss = 999 }),
        (#"gradients["0"]"#, "the gradient of tensor 0 is tensor 999", { $0.gradients["0"] = 999 }),
        (#"gradients["007"]"#, #"the key "007" is not a tensor id"#, { $0.gradients["007"] = 1 }),
    ]

    @Test("an id that names nothing is refused, at the path of the id", arguments: danglingIDCases)
    func danglingIDs(_ path: String, _ message: String, _ change: TraceChange) throws {
        let error = try problem(change)
        #expect(error.path.description == path)
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("a cycle in the scope tree is refused, naming its scopes")
    func scopeCycle() throws {
        let error = try problem {
            $0.scopes[0].parent = 1
            $0.scopes[1].parent = 0
        }
        #expect(error.message.hasPrefix("the scopes' parents form a cycle: scope 0 → scope 1 → scope 0"))
        #expect(error.path == ["scopes", 0, "parent"])
        let selfParent = try problem { $0.scopes[1].parent = 1 }
        #expect(selfParent.message.hasPrefix("the scopes' parents form a cycle: scope 1 → scope 1"))
    }

    @Test("data that does not fill its shape is refused, and so are labels that do not fit their axes")
    func wrongDataLength() throws {
        let error = try problem { $0.tensors[0].data.append(1) }
        #expect(error.path == ["tensors", 0, "data"])
        #expect(error.message == "tensor 0 has 16 values, its shape 5×3 needs 15")
        let labelled = try #require(SampleTraces.attention().tensors.firstIndex { $0.labels != nil })
        let labels = try problem { $0.tensors[labelled].labels = [["a"], nil] }
        #expect(labels.path == ["tensors", .index(labelled), "labels", 0])
    }

    @Test("a trace over the budget is refused with an error naming the limit")
    func overBudget() throws {
        let values = try problem(limits: TraceLimits(bytes: .max, values: 40)) { _ in }
        #expect(values.message.hasSuffix("more than the 40 a trace may have (TraceLimits)"))
        let data = try SampleTraces.attention().jsonData()
        let bytes = try #require(throws: TraceError.self) { try TraceCheck.load(data, limits: TraceLimits(bytes: 1000, values: .max)) }
        #expect(bytes.message == "the file has \(data.count) bytes, more than the 1000 a trace may have (TraceLimits)")
        #expect(TraceLimits.standard == TraceLimits(bytes: 256 << 20, values: 1 << 24))
        // The attention trace's first step is a 4×… matmul; a budget of 10 operations stops the replay there.
        let work = try problem(limits: TraceLimits(bytes: .max, values: .max, operations: 10)) { _ in }
        #expect(work.path == ["steps", 0])
        #expect(work.message.hasSuffix("more than the 10 a trace may take (TraceLimits)"))
    }

    @Test("a convolution of two large recorded tensors is refused before it runs, not replayed for minutes")
    func convolutionOverTheOperationBudget() throws {
        // 512×512 image, 256×256 kernel: 257² outputs × 65,536 taps ≈ 4.3·10⁹ products, 8.7·10⁹ operations.
        let tape = Tape()
        let x = tape.constant(Tensor(shape: [1, 1, 512, 512], scalars: Array(repeating: 0, count: 512 * 512)), name: "x")
        let w = tape.constant(Tensor(shape: [1, 1, 256, 256], scalars: Array(repeating: 0, count: 256 * 256)), name: "w")
        var trace = tape.trace(title: "", model: "", config: [:])
        trace.tensors.append(TensorRecord(id: 2, name: "y", tex: "y", role: .activation, shape: [1, 1, 257, 257], data: Array(repeating: 0, count: 257 * 257)))
        trace.steps.append(Step(index: 0, phase: .forward, op: "conv2d", inputs: [x.id, w.id], output: 2, attrs: Conv2D().attrs, scope: nil))
        let error = try #require(throws: TraceError.self) { try TraceCheck.check(trace, limits: TraceLimits(bytes: .max, values: .max, operations: 0x1p33)) }
        #expect(error.message.contains("more than the 8589934592 a trace may take"))
    }

    @Test(
        "attrs of the wrong type or out of range are refused, naming the op and the attribute",
        arguments: [
            ("softmax", "axis", "x" as JSONValue, "attrs", "attribute 'axis' must be an integer, got x"),
            ("softmax", "axis", .int(7), "", "axis 7 is out of range for shape 4×4"),
            ("rows", "indices", [0, 9], "", "row 9 is out of range for shape 5×3"),
            ("rows_backward", "count", .int(-1), "", "count must be ≥ 0, got -1"),
            ("broadcast_to", "shape", [4, -5], "", "the output would have shape 4×-5, which is not one a tensor may have"),
            ("transpose", "perm", [0, 0], "", "perm [0, 0] is not a permutation"),
            ("sgd", "lr", "fast", "attrs", "attribute 'lr' must be a number, got fast"),
            ("softmax", "axes", .int(1), "attrs", "unknown attribute 'axes' (softmax takes axis)"),
            ("matmul", "transpose", .bool(true), "attrs", "unknown attribute 'transpose' (matmul takes no attributes)"),
        ] as [(String, String, JSONValue, String, String)])
    func badAttributes(_ op: String, _ key: String, _ value: JSONValue, _ field: String, _ message: String) throws {
        let index = Self.step(op)
        let error = try problem { $0.steps[index].attrs[key] = value }
        #expect(error.path == JSONPath(["steps", .index(index)] + (field.isEmpty ? [] : [.key(field)])))
        #expect(error.message.hasPrefix("step \(index) (\(op)): "))
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("an op this build does not know is refused at its name")
    func unknownOp() throws {
        let error = try problem { $0.steps[2].op = "conv9d" }
        #expect(error.path == ["steps", 2, "op"])
        #expect(error.message.hasPrefix("step 2 (conv9d): unknown op"))
    }

    @Test("an output whose shape is not the one the op makes is refused before any replay")
    func outputOfAnotherShape() throws {
        let index = Self.step("matmul")
        var output = 0
        let error = try problem {
            output = $0.steps[index].output
            $0.tensors[output].shape = [$0.tensors[output].data.count]
        }
        #expect(error.path == ["tensors", .index(output), "shape"])
        #expect(error.message.contains("step \(index) (matmul) makes shape"))
    }

    @Test("a recorded value that does not replay is refused at that value")
    func valueDoesNotReplay() throws {
        let index = Self.step("softmax")
        var output = 0
        let error = try problem {
            output = $0.steps[index].output
            $0.tensors[output].data[5] += 0.25
        }
        #expect(error.path == ["tensors", .index(output), "data", 5])
        #expect(error.message.hasPrefix("step \(index) (softmax) gives "))
    }

    @Test("load names the line and column of the offending value in the bytes")
    func loadLocatesTheProblem() throws {
        var trace = SampleTraces.attention()
        trace.steps[3].inputs[0] = 999
        let data = try trace.jsonData()
        let error = try #require(throws: TraceError.self) { try TraceCheck.load(data) }
        let position = try #require(error.position)
        let text = String(decoding: data, as: UTF8.self)
        #expect(position.line == 1)
        #expect(text.dropFirst(position.column - 1).hasPrefix("999]"))
        #expect(error.description(file: "x.json").hasPrefix("x.json:1:\(position.column): not a valid Unrolled trace: steps[3].inputs[0]: "))
    }
}
