import Engine
import Models
import Testing
import Trace

/// The `birnn`, `bilstm` and `bigru` demos: numpy reference values, gradients, the two directions.
@Suite("birnn, bilstm, bigru: numpy reference, finite differences, directions")
struct BidirectionalTests {
    static let demos: Set<String> = ["birnn", "bilstm", "bigru"]

    @Test func fixturesArePresent() throws {
        let fixtures = try RecurrentFixtures.all(of: Self.demos)
        #expect(fixtures.count >= 14)
        #expect(Set(fixtures.map(\.demo)) == Self.demos)
        #expect(Set(fixtures.map(\.case)).count == fixtures.count)
    }

    @Test("Both directions' states, the outputs, loss, gradients and updates match the reference to 1e-10", arguments: RecurrentFixtures.cases(of: demos))
    func matchesReference(_ fixture: ModelFixture) throws {
        let trace = try runDemo(fixture.demo, fixture.parameters)
        #expect(trace.model == fixture.demo)
        let deviation = compare(trace, with: fixture, accepts: RecurrentFixtures.accepts)
        #expect(deviation.values > 0)
        let steps = trace.config["steps"]!.intValue!
        for name in ["hf_0", "hf_\(steps)", "hb_1", "hb_\(steps + 1)", "h_1"] {
            #expect(fixture.tensors.contains { $0.name == name }, "\(fixture.case) lists \(name)")
        }
    }

    @Test func largestDeviationOverAllFixtures() throws {
        let overall = try RecurrentFixtures.compareAll(RecurrentFixtures.all(of: Self.demos), label: "BidirectionalTests")
        #expect(overall.values > 0 && overall.relative <= 1e-10)
    }

    // MARK: Finite differences

    /// `bind` and `outputs` of the demo's network, for a trace's sizes.
    private static func network(_ demo: String, _ trace: TraceDocument)
        -> (([Tensor], Tape) -> ListedParameters, ([Var], ListedParameters) -> [Var])
    {
        let (I, H, O) = (trace.config["input"]!.intValue!, trace.config["hidden"]!.intValue!, trace.config["output-size"]!.intValue!)
        switch demo {
        case "birnn":
            let network = Bidirectional(RNN(inputSize: I, hiddenSize: H, outputSize: O), outputSize: O)
            return ({ ListedParameters(network.bind($0, on: $1).list) }, { network.unroll($0, .init($1.list)).outputs })
        case "bilstm":
            let network = Bidirectional(LSTM(inputSize: I, hiddenSize: H, outputSize: O), outputSize: O)
            return ({ ListedParameters(network.bind($0, on: $1).list) }, { network.unroll($0, .init($1.list)).outputs })
        default:
            let network = Bidirectional(GRU(inputSize: I, hiddenSize: H, outputSize: O), outputSize: O)
            return ({ ListedParameters(network.bind($0, on: $1).list) }, { network.unroll($0, .init($1.list)).outputs })
        }
    }

    @Test("The recorded gradient of every parameter of both directions agrees with central differences", arguments: ["birnn", "bilstm", "bigru"], RecurrentGradientCheck.configs.indices)
    func finiteDifferences(_ demo: String, _ config: Int) throws {
        let trace = try runDemo(demo, RecurrentGradientCheck.configs[config])
        let (bind, outputs) = Self.network(demo, trace)
        let worst = try RecurrentGradientCheck.check(trace, bind: bind, outputs: outputs)
        print("BidirectionalTests: finite differences, \(demo), config \(config): max error \(worst)")
    }

    // MARK: Directions

    @Test func backwardDirectionStartsAtTheLastInput() throws {
        let trace = try runDemo("bilstm", ["steps": 4])
        let forward = try #require(trace.steps.first { trace.scopeNames($0.scope).contains("forward direction") })
        let backward = try #require(trace.steps.first { trace.scopeNames($0.scope).contains("backward direction") })
        let id = { (name: String) in trace.value(named: name)!.id }
        // Each direction's first step joins its zero state with the input it reads first.
        #expect(forward.op == "concat" && forward.inputs == [id("hf_0"), id("x_1")])
        #expect(backward.op == "concat" && backward.inputs == [id("hb_5"), id("x_4")])
        #expect(trace.scopeNames(backward.scope) == ["iteration 1", "backward direction", "t = 4", "LSTM cell"])
        // …and then x_3, x_2, x_1, each step reading the state of the position after it.
        for t in 1...3 {
            let joined = try #require(trace.value(named: "hxb_\(t)"))
            let step = try #require(trace.steps.first { $0.output == joined.id })
            #expect(step.inputs == [id("hb_\(t + 1)"), id("x_\(t)")])
        }
        let order = trace.steps.filter { $0.op == "concat" && trace.scopeNames($0.scope).contains("backward direction") }
            .map { trace.tensors[$0.output].name }
        #expect(order == ["hxb_4", "hxb_3", "hxb_2", "hxb_1"])
    }

