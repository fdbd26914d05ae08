#!/usr/bin/env python3
"""Independent reference values for the `conv` demo (Tests/ModelsTests/ConvTests.swift).

Regenerate (rewrites Tests/Fixtures/conv/*.json, only those; needs Python 3.9+ and numpy 2.x):

    python3 Tests/Fixtures/reference_conv.py

Written from the demo's documented rules (Sources/Models/Demos/ConvDemo.swift's doc comment,
docs/models.md "conv"), not from the Swift code, and no number is read from a Swift run. The PRNG
is Tests/Python/seeded_generator.py; the convolution is written here with plain loops, apart from
Tests/Python/numpy_conv_ops.py, so that the two stay independent.

One layer on one image X (1 x C_in x H x W), kernel W (C_out x C_in/G x k x k), bias b (C_out):
  Y[o,i,j] = b[o] + sum_{c',u,v} W[o,c',u,v] X[g C_in/G + c', i s + u d - p, j s + v d - p]
             (X zero outside the image, g = o // (C_out/G));
  A = max(0, Y) when relu; P = max or mean over q x q windows with stride q when pool;
  Q = 1/2 sum of the squares of the last stage.
Gradients by hand: dLast = Last; max pool routes each dP to the first maximum of its window
(row-major), avg pool spreads dP/q^2 over it; dY = dA [Y > 0]; db[o] = sum_ij dY[o,i,j];
dW[o,c',u,v] = sum_ij dY[o,i,j] X[..same place..]; dX scatters W[o,c',u,v] dY[o,i,j] back to that
place. Every gradient is checked here against central differences before a fixture is written.
Then one SGD step: W <- W - lr dW, b <- b - lr db.

Draws, uniform: the image's seeded channels in [-1, 1) (all of a `seeded` image; channels 2.. of a
built-in one), then W, then b in +-1/sqrt(C_in/G k^2).
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import dump, entry, fixture_folder  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

# The built-in pictures, as the demo documents them: 1 where there is ink.
PICTURES = {
    "seven": ["00000000", "01111110", "00000110", "00001100", "00011000", "00010000", "00110000", "00100000"],
    "three": ["00000000", "00111100", "00000110", "00011100", "00000110", "00000110", "00111100", "00000000"],
    "cross": ["00100", "00100", "11111", "00100", "00100"],
}

DEFAULTS = {"image": "seven", "size": 6, "channels-in": 1, "channels-out": 2, "kernel": 3, "stride": 1,
            "padding": 1, "dilation": 1, "groups": 1, "relu": "true", "pool": "max", "pool-size": 2, "lr": 0.1, "seed": 1}


def make_image(p, gen):
    c = p["channels-in"]
    if "values" in p:
        side = p["size"]
        return np.array(p["values"], dtype=np.float64).reshape(1, c, side, side)
    if p["image"] == "seeded":
        side = p["size"]
        return np.array(gen.tensor(c * side * side, 1.0)).reshape(1, c, side, side)
    picture = np.array([[float(ch) for ch in row] for row in PICTURES[p["image"]]])
    side = picture.shape[0]
    extra = np.array(gen.tensor((c - 1) * side * side, 1.0)).reshape(c - 1, side, side)
    return np.concatenate([picture[None], extra])[None]


def taps(X, W, s, pad, d, G):
    """Every (o, i, j, c, c', u, v, h, w) with h, w inside the image: output (o,i,j) reads X[c,h,w]
    through W[o,c',u,v]."""
    _, C_in, H, Wd = X.shape
    C_out, per_group, k, _ = W.shape
    Ho = (H + 2 * pad - d * (k - 1) - 1) // s + 1
    Wo = (Wd + 2 * pad - d * (k - 1) - 1) // s + 1
    out_per_group = C_out // G
    for o in range(C_out):
        g = o // out_per_group
        for i in range(Ho):
            for j in range(Wo):
                for c1 in range(per_group):
                    for u in range(k):
                        for v in range(k):
                            h, w = i * s + u * d - pad, j * s + v * d - pad
                            if 0 <= h < H and 0 <= w < Wd:
                                yield o, i, j, g * per_group + c1, c1, u, v, h, w


def out_size(H, k, s, pad, d):
    return (H + 2 * pad - d * (k - 1) - 1) // s + 1


def conv(X, W, b, s, pad, d, G):
    Ho = out_size(X.shape[2], W.shape[2], s, pad, d)
    Y = np.zeros((1, W.shape[0], Ho, Ho)) + b[None, :, None, None]
    for o, i, j, c, c1, u, v, h, w in taps(X, W, s, pad, d, G):
        Y[0, o, i, j] += W[o, c1, u, v] * X[0, c, h, w]
    return Y


def conv_backward(X, W, dY, s, pad, d, G):
    dX, dW = np.zeros_like(X), np.zeros_like(W)
    for o, i, j, c, c1, u, v, h, w in taps(X, W, s, pad, d, G):
        dX[0, c, h, w] += W[o, c1, u, v] * dY[0, o, i, j]
        dW[o, c1, u, v] += dY[0, o, i, j] * X[0, c, h, w]
    return dX, dW, dY.sum(axis=(0, 2, 3))


def pool(A, kind, q):
    n = A.shape[2] // q
    P = np.zeros((1, A.shape[1], n, n))
    for c in range(A.shape[1]):
        for i in range(n):
            for j in range(n):
                window = A[0, c, i * q:(i + 1) * q, j * q:(j + 1) * q]
                P[0, c, i, j] = window.max() if kind == "max" else window.sum() / (q * q)
    return P


def pool_backward(A, dP, kind, q):
    dA = np.zeros_like(A)
    for c in range(A.shape[1]):
        for i in range(dP.shape[2]):
            for j in range(dP.shape[3]):
                if kind == "max":
                    window = A[0, c, i * q:(i + 1) * q, j * q:(j + 1) * q]
                    u, v = divmod(int(np.argmax(window)), q)  # argmax: the first maximum, row-major
                    dA[0, c, i * q + u, j * q + v] += dP[0, c, i, j]
                else:
                    dA[0, c, i * q:(i + 1) * q, j * q:(j + 1) * q] += dP[0, c, i, j] / (q * q)
    return dA


def forward(X, W, b, p):
    geo = (p["stride"], p["padding"], p["dilation"], p["groups"])
    stages = {"Y": conv(X, W, b, *geo)}
    last = stages["Y"]
    if p["relu"] == "true":
        last = stages["A"] = np.maximum(last, 0)
    if p["pool"] != "none":
        last = stages["P"] = pool(last, p["pool"], p["pool-size"])
    return stages, last, 0.5 * float((last ** 2).sum())


def backward(X, W, stages, last, p):
    grads = {}
    d = last.copy()  # dQ/dLast = Last
    if "P" in stages:
        grads["P"] = d
        before = stages.get("A", stages["Y"])
        d = pool_backward(before, d, p["pool"], p["pool-size"])
    if "A" in stages:
        grads["A"] = d
        d = d * (stages["Y"] > 0)
    grads["Y"] = d
    grads["X"], grads["W"], grads["b"] = conv_backward(X, W, d, p["stride"], p["padding"], p["dilation"], p["groups"])
    return grads


def check_central_differences(X, W, b, p, grads):
    """Every entry of dX, dW, db against (Q(v + e) - Q(v - e)) / 2e, except where Q has a kink:
    a max-pool window whose maximum is tied (the 0/1 pictures make such ties) or a Y at exactly 0
    is not differentiable there, and the one-sided differences disagree. Those entries are counted
    and left out; the function returns (checked, kinks)."""
    e = 1e-6
    checked = kinks = 0
    Q0 = forward(X, W, b, p)[2]
    for name, tensor in {"X": X, "W": W, "b": b}.items():
        for index in np.ndindex(tensor.shape):
            saved = tensor[index]
            tensor[index] = saved + e
            up = forward(X, W, b, p)[2]
            tensor[index] = saved - e
            down = forward(X, W, b, p)[2]
            tensor[index] = saved
            right, left = (up - Q0) / e, (Q0 - down) / e
            if abs(right - left) > 1e-3 * max(1.0, abs(right)):
                kinks += 1
                continue
            numeric = (up - down) / (2 * e)
            # Piecewise quadratic away from the kinks: the central difference is exact up to rounding.
            assert abs(numeric - grads[name][index]) <= 1e-6 * max(1.0, abs(numeric)), (name, index, numeric, grads[name][index])
            checked += 1
    return checked, kinks


def case(name, description, given):
    p = dict(DEFAULTS, **given)
    if "values" in given:
        p["image"] = "given"
    gen = SeededGenerator(p["seed"])
    X = make_image(p, gen)
    c_in, c_out, k, G = p["channels-in"], p["channels-out"], p["kernel"], p["groups"]
    bound = 1 / math.sqrt(c_in // G * k * k)
    W = np.array(gen.tensor(c_out * (c_in // G) * k * k, bound)).reshape(c_out, c_in // G, k, k)
    b = np.array(gen.tensor(c_out, bound))
    stages, last, Q = forward(X, W, b, p)
    grads = backward(X, W, stages, last, p)
    checked, kinks = check_central_differences(X, W, b, p, grads)
    assert checked >= 0.8 * (X.size + W.size + b.size), (name, checked, kinks)
    print(f"{name}: {checked} gradient entries agree with central differences, {kinks} at a kink left out")
    tensors = [entry("X", X), entry("W", W, version=0), entry("b", b, version=0)]
    tensors += [entry("W", W - p["lr"] * grads["W"], version=1), entry("b", b - p["lr"] * grads["b"], version=1)]
    tensors += [entry(s, v) for s, v in stages.items()] + [entry("Q", Q)]
    tensors += [entry(f"dQ/d{n}", g, gradient_of=n) for n, g in grads.items()]
    return {"case": name, "demo": "conv", "description": description, "parameters": given, "tensors": tensors}


CASES = [
    ("conv-defaults", "the 8x8 seven, 1 -> 2 channels, 3x3, padding 1, ReLU, max pool 2", {}),
    ("conv-1x1", "the three with 2 seeded channels more, 3 -> 4 channels through a 1x1 kernel, no pool",
     {"image": "three", "channels-in": 3, "channels-out": 4, "kernel": 1, "padding": 0, "pool": "none", "seed": 2}),
    ("conv-stride-dilation", "seeded 7x7, 2 -> 2 channels, 3x3 dilated 2, stride 2, padding 2, no ReLU, avg pool 2",
     {"image": "seeded", "size": 7, "channels-in": 2, "kernel": 3, "stride": 2, "padding": 2, "dilation": 2,
      "relu": "false", "pool": "avg", "seed": 4}),
    ("conv-depthwise", "the cross with a seeded channel, groups 2: 2 -> 4 channels, 2x2, max pool 2",
     {"image": "cross", "channels-in": 2, "channels-out": 4, "groups": 2, "kernel": 2, "padding": 0, "seed": 3}),
    ("conv-given", "a given 4x4 image, one 2x2 kernel, no ReLU, no pool",
     {"values": [1, 2, 0, -1, 0, 1, 3, 2, -2, 0, 1, 1, 4, -1, 0, 2], "size": 4, "channels-out": 1, "kernel": 2,
      "padding": 0, "relu": "false", "pool": "none", "lr": 0.5, "seed": 9}),
]


def main():
    out = fixture_folder("conv", "conv-*.json")
    for name, description, given in CASES:
        (out / f"{name}.json").write_text(dump(case(name, description, given)))
    print(f"wrote {len(CASES)} fixtures to {out}")


if __name__ == "__main__":
    main()
