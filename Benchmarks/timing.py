"""The timing loop the numpy and PyTorch sides of `make bench` share.

Imported by the Benchmarks/*.py scripts (their own folder is on sys.path when they are run as
`python3 Benchmarks/<script>.py`); not run by itself.
"""
import time


def seconds_per_call(run):
    """Seconds per call of `run()`: the fastest of 7 batches (noise only adds time), each batch
    as many calls as make it take at least 50 ms."""
    iterations = 1
    while True:  # calibrate: one batch should take at least 50 ms
        start = time.perf_counter()
        for _ in range(iterations):
            run()
        if time.perf_counter() - start >= 0.05:
            break
        iterations *= 2
    samples = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(iterations):
            run()
        samples.append((time.perf_counter() - start) / iterations)
    return min(samples)
