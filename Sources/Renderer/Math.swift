import CCmarkGFM

/// Math protection: placeholder for now, math arrives in the next commit.
struct MathProtection {
    let protectedText: String

    init(_ source: String) {
        protectedText = source
    }

    func sourceLine(_ line: Int) -> Int { line }
    func sourceText(_ text: String) -> String { text }
    func restoreSource(in node: OpaquePointer, type: cmark_node_type) {}
    func render(_ html: String) -> String { html }
}
