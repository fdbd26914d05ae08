import Engine
import Testing

// Reference values come from an independent Python implementation of the published algorithms
// (splitmix64.c and xoshiro256starstar.c, https://prng.di.unimi.it), not from the Swift code:
//
//     python3 Tests/EngineTests/prng_reference.py
//
// SplitMix64's first output from state 0, 0xE220A8397B1DCDAF, is also the value published with it.

@Suite("Seeded random numbers")
struct RandomTests {
    @Test("SplitMix64 from state 0 gives the published first output 0xE220A8397B1DCDAF, then the reference sequence")
    func splitMix64MatchesReference() {
        var generator = SplitMix64(state: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test("xoshiro256** seeded with 1 through SplitMix64 matches the Python reference")
    func xoshiroMatchesReference() {
        var generator = SeededGenerator(seed: 1)
        let expected: [UInt64] = [
            0xB3F2_AF6D_0FC7_10C5, 0x853B_5596_4736_4CEA, 0x92F8_9756_082A_4514,
            0x642E_1C7B_C266_A3A7, 0xB27A_48E2_9A23_3673, 0x24C1_2312_6FFD_A722,
        ]
        #expect((0..<6).map { _ in generator.next() } == expected)
    }

    @Test("nextUniform, uniform(lo, hi) and nextInt(below:) match the Python reference bit for bit")
    func derivedValuesMatchReference() {
        var g42 = SeededGenerator(seed: 42)
        let uniforms: [Double] = [0x1.5780b2e0c2ec0p-4, 0x1.84136619b444ep-2, 0x1.5c2ea66473c93p-1, 0x1.d9715a8e0766cp-1]
        #expect((0..<4).map { _ in g42.nextUniform() } == uniforms)

        var g3 = SeededGenerator(seed: 3)
        let scaled: [Double] = [0x1.fd38dd0ed31a8p+0, 0x1.a9ed4273639e8p+0, -0x1.14cfb89f39ef3p+0]
        #expect((0..<3).map { _ in g3.uniform(-2.5, 4.0) } == scaled)

        var g7 = SeededGenerator(seed: 7)
        #expect((0..<12).map { _ in g7.nextInt(below: 10) } == [4, 4, 8, 4, 4, 1, 6, 6, 8, 9, 3, 6])
    }

    @Test("the same seed gives the same sequence; different seeds give different ones")
    func sameSeedSameSequence() {
        var a = SeededGenerator(seed: 12345), b = SeededGenerator(seed: 12345), c = SeededGenerator(seed: 12346)
        let first = (0..<100).map { _ in a.next() }
        #expect(first == (0..<100).map { _ in b.next() })
        #expect(first != (0..<100).map { _ in c.next() })
        var d = SeededGenerator(seed: 9), e = SeededGenerator(seed: 9)
        #expect(Tensor.uniform([3, 4], bound: 2, using: &d) == Tensor.uniform([3, 4], bound: 2, using: &e))
    }

    @Test("nextInt(below:) stays in 0..<n for small, odd and huge bounds")
    func nextIntStaysInRange() {
        var generator = SeededGenerator(seed: 99)
        for n in [1, 2, 3, 7, 10, 1000, 1 << 40, Int.max] {
            for _ in 0..<2000 {
                let value = generator.nextInt(below: n)
                #expect(value >= 0 && value < n, "n = \(n)")
            }
        }
        #expect((0..<50).allSatisfy { _ in generator.nextInt(below: 1) == 0 })
    }

    @Test("nextInt(below: 6) is roughly uniform (chi-square over 60000 draws)")
    func nextIntIsRoughlyUniform() {
        var generator = SeededGenerator(seed: 2718)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60000 { counts[generator.nextInt(below: 6)] += 1 }
        let expected = 10000.0
        let chiSquare = counts.map { (Double($0) - expected) * (Double($0) - expected) / expected }.reduce(0, +)
        // 5 degrees of freedom: P(χ² > 20.5) ≈ 0.001
        #expect(chiSquare < 20.5, "counts \(counts)")
        #expect(counts.allSatisfy { abs(Double($0) - expected) < 500 })  // ±5σ, σ ≈ 91
    }

    @Test("nextUniform is in [0, 1) and uniform(lo, hi) in [lo, hi), spreading over the interval")
    func uniformStaysInItsInterval() {
        var generator = SeededGenerator(seed: 31)
        let units = (0..<10000).map { _ in generator.nextUniform() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        let values = (0..<10000).map { _ in generator.uniform(-3, 5) }
        #expect(values.allSatisfy { $0 >= -3 && $0 < 5 })
        #expect(values.min()! < -2.99 && values.max()! > 4.99)
        let mean = values.reduce(0, +) / Double(values.count)
        #expect(abs(mean - 1) < 0.1)  // the midpoint; σ of the mean ≈ 8/√12/100 ≈ 0.023
        // a degenerate interval gives its single point
        #expect(generator.uniform(2, 2) == 2)
    }

    @Test("fanInUniform stays within ±1/√fan_in and xavierUniform within ±√(6/(fan_in + fan_out))")
    func initializersRespectTheirBounds() {
        var generator = SeededGenerator(seed: 4)
        let fanIn = Tensor.fanInUniform([20, 16], fanIn: 16, using: &generator)  // bound 1/4
        #expect(fanIn.shape == [20, 16])
        #expect(fanIn.scalars.allSatisfy { $0 >= -0.25 && $0 < 0.25 })
        #expect(fanIn.scalars.map(abs).max()! > 0.23)

        let xavier = Tensor.xavierUniform([10, 14], fanIn: 14, fanOut: 10, using: &generator)  // √(6/24) = ½
        #expect(xavier.scalars.allSatisfy { $0 >= -0.5 && $0 < 0.5 })
        #expect(xavier.scalars.map(abs).max()! > 0.45)

        // row-major draws: the tensor is the sequence of uniform(−b, b) draws
        var a = SeededGenerator(seed: 5), b = SeededGenerator(seed: 5)
        let tensor = Tensor.uniform([2, 3], bound: 0.5, using: &a)
        #expect(tensor.scalars == (0..<6).map { _ in b.uniform(-0.5, 0.5) })
    }
}
