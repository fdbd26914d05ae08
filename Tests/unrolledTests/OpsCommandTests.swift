import Foundation
import Testing

@Suite("unrolled ops")
struct OpsCommandTests {
    @Test("lists every op with its inputs and attributes, optional ones marked")
    func listsOps() throws {
        let result = try CLI.run(["ops"])
        #expect(result.status == 0)
        let lines = result.outputText.split(separator: "\n")
        // The ops listed are exactly those of the format's op table (docs/trace-format.md).
        let listed = lines.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(listed.sorted() == (try Self.documentedOps()).sorted())
        for expected in ["matmul", "2 inputs", "concat", "1 or more inputs", "conv2d", "2 or 3 inputs", "axis?: optional natural", "lr: real; no gradient rule"] {
            #expect(result.outputText.contains(expected), "missing \(expected)")
        }
    }

    /// The first column of docs/trace-format.md's op table.
    static func documentedOps() throws -> [String] {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/trace-format.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        guard let table = text.components(separatedBy: "### The op table").last?.components(separatedBy: "**Ops tied to a phase.**").first
        else { return [] }
        return table.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
    }

    @Test("--json gives each op's name, inputs, gradient and attributes for tools")
    func listsOpsAsJSON() throws {
        let result = try CLI.run(["ops", "--json"])
        #expect(result.status == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [[String: Any]])
        let slice = try #require(list.first { $0["name"] as? String == "slice" })
        #expect(slice["inputs"] as? Int == 1)
        #expect(slice["differentiable"] as? Bool == true)
        let keys = (slice["attributes"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
        #expect(keys == ["axis", "start", "end"])
        let concat = try #require(list.first { $0["name"] as? String == "concat" })
        #expect(concat["inputs"] is NSNull)
    }
}
