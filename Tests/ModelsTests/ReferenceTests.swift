import Models
import Testing
import Trace

/// The demos against `Tests/Fixtures/models`, reference values from an independent numpy
/// implementation (`python3 Tests/Fixtures/reference_models.py` regenerates them).
@Suite("Reference values from numpy")
struct ReferenceTests {
    @Test func fixturesArePresent() throws {
        let fixtures = try ModelFixture.all()
        #expect(fixtures.count >= 13)
        #expect(Set(fixtures.map(\.demo)) == ["neuron", "mlp"])
        #expect(Set(fixtures.map(\.case)).count == fixtures.count)
    }

    @Test("Every traced tensor, gradient and history loss matches the reference", arguments: ModelFixture.cases)
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(trace.model == fixture.demo)
        let deviation = compare(trace, with: fixture)
        #expect(deviation.values > 0)
    }

    /// The overall agreement, printed for the record.
    @Test func largestDeviationOverAllFixtures() throws {
        var overall = Deviation()
        for fixture in try ModelFixture.all() {
            let deviation = compare(try runDemo(fixture.demo, fixture.parameters), with: fixture)
            print("ModelsTests: \(fixture.case): max relative error \(deviation.relative) over \(deviation.values) values")
            overall.merge(deviation)
        }
        print(
            "ModelsTests: \(overall.values) values compared with the numpy reference; "
                + "max relative error \(overall.relative), max |error| where the reference is 0: \(overall.absoluteAtZero)")
        #expect(overall.values > 0)
    }

    /// The fixture's parameters pass validation as they are and appear in the trace's config.
    @Test(arguments: ModelFixture.cases)
    func configRecordsTheParameters(_ fixture: ModelFixture) throws {
        let demo = try Demos.named(fixture.demo)
        let trace = try demo.trace(fixture.parameters)
        let resolved = try demo.resolve(fixture.parameters)
        // What a demo works out replaces the default: the neuron's n from x or w, XOR's 4 samples.
        var expected = resolved.values
        if fixture.demo == "neuron", let n = (fixture.parameters["x"] ?? fixture.parameters["w"])?.doubleArray?.count {
            expected["inputs"] = .int(n)
        }
        if fixture.demo == "mlp", resolved.values["data"] == .string("xor") { expected["samples"] = .int(4) }
        // A neuron's trace leaves out what other neurons read: these are sigmoid, tanh and ReLU neurons.
        if fixture.demo == "neuron" {
            for key in ["classes", "class", "width"] + (resolved.values["activation"] == .string("sigmoid") ? [] : ["steepness"]) {
                expected[key] = nil
            }
        }
        #expect(trace.config == expected)
        for (name, value) in fixture.parameters {
            #expect(trace.config[name]?.doubleValue == value.doubleValue)
            #expect(trace.config[name]?.stringValue == value.stringValue)
            #expect(trace.config[name]?.doubleArray == value.doubleArray)
        }
    }
}
