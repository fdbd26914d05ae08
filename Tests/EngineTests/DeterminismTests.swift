import Engine
import Foundation
import Testing
import Trace

@Suite("Determinism and JSON form")
struct DeterminismTests {
    @Test("the same computation built twice gives byte-identical trace JSON", arguments: SampleTraces.names)
    func sameComputationSameBytes(_ name: String) throws {
        let first = try SampleTraces.named(name).jsonData()
        let second = try SampleTraces.named(name).jsonData()
        #expect(first == second)
        #expect(!first.isEmpty)
    }

    @Test("a different seed gives a different trace")
    func differentSeedDifferentTrace() throws {
        func trace(seed: UInt64) throws -> Data {
            let tape = Tape()
            var generator = SeededGenerator(seed: seed)
            let w = tape.parameter(Tensor.uniform([2, 2], bound: 1, using: &generator), name: "W")
            tape.backward(sum(tanh(w)))
            return try tape.trace(title: "t", model: "test", config: ["seed": .int(Int(seed))]).jsonData()
        }
        #expect(try trace(seed: 1) == trace(seed: 1))
        #expect(try trace(seed: 1) != trace(seed: 2))
    }

    @Test("NaN and ±∞ in tensor data are written as \"NaN\", \"Infinity\", \"-Infinity\" and decode back")
    func nonFiniteNumbersAreStrings() throws {
        let tape = Tape()
        let x = tape.input(T([4], [0, -1, 1, 800]), name: "x")
        let logs = log(x)  // [−∞, NaN, 0, ln 800]
        let exps = exp(x)  // [1, 1/e, e, ∞]
        let trace = tape.trace(title: "non-finite", model: "test", config: [:])
        let data = try trace.jsonData()

        // the JSON itself: tensors[k].data as JSON values
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        let logData = try #require(tensors[logs.id]["data"] as? [Any])
        #expect(logData[0] as? String == "-Infinity")
        #expect(logData[1] as? String == "NaN")
        #expect(logData[2] as? NSNumber == 0)
        let expData = try #require(tensors[exps.id]["data"] as? [Any])
        #expect(expData[3] as? String == "Infinity")
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("[\"-Infinity\",\"NaN\",0,"))

        let decoded = try TraceDocument.decode(from: data)
        let back = decoded.tensors[logs.id].data
        #expect(back[0] == -.infinity && back[1].isNaN && back[2] == 0)
        #expect(sameBits(back[3], Foundation.log(800.0)))
        #expect(decoded.tensors[exps.id].data[3] == .infinity)
        // and re-encoding the decoded trace gives the same bytes
        #expect(try decoded.jsonData() == data)
    }

    @Test("a trace decodes to the same tensors, scopes and steps, and a −∞ attr round-trips through the string \"-Infinity\"")
    func traceRoundTripsThroughJSON() throws {
        let trace = SampleTraces.attention()
        let data = try trace.jsonData()
        let decoded = try TraceDocument.decode(from: data)
        #expect(decoded.tensors == trace.tensors)
        #expect(decoded.scopes == trace.scopes)
        #expect(decoded.config == trace.config)
        #expect(decoded.loss == trace.loss && decoded.gradients == trace.gradients)
        #expect(decoded.steps.count == trace.steps.count)
        #expect(zip(decoded.steps, trace.steps).allSatisfy { sameStep($0, $1) })

        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"value\":\"-Infinity\""))
        let whereStep = try #require(decoded.steps.first { $0.op == "where" })
        let masked = try #require(try OpRegistry.op(named: "where", attrs: whereStep.attrs) as? Where)
        #expect(masked.value == -.infinity)
        #expect(try decoded.jsonData() == data)
    }

    @Test("numbers in trace JSON round-trip exactly, integers in config stay integers")
    func numbersRoundTripExactly() throws {
        let tape = Tape()
        let values: [Double] = [0.1, 1.0 / 3, -2.5e-300, 1e300, .leastNonzeroMagnitude, .pi, 123456789.125, -0.0, 2]
        _ = tape.constant(T([values.count], values), name: "c")
        let trace = tape.trace(title: "numbers", model: "test", config: ["steps": 3, "rate": 0.1])
        let data = try trace.jsonData()
        let decoded = try TraceDocument.decode(from: data)
        #expect(sameBits(decoded.tensors[0].data, values))
        #expect(decoded.config["steps"] == .int(3))
        #expect(decoded.config["rate"] == .double(0.1))
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains("\"steps\":3"))
        #expect(text.contains("0.1,"))
    }
}
