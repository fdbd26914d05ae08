import Models
import Testing
import Trace

/// The demo registry: names, parameters, validation and the messages a user sees.
@Suite("Demo registry")
struct DemoRegistryTests {
    /// `unrolled trace` reads these itself (`--output FILE`, `--pretty`, `--help`): a demo
    /// parameter of the same name could never be set from the command line.
    @Test func noDemoParameterTakesANameTheCommandLineUses() {
        for demo in Demos.all {
            for parameter in demo.parameters {
                #expect(!["output", "o", "pretty", "help", "h"].contains(parameter.name), "\(demo.name): --\(parameter.name)")
            }
        }
    }

    /// `Demos.all` is written at build time from the declarations (the ListDemos plugin): the
    /// demos of every kind of declaration (`Demo(…)`, `recurrentDemo(…)`, `bidirectionalDemo(…)`) are there.
    @Test func registryListsEveryDemoOnceByName() throws {
        let names = Demos.all.map(\.name)
        #expect(names == names.sorted())
        #expect(Set(["neuron", "mlp", "lstm", "bigru", "cbow", "encoder-decoder"]).isSubset(of: names))
        #expect(Set(Demos.all.map(\.name)).count == Demos.all.count)
        for demo in Demos.all {
            #expect(try Demos.named(demo.name).name == demo.name)
            #expect(!demo.summary.isEmpty)
            #expect(Set(demo.parameters.map(\.name)).count == demo.parameters.count, "\(demo.name): duplicate parameter")
            #expect(demo.parameter(named: "seed") != nil)
        }
    }

    // MARK: Unknown names

    @Test func unknownDemoSuggestsTheNearestName() {
        let error = demoError { _ = try Demos.named("nueron") }
        #expect(error == .unknownDemo("nueron", suggestion: "neuron"))
        #expect(error?.message(flagPrefix: "--") == "unknown demo 'nueron'; did you mean 'neuron'?")
        #expect(demoError { _ = try Demos.named("mpl") }?.message() == "unknown demo 'mpl'; did you mean 'mlp'?")
    }

    @Test func unknownDemoWithoutLikelyTypoPointsToTheList() {
        let error = demoError { _ = try Demos.named("transformerxl") }
        #expect(error == .unknownDemo("transformerxl", suggestion: nil))
        #expect(error?.message(flagPrefix: "--") == "unknown demo 'transformerxl' (`unrolled demos` lists them)")
    }

    @Test func unknownParameterSuggestsTheNearestName() throws {
        let error = demoError { _ = try runDemo("mlp", ["lrr": 0.1]) }
        #expect(error == .unknownParameter("lrr", demo: "mlp", suggestion: "lr"))
        #expect(error?.message(flagPrefix: "--") == "unknown parameter --lrr for mlp; did you mean --lr?")
        #expect(error?.message() == "unknown parameter lrr for mlp; did you mean lr?")

        let layer = demoError { _ = try runDemo("mlp", ["layer": [2, 3, 1]]) }
        #expect(layer?.message(flagPrefix: "--") == "unknown parameter --layer for mlp; did you mean --layers?")
        let target = demoError { _ = try runDemo("neuron", ["traget": 0.5]) }
        #expect(target?.message(flagPrefix: "--") == "unknown parameter --traget for neuron; did you mean --target?")
        let far = demoError { _ = try runDemo("neuron", ["momentum": 0.9]) }
        #expect(far?.message(flagPrefix: "--") == "unknown parameter --momentum for neuron")
    }

    @Test func unknownChoiceSuggestsTheNearestValue() {
        let error = demoError { _ = try runDemo("mlp", ["activation": "tahn"]) }
        #expect(error == .unknownChoice(parameter: "activation", value: "tahn", options: ["sigmoid", "tanh", "relu"], suggestion: "tanh"))
        #expect(error?.message(flagPrefix: "--") == "--activation: unknown value 'tahn'; did you mean 'tanh'? (choose sigmoid, tanh, relu)")
        let loss = demoError { _ = try runDemo("mlp", ["loss": "crossentropy"]) }
        #expect(loss?.message(flagPrefix: "--") == "--loss: unknown value 'crossentropy'; did you mean 'cross-entropy'? (choose mse, cross-entropy)")
    }

