import Engine
import Testing
import Trace

/// Every op of the engine is reachable from the language: the forward ops through its operators
/// and functions, the backward-only ops through the backward pass of those, `sgd` through training.
/// A new op that no program below reaches fails the test until a program reaches it or it is
/// exempted here with the reason.
@Suite("Equations: every op reachable")
struct ReachabilityTests {
    /// Programs that together call every function of the language; each is traced with one SGD step.
    static let programs: [String: String] = [
        "elementwise and matrix product": """
            input x = [0.5; -1]
            param W = [0.1, 0.2; -0.3, 0.4]
            param b = [0.1; -0.1]
            param c = 0.5
            const m = [1; 0]
            a = W x + c * b
            p = sigmoid(a) * tanh(a) - relu(a) + step(a)
            q = exp(a) / sqrt(a^2 + 1)
            r = log(exp(-a) + 1)
            u = where(m, a, value=2)
            loss Q = 1/2 * sum(p + q + r + u)
            """,
        "reductions and shapes": """
            input X = [0.1, 0.2, 0.3; 0.4, 0.5, 0.6]
            param V = [0.3, -0.2, 0.1; 0.0, 0.5, -0.4]
            Z = X * V
            s = softmax(Z, 1)
            l = log_softmax(Z, axis=0)
            m = mean(Z, axis=1, keepdims=true)
            k = [Z; X]
            j = slice(k, 0, 1, 3)
            f = flip(j, axes=[1])
            g = pad(f, 1, 1, 0)
            r = rows(g, [1, 0, 1])
            h = transpose(reshape(r, [4, 3]))
            e = broadcast_to(m, [2, 3])
            w = sum_to(Z, [2, 1])
            loss Q = sum(s * l) + sum(h^2) + sum(e * Z) + sum(w^2)
            """,
        "convolution and pooling": """
            input x : 1x1x4x4
            param K : 2x1x2x2
            param b : 2
            param L : 2x1x2x2
            c = conv2d(x, K, b)
            p = max_pool2d(c, 2, stride=1)
            a = avg_pool2d(c, kernel=3, stride=1, padding=1)
            u = upsample_nearest2d(p, 2)
            d = conv_transpose2d(p, L, stride=2)
            loss Q = sum(u^2) + sum(a^2) + sum(d^2)
            """,
    ]

    /// Ops no equations program records, and why.
    static let exempt: [String: String] = [
        // Batch normalization's running statistics: a constant updated between passes, which an
        // equation (a tensor computed from others in one pass) does not write.
        "running_average": "updates a constant between passes",
        // Rosenblatt's rule replaces sgd in the neuron demo; a program of equations trains by SGD.
        "perceptron": "an update rule other than SGD, of the neuron demo only",
    ]

    /// Ops with a gradient rule that only a backward pass makes (no function writes them).
    static let madeByBackward: [String: String] = [
        "rows_backward": "the gradient of rows, scattering rows back into the table"
    ]

    struct Reached {
        var forward: Set<String> = []
        var backward: Set<String> = []
        var update: Set<String> = []
        var all: Set<String> { forward.union(backward).union(update) }
    }

    static func reached() throws -> Reached {
        var reached = Reached()
        for (_, text) in programs.sorted(by: { $0.key < $1.key }) {
            // `clip` records a clip_norm step on each gradient before its update.
            let trace = try trace(text, ["lr": 0.1, "clip": 100])
            reached.forward.formUnion(trace.ops(in: .forward))
            reached.backward.formUnion(trace.ops(in: .backward))
            reached.update.formUnion(trace.ops(in: .update))
        }
        return reached
    }

    @Test("every op of the registry is recorded by one of the programs, unless exempted with a reason")
    func everyOp() throws {
        let reached = try Self.reached()
        let missing = Set(OpRegistry.names).subtracting(reached.all).subtracting(Self.exempt.keys)
        #expect(missing.isEmpty, "no program reaches \(missing.sorted()): add one to ReachabilityTests.programs")
        #expect(Set(Self.exempt.keys).isSubset(of: OpRegistry.names), "an exemption names an op the engine no longer has")
        #expect(Set(Self.exempt.keys).isDisjoint(with: reached.all), "an exempted op is reached: drop its exemption")
    }

    @Test("every differentiable op is called in the forward pass by an operator or a function")
    func forwardOps() throws {
        let reached = try Self.reached()
        let differentiable = Set(OpRegistry.kinds.filter { $0.isDifferentiable }.map { $0.name }).subtracting(Self.madeByBackward.keys)
        #expect(differentiable.subtracting(reached.forward).isEmpty, "not called: \(differentiable.subtracting(reached.forward).sorted())")
    }

    @Test("the backward-only ops come from the backward pass, sgd and clip_norm (of the clip option) from the update")
    func backwardAndUpdateOps() throws {
        let reached = try Self.reached()
        let backwardOnly = Set(OpRegistry.kinds.filter { !$0.isDifferentiable }.map { $0.name }).subtracting(["sgd", "clip_norm"]).subtracting(Self.exempt.keys)
            .union(Self.madeByBackward.keys)
        #expect(backwardOnly.subtracting(reached.backward).isEmpty, "not in a backward pass: \(backwardOnly.subtracting(reached.backward).sorted())")
        #expect(reached.backward.isSuperset(of: ["sigmoid_backward", "tanh_backward", "relu_backward", "softmax_backward", "sum_to"]))
        #expect(reached.update == ["sgd", "clip_norm"])
    }
}
