#!/usr/bin/env python3
"""The reference side of `make bench` for the LSTM: the same forward + backward as the Swift
benchmark, in numpy.

Network: an LSTM with I = H = 32 over T = 32 steps, gates on [h_{t-1}; x_t]
(f, i, o = sigmoid, candidate = tanh, c_t = f c_{t-1} + i ctilde, h_t = o tanh(c_t)), an output
layer y_t = W_y h_t + b_y with O = 32, and Q = sum_t 1/2 |y_t - target_t|^2; backpropagation
through time by hand, cell by cell, to every parameter's gradient. Prints one JSON object:
{"lstm": seconds per iteration (the fastest of 7 batches: noise only adds time)}.

Usage: python3 Benchmarks/lstm_numpy.py
"""
import json

import numpy as np

from timing import seconds_per_call

I = H = O = 32
T = 32


def make(rng):
    bound = 1 / np.sqrt(H)
    gates = [(rng.uniform(-bound, bound, (H, H + I)), rng.uniform(-bound, bound, (H, 1))) for _ in range(4)]
    output = (rng.uniform(-bound, bound, (O, H)), rng.uniform(-bound, bound, (O, 1)))
    xs = [rng.uniform(-1, 1, (I, 1)) for _ in range(T)]
    targets = [rng.uniform(-1, 1, (O, 1)) for _ in range(T)]
    return gates, output, xs, targets


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def forward_backward(gates, output, xs, targets):
    (Wf, bf), (Wi, bi), (Wc, bc), (Wo, bo) = gates
    Wy, by = output
    h, c = np.zeros((H, 1)), np.zeros((H, 1))
    saved, loss = [], 0.0
    dys = []
    for x, target in zip(xs, targets):
        z = np.vstack([h, x])
        f, i = sigmoid(Wf @ z + bf), sigmoid(Wi @ z + bi)
        g, o = np.tanh(Wc @ z + bc), sigmoid(Wo @ z + bo)
        c_prev, c = c, f * c + i * g
        tc = np.tanh(c)
        h = o * tc
        y = Wy @ h + by
        dy = y - target
        loss += 0.5 * float(np.sum(dy * dy))
        saved.append((z, f, i, g, o, c_prev, tc, h))
        dys.append(dy)

    dWs = [np.zeros_like(W) for W in (Wf, Wi, Wc, Wo)]
    dbs = [np.zeros_like(b) for b in (bf, bi, bc, bo)]
    dWy, dby = np.zeros_like(Wy), np.zeros_like(by)
    dh_next, dc_next = np.zeros((H, 1)), np.zeros((H, 1))
    for t in reversed(range(T)):
        z, f, i, g, o, c_prev, tc, h = saved[t]
        dy = dys[t]
        dWy += dy @ h.T
        dby += dy
        dh = Wy.T @ dy + dh_next
        dc = dc_next + dh * o * (1 - tc * tc)
        pre = (dc * c_prev * f * (1 - f), dc * g * i * (1 - i), dc * i * (1 - g * g), dh * tc * o * (1 - o))
        dz = np.zeros((H + I, 1))
        for k, (W, d) in enumerate(zip((Wf, Wi, Wc, Wo), pre)):
            dWs[k] += d @ z.T
            dbs[k] += d
            dz += W.T @ d
        dh_next, dc_next = dz[:H], dc * f
    return loss, dWs, dbs, dWy, dby


def time_per_iteration():
    gates, output, xs, targets = make(np.random.default_rng(1))
    return seconds_per_call(lambda: forward_backward(gates, output, xs, targets))


if __name__ == "__main__":
    print(json.dumps({"lstm": time_per_iteration()}))
