import Foundation
import Testing

@Suite("unrolled demos")
struct DemosCommandTests {
    @Test("lists every demo with its parameters, defaults and allowed values")
    func listsDemos() throws {
        let result = try CLI.run(["demos"])
        #expect(result.status == 0)
        for expected in ["neuron —", "mlp —", "--activation", "sigmoid | tanh | relu", "default sigmoid", "--train", "1…100000"] {
            #expect(result.outputText.contains(expected), "missing \(expected)")
        }
    }

    @Test("--json gives the same list for tools")
    func listsDemosAsJSON() throws {
        let result = try CLI.run(["demos", "--json"])
        #expect(result.status == 0)
        let list = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [[String: Any]])
        let names = list.compactMap { $0["name"] as? String }
        #expect(names == names.sorted() && names.contains("neuron"))
        let mlp = try #require(list.first { $0["name"] as? String == "mlp" })
        let parameters = try #require(mlp["parameters"] as? [[String: Any]])
        #expect(parameters.contains { $0["name"] as? String == "layers" })
    }

    @Test("an unknown demo name is a usage error")
    func unknownDemo() throws {
        let result = try CLI.run(["demos", "mpl"])
        #expect(result.status == 2)
        #expect(result.standardError == "error: unknown demo 'mpl'; did you mean 'mlp'?\n")
    }

    @Test("--help reads well at the top level")
    func topLevelHelp() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.outputText.contains("trace"))
        #expect(result.outputText.contains("demos"))
        #expect(result.outputText.contains("Examples:"))
    }
}
