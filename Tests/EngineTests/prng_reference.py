#!/usr/bin/env python3
"""Independent reference values for the engine's PRNG (RandomTests.swift).

Uses the Python generator in Tests/Python/seeded_generator.py, written from the published
algorithms, not from the Swift code. Run:

    python3 Tests/EngineTests/prng_reference.py

and paste the printed constants into RandomTests.swift.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "Python"))
from seeded_generator import SeededGenerator, splitmix64  # noqa: E402


def main():
    print("SplitMix64(state: 0), first 3 outputs:")
    sm = splitmix64(0)
    for _ in range(3):
        print(f"  0x{next(sm):016X}")

    print("SeededGenerator(seed: 1).next(), first 6 outputs:")
    g = SeededGenerator(1)
    for _ in range(6):
        print(f"  0x{g.next():016X}")

    print("SeededGenerator(seed: 42).nextUniform(), first 4 (as float.hex and repr):")
    g = SeededGenerator(42)
    for _ in range(4):
        u = g.next_uniform()
        print(f"  {u.hex()}  {u!r}")

    print("SeededGenerator(seed: 7).nextInt(below: 10), first 12:")
    g = SeededGenerator(7)
    print("  " + ", ".join(str(g.next_int(10)) for _ in range(12)))

    print("SeededGenerator(seed: 3).uniform(-2.5, 4.0), first 3:")
    g = SeededGenerator(3)
    for _ in range(3):
        v = g.uniform(-2.5, 4.0)
        print(f"  {v.hex()}  {v!r}")


if __name__ == "__main__":
    main()
