import Engine
import Testing
import Trace

extension ForwardCases {
    static let update: [ForwardCase] = [
        // p − lr · g with lr = ½: 1 − ¼, 2 + ½, 3 − 0
        ForwardCase("p − lr · g", SGD(learningRate: 0.5), [T([3], [1, 2, 3]), T([3], [0.5, -1, 0])], T([3], [0.75, 2.5, 3])),
        // p + lr (t − y) aᵀ, lr = ½: row 1 wrong by t − y = 1 adds ½ a = [1, −½]; row 2 right (t = y) stays
        ForwardCase(
            "perceptron rule, one wrong row", Perceptron(learningRate: 0.5),
            [T([2, 2], [1, 2, 3, 4]), T([2, 1], [2, -1]), T([2, 1], [1, 0]), T([2, 1], [0, 0])], T([2, 2], [2, 1.5, 3, 4])),
        // the bias: a = [1]; t − y = −1 subtracts lr = 0.25
        ForwardCase(
            "perceptron rule, bias", Perceptron(learningRate: 0.25), [T([1, 1], [0.5]), T([1, 1], [1]), T([1, 1], [0]), T([1, 1], [1])],
            T([1, 1], [0.25])),
    ]
}

/// Least squares: X w ≈ t with X = [[1, 0], [0, 1], [1, 1]] and t = [1, 2, 2].
/// The gradient of ½‖X w − t‖² is Xᵀ(X w − t); the minimiser solves XᵀX w = Xᵀt:
/// [[2, 1], [1, 2]] w = [3, 4], so w* = [2/3, 5/3] with residual [−1/3, −1/3, 1/3] and loss 1/6.
private enum LeastSquares {
    static let x: [[Double]] = [[1, 0], [0, 1], [1, 1]]
    static let t: [Double] = [1, 2, 2]

    static func residual(_ w: [Double]) -> [Double] {
        (0..<3).map { i in x[i][0] * w[0] + x[i][1] * w[1] - t[i] }
    }

    static func loss(_ w: [Double]) -> Double {
        0.5 * residual(w).map { $0 * $0 }.reduce(0, +)
    }

    /// w − lr · Xᵀ(X w − t).
    static func step(_ w: [Double], learningRate: Double) -> [Double] {
        let r = residual(w)
        return (0..<2).map { j in w[j] - learningRate * (0..<3).map { i in x[i][j] * r[i] }.reduce(0, +) }
    }

    static func trainer(_ learningRate: Double, _ iterations: Int, traced: Int, snapshotAt: @escaping (Int) -> Bool = { _ in false })
        -> (Tape, Var, SGDTrainer.Result)
    {
        let tape = Tape()
        let w = tape.parameter(T([2, 1], [0, 0]), name: "w")
        let trainer = SGDTrainer(learningRate: learningRate, iterations: iterations, tracedIterations: traced, snapshotAt: snapshotAt)
        let result = trainer.run(on: tape, parameters: [w]) { tape, parameters in
            let inputs = tape.input(Tensor(rows: x), name: "X", requiresGradient: false)
            return halfSquaredError(inputs • parameters[0], tape.constant(Tensor(column: t), name: "t"))
        }
        return (tape, w, result)
    }
}

