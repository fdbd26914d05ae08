#!/usr/bin/env python3
"""The PyTorch side of `make bench` for the MLP, where PyTorch is installed: the network of
mlp_numpy.py ([8, H, H, 4], tanh hidden layers, linear output, mean squared error over a batch of
16 column samples; float64, one thread), its backward by autograd. Prints one JSON object:
{"H": seconds per iteration}, or {} when torch cannot be imported (the bench then says it skipped
PyTorch; `make bench` does not install it).

Usage: python3 Benchmarks/mlp_torch.py 4 16 64 256
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

BATCH = 16


def forward_backward(params, x, t):
    for p in params:
        p.grad = None
    h = x
    layers = len(params) // 2
    for layer in range(layers):
        z = params[2 * layer] @ h + params[2 * layer + 1]
        h = torch.tanh(z) if layer < layers - 1 else z
    loss = ((h - t) ** 2).mean()
    loss.backward()


def time_per_iteration(hidden):
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(1)
    uniform = lambda shape, b: (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * b  # noqa: E731
    sizes = [8, hidden, hidden, 4]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / math.sqrt(fan_in)
        params += [uniform((fan_out, fan_in), bound).requires_grad_(), uniform((fan_out, 1), bound).requires_grad_()]
    x, t = uniform((8, BATCH), 1), uniform((4, BATCH), 1)
    return seconds_per_call(lambda: forward_backward(params, x, t))


if __name__ == "__main__":
    sizes = [int(arg) for arg in sys.argv[1:]] or [4, 16, 64, 256]
    print(json.dumps({str(h): time_per_iteration(h) for h in sizes}))
