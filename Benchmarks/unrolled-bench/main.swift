// `make bench`: the engine's MLP forward + backward, recording on and off, beside numpy's
// (Benchmarks/mlp_numpy.py) and, where PyTorch is installed, PyTorch's (mlp_torch.py) in the same
// run, with the ratios the issues target (#21): recording on / off ≤ 1.3, engine (off) / numpy
// ≤ 0.7 for hidden sizes up to 64 and ≤ 1.2 at 256; then an LSTM (I = H = 32, T = 32) the same way
// beside Benchmarks/lstm_numpy.py and lstm_torch.py, target engine (off) / numpy < 1; then skip-gram with negative sampling training throughput (tokens per
// second, recording off) beside Benchmarks/skipgram_ns_numpy.py, target engine / numpy ≥ 1;
// then multi-head attention (n = 32, d_model = 64, 4 heads) forward + backward, recording on and
// off, beside Benchmarks/mha_numpy.py and, where PyTorch is installed, Benchmarks/mha_torch.py,
// target engine (off) / numpy ≤ 1.5; then one conv2d layer (N = 8, C 8 → 16, 16×16, k = 3, padding 1) forward + backward (∂X, ∂W, ∂b)
// beside Benchmarks/conv_numpy.py (im2col + BLAS) and conv_torch.py, target engine (off) / numpy ≤ 1.
// Each engine row also gives its arithmetic rate (GFLOP/s, recording off: the ops' own count of
// their work, `Op.work`, over the time) beside the machine's single-core float64 peak.
// A benchmark, not a test: it prints numbers and always exits 0 unless something fails to run.
import Engine
import Foundation
import Models

