#!/usr/bin/env python3
"""The reference side of `make bench` for word2vec: skip-gram with negative sampling trained by
per-pair SGD in numpy, the algorithm of the `skipgram-ns` demo's training loop
(Sources/Models/SkipGramNegativeSampling.swift, docs/word2vec-negative-sampling.md).

The corpus is the token ids the Swift benchmark wrote (one file of space-separated integers),
so both sides train on the same tokens. Per epoch, for every position i and every offset
d = -window..window (d != 0, in range), the pair (centre t_i, context t_{i+d}); for each pair
k negatives drawn from count^(3/4) by the cumulative-distribution method (a draw equal to the
context word is drawn again), then with h = W_in[c] and w_j the output vectors of j = o, n_1..n_k:
u_j = w_j . h, g_o = sigma(u_o) - 1, g_n = sigma(u_n), dh = sum_j g_j w_j, w_j -= lr g_j h,
W_in[c] -= lr dh (all gradients at the pre-update values). W_out is kept as V x N rows (its
transpose), as the Swift loop keeps it. The negatives of an epoch are drawn in one vectorized
call before the epoch (numpy's own generator: the timing, not the numbers, is compared), which
is as kind to numpy as the algorithm allows.

Prints one JSON object: {"seconds_per_epoch": the fastest of the timed epochs, "tokens": corpus
length, "loss": the mean pair loss of the last epoch}.

Usage: python3 Benchmarks/skipgram_ns_numpy.py CORPUS_FILE VOCABULARY DIMENSIONS WINDOW NEGATIVES LR EPOCHS
"""
import json
import sys
import time

import numpy as np


def pairs_of(tokens, window):
    """(centres, contexts) in the documented order."""
    centres, contexts = [], []
    n = len(tokens)
    for i in range(n):
        for d in range(-window, window + 1):
            if d != 0 and 0 <= i + d < n:
                centres.append(tokens[i])
                contexts.append(tokens[i + d])
    return np.array(centres), np.array(contexts)


def negatives_for(contexts, cumulative, k, rng):
    """k draws per pair from the cumulative weights, redrawing any equal to the pair's context word."""
    total = cumulative[-1]
    draws = np.searchsorted(cumulative, rng.random((len(contexts), k)) * total, side="right")
    np.minimum(draws, len(cumulative) - 1, out=draws)
    clash = draws == contexts[:, None]
    while clash.any():
        redrawn = np.searchsorted(cumulative, rng.random(int(clash.sum())) * total, side="right")
        draws[clash] = np.minimum(redrawn, len(cumulative) - 1)
        clash = draws == contexts[:, None]
    return draws


def epoch(W_in, W_out_rows, centres, contexts, negatives, lr):
    loss = 0.0
    indices = np.empty(negatives.shape[1] + 1, dtype=np.int64)
    for c, o, drawn in zip(centres, contexts, negatives):
        indices[0] = o
        indices[1:] = drawn
        h = W_in[c]
        w = W_out_rows[indices]
        u = w @ h
        s = 1 / (1 + np.exp(-u))
        loss -= np.log(s[0]) + np.log(1 - s[1:]).sum()
        g = s
        g[0] -= 1
        dh = g @ w
        np.subtract.at(W_out_rows, indices, lr * np.outer(g, h))
        W_in[c] -= lr * dh
    return loss / len(centres)


def main():
    path, vocabulary, dimensions, window, k, lr, epochs = sys.argv[1:8]
    vocabulary, dimensions, window, k, epochs = map(int, (vocabulary, dimensions, window, k, epochs))
    lr = float(lr)
    tokens = np.array([int(t) for t in open(path).read().split()])
    counts = np.bincount(tokens, minlength=vocabulary).astype(float)
    weights = np.sqrt(counts) * np.sqrt(np.sqrt(counts))
    cumulative = np.cumsum(weights)
    centres, contexts = pairs_of(tokens.tolist(), window)
    rng = np.random.default_rng(1)
    W_in = rng.uniform(-0.5 / dimensions, 0.5 / dimensions, (vocabulary, dimensions))
    W_out_rows = rng.uniform(-0.5 / dimensions, 0.5 / dimensions, (vocabulary, dimensions))
    samples, loss = [], 0.0
    for _ in range(epochs):
        start = time.perf_counter()
        negatives = negatives_for(contexts, cumulative, k, rng)
        loss = epoch(W_in, W_out_rows, centres, contexts, negatives, lr)
        samples.append(time.perf_counter() - start)
    print(json.dumps({"seconds_per_epoch": min(samples), "tokens": len(tokens), "loss": loss}))


if __name__ == "__main__":
    main()
