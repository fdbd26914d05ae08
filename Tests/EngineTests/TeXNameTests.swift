import Engine
import Testing
import Trace

/// A tensor the model did not name reads as the expression that made it (docs/trace-format.md,
/// "Names"): each expected string below is written by hand from that rule.
@Suite("TeX names")
struct TeXNameTests {
    /// A tape with the LSTM's names: f_2, c_1, i_2, c̃_2, W_f, [h_1; x_2], b_f.
    private static func lstmTape() -> (Tape, [String: Var]) {
        let tape = Tape()
        var v: [String: Var] = [:]
        v["W"] = tape.parameter(T([2, 4], [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8]), name: "W_f", tex: "W_{f}")
        v["b"] = tape.parameter(T([2, 1], [0.1, 0.2]), name: "b_f", tex: "b_{f}")
        v["hx"] = tape.input(T([4, 1], [1, 2, 3, 4]), name: "hx_2", tex: "[h_{1}; x_{2}]")
        for (key, name, tex) in [("f", "f_2", "f_{2}"), ("c", "c_1", "c_{1}"), ("i", "i_2", "i_{2}"), ("ct", "ctilde_2", "\\tilde{c}_{2}")] {
            v[key] = tape.input(T([2, 1], [0.5, -0.5]), name: name, tex: tex)
        }
        return (tape, v)
    }

    @Test func aProductAndASumReadAsTheCellStateEquation() {
        let (_, v) = Self.lstmTape()
        let forget = v["f"]! * v["c"]!
        let kept = forget + v["i"]! * v["ct"]!
        #expect(forget.tex == "f_{2} \\odot c_{1}")
        #expect(kept.tex == "f_{2} \\odot c_{1} + i_{2} \\odot \\tilde{c}_{2}")
        // The name stays what references use.
        #expect(forget.name == "mul_\(forget.id)")
    }

    @Test func aMatrixProductIsJuxtaposedAndABiasAdded() {
        let (_, v) = Self.lstmTape()
        let z = v["W"]! • v["hx"]! + v["b"]!
        #expect(z.tex == "W_{f} [h_{1}; x_{2}] + b_{f}")
        #expect(sigmoid(z).tex == "\\sigma(W_{f} [h_{1}; x_{2}] + b_{f})")
        #expect(tanh(v["c"]!).tex == "\\tanh(c_{1})")
        #expect(relu(v["c"]!).tex == "\\operatorname{ReLU}(c_{1})")
    }

    @Test func operandsThatBindLooselyAreParenthesised() {
        let (_, v) = Self.lstmTape()
        let (f, c, i) = (v["f"]!, v["c"]!, v["i"]!)
        #expect(((f + c) * i).tex == "(f_{2} + c_{1}) \\odot i_{2}")
        #expect((f - (c + i)).tex == "f_{2} - (c_{1} + i_{2})")
        #expect((f - (c - i)).tex == "f_{2} - (c_{1} - i_{2})")
        #expect((f + (c - i)).tex == "f_{2} + c_{1} - i_{2}")
        #expect(square(f - c).tex == "(f_{2} - c_{1})^{2}")
        #expect(transpose(transpose(v["W"]!)).tex == "(W_{f}^{\\top})^{\\top}")
        #expect((-(f * c)).tex == "-f_{2} \\odot c_{1}")
        #expect((-(f + c)).tex == "-(f_{2} + c_{1})")
        #expect(((1 - f) * c).tex == "(1 - f_{2}) \\odot c_{1}")
        #expect((f + -0.5).tex == "f_{2} + (-0.5)")
        #expect((f * (-c)).tex == "f_{2} \\odot (-c_{1})")
    }

    @Test func quotientsScalesAndReductionsReadAsTheNotesWriteThem() {
        let (_, v) = Self.lstmTape()
        let (f, c) = (v["f"]!, v["c"]!)
        #expect((f / c).tex == "\\frac{f_{2}}{c_{1}}")
        #expect((f / c / c).tex == "\\frac{f_{2}}{c_{1}} / c_{1}")
        // Parentheses around a fraction are sized to it.
        #expect(square(f / c).tex == "\\left(\\frac{f_{2}}{c_{1}}\\right)^{2}")
        #expect((0.5 * f).tex == "\\tfrac{1}{2}\\,f_{2}")
        #expect(((1 / 3.0.squareRoot()) * f).tex == "\\tfrac{1}{\\sqrt{3}}\\,f_{2}")
        #expect((2 * f).tex == "2\\,f_{2}")
        #expect((-1 * f).tex == "-f_{2}")
        #expect((0.3 * f).tex == "0.3\\,f_{2}")
        #expect(sum(f * c).tex == "\\sum (f_{2} \\odot c_{1})")
        #expect(exp(f).tex == "e^{f_{2}}")
        #expect(log(f).tex == "\\log(f_{2})")
        #expect(softmax(v["W"]!, axis: 1).tex == "\\operatorname{softmax}(W_{f})")
        #expect(concat([f, c]).tex == "[f_{2}; c_{1}]")
        #expect(slice(v["hx"]!, axis: 0, 1..<3).tex == "[h_{1}; x_{2}][2{:}3]")
        #expect(rows(v["W"]!, [1, 0]).tex == "W_{f}[2, 1]")
    }