@Suite("SGD")
struct SGDTests {
    @Test("sgd makes new parameter versions 1 and 2 of the original, p − lr · g, in phase update")
    func sgdMakesVersionedParameters() throws {
        let tape = Tape()
        let p = tape.parameter(T([2], [1, 2]), name: "p")
        let g1 = tape.backward(sum(square(p)))  // ∂/∂p Σ p² = 2p = [2, 4]
        let p1 = tape.sgd([p], g1, learningRate: 0.25)[0]  // [1 − ½, 2 − 1]
        let g2 = tape.backward(sum(square(p1)))  // 2 p1 = [1, 2]
        let p2 = tape.sgd([p1], g2, learningRate: 0.25)[0]  // [½ − ¼, 1 − ½]
        #expect(p1.value == T([2], [0.5, 1]))
        #expect(p2.value == T([2], [0.25, 0.5]))

        let trace = tape.trace(title: "sgd", model: "test", config: [:])
        for (version, updated, gradient) in [(1, p1, try #require(g1[p])), (2, p2, try #require(g2[p1]))] {
            let record = trace.tensors[updated.id]
            #expect(record.role == .parameter)
            #expect(record.version == version)
            #expect(record.of == p.id)
            #expect(record.name == "p")
            let step = try #require(trace.steps.first { $0.output == updated.id })
            #expect(step.op == "sgd")
            #expect(step.phase == .update)
            #expect(step.attrs == ["lr": 0.25])
            #expect(step.inputs == [version == 1 ? p.id : p1.id, gradient.id])
        }
        #expect(trace.tensors[p.id].version == nil)
        // the second backward stops at p1, a parameter: nothing flows through the sgd step into p
        #expect(g2[p] == nil)
        #expect(trace.gradients == [String(p1.id): try #require(g2[p1]).id])
    }

    @Test("a parameter without a gradient is returned unchanged and gets no update step")
    func parameterWithoutGradientIsUnchanged() {
        let tape = Tape()
        let a = tape.parameter(T([1], [3]), name: "a")
        let unused = tape.parameter(T([1], [5]), name: "unused")
        let gradients = tape.backward(sum(a * a))
        let updated = tape.sgd([a, unused], gradients, learningRate: 0.5)
        #expect(updated[1].id == unused.id)
        #expect(updated[0].value == T([1], [0]))  // 3 − ½ · 6
        #expect(tape.trace(title: "", model: "", config: [:]).steps.filter { $0.phase == .update }.count == 1)
    }

    @Test("SGDTrainer traces only the first iteration, and matches five SGD steps computed by hand")
    func trainerMatchesManualSteps() throws {
        let (tape, w, result) = LeastSquares.trainer(0.1, 5, traced: 1, snapshotAt: { $0 == 5 })

        // independent: five steps of w ← w − lr · Xᵀ(X w − t) from w = 0
        var manual: [[Double]] = [[0, 0]]
        for _ in 0..<5 { manual.append(LeastSquares.step(manual.last!, learningRate: 0.1)) }
        // the first by hand: residual −t = [−1, −2, −2], Xᵀr = [−3, −4], w₁ = [0.3, 0.4]; loss₀ = ½ (1 + 4 + 4)
        #expect(zip(manual[1], [0.3, 0.4]).allSatisfy { close($0, $1, tolerance: 1e-15) })

        #expect(result.history.count == 5)
        #expect(result.history.map(\.iteration) == [1, 2, 3, 4, 5])
        #expect(result.history.map(\.traced) == [true, false, false, false, false])
        #expect(close(result.history[0].loss, 4.5, tolerance: 1e-15))
        for (entry, weights) in zip(result.history, manual) {
            #expect(close(entry.loss, LeastSquares.loss(weights), tolerance: 1e-13), "iteration \(entry.iteration)")
        }
        let losses = result.history.map(\.loss)
        #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 })
        #expect(losses.allSatisfy { $0 > 1.0 / 6 })

        #expect(result.parameters.count == 1)
        #expect(result.parameters[0].shape == [2, 1])
        expectTensor(result.parameters[0], T([2, 1], manual[5]), tolerance: 1e-13)
        #expect(result.history.prefix(4).allSatisfy { $0.tensors == nil })
        #expect(result.history[4].tensors == ["w": TensorSnapshot(shape: [2, 1], data: result.parameters[0].scalars)])

        // only iteration 1 is on the recording tape: its forward, backward and one update
        let trace = tape.trace(title: "train", model: "test", config: [:])
        #expect(trace.scopes.map(\.name) == ["iteration 1"])
        let updates = trace.steps.filter { $0.phase == .update }
        #expect(updates.count == 1)
        let version1 = try #require(updates.first).output
        #expect(trace.tensors[version1].of == w.id && trace.tensors[version1].version == 1)
        expectTensor(T([2, 1], trace.tensors[version1].data), T([2, 1], manual[1]), tolerance: 1e-15)
    }

    @Test("SGDTrainer with every iteration traced records one versioned update per iteration")
    func trainerTracingEveryIteration() {
        let (tape, w, result) = LeastSquares.trainer(0.1, 3, traced: 3)
        let trace = tape.trace(title: "train", model: "test", config: [:])
        let updates = trace.steps.filter { $0.phase == .update }
        #expect(updates.map { trace.tensors[$0.output].version } == [1, 2, 3])
        #expect(updates.allSatisfy { trace.tensors[$0.output].of == w.id })
        #expect(result.history.allSatisfy { $0.traced })
        #expect(trace.scopes.map(\.name) == ["iteration 1", "iteration 2", "iteration 3"])
        #expect(trace.tensors[updates[2].output].data == result.parameters[0].scalars)
    }

    @Test("SGDTrainer converges to the least-squares solution [2/3, 5/3]")
    func trainerConvergesToClosedForm() {
        // XᵀX has eigenvalues 1 and 3: with lr 0.1 the error shrinks by 0.9 per step, 0.9³⁰⁰ ≈ 2e-14
        let (tape, _, result) = LeastSquares.trainer(0.1, 300, traced: 0)
        expectTensor(result.parameters[0], T([2, 1], [2.0 / 3, 5.0 / 3]), tolerance: 1e-10)
        #expect(close(result.history.last!.loss, 1.0 / 6, tolerance: 1e-10))
        #expect(tape.stepCount == 0)
    }

    @Test("a non-recording tape records no steps or scopes but computes the same values and gradients")
    func nonRecordingTapeGivesSameGradients() throws {
        func run(_ tape: Tape) -> (Double, [Tensor]) {
            let w = tape.parameter(seeded([3, 2], seed: 81), name: "W")
            let b = tape.parameter(seeded([3], seed: 82), name: "b")
            let x = tape.input(seeded([4, 2], seed: 83), name: "x")
            let h = tape.scope("layer") { sigmoid(x • transpose(w) + b) }
            let loss = softmaxCrossEntropy(logits: h, target: tape.constant(T([4, 3], [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]), name: "t"), axis: 1)
            let gradients = tape.backward(loss)
            return (loss.value.scalar, [w, b, x].map { gradients[$0]!.value })
        }
        let recording = Tape()
        let quiet = Tape(recording: false)
        let (recordedLoss, recordedGradients) = run(recording)
        let (quietLoss, quietGradients) = run(quiet)
        #expect(recording.isRecording && !quiet.isRecording)
        #expect(recording.stepCount > 0)
        #expect(quiet.stepCount == 0)
        #expect(quiet.scope("s") { quiet.scopePath } == "")
        #expect(sameBits(quietLoss, recordedLoss))
        for (a, b) in zip(quietGradients, recordedGradients) {
            #expect(a.shape == b.shape && sameBits(a.scalars, b.scalars))
        }
    }
}

@Suite("Frozen parameters and running statistics")
struct FrozenAndRunningTests {
    /// y = v · (w · x): w frozen, v learned. ∂L/∂v = w · x; w gets nothing, so backward stops at v.
    @Test("a frozen parameter gets no gradient and no sgd step, and the trace says it is frozen")
    func frozenParameterIsLeftAlone() throws {
        let tape = Tape()
        let w = tape.parameter(T([], [3]), name: "w", frozen: true)
        let v = tape.parameter(T([], [2]), name: "v")
        let x = tape.input(T([], [0.5]), name: "x", requiresGradient: false)
        let loss = v * (w * x)
        let gradients = tape.backward(loss)
        #expect(gradients[w] == nil)
        #expect(gradients[v]?.value == T([], [1.5]))
        let updated = tape.sgd([w, v], gradients, learningRate: 0.1)
        #expect(updated[0].id == w.id)
        #expect(updated[1].value == T([], [2 - 0.1 * 1.5]))
        let trace = tape.trace(title: "frozen", model: "test", config: [:])
        #expect(trace.tensors[w.id].frozen == true)
        #expect(trace.tensors[v.id].frozen == nil)
        #expect(trace.steps.filter { $0.phase == .update }.map(\.op) == ["sgd"])
        // no backward step reads w's product with x as something to differentiate into w
        #expect(!trace.tensors.contains { $0.role == .gradient && $0.of == w.id })
    }

    @Test("runningAverage records a running_average step in phase update whose output is the next version of a constant")
    func runningAverageMakesVersionedConstants() throws {
        let tape = Tape()
        let running = tape.constant(T([2], [0, 1]), name: "running_mean")
        let statistic = tape.input(T([2], [4, -1]), name: "mu", requiresGradient: false)
        let first = tape.runningAverage(running, statistic, momentum: 0.25)
        let second = tape.runningAverage(first, statistic, momentum: 0.25)
        // 0.75 · 0 + 0.25 · 4 = 1, 0.75 · 1 + 0.25 · (−1) = 0.5; then 0.75 · 1 + 1 = 1.75, 0.375 − 0.25 = 0.125
        #expect(first.value == T([2], [1, 0.5]))
        #expect(second.value == T([2], [1.75, 0.125]))
        let trace = tape.trace(title: "running", model: "test", config: [:])
        for (made, version) in [(first, 1), (second, 2)] {
            let record = trace.tensors[made.id]
            #expect(record.role == .constant && record.name == "running_mean")
            #expect(record.of == running.id && record.version == version)
        }
        #expect(trace.steps.map(\.phase) == [.update, .update])
        #expect(trace.steps.map(\.op) == ["running_average", "running_average"])
    }
}
