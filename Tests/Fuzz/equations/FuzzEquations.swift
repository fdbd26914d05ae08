import Engine
import Equations

/// libFuzzer target: an equations text (`EquationProgram(parsing:)`), as the `equations` directive,
/// `unrolled trace --equations` and the demo read it. Besides not crashing or hanging: every
/// diagnostic is one line under 1,000 characters, positioned inside the text (line 1 to the number
/// of lines + 1, column at least 1). A small program that checks is also recorded, forward and
/// backward: the recorder stops the run if an equation that checked fails to record, so a shape
/// rule of the check that differs from the op's is a crash here.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEquations(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.count
    let program: EquationProgram
    do {
        program = try EquationProgram(parsing: text)
    } catch {
        precondition(!error.errors.isEmpty, "thrown without an error: \(error.description.prefix(2_000))")
        check(error.diagnostics, lines: lines)
        return 0
    }
    check(program.warnings, lines: lines)
    if isSmall(program) { record(program) }
    return 0
}

private func check(_ diagnostics: [EquationDiagnostic], lines: Int) {
    for diagnostic in diagnostics {
        let text = diagnostic.description
        precondition(text.count < 1_000 && !text.contains("\n") && !text.contains("\r"), "\(text.prefix(2_000))")
        precondition((1...lines + 1).contains(diagnostic.position.line) && diagnostic.position.column >= 1, "outside the text: \(text.prefix(2_000))")
    }
}

/// Recording computes every number: kept to programs whose tensors are small, so that a slow input
/// is a slow parser and not a large matrix product.
private func isSmall(_ program: EquationProgram) -> Bool {
    let keys = program.computed + program.parameters
    return program.computed.count <= 500 && keys.allSatisfy { (program.shape(of: $0)?.reduce(1, *) ?? 0) <= 4_096 }
}

private func record(_ program: EquationProgram) {
    var random = SeededGenerator(seed: 1)
    let values = program.values(drawingFrom: &random)
    guard values.values.allSatisfy({ $0.count <= 4_096 }) else { return }
    let tape = Tape()
    let computed = program.forward(on: tape, leaves: program.bind(values, on: tape))
    if let loss = program.loss, let Q = computed[loss] { _ = tape.backward(Q) }
}
