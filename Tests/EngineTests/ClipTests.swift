import Engine
import Foundation
import Testing
import Trace

// clip_norm(g) {max_norm} = g · (max_norm / ‖g‖) when ‖g‖ > max_norm, else g. Worked out by hand:
// ‖[3, 4]‖ = 5; ‖[[1, 1], [1, 1]]‖ = 2; ‖[1e200, −1e200]‖ overflows (1e400) to ∞.

extension ForwardCases {
    static let clipping: [ForwardCase] = [
        // running_average: (1 − m) r + m s; m = 0.1: 0.9 · 10 + 0.1 · 20 = 11, 0.9 · 0 + 0.1 · (−5) = −0.5
        ForwardCase("running average, momentum 0.1", RunningAverage(momentum: 0.1), [T([2], [10, 0]), T([2], [20, -5])], T([2], [11, -0.5])),
        ForwardCase("running average, momentum 1 takes the statistic", RunningAverage(momentum: 1), [T([2], [10, 0]), T([2], [20, -5])], T([2], [20, -5])),
        ForwardCase("running average, momentum 0 keeps the value", RunningAverage(momentum: 0), [T([2], [10, 0]), T([2], [20, -5])], T([2], [10, 0])),
        // 5 > 2.5: factor ½ (exact)
        ForwardCase("norm above max: scaled to max", ClipNorm(maxNorm: 2.5), [T([2], [3, 4])], T([2], [1.5, 2])),
        ForwardCase("norm equal to max: unchanged", ClipNorm(maxNorm: 5), [T([2], [3, 4])], T([2], [3, 4])),
        ForwardCase("norm below max: unchanged", ClipNorm(maxNorm: 10), [T([2], [3, -4])], T([2], [3, -4])),
        ForwardCase("matrix, norm over every element", ClipNorm(maxNorm: 1), [T([2, 2], [1, 1, -1, 1])], T([2, 2], [0.5, 0.5, -0.5, 0.5])),
        ForwardCase("scalar", ClipNorm(maxNorm: 2), [T([], [-8])], T([], [-2])),
        ForwardCase("zero gradient stays zero", ClipNorm(maxNorm: 1), [T([2], [0, 0])], T([2], [0, 0])),
        ForwardCase("max_norm 0 zeroes any non-zero gradient", ClipNorm(maxNorm: 0), [T([2], [3, -4])], T([2], [0, -0.0])),
        ForwardCase("max_norm ∞ never clips", ClipNorm(maxNorm: .infinity), [T([2], [1e300, 1e300])], T([2], [1e300, 1e300])),
        // ‖g‖ = ∞: factor 0, so ∞ · 0 = NaN and finite entries become ±0
        ForwardCase("an infinite entry", ClipNorm(maxNorm: 1), [T([3], [.infinity, 4, -1])], T([3], [.nan, 0, -0.0])),
        // squares overflow although every entry is finite: the factor is 0 too
        ForwardCase("squares that overflow", ClipNorm(maxNorm: 1), [T([2], [1e200, -1e200])], T([2], [0, -0.0])),
        // a NaN norm is not greater than max_norm: unchanged
        ForwardCase("a NaN passes unchanged", ClipNorm(maxNorm: 1), [T([2], [.nan, 4])], T([2], [.nan, 4])),
    ]
}

@Suite("clip_norm and clipping in training")
struct ClipTests {
    @Test("forward values worked out by hand, signs of zero included", arguments: ForwardCases.clipping)
    func forward(_ c: ForwardCase) throws {
        try c.check()
        let output = try c.op.forward(c.inputs)
        #expect(sameBits(output.scalars, c.expected.scalars), "\(c.testDescription): \(output.scalars)")
    }

