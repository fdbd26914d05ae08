"""The engine's random generator, from docs/trace-format.md: xoshiro256** seeded by SplitMix64.

Written from the published algorithms (https://prng.di.unimi.it: splitmix64.c and
xoshiro256starstar.c) and the documented rules, not from the Swift code. Integer arithmetic
modulo 2⁶⁴ and exactly rounded double operations only, so the draws match the engine's bit for
bit. The one Python copy of these rules: the test replayer, Tests/EngineTests/prng_reference.py
and Tests/Fixtures/reference_models.py all import it.
"""

MASK = (1 << 64) - 1


def _rotl(x: int, k: int) -> int:
    return ((x << k) | (x >> (64 - k))) & MASK


def splitmix64(state: int):
    """Successive SplitMix64 outputs from a starting state (Steele, Lea & Flood)."""
    state &= MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


class SeededGenerator:
    """xoshiro256** whose state is four successive SplitMix64 outputs started at the seed."""

    def __init__(self, seed: int):
        words = splitmix64(seed)
        self.s = [next(words) for _ in range(4)]

    def next(self) -> int:
        s = self.s
        result = (_rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def next_uniform(self) -> float:
        """[0, 1) with 53 random bits."""
        return (self.next() >> 11) * 2.0**-53

    def uniform(self, lo: float, hi: float) -> float:
        """[lo, hi): lo + (hi − lo) · u."""
        return lo + (hi - lo) * self.next_uniform()

    def next_int(self, n: int) -> int:
        """0 ..< n without modulo bias."""
        threshold = (2**64 - n) % n
        while True:
            value = self.next()
            if value >= threshold:
                return value % n

    def tensor(self, count: int, bound: float) -> list[float]:
        """`count` values uniform in [−bound, bound), row-major (Tensor.uniform)."""
        return [self.uniform(-bound, bound) for _ in range(count)]
