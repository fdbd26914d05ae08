import Models

/// libFuzzer target: a demo parameter's value as a command line or a directive writes it
/// (`DemoParameter.parse`, then `validate`). The input is `name=value`; a name no demo has picks a
/// parameter by its length, so that every parameter kind is reached. Besides not crashing: a
/// valid value is canonical (validating it again gives it back), and an error is one short line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDemoParameter(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (name, value) = input.firstIndex(of: "=").map { (String(input[..<$0]), String(input[input.index(after: $0)...])) } ?? ("", input)
    let parameter = Demos.all.lazy.compactMap { $0.parameter(named: name) }.first ?? parameters[name.utf8.count % parameters.count]
    do {
        let valid = try parameter.validate(try parameter.parse(value))
        let again = try parameter.validate(valid)
        precondition(again == valid, "validate is not idempotent for \(parameter.name)")
    } catch {
        let message = error.message(flagPrefix: "--")
        precondition(message.count < 1_000 && !message.contains("\n"), "\(message.prefix(2_000))")
    }
    return 0
}

private let parameters = Demos.all.flatMap(\.parameters)
