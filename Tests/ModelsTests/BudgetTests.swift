import Engine
import Foundation
import Models
import Testing
import Trace

/// The run budget (`Budget`, `Meter`): estimates made before the work against what the work
/// turned out to be, refusals, what they name, and how early they come.
@Suite("Budget")
struct BudgetTests {
    /// Mid-size runs of different demos, from 50 kB to 6 MB of trace: single traced passes
    /// (recurrent, attention, transformer) and training loops with a history (SGD, word2vec).
    static let runs: [(String, [String: JSONValue])] = [
        ("lstm", ["steps": 20, "hidden": 32]),
        ("gru", ["steps": 30, "hidden": 16, "train": 200]),
        ("bilstm", ["steps": 10, "hidden": 12, "input": 5]),
        ("attention", ["tokens": 16, "key-size": 32, "value-size": 32, "train": 500]),
        ("mlp", ["layers": [4, 64, 64, 3], "data": "random", "samples": 128, "loss": "cross-entropy", "train": 300]),
        ("transformer-encoder", ["d-model": 32, "heads": 4, "d-ff": 64, "train": 20]),
        ("gradient-flow", ["record": "history", "steps": 300, "hidden": 32, "train": 50]),
        ("cbow", ["dimensions": 20, "window": 2, "train": 5, "corpus": .string(String(repeating: "the cat sat on the mat and the dog ate a bone ", count: 20))]),
        ("skipgram-ns", ["dimensions": 32, "train": 50]),
    ]

    /// Every size projected during the run is near the trace's real size. Work is projected once a
    /// loop has begun (a projection before knows nothing of the epochs to come), so the largest
    /// work projected is checked against the work counted by the end.
    @Test("the projected trace size and work are within a factor 2 of the real ones", arguments: runs)
    func estimatesAreWithinAFactorTwo(demo: String, parameters: [String: JSONValue]) throws {
        let meter = Meter()
        let trace = try Demos.named(demo).trace(parameters, progress: nil, meter: meter)
        let bytes = Double(try trace.jsonData().count)
        #expect(!meter.projections.isEmpty)
        for projection in meter.projections {
            let ratio = projection.traceBytes / bytes
            #expect(ratio > 0.5 && ratio < 2, "\(demo): \(Int(projection.traceBytes)) bytes projected, \(Int(bytes)) written")
        }
        let work = meter.projections.map(\.work).max()! / meter.work
        #expect(work > 0.5 && work < 2, "\(demo): \(work) × the \(meter.work) operations counted")
    }

    /// A model makes its parameters before any op: were one tensor's limit below the memory a run
    /// may hold, `cbow --corpus-file <60,000 distinct words> --dimensions 300` (a 57,897 × 300
    /// W_in) would stop at the op's limit, a crash, instead of being refused by the meter.
    @Test("no tensor a run within its memory budget can hold is over the per-tensor limit")
    func tensorLimitCoversTheMemoryBudget() {
        #expect(Double(Tensor.maxCount) * Double(MemoryLayout<Double>.size) >= Budget.standard.memoryBytes)
    }

    @Test("a trace over the size limit is refused before its backward pass, naming the parameters given that scale it")
    func traceSizeRefusedBeforeBackward() {
        let meter = Meter(budget: Budget(traceBytes: 1e6, memoryBytes: 1e9, work: 1e11))
        let error = demoError { _ = try Demos.named("lstm").trace(["steps": 20, "hidden": 32, "train": 10], progress: nil, meter: meter) }
        guard case .overBudget(let overrun, let lower) = error else { Issue.record("not refused: \(String(describing: error))"); return }
        #expect(overrun.limit == .traceSize && !overrun.reachedLimit && !overrun.repeated)
        #expect(overrun.estimate > 4e6 && overrun.estimate < 8e6)
        // One pass is too big: fewer iterations would not help, so `train` is not named.
        #expect(lower == ["steps", "hidden"])
        let message = error?.message(flagPrefix: "--") ?? ""
        #expect(message.hasPrefix("this trace would hold about ") && message.hasSuffix(" MB, the limit is 1 MB: lower --steps or --hidden"))
        // Nothing of the backward pass was done: the forward pass holds a tenth of the trace.
        #expect(meter.traceBytes < 1e6)
    }

