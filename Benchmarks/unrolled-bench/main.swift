// `make bench`: the engine's MLP forward + backward, recording on and off, beside numpy's
// (Benchmarks/mlp_numpy.py) in the same run, with the ratios the issue targets:
//   recording on / off  ≤ 1.5,   engine (off) / numpy  < 1 for hidden sizes up to 64.
// A benchmark, not a test: it prints numbers and always exits 0 unless something fails to run.
import Engine
import Foundation
import Models

/// Hidden sizes to time: all by default, or those listed in UNROLLED_BENCH_SIZES (e.g. "4,64").
let hiddenSizes =
    ProcessInfo.processInfo.environment["UNROLLED_BENCH_SIZES"].map { $0.split(separator: ",").compactMap { Int($0) } }
    ?? [4, 16, 64, 256]
let batch = 16

/// Seconds per call of `body`: the fastest of 7 batches, each calibrated to last ≥ 50 ms.
/// The minimum, not the median: on a shared machine, noise only ever adds time.
func secondsPerIteration(_ body: () -> Void) -> Double {
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
func engineIteration(_ network: MLP, _ parameters: [Tensor], _ x: Tensor, _ t: Tensor, recording: Bool) {
    let tape = Tape(recording: recording)
    let bound = network.bind(parameters, on: tape)
    let loss = network.loss(network(tape.input(x, name: "X", requiresGradient: false), bound), tape.constant(t, name: "T"), kind: "mse")
    tape.backward(loss)
}

func numpyTimings() -> [String: Double]? {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("mlp_numpy.py")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script.path] + hiddenSizes.map(String.init)
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

print("MLP [8, H, H, 4], tanh, MSE, batch \(batch): forward + backward per iteration (best of 7 batches)")
print("numpy runs with one BLAS thread; the engine is single-threaded.\n")
let numpy = numpyTimings()
if numpy == nil { print("(numpy reference could not be run: is python3 with numpy installed? `make bench` installs it)\n") }
let header = ["H", "record on", "record off", "numpy", "on/off", "off/numpy", "on/numpy"]
print(header.map { $0.padding(toLength: 12, withPad: " ", startingAt: 0) }.joined())
for hidden in hiddenSizes {
    let network = MLP(layers: [8, hidden, hidden, 4], activation: "tanh")
    var random = SeededGenerator(seed: 1)
    let parameters = network.initialParameters(using: &random)
    let x = Tensor.uniform([8, batch], bound: 1, using: &random)
    let t = Tensor.uniform([4, batch], bound: 1, using: &random)
    let on = secondsPerIteration { engineIteration(network, parameters, x, t, recording: true) }
    let off = secondsPerIteration { engineIteration(network, parameters, x, t, recording: false) }
    let reference = numpy?[String(hidden)]
    let ratio = { (a: Double, b: Double?) in b.map { String(format: "%.2f×", a / $0) } ?? "–" }
    let row = [String(hidden), format(on), format(off), reference.map(format) ?? "–", ratio(on, off), ratio(off, reference), ratio(on, reference)]
    print(row.map { $0.trimmingCharacters(in: .whitespaces).padding(toLength: 12, withPad: " ", startingAt: 0) }.joined())
}
print("\ntargets: on/off ≤ 1.50×; off/numpy < 1.00× for H ≤ 64")
