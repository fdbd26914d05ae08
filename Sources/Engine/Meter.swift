import Synchronization

/// Counts what one run records, holds and computes, projects its totals at a few checkpoints, and
/// stops the run as soon as a projection goes past its `Budget`.
///
/// The counts come from the engine itself — every op on every tape adds its work, every recorded
/// tensor, step and scope its JSON bytes — rather than from a cost formula each demo would declare:
/// a formula drifts from the code it describes, a count cannot, and it covers every demo, present
/// and future, alike. What is not done yet is projected from what is:
///
/// - a backward pass, from the forward graph, just before it runs (`Tape.predictedBackward`);
/// - a loop of alike rounds (training iterations, epochs), linearly from its first rounds, or from
///   the first steps of its first round when a round is itself long (the examples of an epoch over
///   a long corpus): `beginLoop`, `finishStep`, `finishRound`. Rounds run the same ops on the same shapes.
///
/// So a run is refused after its first forward pass, in seconds, before the bulk of its work. As
/// defence in depth the counts themselves are limited too: a run that records, holds or computes
/// more than its budget is stopped there, whatever was projected.
///
/// Stopping is cooperative: the meter keeps the `overrun`, a backward pass on a stopped run returns
/// no gradients, `finishRound` tells loops to end, and whoever started the run (`Demo.trace`)
/// reports the overrun instead of its result. Ops do not throw, so model code stays plain equations;
/// the rest of the current forward pass still runs, which is small next to what the stop prevents.
///
/// Tapes find their run's meter through the task-local `current` when they are made, so neither
/// model code nor the training loop passes it around. A tape made outside a run is not metered.
/// Arithmetic done outside the tapes (word2vec's hand-written training) adds its work with `charge`.
public final class Meter: Sendable {
    @TaskLocal public static var current: Meter?

    public let budget: Budget
    /// What the run has counted so far. A run's tapes count from the thread that runs it, but the
    /// meter is shared through a task-local, which must be `Sendable`: a lock makes it so, checked
    /// by the compiler rather than promised in a comment.
    private let ledger: Mutex<Ledger>

    /// A run's totals as projected at a checkpoint.
    public struct Projection: Equatable, Sendable {
        public var traceBytes: Double
        /// Of the tape at work, when the pass it is about to run is done.
        public var memoryBytes: Double
        public var work: Double
    }

    /// What a pass about to run will add (see `Tape.predictedBackward`).
    struct Cost {
        var work = 0.0
        var traceBytes = 0.0
        var memoryBytes = 0.0
    }

    public init(budget: Budget = .standard) {
        self.budget = budget
        ledger = Mutex(Ledger(budget: budget))
    }

    /// JSON bytes the recording tapes have recorded so far.
    public var traceBytes: Double { ledger.withLock { $0.traceBytes } }
    /// Floating-point operations done so far.
    public var work: Double { ledger.withLock { $0.work } }
    /// The limit the run went past, if it did: the run is stopped.
    public var overrun: Overrun? { ledger.withLock { $0.overrun } }
    /// Every projection checked, in order (how good the estimates were, for tests and reports).
    public var projections: [Projection] { ledger.withLock { $0.projections } }
    public var isStopped: Bool { overrun != nil }

    // MARK: Loops

    /// Announces a loop of `rounds` alike rounds (training iterations, epochs) whose first rounds
    /// stand for all of them, the alike steps a round takes (the examples of an epoch: 1 when a round
    /// is short), and what the loop adds to the trace beside what its tapes record (a history).
    public func beginLoop(rounds: Int, stepsPerRound: Int = 1, addingTraceBytes traceBytes: Double = 0) {
        ledger.withLock { $0.loop = Loop(rounds: rounds, stepsPerRound: max(stepsPerRound, 1), startWork: $0.work, traceBytes: traceBytes) }
    }

    /// Revises what the current loop adds to the trace, once its first round shows it.
    public func expectLoopTraceBytes(_ traceBytes: Double) {
        ledger.withLock { $0.loop?.traceBytes = traceBytes }
    }

    /// Counts a finished round of the current loop. After rounds 1, 2, 4, 8, … the rounds so far are
    /// projected to all of them and checked. False when the run is over budget: end the loop.
    public func finishRound() -> Bool { ledger.withLock { $0.finishRound() } }

    /// Counts a finished step of the current loop's first round. After steps 1, 2, 4, 8, … the steps
    /// so far are projected to the whole loop and checked, so a loop whose first round alone would
    /// take hours is refused in its first seconds. False when the run is over budget: end the loop.
    public func finishStep() -> Bool { ledger.withLock { $0.finishStep() } }

    public func endLoop() {
        ledger.withLock { $0.loop = nil }
    }

    // MARK: Counting

    /// Adds work done outside the tapes, by hand-written arithmetic.
    public func charge(work: Double) {
        count(work: work, traceBytes: 0, heldBytes: 0)
    }

