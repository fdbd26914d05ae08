#!/usr/bin/env python3
"""Independent reference values for the engine's PRNG (RandomTests.swift).

Written from the published algorithms (https://prng.di.unimi.it: splitmix64.c and
xoshiro256starstar.c), not from the Swift code. Run:

    python3 Tests/EngineTests/prng_reference.py

and paste the printed constants into RandomTests.swift.
"""

MASK = (1 << 64) - 1


def splitmix64(state):
    """Yields successive SplitMix64 outputs for a starting state."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


def xoshiro256starstar(seed):
    """xoshiro256** with its state filled by four SplitMix64 outputs from `seed`."""
    sm = splitmix64(seed)
    s = [next(sm) for _ in range(4)]
    while True:
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        yield result


def next_int_below(gen, n):
    """Unbiased integer in [0, n): reject outputs below (2^64 - n) mod n."""
    threshold = ((1 << 64) - n) % n
    while True:
        v = next(gen)
        if v >= threshold:
            return v % n


def main():
    print("SplitMix64(state: 0), first 3 outputs:")
    sm = splitmix64(0)
    for _ in range(3):
        print(f"  0x{next(sm):016X}")

    print("SeededGenerator(seed: 1).next(), first 6 outputs:")
    g = xoshiro256starstar(1)
    for _ in range(6):
        print(f"  0x{next(g):016X}")

    print("SeededGenerator(seed: 42).nextUniform(), first 4 (as float.hex and repr):")
    g = xoshiro256starstar(42)
    for _ in range(4):
        u = (next(g) >> 11) * 2.0**-53
        print(f"  {u.hex()}  {u!r}")

    print("SeededGenerator(seed: 7).nextInt(below: 10), first 12:")
    g = xoshiro256starstar(7)
    print("  " + ", ".join(str(next_int_below(g, 10)) for _ in range(12)))

    print("SeededGenerator(seed: 3).uniform(-2.5, 4.0), first 3:")
    g = xoshiro256starstar(3)
    for _ in range(3):
        u = (next(g) >> 11) * 2.0**-53
        v = -2.5 + (4.0 - (-2.5)) * u
        print(f"  {v.hex()}  {v!r}")


if __name__ == "__main__":
    main()
