#!/usr/bin/env python3
"""The reference side of `make bench` for multi-head attention: the same forward + backward as
the Swift benchmark, in numpy, with the backward pass written by hand.

Network: X (n x d_model) through multi-head self-attention with h heads of d_k = d_model / h:
Q = X W_Q, K = X W_K, V = X W_V (each W d_model x d_model, head j its columns j*d_k ..< (j+1)*d_k),
per head S_j = Q_j K_j^T / sqrt(d_k), A_j = softmax(S_j) row by row, Z_j = A_j V_j; the heads
concatenated by columns, times W_O; Q = 1/2 |Z - T|^2 against a target T. Gradients of the four
weight matrices (X takes none, as in the Swift benchmark). Prints one JSON object:
{"mha": seconds per iteration (the fastest of 7 batches: noise only adds time)}.

Usage: python3 Benchmarks/mha_numpy.py [n d_model heads]   (default 32 64 4)
"""
import json
import sys

import numpy as np

from timing import seconds_per_call


def make(n, d, rng):
    bound = 1 / np.sqrt(d)
    weights = [rng.uniform(-bound, bound, (d, d)) for _ in range(4)]
    x = rng.uniform(-1, 1, (n, d))
    target = rng.uniform(-1, 1, (n, d))
    return weights, x, target


def forward_backward(weights, x, target, heads):
    W_Q, W_K, W_V, W_O = weights
    n, d = x.shape
    dk = d // heads
    scale = 1 / np.sqrt(dk)
    # (heads, n, d_k): head j holds columns j*d_k ..< (j+1)*d_k.
    split = lambda m: m.reshape(n, heads, dk).transpose(1, 0, 2)  # noqa: E731
    q, k, v = split(x @ W_Q), split(x @ W_K), split(x @ W_V)
    s = (q @ k.transpose(0, 2, 1)) * scale
    e = np.exp(s - s.max(axis=2, keepdims=True))
    a = e / e.sum(axis=2, keepdims=True)
    heads_out = (a @ v).transpose(1, 0, 2).reshape(n, d)
    z = heads_out @ W_O
    diff = z - target
    loss = 0.5 * float(np.sum(diff * diff))

    dW_O = heads_out.T @ diff
    dheads = split(diff @ W_O.T)
    da = dheads @ v.transpose(0, 2, 1)
    dv = a.transpose(0, 2, 1) @ dheads
    ds = a * (da - np.sum(da * a, axis=2, keepdims=True)) * scale
    dq = ds @ k
    dk_ = ds.transpose(0, 2, 1) @ q
    merge = lambda m: m.transpose(1, 0, 2).reshape(n, d)  # noqa: E731
    dW_Q, dW_K, dW_V = x.T @ merge(dq), x.T @ merge(dk_), x.T @ merge(dv)
    return loss, dW_Q, dW_K, dW_V, dW_O


def time_per_iteration(n, d, heads):
    weights, x, target = make(n, d, np.random.default_rng(1))
    return seconds_per_call(lambda: forward_backward(weights, x, target, heads))


if __name__ == "__main__":
    n, d, heads = (int(a) for a in sys.argv[1:4]) if len(sys.argv) > 3 else (32, 64, 4)
    print(json.dumps({"mha": time_per_iteration(n, d, heads)}))
