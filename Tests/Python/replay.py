#!/usr/bin/env python3
"""Replays every step of the traces named on the command line with the numpy ops
(numpy_ops.py) and exits 1 at the first step whose output differs from the recorded one.

Swift's NumpyReplayTests runs it on a trace of every op's hand-worked forward cases, so that a
new op is checked by the independent numpy implementation as soon as its cases exist."""

from __future__ import annotations

import sys

import numpy_ops as ops
from trace_checks import replay_trace

if __name__ == "__main__":
    for path in sys.argv[1:]:
        with open(path, "rb") as file:
            try:
                count, worst = replay_trace(ops.load_trace(file.read()))
            except AssertionError as error:
                sys.exit(f"{path}: {error}")
        print(f"{path}: {count} steps replayed, largest relative error {worst:.3g}")
