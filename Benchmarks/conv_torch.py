#!/usr/bin/env python3
"""The PyTorch side of `make bench` for convolution, where PyTorch is installed: the layer of
conv_numpy.py (float64, one thread), its backward (∂X, ∂W, ∂b) by autograd. Prints one JSON object:
{"conv": seconds per iteration}, or {} when torch cannot be imported (the bench then says it
skipped PyTorch; `make bench` does not install it).

Usage: python3 Benchmarks/conv_torch.py [N C_in C_out size k stride padding]   (default 8 8 16 16 3 1 1)
"""
import json
import math
import sys

from timing import seconds_per_call

try:
    import torch
except ImportError:
    print("{}")
    sys.exit(0)


def forward_backward(w, b, x, target, stride, padding):
    for leaf in (w, b, x):
        leaf.grad = None
    y = torch.nn.functional.conv2d(x, w, b, stride=stride, padding=padding)
    loss = 0.5 * ((y - target) ** 2).sum()
    loss.backward()


def time_per_iteration(n, c_in, c_out, size, k, stride, padding):
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(1)
    uniform = lambda shape, bound: (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * bound  # noqa: E731
    bound = 1 / math.sqrt(c_in * k * k)
    w = uniform((c_out, c_in, k, k), bound).requires_grad_()
    b = uniform((c_out,), bound).requires_grad_()
    x = uniform((n, c_in, size, size), 1).requires_grad_()
    out = (size + 2 * padding - k) // stride + 1
    target = uniform((n, c_out, out, out), 1)
    return seconds_per_call(lambda: forward_backward(w, b, x, target, stride, padding))


if __name__ == "__main__":
    shape = [int(a) for a in sys.argv[1:8]] if len(sys.argv) > 7 else [8, 8, 16, 16, 3, 1, 1]
    print(json.dumps({"conv": time_per_iteration(*shape)}))