    @Test("work over the limit is refused after the first iteration, naming the sizes and the iterations")
    func workRefusedAfterOneIteration() {
        let meter = Meter(budget: Budget(traceBytes: 200e6, memoryBytes: 1e9, work: 1e9))
        let error = demoError {
            _ = try Demos.named("attention").trace(["tokens": 16, "key-size": 32, "train": 100_000], progress: nil, meter: meter)
        }
        guard case .overBudget(let overrun, let lower) = error else { Issue.record("not refused: \(String(describing: error))"); return }
        #expect(overrun.limit == .work && overrun.repeated)
        #expect(lower == ["tokens", "key-size", "train"])
        let message = error?.message() ?? ""
        #expect(message.hasPrefix("this run would take about "))
        #expect(message.hasSuffix(" floating-point operations, the limit is 1e9 (a few minutes): lower tokens, key-size or train"))
        #expect(meter.work < 1e-3 * overrun.estimate)
    }

    @Test("an epoch too long to wait for is refused within its first examples")
    func longEpochRefusedEarly() {
        let corpus = (0..<3000).map { "word\($0 % 700)" }.joined(separator: " ")
        let meter = Meter(budget: Budget(traceBytes: 200e6, memoryBytes: 1e9, work: 1e9))
        let error = demoError {
            _ = try Demos.named("skipgram").trace(["corpus": .string(corpus), "dimensions": 100, "window": 5, "train": 1000], progress: nil, meter: meter)
        }
        guard case .overBudget(let overrun, let lower) = error else { Issue.record("not refused: \(String(describing: error))"); return }
        #expect(overrun.limit == .work && overrun.repeated)
        #expect(lower == ["corpus", "window", "dimensions", "train"])
        // The first epoch alone is 3000 examples of about 7·V·N = 490 000 operations each.
        #expect(meter.work < 1e-3 * overrun.estimate)
    }

    @Test("a pass that would not fit in memory is refused, even when nothing is recorded")
    func memoryRefused() {
        let meter = Meter(budget: Budget(traceBytes: 200e6, memoryBytes: 10e6, work: 1e11))
        let error = demoError {
            _ = try Demos.named("gradient-flow").trace(["record": "history", "steps": 400, "hidden": 64, "network": "lstm"], progress: nil, meter: meter)
        }
        guard case .overBudget(let overrun, let lower) = error else { Issue.record("not refused: \(String(describing: error))"); return }
        #expect(overrun.limit == .memory && !overrun.reachedLimit)
        #expect(lower == ["steps", "hidden"])
        #expect(error?.message().hasPrefix("one pass would hold about ") == true)
    }

    @Test("recording past the limit stops the run at its next checkpoint, when nothing projected it")
    func hardStop() {
        // 50 kB is reached while the parameters (4 × 32 × 34 numbers) are recorded, before any projection.
        let meter = Meter(budget: Budget(traceBytes: 50e3, memoryBytes: 1e9, work: 1e11))
        let error = demoError { _ = try Demos.named("lstm").trace(["steps": 20, "hidden": 32], progress: nil, meter: meter) }
        guard case .overBudget(let overrun, _) = error else { Issue.record("not refused: \(String(describing: error))"); return }
        #expect(overrun.reachedLimit)
        let message = error?.message() ?? ""
        #expect(message.hasPrefix("this trace would hold more than ") && message.hasSuffix(" kB, the limit is 50 kB: lower steps or hidden"))
        // The forward pass ran to its end (ops do not throw), the backward pass, nine tenths of the
        // 5.5 MB trace, not at all.
        #expect(meter.traceBytes < 0.6e6)
    }

    @Test("every demo declares which parameters scale it: some sizes, and its iterations or epochs")
    func everyDemoDeclaresItsScale() {
        for demo in Demos.all {
            #expect(demo.parameters.contains { $0.scaling == .size }, "\(demo.name)")
            for parameter in demo.parameters where parameter.name == "train" {
                #expect(parameter.scaling == .repetitions, "\(demo.name)")
            }
        }
    }
}