/// Hidden sizes to time: all by default, or those listed in UNROLLED_BENCH_SIZES (e.g. "4,64").
let hiddenSizes =
    ProcessInfo.processInfo.environment["UNROLLED_BENCH_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } }
    ?? [4, 16, 64, 256]
let batch = 16

/// The parts to run: all by default, or those listed in UNROLLED_BENCH_ONLY (e.g. "mlp,mha"; the
/// parts are mlp, lstm, skipgram, mha, conv), so that one part can be timed or profiled alone.
let parts = Set(
    ProcessInfo.processInfo.environment["UNROLLED_BENCH_ONLY"].map { $0.split(separator: ",").map(String.init) }
        ?? ["mlp", "lstm", "skipgram", "mha", "conv"])

/// UNROLLED_BENCH_ITERATIONS=n: each engine figure is one uncalibrated batch of exactly n calls, and
/// numpy is not run. For counting instructions under callgrind (`valgrind --tool=callgrind`), a
/// measure that, unlike time, the load of a shared machine does not change.
let fixedIterations = ProcessInfo.processInfo.environment["UNROLLED_BENCH_ITERATIONS"].flatMap { Int($0) }

/// Seconds per call of `body`: the fastest of 7 batches, each calibrated to last ≥ 50 ms.
/// The minimum, not the median: on a shared machine, noise only ever adds time.
func secondsPerIteration(_ body: () -> Void) -> Double {
    if let fixedIterations {
        let start = ContinuousClock.now
        for _ in 0..<fixedIterations { body() }
        let elapsed = ContinuousClock.now - start
        return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18) / Double(fixedIterations)
    }
    var iterations = 1
    while true {
        let start = ContinuousClock.now
        for _ in 0..<iterations { body() }
        if (ContinuousClock.now - start) >= .milliseconds(50) { break }
        iterations *= 2
    }
    var samples: [Double] = []
    for _ in 0..<7 {
        let start = ContinuousClock.now
        for _ in 0..<iterations { body() }
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return samples.min()! / Double(iterations)
}

/// One forward + backward pass of the [8, H, H, 4] tanh MLP with MSE over `batch` samples.
@discardableResult
func engineIteration(_ network: MLP, _ parameters: [Tensor], _ x: Tensor, _ t: Tensor, recording: Bool) -> Tape {
    let tape = Tape(recording: recording)
    let bound = network.bind(parameters, on: tape)
    let loss = network.loss(network(tape.input(x, name: "X", requiresGradient: false), bound), tape.constant(t, name: "T"), kind: .mse)
    tape.backward(loss)
    return tape
}

/// One forward + backward pass of the LSTM over the sequence, Q = Σ_t ½‖y_t − target_t‖².
@discardableResult
func lstmIteration(_ network: LSTM, _ parameters: [Tensor], _ xs: [Tensor], _ targets: [Tensor], recording: Bool) -> Tape {
    let tape = Tape(recording: recording)
    let bound = network.bind(parameters, on: tape)
    let ys = network.unroll(xs.map { tape.input($0, name: "x", requiresGradient: false) }, bound).outputs
    let losses = zip(ys, targets).map { halfSquaredError($0, tape.constant($1, name: "target")) }
    tape.backward(losses.dropFirst().reduce(losses[0], +))
    return tape
}

/// One forward + backward pass of multi-head self-attention, L = ½‖Z − T‖² (X takes no gradient).
@discardableResult
func attentionIteration(_ attention: MultiHeadAttention, _ parameters: [Tensor], _ x: Tensor, _ t: Tensor, recording: Bool) -> Tape {
    let tape = Tape(recording: recording)
    let bound = attention.bind(parameters, on: tape)
    let Z = attention(tape.input(x, name: "X", requiresGradient: false), bound)
    tape.backward(halfSquaredError(Z, tape.constant(t, name: "T")))
    return tape
}

/// One forward + backward pass of a conv2d layer, L = ½‖Y − T‖²: ∂X, ∂W and ∂b.
@discardableResult
func convIteration(_ w: Tensor, _ b: Tensor, _ x: Tensor, _ t: Tensor, padding: Int, recording: Bool) -> Tape {
    let tape = Tape(recording: recording)
    let Y = conv2d(tape.input(x, name: "X"), tape.parameter(w, name: "W"), tape.parameter(b, name: "b"), ConvGeometry(padding: padding))
    tape.backward(halfSquaredError(Y, tape.constant(t, name: "T")))
    return tape
}

/// The floating-point operations of one iteration as its ops count them (`Op.work`: 2mkn for a
/// matrix product, one per value read or written for an element-wise op): the iteration run once on
/// a recording tape inside a metered run, less the bookkeeping the meter adds per step.
func arithmetic(of iteration: () -> Tape) -> Double {
    let meter = Meter(budget: Budget(traceBytes: .infinity, memoryBytes: .infinity, work: .infinity))
    let tape = Meter.$current.withValue(meter) { iteration() }
    return meter.work - Tape.workPerOp * Double(tape.stepCount)
}

/// `arithmetic` done in `seconds`, in GFLOP/s.
func rate(_ arithmetic: Double, _ seconds: Double?) -> String {
    seconds.map { String(format: "%.2f", arithmetic / $0 / 1e9) } ?? "–"
}

/// One core's float64 peak in GFLOP/s, from /proc/cpuinfo: the clock ("cpu MHz" of the first core)
/// times the FLOPs per cycle its vector flags allow: 32 with AVX-512 (two 8-wide FMAs a cycle),
/// 16 with AVX2 and FMA (two 4-wide FMAs), 8 with AVX (a 4-wide multiply and a 4-wide add), 4
/// otherwise (SSE2). BLAS's kernels can reach it; the engine's, which never fuses a multiply and an
/// add (each product is rounded, for the same bits everywhere), reaches the same only where the
/// CPU has as many separate multiply and add pipes (AMD Zen 2 and later), half of it on others.
func peak() -> (gflops: Double, how: String)? {
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
    let lines = info.split(separator: "\n")
    func field(_ name: String) -> String? {
        lines.first { $0.hasPrefix(name) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }
    guard let mhz = field("cpu MHz").flatMap(Double.init), let flags = field("flags")?.split(separator: " ").map(String.init) else {
        return nil
    }
    let (perCycle, kind): (Double, String) =
        flags.contains("avx512f") ? (32, "AVX-512: 2 × 8-wide FMA") : flags.contains("avx2") && flags.contains("fma")
        ? (16, "AVX2 + FMA: 2 × 4-wide FMA") : flags.contains("avx") ? (8, "AVX: 4-wide multiply + add") : (4, "SSE2")
    return (mhz / 1000 * perCycle, String(format: "%.2f GHz × %.0f FLOPs/cycle (%@), from /proc/cpuinfo", mhz / 1000, perCycle, kind))
}

extension Dictionary {
    func mapKeys(_ transform: (Key) -> Key) -> [Key: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

/// Runs a numpy script of this folder (one BLAS thread) and reads the JSON object it prints.
func numpyTimings(_ script: String, _ arguments: [String] = []) -> [String: Double]? {
    if fixedIterations != nil { return nil }
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(script)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path] + arguments
    // One BLAS thread, like the engine: the comparison is per core.
    var environment = ProcessInfo.processInfo.environment
    for key in ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"] { environment[key] = "1" }
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return try? JSONDecoder().decode([String: Double].self, from: data)
}

func format(_ seconds: Double) -> String {
    seconds < 1e-3 ? String(format: "%8.1f µs", seconds * 1e6) : String(format: "%8.2f ms", seconds * 1e3)
}

/// Rounds of engine-then-numpy measurements (UNROLLED_BENCH_ROUNDS, default 3). Each figure is the
/// fastest over the rounds: the machine's speed drifts over seconds, and alternating the two sides
/// lets each meet the same quiet moments.
let rounds = max(1, ProcessInfo.processInfo.environment["UNROLLED_BENCH_ROUNDS"].flatMap { Int($0) } ?? 3)

/// The element-wise minimum of measurements taken `rounds` times; a key missing in any round stays missing.
func fastest(_ measure: () -> [String: Double]) -> [String: Double] {
    let all = (0..<rounds).map { _ in measure() }
    return Dictionary(uniqueKeysWithValues: all[0].keys.compactMap { key in
        let values = all.compactMap { $0[key] }
        return values.count == all.count ? (key, values.min()!) : nil
    })
}

let ratio = { (a: Double?, b: Double?) in a.flatMap { a in b.map { String(format: "%.2f×", a / $0) } } ?? "–" }
func printRow(_ cells: [String]) {
    print(cells.map { $0.trimmingCharacters(in: .whitespaces).padding(toLength: 12, withPad: " ", startingAt: 0) }.joined())
}

if let peak = peak() {
    print(String(format: "Single-core float64 peak: %.1f GFLOP/s = ", peak.gflops) + peak.how + "\n")
} else {
    print("(no single-core peak: /proc/cpuinfo could not be read)\n")
}

/// Says so when the PyTorch scripts printed nothing (torch missing).
func noteSkippedTorch(_ timings: [String: Double], _ key: String) {
    if timings[key] == nil { print("\n(PyTorch skipped: `import torch` fails in python3; `make bench` does not install it)") }
}

/// One network's table: recording on and off, numpy's and PyTorch's times (under the keys `numpy`
/// and `torch` of `timings`), their ratios and the rate achieved with recording off.
func printComparison(_ timings: [String: Double], numpy: String, torch torchKey: String) {
    let (on, off, reference, torch) = (timings["on"], timings["off"], timings[numpy], timings[torchKey])
    if reference == nil { print("(numpy reference could not be run)\n") }
    printRow(["record on", "record off", "numpy", "PyTorch", "on/off", "off/numpy", "on/numpy", "off/PyTorch", "GFLOP/s off"])
    printRow([on.map(format) ?? "–", off.map(format) ?? "–", reference.map(format) ?? "–", torch.map(format) ?? "–",
              ratio(on, off), ratio(off, reference), ratio(on, reference), ratio(off, torch), rate(timings["work"] ?? 0, off)])
    noteSkippedTorch(timings, torchKey)
}

if parts.contains("mlp") {
    print("MLP [8, H, H, 4], tanh, MSE, batch \(batch): forward + backward per iteration")
    print("(each figure the fastest of \(rounds) rounds × 7 batches; numpy runs with one BLAS thread; the engine is single-threaded)\n")
    let mlp = fastest {
        var measured = numpyTimings("mlp_numpy.py", hiddenSizes.map(String.init))?.mapKeys { "numpy \($0)" } ?? [:]
        measured.merge(numpyTimings("mlp_torch.py", hiddenSizes.map(String.init))?.mapKeys { "torch \($0)" } ?? [:]) { first, _ in first }
        for hidden in hiddenSizes {
            let network = MLP(layers: [8, hidden, hidden, 4], activation: .tanh)
            var random = SeededGenerator(seed: 1)
            let parameters = network.initialParameters(using: &random)
            let x = Tensor.uniform([8, batch], bound: 1, using: &random)
            let t = Tensor.uniform([4, batch], bound: 1, using: &random)
            measured["on \(hidden)"] = secondsPerIteration { engineIteration(network, parameters, x, t, recording: true) }
            measured["off \(hidden)"] = secondsPerIteration { engineIteration(network, parameters, x, t, recording: false) }
            measured["work \(hidden)"] = arithmetic { engineIteration(network, parameters, x, t, recording: true) }
        }
        return measured
    }
    if mlp["numpy \(hiddenSizes[0])"] == nil {
        print("(numpy reference could not be run: is python3 with numpy installed? `make bench` installs it)\n")
    }
    printRow(["H", "record on", "record off", "numpy", "PyTorch", "on/off", "off/numpy", "on/numpy", "off/PyTorch", "GFLOP/s off"])
    for hidden in hiddenSizes {
        let (on, off, reference, torch) = (mlp["on \(hidden)"], mlp["off \(hidden)"], mlp["numpy \(hidden)"], mlp["torch \(hidden)"])
        printRow([String(hidden), on.map(format) ?? "–", off.map(format) ?? "–", reference.map(format) ?? "–", torch.map(format) ?? "–",
                  ratio(on, off), ratio(off, reference), ratio(on, reference), ratio(off, torch), rate(mlp["work \(hidden)"] ?? 0, off)])
    }
    noteSkippedTorch(mlp, "torch \(hiddenSizes[0])")
    print("\ntargets: on/off ≤ 1.30×; off/numpy ≤ 0.70× for H ≤ 64, ≤ 1.20× at H = 256")
}

if parts.contains("lstm") {
    let (lstmSize, lstmSteps) = (32, 32)
    print("\nLSTM, I = H = O = \(lstmSize), T = \(lstmSteps), Q = Σ_t ½‖y_t − target_t‖²: forward + backward (BPTT) per iteration\n")
    do {
        let network = LSTM(inputSize: lstmSize, hiddenSize: lstmSize, outputSize: lstmSize)
        var random = SeededGenerator(seed: 1)
        let parameters = network.initialParameters(using: &random)
        let xs = (0..<lstmSteps).map { _ in Tensor.uniform([lstmSize, 1], bound: 1, using: &random) }
        let targets = (0..<lstmSteps).map { _ in Tensor.uniform([lstmSize, 1], bound: 1, using: &random) }
        let lstm = fastest {
            var measured = numpyTimings("lstm_numpy.py") ?? [:]
            measured.merge(numpyTimings("lstm_torch.py")?.mapKeys { "torch \($0)" } ?? [:]) { first, _ in first }
            measured["on"] = secondsPerIteration { lstmIteration(network, parameters, xs, targets, recording: true) }
            measured["off"] = secondsPerIteration { lstmIteration(network, parameters, xs, targets, recording: false) }
            measured["work"] = arithmetic { lstmIteration(network, parameters, xs, targets, recording: true) }
            return measured
        }
        printComparison(lstm, numpy: "lstm", torch: "torch lstm")
    }
    print("\ntarget: off/numpy < 1.00×")
}

if parts.contains("skipgram") {
    // Skip-gram with negative sampling: the `skipgram-ns` demo's training loop (recording off, plain
    // arrays, sparse updates) on a seeded Zipf-like corpus, written to a temporary file that numpy reads.
    let (nsVocabulary, nsTokens, nsDimensions, nsWindow, nsNegatives, nsRate) = (1000, 10_000, 100, 2, 5, 0.025)
    print(
        "\nSkip-gram with negative sampling: \(nsTokens) tokens over V = \(nsVocabulary) (word r drawn ∝ 1/r), "
            + "N = \(nsDimensions), window \(nsWindow), k = \(nsNegatives): training throughput\n")
    do {
        var random = SeededGenerator(seed: 1)
        var running = 0.0
        let zipf = (1...nsVocabulary).map { rank in
            running += 1 / Double(rank)
            return running
        }
        let tokens = (0..<nsTokens).map { _ in
            let r = random.nextUniform() * running
            return zipf.firstIndex { $0 > r } ?? nsVocabulary - 1
        }
        let file = FileManager.default.temporaryDirectory
            .appendingPathComponent("unrolled-bench-skipgram-ns-\(ProcessInfo.processInfo.processIdentifier).txt")
        try tokens.map(String.init).joined(separator: " ").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }

        var counts = [Int](repeating: 0, count: nsVocabulary)
        for token in tokens { counts[token] += 1 }
        var pairs: [(centre: Int, context: Int)] = []
        for i in tokens.indices {
            for d in -nsWindow...nsWindow where d != 0 && tokens.indices.contains(i + d) { pairs.append((tokens[i], tokens[i + d])) }
        }
        let sampler = NegativeSampler(counts: counts)
        let bound = 0.5 / Double(nsDimensions)
        var weights = SkipGramNegativeSampling.Weights(
            W_in: Tensor.uniform([nsVocabulary, nsDimensions], bound: bound, using: &random),
            W_out: Tensor.uniform([nsDimensions, nsVocabulary], bound: bound, using: &random))
        var epochSeconds: [Double] = []
        var loss = 0.0
        for _ in 0..<7 {
            let start = ContinuousClock.now
            loss = SkipGramNegativeSampling.train(
                &weights, pairs: pairs, negatives: nsNegatives, sampler: sampler, learningRate: nsRate, using: &random) / Double(pairs.count)
            let elapsed = ContinuousClock.now - start
            epochSeconds.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        let engine = Double(nsTokens) / epochSeconds.min()!
        let numpy = numpyTimings(
            "skipgram_ns_numpy.py",
            [file.path, String(nsVocabulary), String(nsDimensions), String(nsWindow), String(nsNegatives), String(nsRate), "3"])
        let numpyRate = numpy?["seconds_per_epoch"].map { Double(nsTokens) / $0 }
        if numpy == nil { print("(numpy reference could not be run)\n") }
        let rate = { (x: Double) in String(format: "%.0f tokens/s", x) }
        let columns = ["engine (off)", "numpy", "engine/numpy", "pairs/epoch", "last epoch's mean Q"]
        print(columns.map { $0.padding(toLength: 20, withPad: " ", startingAt: 0) }.joined())
        let row = [
            rate(engine), numpyRate.map(rate) ?? "–", numpyRate.map { String(format: "%.1f×", engine / $0) } ?? "–",
            String(pairs.count), String(format: "%.4f", loss),
        ]
        print(row.map { $0.padding(toLength: 20, withPad: " ", startingAt: 0) }.joined())
    } catch {
        print("(could not write the corpus for numpy: \(error))")
    }
    print("\ntarget: engine/numpy ≥ 1.0× (throughput: higher is better; each the fastest of its epochs)")
}

if parts.contains("mha") {
    let (mhaTokens, mhaModel, mhaHeads) = (32, 64, 4)
    print("\nMulti-head self-attention, n = \(mhaTokens) tokens, d_model = \(mhaModel), \(mhaHeads) heads, L = ½‖Z − T‖²: forward + backward per iteration\n")
    do {
        let attention = MultiHeadAttention(modelSize: mhaModel, heads: mhaHeads)
        var random = SeededGenerator(seed: 1)
        let parameters = attention.initialParameters(using: &random)
        let x = Tensor.uniform([mhaTokens, mhaModel], bound: 1, using: &random)
        let t = Tensor.uniform([mhaTokens, mhaModel], bound: 1, using: &random)
        let sizes = [mhaTokens, mhaModel, mhaHeads].map(String.init)
        let mha = fastest {
            var measured = numpyTimings("mha_numpy.py", sizes)?.mapKeys { "numpy \($0)" } ?? [:]
            measured.merge(numpyTimings("mha_torch.py", sizes)?.mapKeys { "torch \($0)" } ?? [:]) { first, _ in first }
            measured["on"] = secondsPerIteration { attentionIteration(attention, parameters, x, t, recording: true) }
            measured["off"] = secondsPerIteration { attentionIteration(attention, parameters, x, t, recording: false) }
            measured["work"] = arithmetic { attentionIteration(attention, parameters, x, t, recording: true) }
            return measured
        }
        printComparison(mha, numpy: "numpy mha", torch: "torch mha")
    }
    print("\ntargets: off/numpy ≤ 1.50×; on/off ≤ 1.30×")
}

if parts.contains("conv") {
    let (convBatch, convIn, convOut, convSize, convKernel, convPadding) = (8, 8, 16, 16, 3, 1)
    print("\nconv2d, N = \(convBatch), C \(convIn) → \(convOut), \(convSize)×\(convSize), k = \(convKernel), padding \(convPadding), L = ½‖Y − T‖²: forward + backward (∂X, ∂W, ∂b) per iteration\n")
    do {
        var random = SeededGenerator(seed: 1)
        let bound = 1 / Double(convIn * convKernel * convKernel).squareRoot()
        let w = Tensor.uniform([convOut, convIn, convKernel, convKernel], bound: bound, using: &random)
        let b = Tensor.uniform([convOut], bound: bound, using: &random)
        let x = Tensor.uniform([convBatch, convIn, convSize, convSize], bound: 1, using: &random)
        let t = Tensor.uniform([convBatch, convOut, convSize, convSize], bound: 1, using: &random)
        let sizes = [convBatch, convIn, convOut, convSize, convKernel, 1, convPadding].map(String.init)
        let conv = fastest {
            var measured = numpyTimings("conv_numpy.py", sizes)?.mapKeys { "numpy \($0)" } ?? [:]
            measured.merge(numpyTimings("conv_torch.py", sizes)?.mapKeys { "torch \($0)" } ?? [:]) { first, _ in first }
            measured["on"] = secondsPerIteration { convIteration(w, b, x, t, padding: convPadding, recording: true) }
            measured["off"] = secondsPerIteration { convIteration(w, b, x, t, padding: convPadding, recording: false) }
            measured["work"] = arithmetic { convIteration(w, b, x, t, padding: convPadding, recording: true) }
            return measured
        }
        printComparison(conv, numpy: "numpy conv", torch: "torch conv")
    }
    print("\ntarget: off/numpy ≤ 1.00× (recording off at most numpy's time)")
}
