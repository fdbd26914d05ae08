#!/usr/bin/env python3
"""The PyTorch side of `make bench` for multi-head attention, where PyTorch is installed: the
network of mha_numpy.py (float64, one thread), its backward by autograd. Prints one JSON object:
{"mha": seconds per iteration}, or {} when torch cannot be imported (the bench then says it
skipped PyTorch; `make bench` does not install it).

Usage: python3 Benchmarks/mha_torch.py [n d_model heads]   (default 32 64 4)
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


def forward_backward(weights, x, target, heads):
    W_Q, W_K, W_V, W_O = weights
    for w in weights:
        w.grad = None
    n, d = x.shape
    dk = d // heads
    split = lambda m: m.reshape(n, heads, dk).transpose(0, 1)  # noqa: E731
    q, k, v = split(x @ W_Q), split(x @ W_K), split(x @ W_V)
    a = torch.softmax((q @ k.transpose(1, 2)) / math.sqrt(dk), dim=2)
    z = (a @ v).transpose(0, 1).reshape(n, d) @ W_O
    loss = 0.5 * ((z - target) ** 2).sum()
    loss.backward()


def time_per_iteration(n, d, heads):
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(1)
    bound = 1 / math.sqrt(d)
    uniform = lambda shape, b: (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * b  # noqa: E731
    weights = [uniform((d, d), bound).requires_grad_() for _ in range(4)]
    x, target = uniform((n, d), 1), uniform((n, d), 1)
    return seconds_per_call(lambda: forward_backward(weights, x, target, heads))


if __name__ == "__main__":
    n, d, heads = (int(a) for a in sys.argv[1:4]) if len(sys.argv) > 3 else (32, 64, 4)
    print(json.dumps({"mha": time_per_iteration(n, d, heads)}))
