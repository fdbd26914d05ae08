import Engine
import Testing
import Trace

@Suite("Shape and attribute errors")
struct ShapeErrorTests {
    /// Runs `op` on a 2×3 and (when binary) a 4×1 tensor inside scopes `t = 2` › `LSTM cell`, returning the error.
    func errorInNestedScopes(_ op: any Op, _ shapes: [[Int]]) -> OpError? {
        let tape = Tape()
        let inputs = shapes.enumerated().map { tape.constant(Tensor.zeros($1), name: "x\($0)") }
        let tensorsBefore = tape.tensorCount
        return tape.scope("t = 2") {
            tape.scope("LSTM cell") {
                do throws(OpError) {
                    _ = try tape.tryApply(op, inputs)
                    return nil
                } catch {
                    // a failed op leaves the tape as it was
                    #expect(tape.tensorCount == tensorsBefore)
                    #expect(tape.stepCount == 0)
                    return error
                }
            }
        }
    }

    @Test(
        "a shape mismatch throws an error naming the op, the scope path and both shapes",
        arguments: [
            (MatMul() as any Op, "matmul"), (Add(), "add"), (Sub(), "sub"), (Mul(), "mul"), (Div(), "div"),
            (Concat(axis: 0), "concat"),
        ] as [(any Op, String)])
    func shapeMismatchNamesOpScopeAndShapes(_ op: any Op, _ name: String) throws {
        let error = try #require(errorInNestedScopes(op, [[2, 3], [4, 1]]))
        #expect(error.op == name)
        #expect(error.scope == "t = 2 › LSTM cell")
        let text = error.description
        #expect(text.hasPrefix(name))
        #expect(text.contains("t = 2 › LSTM cell"))
        #expect(text.contains("2×3"))
        #expect(text.contains("4×1"))
    }

    @Test("reshape to a shape of another size names the op, the scope and both shapes")
    func reshapeToWrongSize() throws {
        let error = try #require(errorInNestedScopes(Reshape(shape: [4, 1]), [[2, 3]]))
        #expect(error.op == "reshape")
        #expect(error.description.contains("t = 2 › LSTM cell"))
        #expect(error.description.contains("2×3") && error.description.contains("4×1"))
    }

    @Test("sum_to a shape that does not broadcast to the input names the op, the scope and both shapes")
    func sumToIncompatibleShape() throws {
        let error = try #require(errorInNestedScopes(SumTo(shape: [4, 1]), [[2, 3]]))
        #expect(error.op == "sum_to")
        #expect(error.description.contains("t = 2 › LSTM cell"))
        #expect(error.description.contains("2×3") && error.description.contains("4×1"))
    }

    @Test(
        "ops whose shapes or attributes do not fit throw instead of computing",
        arguments: [
            (BroadcastTo(shape: [4, 1]) as any Op, [[2, 3]]),
            (Where(value: 0), [[4, 1], [2, 3]]),
            (MatMul(), [[3], [3, 1]]),
            (Concat(axis: 0), [[2, 3], [2, 3, 1]]),
            (Concat(axis: 2), [[2, 3], [2, 3]]),
            (Slice(axis: 1, start: 2, end: 4), [[2, 3]]),
            (Slice(axis: 0, start: 2, end: 1), [[2, 3]]),
            (Pad(axis: 0, before: -1, after: 0), [[2, 3]]),
            (Rows(indices: [0, 2]), [[2, 3]]),
            (Rows(indices: [-1]), [[2, 3]]),
            (RowsBackward(indices: [0, 1], count: 2), [[3, 3]]),
            (RowsBackward(indices: [5], count: 2), [[1, 3]]),
            (Transpose(perm: [0, 0]), [[2, 3]]),
            (Sum(axis: 2), [[2, 3]]),
            (Mean(axis: 2), [[2, 3]]),
            (Sum(axis: 0, axes: [1]), [[2, 3]]),
            (Mean(axes: []), [[2, 3]]),
            (Mean(axes: [1, 0]), [[2, 3]]),
            (Sum(axes: [0, 2]), [[2, 3]]),
            (Flip(axes: [2]), [[2, 3]]),
            (Flip(axes: []), [[2, 3]]),
            (RunningAverage(momentum: 1.5), [[2, 3], [2, 3]]),
            (RunningAverage(momentum: 0.1), [[2, 3], [3]]),
            (Softmax(axis: 2), [[2, 3]]),
            (LogSoftmax(axis: -1), [[2, 3]]),
            (SigmoidBackward(), [[2, 3], [3, 2]]),
            (SoftmaxBackward(axis: 0), [[2, 3], [2, 1]]),
            (SGD(learningRate: 0.1), [[2, 3], [3]]),
        ] as [(any Op, [[Int]])])
    func invalidShapesThrow(_ op: any Op, _ shapes: [[Int]]) throws {
        let error = try #require(errorInNestedScopes(op, shapes))
        #expect(error.op == op.name)
        #expect(error.description.hasPrefix("\(op.name) in t = 2 › LSTM cell: "))
    }