    // MARK: Types and ranges

    @Test func learningRateZeroIsOutOfRange() throws {
        let error = demoError { _ = try runDemo("mlp", ["lr": 0.0]) }
        #expect(error == .outOfRange(parameter: "lr", value: "0", allowed: "0 < x ≤ 10"))
        #expect(error?.message(flagPrefix: "--") == "--lr 0 is out of range; allowed: 0 < x ≤ 10")
        // As a command line gives it.
        let lr = try #require(Demos.named("neuron").parameter(named: "lr"))
        #expect(throws: DemoError.self) { try lr.validate(try lr.parse("0")) }
        #expect(throws: DemoError.self) { try lr.validate(try lr.parse("-0.5")) }
        #expect(throws: DemoError.self) { try lr.validate(try lr.parse("10.5")) }
        #expect(try lr.validate(lr.parse("10")) == .double(10))
    }

    @Test func layersWithZeroAreOutOfRange() {
        let error = demoError { _ = try runDemo("mlp", ["layers": [2, 0, 1]]) }
        #expect(error == .outOfRange(parameter: "layers", value: "[2, 0, 1]", allowed: "2 to 6 integers in 1…256, comma-separated"))
        #expect(error?.message(flagPrefix: "--") == "--layers [2, 0, 1] is out of range; allowed: 2 to 6 integers in 1…256, comma-separated")
        #expect(demoError { _ = try runDemo("mlp", ["layers": [2]]) } != nil)
        #expect(demoError { _ = try runDemo("mlp", ["layers": [2, 3, 3, 3, 3, 3, 1]]) } != nil)
    }

    @Test func trainZeroIsOutOfRange() {
        let error = demoError { _ = try runDemo("mlp", ["train": 0]) }
        #expect(error == .outOfRange(parameter: "train", value: "0", allowed: "1…100000"))
        #expect(error?.message(flagPrefix: "--") == "--train 0 is out of range; allowed: 1…100000")
    }

    @Test func wrongTypesAreInvalid() {
        let layers = demoError { _ = try runDemo("mlp", ["layers": "wide"]) }
        #expect(layers?.message(flagPrefix: "--") == "--layers: 'wide' is not valid; expected 2 to 6 integers in 1…256, comma-separated")
        let seed = demoError { _ = try runDemo("neuron", ["seed": 1.5]) }
        #expect(seed == .invalidValue(parameter: "seed", value: "1.5", expected: "0…2147483647"))
        let activation = demoError { _ = try runDemo("mlp", ["activation": 3]) }
        #expect(activation?.message(flagPrefix: "--") == "--activation: '3' is not valid; expected sigmoid | tanh | relu")
    }

    // MARK: Conflicts

    @Test func xorNeedsTwoInputs() {
        let error = demoError { _ = try runDemo("mlp", ["data": "xor", "layers": [3, 3, 1]]) }
        #expect(error?.message(flagPrefix: "--") == "--data xor needs 2 inputs and 1 output with --loss mse (e.g. --layers 2,3,1)")
        #expect(error?.message() == "data xor needs 2 inputs and 1 output with loss mse (e.g. layers 2,3,1)")
        let crossEntropy = demoError { _ = try runDemo("mlp", ["loss": "cross-entropy"]) }
        #expect(crossEntropy?.message(flagPrefix: "--") == "--data xor needs 2 inputs and 2 outputs with --loss cross-entropy (e.g. --layers 2,3,2)")
    }

