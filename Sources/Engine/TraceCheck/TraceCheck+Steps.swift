import Trace

extension TraceCheck {
    /// Every step names an op of this build, with attrs of the right types and ranges, and the op's
    /// shape rule, applied to the recorded input shapes, gives the recorded output shape. Nothing is
    /// computed or allocated: `outputShape` works on shapes alone, with overflow checks, so an attr
    /// asking for terabytes (`broadcast_to` to 2⁴⁰ rows, a `pad` of 2⁶² zeros) is refused here.
    /// Because the recorded output fits the budget (`checkSizes`), so does every replayed one.
    static func checkSteps(_ trace: TraceDocument) throws(TraceError) {
        for (position, step) in trace.steps.enumerated() {
            let path: JSONPath = ["steps", .index(position)]
            let op: any Op
            do {
                op = try OpRegistry.op(named: step.op, attrs: step.attrs)
            } catch {
                let known = OpRegistry.names.contains(step.op)
                throw TraceError("step \(position) (\(step.op)): \(error.message)", at: path.appending(known ? "attrs" : "op"))
            }
            let shape: [Int]
            do {
                shape = try op.outputShape(step.inputs.map { trace.tensors[$0].shape })
            } catch {
                throw TraceError("step \(position) (\(step.op)): \(error.message)", at: path)
            }
            let recorded = trace.tensors[step.output].shape
            guard shape == recorded else {
                throw TraceError(
                    "step \(position) (\(step.op)) makes shape \(describe(shape)) from its inputs and attrs, "
                        + "but its output, tensor \(step.output), has shape \(describe(recorded))",
                    at: ["tensors", .index(step.output), "shape"])
            }
        }
    }
}