    @Test func anOpWithoutAReadingOfItsOwnIsCalledByItsName() {
        let (_, v) = Self.lstmTape()
        #expect(flip(v["W"]!, axes: [1]).tex == "\\operatorname{flip}(W_{f})")
        #expect(broadcastTo(v["b"]!, [2, 3]).tex == "\\operatorname{broadcast\\_to}(b_{f})")
    }

    @Test func aGradientIsTheLossOverTheTensorItIsOf() throws {
        let (tape, v) = Self.lstmTape()
        let product = v["f"]! * v["c"]!
        let loss = sum(product).named("Q")
        tape.backward(loss)
        let trace = tape.trace(title: "t", model: "test", config: [:])
        let ofProduct = try #require(trace.tensors.first { $0.role == .gradient && $0.of == product.id })
        #expect(ofProduct.tex == "\\frac{\\partial Q}{\\partial (f_{2} \\odot c_{1})}")
        let ofF = try #require(trace.tensors.first { $0.role == .gradient && $0.of == v["f"]!.id })
        #expect(ofF.tex == "\\frac{\\partial Q}{\\partial f_{2}}")
        // The intermediate of mul's rule, g ⊙ c, before sum_to gives it to f.
        let step = try #require(trace.steps.first { $0.phase == .backward && $0.op == "mul" && $0.inputs.contains(v["c"]!.id) })
        #expect(trace.tensors[step.output].tex == "\\frac{\\partial Q}{\\partial (f_{2} \\odot c_{1})} \\odot c_{1}")
    }

    @Test func aLongReadingElidesItsWidestInnerReadingFirst() {
        let tape = Tape()
        let x = tape.input(T([2, 1], [1, 2]), name: "x")
        let target = tape.constant(T([2, 1], [0, 1]), name: "target", tex: "\\mathrm{target}_{\\text{this}}")
        // Σ(target ⊙ log softmax(x)) shows 25 symbols, over 24: the product keeps its name operand
        // and loses its inner reading.
        let loss = sum(target * logSoftmax(x, axis: 0))
        #expect(loss.tex == "\\sum (\\mathrm{target}_{\\text{this}} \\odot (\\cdots))")
        // A chain of 50: its innermost levels are elided as it grows, so it never passes the limit.
        var h = x
        for _ in 0..<50 { h = tanh(h + x) }
        let reading = TeXName(name: h.tex)
        #expect(reading.width <= TeXName.maxWidth)
        #expect(h.tex.hasPrefix("\\tanh(\\tanh(\\tanh(") && h.tex.hasSuffix(" + x)") && h.tex.contains("\\cdots"), "\(h.tex)")
    }

    @Test func aGradientsDenominatorIsShortenedFurther() throws {
        let tape = Tape()
        let a = tape.parameter(T([1], [2]), name: "alpha_long_name", tex: "\\alpha_{\\mathrm{long}}")
        let y = tanh(a * a + a)
        let z = tanh(y + a).named("z")
        tape.backward(sum(z).named("Q"))
        let trace = tape.trace(title: "t", model: "test", config: [:])
        #expect(trace.tensors[y.id].tex == "\\tanh(\\alpha_{\\mathrm{long}} \\odot \\alpha_{\\mathrm{long}} + \\alpha_{\\mathrm{long}})")
        let ofY = try #require(trace.tensors.first { $0.role == .gradient && $0.of == y.id })
        // tanh(α ⊙ α + α) shows 20 symbols, over the 16 of a denominator: the product is elided.
        #expect(ofY.tex == "\\frac{\\partial Q}{\\partial \\tanh(\\cdots + \\alpha_{\\mathrm{long}})}")
    }

    @Test func namesTheModelGivesAreKeptAndBindByTheirShape() {
        let (_, v) = Self.lstmTape()
        let named = (v["f"]! * v["c"]!).named("kept", tex: "k_{2}")
        #expect(named.tex == "k_{2}")
        #expect((named * v["i"]!).tex == "k_{2} \\odot i_{2}")
        let expression = (v["f"]! + v["c"]!).named("fc", tex: "f + c")
        #expect((expression * v["i"]!).tex == "(f + c) \\odot i_{2}")
        #expect(TeXName(name: "W^{\\top}").hasSuperscript)
        #expect(TeXName.power(TeXName(name: "W^{\\top}"), "2").tex == "(W^{\\top})^{2}")
    }

    @Test func widthCountsTheSymbolsShown() {
        #expect(TeXName(name: "W_{f} [h_{1}; x_{2}] + b_{f}").width == 12)
        #expect(TeXName(name: "\\tilde{c}_{2}").width == 2)
        #expect(TeXName(name: "\\frac{\\partial Q}{\\partial W_{1}}").width == 5)
        #expect(TeXName(name: "\\operatorname{ReLU}(x)").width == 7)
        #expect(TeXName(name: "2\\,x").width == 2)
    }

    @Test func everyUnnamedTensorOfATraceReadsAsAnExpressionNotACounter() {
        let trace = SampleTraces.named("attention")
        for tensor in trace.tensors {
            #expect(!tensor.tex.contains("\\_\(tensor.id)}"), "\(tensor.name): \(tensor.tex)")
        }
    }
}
