#!/usr/bin/env python3
"""The reference side of `make bench` for convolution: one conv2d layer forward + backward, in numpy
the fast way (im2col + one matrix product each way), the backward written by hand.

Layer: X (N x C_in x H x W) convolved with W (C_out x C_in x k x k) plus b, stride s, zero padding p
(the engine's conv2d, groups 1); L = 1/2 |Y - T|^2 against a target T. Gradients of X, W and b:
dY = Y - T; dW = dY . cols^T; db = the sum of dY over n, i, j; dcols = W^T . dY, scattered back
onto X (col2im). Prints one JSON object: {"conv": seconds per iteration (the fastest of 7 batches)}.

Usage: python3 Benchmarks/conv_numpy.py [N C_in C_out size k stride padding]   (default 8 8 16 16 3 1 1)
"""
import json
import sys

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from timing import seconds_per_call


def make(n, c_in, c_out, size, k, rng):
    bound = 1 / np.sqrt(c_in * k * k)
    w = rng.uniform(-bound, bound, (c_out, c_in, k, k))
    b = rng.uniform(-bound, bound, c_out)
    x = rng.uniform(-1, 1, (n, c_in, size, size))
    return w, b, x


def im2col(x, k, stride, padding):
    """(C_in*k*k) x (N*H_o*W_o): column (n, i, j) holds the window of output (i, j), rows in (c, u, v) order."""
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    windows = sliding_window_view(padded, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]  # N, C, H_o, W_o, k, k
    n, c, h_o, w_o = windows.shape[:4]
    return windows.transpose(1, 4, 5, 0, 2, 3).reshape(c * k * k, n * h_o * w_o), (h_o, w_o)


def col2im(cols, x_shape, k, stride, padding, out):
    """The adjoint of im2col: every column entry added back onto the (padded) input position it came from."""
    n, c, h, w = x_shape
    h_o, w_o = out
    padded = np.zeros((n, c, h + 2 * padding, w + 2 * padding))
    blocks = cols.reshape(c, k, k, n, h_o, w_o).transpose(3, 0, 1, 2, 4, 5)  # N, C, k, k, H_o, W_o
    for u in range(k):
        for v in range(k):
            padded[:, :, u:u + stride * h_o:stride, v:v + stride * w_o:stride] += blocks[:, :, u, v]
    return padded[:, :, padding:padding + h, padding:padding + w]


def forward_backward(w, b, x, target, stride, padding):
    c_out, _, k, _ = w.shape
    cols, out = im2col(x, k, stride, padding)
    y = w.reshape(c_out, -1) @ cols + b[:, None]                     # C_out x (N*H_o*W_o)
    dy = y - target                                                  # ∂L/∂Y for L = ½‖Y − T‖²
    dw = (dy @ cols.T).reshape(w.shape)
    db = dy.sum(axis=1)
    dx = col2im(w.reshape(c_out, -1).T @ dy, x.shape, k, stride, padding, out)
    return y, dx, dw, db


def time_per_iteration(n, c_in, c_out, size, k, stride, padding):
    w, b, x = make(n, c_in, c_out, size, k, np.random.default_rng(1))
    _, out = im2col(x, k, stride, padding)
    # The target in the layout of y (C_out x N*H_o*W_o): its order does not change the work.
    target = np.random.default_rng(2).uniform(-1, 1, (c_out, n * out[0] * out[1]))
    return seconds_per_call(lambda: forward_backward(w, b, x, target, stride, padding))


if __name__ == "__main__":
    shape = [int(a) for a in sys.argv[1:8]] if len(sys.argv) > 7 else [8, 8, 16, 16, 3, 1, 1]
    print(json.dumps({"conv": time_per_iteration(*shape)}))