    @Test func scopesNamesAndOutputs() throws {
        let trace = try runDemo("bigru", ["steps": 3, "hidden": 2, "output-size": 3, "input": 2])
        let topLevel = trace.scopes.filter { $0.parent == 0 }.map(\.name)
        #expect(topLevel == ["forward direction", "backward direction", "t = 1", "t = 2", "t = 3", "loss"])
        let parameters = trace.tensors.filter { $0.role == .parameter && $0.version == nil }
        #expect(
            parameters.map(\.name) == [
                "W_z_fwd", "b_z_fwd", "W_r_fwd", "b_r_fwd", "W_h_fwd", "b_h_fwd",
                "W_z_bwd", "b_z_bwd", "W_r_bwd", "b_r_bwd", "W_h_bwd", "b_h_bwd", "W_y", "b_y",
            ])
        #expect(trace.value(named: "W_z_fwd")?.tex == "\\overrightarrow{W}_{z}")
        #expect(trace.value(named: "W_z_bwd")?.tex == "\\overleftarrow{W}_{z}")
        #expect(trace.value(named: "hb_2")?.tex == "\\overleftarrow{h}_{2}")
        #expect(trace.value(named: "W_y")?.shape == [3, 4])
        #expect(trace.value(named: "hf_0")?.role == .input && trace.value(named: "hb_4")?.role == .input)
        // y_t reads h_t = [hf_t; hb_t].
        for t in 1...3 {
            let h = try #require(trace.value(named: "h_\(t)"))
            let join = try #require(trace.steps.first { $0.output == h.id })
            #expect(join.inputs == [trace.value(named: "hf_\(t)")!.id, trace.value(named: "hb_\(t)")!.id])
            #expect(trace.scopeNames(join.scope) == ["iteration 1", "t = \(t)", "output"])
        }
        let equations = Dictionary(trace.scopes.map { ($0.name, $0.equation) }, uniquingKeysWith: { first, _ in first })
        #expect(equations["output"] == "y_{t} = W_y [\\overrightarrow{h}_{t}; \\overleftarrow{h}_{t}] + b_y")
    }

    /// The backward direction's weights get one contribution per step, all in its own scope.
    @Test func backwardWeightsGradientIsOneContributionPerStep() throws {
        let trace = try runDemo("birnn", ["steps": 4])
        for (name, direction) in [("W_1_fwd", "forward direction"), ("W_1_bwd", "backward direction")] {
            let accumulation = try RecordedAccumulation(of: name, in: trace)
            #expect(accumulation.contributions.count == 4 && accumulation.adds.count == 3, "\(name)")
            for contribution in accumulation.contributions {
                #expect(trace.scopeNames(ofProducerOf: contribution.id)?.contains(direction) == true, "\(name)")
            }
        }
    }

    /// y_1 of a bidirectional network depends on x_T; that of a one-way network does not.
    @Test("y_1 sees the last input", arguments: ["birnn", "bilstm", "bigru"])
    func firstOutputSeesTheLastInput(_ demo: String) throws {
        let rows: [[Double]] = [[0.5, -1], [1, 0], [0, 2]]
        let changed = rows.dropLast() + [[0, 1]]
        func y1(_ demo: String, _ inputs: [[Double]]) throws -> [Double] {
            let trace = try runDemo(demo, ["inputs": .array(inputs.map { .array($0.map(JSONValue.double)) })])
            return try #require(trace.value(named: "y_1")).data
        }
        #expect(try y1(demo, rows) != y1(demo, Array(changed)))
        let oneWay = String(demo.dropFirst(2))
        #expect(try y1(oneWay, rows) == y1(oneWay, Array(changed)))
    }
}