    @Test("the clipped norm is max_norm to the last bits, for many random gradients")
    func clippedNormIsMaxNorm() throws {
        for seed in UInt64(1)...50 {
            let g = seeded([3, 4], seed: seed, -10, 10)
            let maxNorm = 0.25 * Double(seed % 7 + 1)
            let clipped = try ClipNorm(maxNorm: maxNorm).forward([g])
            let norm = clipped.scalars.map { $0 * $0 }.reduce(0, +).squareRoot()
            #expect(abs(norm - maxNorm) <= 4 * maxNorm.ulp, "seed \(seed): ‖clipped‖ = \(norm), max_norm \(maxNorm)")
            // The direction is kept: every entry is scaled by the same positive factor.
            let factor = clipped.scalars[0] / g.scalars[0]
            #expect(factor > 0 && factor < 1)
            for (a, b) in zip(clipped.scalars, g.scalars) { #expect(abs(a - factor * b) <= 1e-14 * abs(b)) }
        }
    }

    @Test("a negative or NaN max_norm is refused, and a step without max_norm does not rebuild")
    func badMaxNorm() {
        #expect(throws: OpError.self) { try ClipNorm(maxNorm: -1).forward([T([1], [1])]) }
        #expect(throws: OpError.self) { try ClipNorm(maxNorm: .nan).forward([T([1], [1])]) }
        #expect(throws: OpError.self) { try OpRegistry.op(named: "clip_norm", attrs: [:]) }
        #expect(throws: OpError.self) { try OpRegistry.op(named: "clip_norm", attrs: ["max_norm": "big"]) }
    }

    @Test("max_norm is recorded as a number, ∞ as the string Infinity")
    func attrs() throws {
        #expect(ClipNorm(maxNorm: 1.5).attrs == ["max_norm": .double(1.5)])
        #expect(ClipNorm(maxNorm: .infinity).attrs == ["max_norm": .string("Infinity")])
        let rebuilt = try OpRegistry.op(named: "clip_norm", attrs: ["max_norm": .int(2)])
        #expect(try rebuilt.forward([T([2], [3, 4])]) == T([2], [1.2000000000000002, 1.6]))
    }

    /// Least squares with a large residual: X w ≈ t, X = [[1, 0], [0, 1], [1, 1]], t = [10, 20, 20],
    /// w = 0. ∂/∂w ½‖X w − t‖² = Xᵀ(X w − t) = −[30, 40], whose norm is 50.
    private func clippedTraining(clipNorm: Double?, iterations: Int = 1) -> (TraceDocument, SGDTrainer.Result) {
        let tape = Tape()
        let w = tape.parameter(T([2, 1], [0, 0]), name: "w")
        let unused = tape.parameter(T([1], [7]), name: "u")
        let trainer = SGDTrainer(learningRate: 0.1, iterations: iterations, clipNorm: clipNorm)
        let result = trainer.run(on: tape, parameters: [w, unused]) { tape, parameters in
            let x = tape.input(T([3, 2], [1, 0, 0, 1, 1, 1]), name: "X", requiresGradient: false)
            return halfSquaredError(x • parameters[0], tape.constant(T([3, 1], [10, 20, 20]), name: "t")).named("L")
        }
        return (tape.trace(title: "clipping", model: "test", config: [:], history: result.history), result)
    }

    @Test("SGDTrainer with clipNorm records clip_norm in phase update between backward and sgd, and sgd reads its output")
    func trainerRecordsClipping() throws {
        let (trace, result) = clippedTraining(clipNorm: 5)
        let clips = trace.steps.filter { $0.op == "clip_norm" }
        let updates = trace.steps.filter { $0.op == "sgd" }
        // One clip per parameter with a gradient: u does not reach the loss.
        #expect(clips.count == 1 && updates.count == 1)
        let clip = try #require(clips.first), update = try #require(updates.first)
        #expect(clip.phase == .update && update.phase == .update)
        let lastBackward = try #require(trace.steps.last { $0.phase == .backward })
        #expect(lastBackward.index < clip.index && clip.index < update.index)
        #expect(trace.tensors[clip.inputs[0]].role == .gradient)
        #expect(clip.inputs[0] == trace.gradients[String(trace.tensors.first { $0.name == "w" }!.id)])
        #expect(update.inputs[1] == clip.output)
        #expect(clip.attrs == ["max_norm": .double(5)])
        let clipped = trace.tensors[clip.output]
        #expect(clipped.role == .activation)
        #expect(clipped.name == "clip(dL/dw)")
        #expect(clipped.tex == "\\operatorname{clip}\\left(\\frac{\\partial L}{\\partial w}\\right)")
        // −[30, 40] scaled to norm 5 is −[3, 4]; the update is 0 − 0.1 · −[3, 4].
        #expect(clipped.data == [-3, -4])
        #expect(result.parameters[0] == T([2, 1], [0.30000000000000004, 0.4]))
        #expect(result.parameters[1] == T([1], [7]))
        #expect(trace.steps.allSatisfy { $0.phase != .update || ["sgd", "clip_norm"].contains($0.op) })
    }

    @Test("without clipNorm nothing is clipped; a large max_norm leaves the update as plain SGD")
    func noClippingWithoutOrAboveTheNorm() throws {
        let (plain, plainResult) = clippedTraining(clipNorm: nil)
        #expect(!plain.steps.contains { $0.op == "clip_norm" })
        let (loose, looseResult) = clippedTraining(clipNorm: 50)  // ‖g‖ = 50 is not above 50
        #expect(loose.steps.filter { $0.op == "clip_norm" }.count == 1)
        #expect(looseResult.parameters == plainResult.parameters)
        #expect(plainResult.parameters[0] == T([2, 1], [3, 4]))
    }

    @Test("untraced iterations clip too: the runs agree with clipping by hand")
    func untracedIterationsClip() {
        let (_, result) = clippedTraining(clipNorm: 1, iterations: 3)
        // By hand: w ← w − 0.1 · clip(Xᵀ(X w − t)); while ‖g‖ > 1 each step moves w by 0.1 along −g/‖g‖.
        var w = [0.0, 0.0]
        for _ in 0..<3 {
            let r = [w[0] - 10, w[1] - 20, w[0] + w[1] - 20]
            var g = [r[0] + r[2], r[1] + r[2]]
            let norm = (g[0] * g[0] + g[1] * g[1]).squareRoot()
            if norm > 1 { g = g.map { $0 * (1 / norm) } }
            w = [w[0] - 0.1 * g[0], w[1] - 0.1 * g[1]]
        }
        #expect(result.parameters[0] == T([2, 1], w))
        #expect(result.history.map(\.traced) == [true, false, false])
    }

    /// Three parameters clipped to norm 1 before one SGD step: w's gradient [2, 4] is scaled down,
    /// v's [e^800, e^½] = [∞, 1.6…] becomes [NaN, 0], u's [0.5] is below the limit and passes.
    /// (Also recorded as Tests/Python/fixtures/engine-clipping.json for the numpy replayer.)
    static func clippingSample() -> TraceDocument {
        let tape = Tape()
        let w = tape.parameter(T([2], [1, 2]), name: "w")
        let v = tape.parameter(T([2], [800, 0.5]), name: "v")
        let u = tape.parameter(T([], [0.25]), name: "u")
        let loss = (sum(w * w) + sum(exp(v)) + u * u).named("L")
        let gradients = tape.backward(loss)
        let clipped = tape.clipGradients(of: [w, v, u], gradients, maxNorm: 1)
        _ = tape.sgd([w, v, u], clipped, learningRate: 0.5)
        return tape.trace(title: "clip_norm before sgd, with ∞ in a gradient", model: "test", config: ["max_norm": 1])
    }

    @Test("a trace with clipping replays step by step, and an infinite gradient comes out of clipping as NaN")
    func clippedTraceReplays() throws {
        let trace = try TraceDocument.decode(from: Self.clippingSample().jsonData())
        for step in trace.steps {
            let replayed = try OpRegistry.replay(step, in: trace)
            #expect(sameBits(replayed.scalars, trace.tensors[step.output].data), "step \(step.index) (\(step.op))")
        }
        let clips = trace.steps.filter { $0.op == "clip_norm" }.map { trace.tensors[$0.output].data }
        #expect(clips.count == 3)
        // ∂/∂w = [2, 4], norm √20: scaled to norm 1; ∂/∂v = [∞, e^½]: [NaN, 0]; ∂/∂u = 0.5 stays
        #expect(abs(clips[0][0] - 2 / 20.0.squareRoot()) < 1e-15 && abs(clips[0][1] - 4 / 20.0.squareRoot()) < 1e-15)
        #expect(clips[1][0].isNaN && clips[1][1] == 0)
        #expect(clips[2] == [0.5])
        let updated = trace.tensors.filter { $0.name == "v" && $0.version == 1 }
        #expect(updated.count == 1 && updated[0].data[0].isNaN && updated[0].data[1] == 0.5)
        #expect(trace.tensors.filter { $0.name == "u" && $0.version == 1 }.map(\.data) == [[0]])
    }
}
