#!/usr/bin/env python3
"""The PyTorch side of `make bench` for the LSTM, where PyTorch is installed: the network of
lstm_numpy.py (I = H = O = 32, T = 32, gates on [h_{t-1}; x_t], y_t = W_y h_t + b_y,
Q = sum_t 1/2 |y_t - target_t|^2; float64, one thread), written cell by cell as the engine and
numpy run it, its backward (BPTT) by autograd. Prints one JSON object: {"lstm": seconds per
iteration}, or {} when torch cannot be imported (the bench then says it skipped PyTorch).

Usage: python3 Benchmarks/lstm_torch.py
"""
import json
import math

from timing import seconds_per_call

try:
    import torch
except ImportError:
    print("{}")
    raise SystemExit(0)

I = H = O = 32
T = 32


def forward_backward(gates, output, xs, targets):
    for p in [*(w for pair in gates for w in pair), *output]:
        p.grad = None
    (Wf, bf), (Wi, bi), (Wc, bc), (Wo, bo) = gates
    Wy, by = output
    h, c = torch.zeros((H, 1), dtype=torch.float64), torch.zeros((H, 1), dtype=torch.float64)
    loss = 0
    for x, target in zip(xs, targets):
        z = torch.cat([h, x])
        f, i = torch.sigmoid(Wf @ z + bf), torch.sigmoid(Wi @ z + bi)
        g, o = torch.tanh(Wc @ z + bc), torch.sigmoid(Wo @ z + bo)
        c = f * c + i * g
        h = o * torch.tanh(c)
        loss = loss + 0.5 * ((Wy @ h + by - target) ** 2).sum()
    loss.backward()


def time_per_iteration():
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(1)
    uniform = lambda shape, b: (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * b  # noqa: E731
    bound = 1 / math.sqrt(H)
    gates = [(uniform((H, H + I), bound).requires_grad_(), uniform((H, 1), bound).requires_grad_()) for _ in range(4)]
    output = (uniform((O, H), bound).requires_grad_(), uniform((O, 1), bound).requires_grad_())
    xs = [uniform((I, 1), 1) for _ in range(T)]
    targets = [uniform((O, 1), 1) for _ in range(T)]
    return seconds_per_call(lambda: forward_backward(gates, output, xs, targets))


if __name__ == "__main__":
    print(json.dumps({"lstm": time_per_iteration()}))
