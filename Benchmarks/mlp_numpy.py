#!/usr/bin/env python3
"""The reference side of `make bench`: the same MLP forward + backward as the Swift benchmark, in numpy.

Network: layers [8, H, H, 4], tanh hidden layers, linear output, mean squared error over a batch of
16 column samples; backward by hand (the same gradient rules the engine records). Prints one JSON
object: {"H": seconds per iteration (the fastest of 7 batches: noise only adds time)}.

Usage: python3 Benchmarks/mlp_numpy.py 4 16 64 256
"""
import json
import sys

import numpy as np

from timing import seconds_per_call

BATCH = 16


def make(hidden, rng):
    sizes = [8, hidden, hidden, 4]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)))
        params.append(rng.uniform(-bound, bound, (fan_out, 1)))
    x = rng.uniform(-1, 1, (8, BATCH))
    t = rng.uniform(-1, 1, (4, BATCH))
    return params, x, t


def forward_backward(params, x, t):
    activations = [x]
    h = x
    layers = len(params) // 2
    for layer in range(layers):
        w, b = params[2 * layer], params[2 * layer + 1]
        z = w @ h + b
        h = np.tanh(z) if layer < layers - 1 else z
        activations.append(h)
    diff = h - t
    loss = np.mean(np.square(diff))
    g = (2.0 / diff.size) * diff
    grads = [None] * len(params)
    for layer in reversed(range(layers)):
        if layer < layers - 1:
            g = g * (1 - activations[layer + 1] ** 2)
        grads[2 * layer] = g @ activations[layer].T
        grads[2 * layer + 1] = g.sum(axis=1, keepdims=True)
        g = params[2 * layer].T @ g
    return loss, grads


def time_per_iteration(hidden):
    params, x, t = make(hidden, np.random.default_rng(1))
    return seconds_per_call(lambda: forward_backward(params, x, t))


if __name__ == "__main__":
    sizes = [int(arg) for arg in sys.argv[1:]] or [4, 16, 64, 256]
    print(json.dumps({str(h): time_per_iteration(h) for h in sizes}))
