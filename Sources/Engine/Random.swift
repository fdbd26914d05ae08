/// The engine's own pseudo-random generator: xoshiro256** seeded through SplitMix64.
///
/// Both algorithms are integer-only (Blackman & Vigna, https://prng.di.unimi.it), so the same
/// seed gives the same numbers on every platform. Reals are derived with exact IEEE
/// arithmetic only (no libm), so they are identical everywhere too:
///
/// - `seed` → state: four successive outputs of SplitMix64 started at `seed`.
/// - `nextUniform()` = `Double(next() >> 11) * 2⁻⁵³`, in [0, 1).
/// - `uniform(lo, hi)` = `lo + (hi − lo) · nextUniform()`.
/// - `nextInt(below: n)` rejects outputs below `(2⁶⁴ − n) mod n`, then takes `next() mod n` (no bias).
///
/// `docs/trace-format.md` repeats these rules so other implementations can reproduce demos.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var splitmix = SplitMix64(state: seed)
        state = (splitmix.next(), splitmix.next(), splitmix.next(), splitmix.next())
    }

    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A uniform real in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform real in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * nextUniform()
    }

    /// A uniform integer in 0..<n, without modulo bias.
    public mutating func nextInt(below n: Int) -> Int {
        precondition(n > 0, "nextInt(below:) needs a positive bound")
        let bound = UInt64(n)
        let threshold = (0 &- bound) % bound
        while true {
            let value = next()
            if value >= threshold { return Int(value % bound) }
        }
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 - k))
    }
}

/// SplitMix64 (Steele, Lea & Flood), used to spread a seed over xoshiro's state.
public struct SplitMix64: Sendable {
    public var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Tensor {
    /// Values drawn uniformly from [−bound, bound), in row-major order.
    public static func uniform(_ shape: [Int], bound: Double, using generator: inout SeededGenerator) -> Tensor {
        let scalars = (0..<count(of: shape)).map { _ in generator.uniform(-bound, bound) }
        return Tensor(shape: shape, scalars: scalars)
    }

    /// Weights for a layer with `fanIn` inputs: uniform in ±1/√fan_in (LeCun; PyTorch's default for `Linear`).
    public static func fanInUniform(_ shape: [Int], fanIn: Int, using generator: inout SeededGenerator) -> Tensor {
        uniform(shape, bound: 1 / Double(fanIn).squareRoot(), using: &generator)
    }

    /// Xavier/Glorot uniform: ±√(6 / (fan_in + fan_out)), which keeps activations' variance
    /// roughly constant through tanh and sigmoid layers.
    public static func xavierUniform(_ shape: [Int], fanIn: Int, fanOut: Int, using generator: inout SeededGenerator)
        -> Tensor
    {
        uniform(shape, bound: (6 / Double(fanIn + fanOut)).squareRoot(), using: &generator)
    }
}