    @Test func samplesOnlyWithRandomData() {
        let error = demoError { _ = try runDemo("mlp", ["samples": 6]) }
        #expect(error?.message(flagPrefix: "--") == "--samples applies to --data random only (XOR has 4 samples)")
        let explicitXor = demoError { _ = try runDemo("mlp", ["data": "xor", "samples": 4]) }
        #expect(explicitXor == error)
        #expect(demoError { _ = try runDemo("mlp", ["data": "random", "samples": 6]) } == nil)
    }

    @Test func crossEntropyNeedsTwoOutputs() {
        let error = demoError { _ = try runDemo("mlp", ["data": "random", "loss": "cross-entropy", "layers": [3, 4, 1]]) }
        #expect(error?.message(flagPrefix: "--") == "--loss cross-entropy needs at least 2 outputs (one per class), --layers ends in 1")
    }

    @Test func neuronNeedsOneWeightPerInput() {
        let error = demoError { _ = try runDemo("neuron", ["x": [1, 2], "w": [0.1, 0.2, 0.3]]) }
        #expect(error?.message(flagPrefix: "--") == "--x has 2 values but --w has 3; give one weight per input")
        let inputs = demoError { _ = try runDemo("neuron", ["inputs": 3, "x": [1, 2]]) }
        #expect(inputs?.message(flagPrefix: "--") == "--inputs is 3 but --x has 2 values")
        let weights = demoError { _ = try runDemo("neuron", ["inputs": 2, "w": [1, 2, 3]]) }
        #expect(weights?.message(flagPrefix: "--") == "--inputs is 2 but --w has 3 values")
        #expect(demoError { _ = try runDemo("neuron", ["inputs": 2, "x": [1, 2]]) } == nil)
    }

    // MARK: Defaults

    @Test func resolveFillsInTheDefaults() throws {
        let mlp = try Demos.named("mlp").resolve(["train": 3])
        #expect(mlp.values == [
            "layers": [2, 3, 1], "activation": "tanh", "loss": "mse", "data": "xor", "samples": 8,
            "init": "fan-in", "train": 3, "lr": 0.2, "seed": 1,
        ])
        #expect(mlp.explicit == ["train"])
        #expect(mlp.explicit.contains("train") && !mlp.explicit.contains("lr"))

        let neuron = try Demos.named("neuron").resolve([:])
        // x, w and b have no default: drawn from the seed.
        #expect(
            neuron.values == [
                "inputs": 3, "activation": "sigmoid", "target": 1.0, "lr": 0.5, "seed": 1, "steepness": 1.0, "classes": 3, "class": 1,
                "width": 1.0, "update": "sgd", "data": "single", "train": 1,
            ])
        #expect(neuron.explicit.isEmpty)
    }

    @Test func resolveCanonicalizesNumbers() throws {
        let config = try Demos.named("mlp").resolve(["lr": 1, "seed": 7.0, "layers": [2.0, 5, 1]])
        #expect(config.values["lr"] == .double(1))
        #expect(config.values["seed"] == .int(7))
        #expect(config.values["layers"] == [2, 5, 1])
    }

    @Test("The trace records the resolved config", arguments: ["neuron", "mlp"])
    func traceConfigIsResolved(_ name: String) throws {
        let demo = try Demos.named(name)
        var expected = try demo.resolve([:]).values
        if name == "mlp" { expected["samples"] = .int(4) }  // XOR, the default data, has 4 samples
        // The default neuron is a sigmoid: a softmax layer's and an RBF neuron's parameters are left out.
        if name == "neuron" { (expected["classes"], expected["class"], expected["width"]) = (nil, nil, nil) }
        #expect(try demo.trace().config == expected)
    }

    @Test("The config says what ran: a neuron's n comes from x or w, XOR has 4 samples")
    func derivedConfigValues() throws {
        #expect(try Demos.named("neuron").trace(["x": [1, 2]]).config["inputs"] == .int(2))
        #expect(try Demos.named("neuron").trace(["w": [1, 2, 3, 4, 5]]).config["inputs"] == .int(5))
        #expect(try Demos.named("mlp").trace(["data": "random", "samples": 5]).config["samples"] == .int(5))
    }
}