    @Test("a wrong number of inputs throws, naming the op and the scope")
    func wrongArityThrows() throws {
        let one = try #require(errorInNestedScopes(MatMul(), [[2, 2]]))
        #expect(one.op == "matmul" && one.scope == "t = 2 › LSTM cell")
        let three = try #require(errorInNestedScopes(Exp(), [[2], [2]]))
        #expect(three.op == "exp")
        let none = try #require(errorInNestedScopes(Concat(axis: 0), []))
        #expect(none.op == "concat")
    }

    @Test("an error at the top level says so")
    func topLevelErrorSaysTopLevel() throws {
        let tape = Tape()
        let a = tape.constant(.zeros([2, 3]), name: "a"), b = tape.constant(.zeros([4, 1]), name: "b")
        let error = try #require(throws: OpError.self) { try tape.tryApply(Add(), [a, b]) }
        #expect(error.description == "add (top level): shapes 2×3 and 4×1 do not broadcast")
    }

    @Test("an unknown op name throws an unknown-op error")
    func unknownOpThrows() throws {
        let error = try #require(throws: OpError.self) { try OpRegistry.op(named: "nope", attrs: [:]) }
        #expect(error.op == "nope")
        #expect(error.description.contains("unknown op"))
    }

    @Test(
        "missing or mistyped attributes throw, naming the op and the attribute",
        arguments: [
            ("scale", [:], "factor"),
            ("scale", ["factor": "two"], "factor"),
            ("where", [:], "value"),
            ("slice", ["axis": 0, "start": 1], "end"),
            ("slice", ["axis": "x", "start": 0, "end": 1], "axis"),
            ("sum", ["keepdims": 1], "keepdims"),
            ("sum", ["axis": 0.5], "axis"),
            ("rows", ["indices": [1.5]], "indices"),
            ("rows_backward", ["indices": [0]], "count"),
            ("reshape", ["shape": "2x3"], "shape"),
            ("transpose", ["perm": [0, "1"]], "perm"),
            ("softmax", [:], "axis"),
            ("sgd", [:], "lr"),
        ] as [(String, [String: JSONValue], String)])
    func badAttributesThrow(_ op: String, _ attrs: [String: JSONValue], _ key: String) throws {
        let error = try #require(throws: OpError.self) { try OpRegistry.op(named: op, attrs: attrs) }
        #expect(error.op == op)
        #expect(error.description.contains("'\(key)'"))
    }

    @Test("attributes decode from their JSON forms: integers as reals, NaN and ±∞ as strings")
    func attributesDecodeFromJSONForms() throws {
        let scale = try #require(try OpRegistry.op(named: "scale", attrs: ["factor": 2]) as? Scale)
        #expect(scale.factor == 2)
        let masked = try #require(try OpRegistry.op(named: "where", attrs: ["value": "-Infinity"]) as? Where)
        #expect(masked.value == -.infinity)
        let nanScale = try #require(try OpRegistry.op(named: "scale", attrs: ["factor": "NaN"]) as? Scale)
        #expect(nanScale.factor.isNaN)
        let sum = try #require(try OpRegistry.op(named: "sum", attrs: ["axis": 1.0, "keepdims": true]) as? Sum)
        #expect(sum.axis == 1 && sum.keepdims)
        let whole = try #require(try OpRegistry.op(named: "sum", attrs: ["axis": .null]) as? Sum)
        #expect(whole.axis == nil && !whole.keepdims)
    }
}