    /// Adds what a tape just did: `work` operations, `traceBytes` recorded, `heldBytes` now held by
    /// that tape. Past a limit, the run stops there.
    func count(work: Double, traceBytes: Double, heldBytes: Double) {
        ledger.withLock { $0.count(work: work, traceBytes: traceBytes, heldBytes: heldBytes) }
    }

    /// Checks a pass that is about to run, given what it will add (predicted only when needed) and
    /// what its tape already holds. False when the run is, or would go, past its budget: skip the pass.
    /// A loop's passes after its first round are not predicted: they repeat the first, already projected.
    func allows(_ pass: @autoclosure () -> Cost, holding heldBytes: Double) -> Bool {
        let (stopped, pastFirstRound) = ledger.withLock { ($0.overrun != nil, ($0.loop?.roundsDone ?? 0) > 0) }
        if stopped { return false }
        if pastFirstRound { return true }
        // Predicted outside the lock: it walks the tape, not the meter.
        let pass = pass()
        // Inside a loop, the pass completes its first round.
        return ledger.withLock { $0.check(pending: pass, memoryBytes: heldBytes + pass.memoryBytes, roundsCovered: 1) }
    }
}

/// A loop of alike rounds of `stepsPerRound` steps each, begun when the run's work stood at `startWork`.
private struct Loop {
    let rounds: Int
    let stepsPerRound: Int
    let startWork: Double
    /// What the loop adds to the trace beside its tapes' recordings (its history).
    var traceBytes: Double
    var roundsDone = 0
    /// Steps finished in the first round.
    var stepsDone = 0
}

/// A meter's counts, its current loop and its projections; changed under the meter's lock only.
private struct Ledger {
    let budget: Budget
    var traceBytes = 0.0
    var work = 0.0
    var overrun: Overrun?
    var projections: [Meter.Projection] = []
    var loop: Loop?

    init(budget: Budget) {
        self.budget = budget
    }

    mutating func finishRound() -> Bool {
        guard overrun == nil else { return false }
        guard var loop else { return true }
        loop.roundsDone += 1
        self.loop = loop
        guard loop.roundsDone.isPowerOfTwo else { return true }
        return check(pending: Meter.Cost(), memoryBytes: 0, roundsCovered: Double(loop.roundsDone))
    }

    mutating func finishStep() -> Bool {
        guard overrun == nil else { return false }
        guard var loop, loop.roundsDone == 0 else { return true }
        loop.stepsDone += 1
        self.loop = loop
        guard loop.stepsDone.isPowerOfTwo else { return true }
        return check(pending: Meter.Cost(), memoryBytes: 0, roundsCovered: Double(loop.stepsDone) / Double(loop.stepsPerRound))
    }

    mutating func count(work: Double, traceBytes: Double, heldBytes: Double) {
        self.work += work
        self.traceBytes += traceBytes
        guard overrun == nil else { return }
        if self.traceBytes > budget.traceBytes {
            stop(.traceSize, self.traceBytes, reachedLimit: true, repeated: false)
        } else if heldBytes > budget.memoryBytes {
            stop(.memory, heldBytes, reachedLimit: true, repeated: false)
        } else if self.work > budget.work {
            stop(.work, self.work, reachedLimit: true, repeated: loop != nil)
        }
    }

    // MARK: Projecting

    /// Projects the run from what is counted, `pending` (about to be done) and the current loop,
    /// whose first `roundsCovered` rounds are counted or pending; stops the run when that goes past a limit.
    mutating func check(pending: Meter.Cost, memoryBytes: Double, roundsCovered: Double) -> Bool {
        let pass = Meter.Projection(traceBytes: traceBytes + pending.traceBytes, memoryBytes: memoryBytes, work: work + pending.work)
        var whole = pass
        if let loop {
            let perRound = (pass.work - loop.startWork) / roundsCovered
            whole.work = loop.startWork + perRound * Double(loop.rounds)
            whole.traceBytes += loop.traceBytes
        }
        projections.append(whole)
        let estimates: [(Overrun.Limit, Double, Double)] = [
            (.traceSize, whole.traceBytes, pass.traceBytes), (.memory, whole.memoryBytes, pass.memoryBytes),
            (.work, whole.work, pass.work),
        ]
        for (limit, estimate, withoutRepeats) in estimates where estimate > budget.limit(limit) {
            stop(limit, estimate, reachedLimit: false, repeated: withoutRepeats <= budget.limit(limit))
            return false
        }
        return true
    }

    private mutating func stop(_ limit: Overrun.Limit, _ estimate: Double, reachedLimit: Bool, repeated: Bool) {
        overrun = Overrun(
            limit: limit, estimate: estimate, allowed: budget.limit(limit), reachedLimit: reachedLimit, repeated: repeated)
    }
}

extension Int {
    /// 1, 2, 4, 8, …: when a loop's projection is checked.
    fileprivate var isPowerOfTwo: Bool { self > 0 && self & (self - 1) == 0 }
}
