#!/usr/bin/env python3
"""Independent reference values for the `residual` demo (Tests/ModelsTests/ResidualTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/images/residual-*.json, and only those) with:

    python3 Tests/Fixtures/reference_residual.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (docs/models.md, "Residual
networks"; the demo's doc comment), not from the Swift code, and no number is read from a Swift
run. The convolution is written here as a plain loop over the kernel's offsets (it does not import
Tests/Python/numpy_conv_ops.py), and so is its backward pass; both are checked against central
differences of L before anything is written.

The demo, in numpy:
- draws from the seed, in this order: the image x (C x H x W, uniform in [-1, 1)), the target
  (C x H x W, uniform in [-1, 1)), then for k = 1 ... L the kernel w_k (C x C x 3 x 3, uniform in
  +-s/sqrt(9C), s = init-scale) and the bias b_k (C, uniform in +-1/sqrt(9C)); both variants
  start from these same values;
- layer k: z_k = w_k * y_{k-1} + b_k (a 3 x 3 convolution, stride 1, zero padding 1, so the size
  stays H x W), then plain: y_k = phi(z_k); residual: y_k = phi(z_k) + y_{k-1}; y_0 = x;
- the loss of each variant L_v = 1/2 sum (y_L - target)^2, and L = L_plain + L_residual: the stacks
  share no parameter, so dL/d(anything of a stack) is the derivative of its own L_v, and one SGD
  step on L is one step on each L_v; only x, read by both, gets dL/dx = dL_plain/dx + dL_residual/dx;
- backward by hand: dL/dy_L = y_L - target; dz_k = phi'(z_k) dy_k; dy_{k-1} = w_k^T * dz_k
  (the transposed convolution), plus dy_k itself through the skip in the residual variant;
  dw_k = the correlation of y_{k-1} with dz_k; db_k = the sum of dz_k over the positions;
- training: `train` SGD iterations w <- w - lr dL/dw of both stacks from the same start (the first
  traced; version 1 of each parameter is after its update);
- history: one entry per iteration, its loss L before the update, loss_plain and loss_residual,
  and grad_norm_plain and grad_norm_residual = |dL/dy_k| for k = 1 ... L in that iteration.

Each fixture has the layout of Tests/Fixtures/models (see reference_models.py): tensors by name
with a `variant` ("plain" or "residual"; the image and the target have none), and `history`
(`losses`, `snapshots` {"<iteration>": {loss_plain, loss_residual, grad_norm_plain, grad_norm_residual}}).
"""

import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import entry, fixture_folder, snapshot, uniform, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

DEFAULTS = {"layers": 16, "channels": 3, "size": 6, "activation": "tanh", "init-scale": 1.0, "train": 1, "lr": 0.01, "seed": 1}
VARIANTS = ("plain", "residual")


# ---------------------------------------------------------------------------------------------
# A 3 x 3 convolution with zero padding 1 (one image, C_in x H x W), and its two adjoints


def padded(x):
    return np.pad(x, ((0, 0), (1, 1), (1, 1)))


def conv(x, w, b):
    """z[o, i, j] = b[o] + sum_{c, u, v} w[o, c, u, v] x[c, i + u - 1, j + v - 1] (x zero outside)."""
    _, H, W = x.shape
    p = padded(x)
    z = np.empty((w.shape[0], H, W))
    for o in range(w.shape[0]):
        z[o] = b[o]
        for c in range(x.shape[0]):
            for u in range(3):
                for v in range(3):
                    z[o] += w[o, c, u, v] * p[c, u:u + H, v:v + W]
    return z


def conv_input_gradient(g, w):
    """dL/dx from dL/dz = g: each g[o, i, j] goes back to the 9 inputs it read, times the weight."""
    _, H, W = g.shape
    dp = np.zeros((w.shape[1], H + 2, W + 2))
    for o in range(w.shape[0]):
        for c in range(w.shape[1]):
            for u in range(3):
                for v in range(3):
                    dp[c, u:u + H, v:v + W] += w[o, c, u, v] * g[o]
    return dp[:, 1:H + 1, 1:W + 1]


def conv_weight_gradient(x, g):
    """dL/dw[o, c, u, v] = sum_{i, j} g[o, i, j] x[c, i + u - 1, j + v - 1]."""
    _, H, W = x.shape
    p = padded(x)
    dw = np.empty((g.shape[0], x.shape[0], 3, 3))
    for o in range(g.shape[0]):
        for c in range(x.shape[0]):
            for u in range(3):
                for v in range(3):
                    dw[o, c, u, v] = np.sum(g[o] * p[c, u:u + H, v:v + W])
    return dw


def phi(name, z):
    return {"tanh": np.tanh, "sigmoid": lambda t: 1 / (1 + np.exp(-t)), "relu": lambda t: np.maximum(t, 0)}[name](z)


def phi_prime(name, z, a):
    return {"tanh": lambda: 1 - a * a, "sigmoid": lambda: a * (1 - a), "relu": lambda: (z > 0) * 1.0}[name]()


# ---------------------------------------------------------------------------------------------
# The demo


def draw(p):
    C, S, s = p["channels"], p["size"], p["init-scale"]
    gen = SeededGenerator(p["seed"])
    x = uniform(gen, (C, S, S), 1.0)
    target = uniform(gen, (C, S, S), 1.0)
    bound = 1 / np.sqrt(9 * C)
    layers = []
    for _ in range(p["layers"]):
        w = uniform(gen, (C, C, 3, 3), s * bound)
        b = uniform(gen, (C,), bound)
        layers.append((w, b))
    return x, target, layers


def forward(x, target, layers, activation, skip):
    """Per layer (z_k, a_k = phi(z_k), y_k), and L."""
    y, record = x, []
    for w, b in layers:
        z = conv(y, w, b)
        a = phi(activation, z)
        y = a + y if skip else a
        record.append((z, a, y))
    return record, 0.5 * np.sum((y - target) ** 2)


def backward(x, target, layers, record, activation, skip):
    """dL/dy_k (k = L ... 0, returned bottom first), dL/dz_k, dL/dw_k, dL/db_k."""
    dy = record[-1][2] - target
    dys, dzs, dws, dbs = [dy], [], [], []
    for k in range(len(layers) - 1, -1, -1):
        w, _ = layers[k]
        z, a, _ = record[k]
        below = record[k - 1][2] if k > 0 else x
        dz = phi_prime(activation, z, a) * dy
        dws.append(conv_weight_gradient(below, dz))
        dbs.append(dz.sum(axis=(1, 2)))
        dzs.append(dz)
        # y_k = phi(z_k) + y_{k-1}: the identity path hands dy_k down unchanged, beside the conv's.
        dy = conv_input_gradient(dz, w) + (dy if skip else 0)
        dys.append(dy)
    return dys[::-1], dzs[::-1], dws[::-1], dbs[::-1]


def check_against_central_differences(p, variant):
    """Every hand-written gradient of w_k, b_k and x equals (L(+h) - L(-h)) / 2h."""
    x, target, layers = draw(p)
    skip = variant == "residual"
    record, _ = forward(x, target, layers, p["activation"], skip)
    dys, _, dws, dbs = backward(x, target, layers, record, p["activation"], skip)
    h = 1e-6

    def numeric(array, index):
        saved = array[index]
        array[index] = saved + h
        up = forward(x, target, layers, p["activation"], skip)[1]
        array[index] = saved - h
        down = forward(x, target, layers, p["activation"], skip)[1]
        array[index] = saved
        return (up - down) / (2 * h)

    pairs = [(x, dys[0])] + [(w, dw) for (w, _), dw in zip(layers, dws)] + [(b, db) for (_, b), db in zip(layers, dbs)]
    for array, gradient in pairs:
        for index in np.ndindex(array.shape):
            expected = numeric(array, index)
            assert abs(expected - gradient[index]) <= 1e-6 * max(1.0, abs(expected)), (variant, index, expected, gradient[index])


def residual(params, brief=False):
    """The fixture's tensors and history, and the first iteration's norms per variant. `brief`
    keeps what pins the defaults down at a third of the size: every y_k and dL/dy_k, the first and
    last layer's parameters, the losses, dL/dx and dL/dw_1."""
    p = dict(DEFAULTS, **params)
    last = p["layers"]
    kept = {"L_plain", "L_residual", "dL/dw_1", "w_1", "b_1", f"w_{last}", f"b_{last}"}
    x, target, initial = draw(p)
    C, S = p["channels"], p["size"]
    tensors = [entry("x", x.reshape(1, C, S, S)), entry("target", target.reshape(1, C, S, S))]
    norms, losses, dx = {}, {}, {}
    for variant in VARIANTS:
        skip = variant == "residual"
        layers = [(w.copy(), b.copy()) for w, b in initial]
        norms[variant], losses[variant] = [], []
        for iteration in range(1, p["train"] + 1):
            record, L = forward(x, target, layers, p["activation"], skip)
            dys, dzs, dws, dbs = backward(x, target, layers, record, p["activation"], skip)
            losses[variant].append(L)
            norms[variant].append([float(np.linalg.norm(dy)) for dy in dys[1:]])
            updated = [(w - p["lr"] * dw, b - p["lr"] * db) for (w, b), dw, db in zip(layers, dws, dbs)]
            if iteration == 1:
                dx[variant] = dys[0]
                tensors += first_iteration(variant, layers, updated, record, L, (dys, dzs, dws, dbs), C, S, brief, kept)
            layers = updated
    tensors += [entry("L", losses["plain"][0] + losses["residual"][0]),
                entry("dL/dx", (dx["plain"] + dx["residual"]).reshape(1, C, S, S), gradient_of="x")]
    snapshots = {}
    for i in range(p["train"]):
        snapshots[str(i + 1)] = {**{f"loss_{v}": snapshot([losses[v][i]]) for v in VARIANTS},
                                 **{f"grad_norm_{v}": snapshot(norms[v][i]) for v in VARIANTS}}
    history = {"losses": [a + b for a, b in zip(losses["plain"], losses["residual"])], "snapshots": snapshots}
    return {"tensors": tensors, "history": history}, {v: norms[v][0] for v in VARIANTS}


def first_iteration(variant, layers, updated, record, L, gradients, C, S, brief, kept):
    """The traced iteration's tensors of one variant, each marked with it."""
    dys, dzs, dws, dbs = gradients
    skip = variant == "residual"
    named = [(f"L_{variant}", L, None)]
    for k, ((w, b), (w1, b1), (z, a, y)) in enumerate(zip(layers, updated, record), start=1):
        named += [(f"w_{k}", w, 0), (f"b_{k}", b, 0), (f"w_{k}", w1, 1), (f"b_{k}", b1, 1),
                  (f"z_{k}", z.reshape(1, C, S, S), None), (f"y_{k}", y.reshape(1, C, S, S), None),
                  (f"dL/dy_{k}", dys[k].reshape(1, C, S, S), None), (f"dL/dz_{k}", dzs[k - 1].reshape(1, C, S, S), None),
                  (f"dL/dw_{k}", dws[k - 1], None), (f"dL/db_{k}", dbs[k - 1], None)]
        if skip:
            named.append((f"F_{k}", a.reshape(1, C, S, S), None))
    records = []
    for name, value, version in named:
        if brief and name not in kept and not name.startswith(("y_", "dL/dy_")):
            continue
        record = entry(name, value, version=version, gradient_of=name.split("/d")[1] if name.startswith("dL/d") else None)
        record["variant"] = variant
        records.append(record)
    return records


CASES = [
    ("residual-defaults", {}, "the defaults: 16 layers of 3 channels on 6 x 6, tanh, init-scale 1"),
    ("residual-sigmoid", {"layers": 6, "channels": 2, "size": 5, "activation": "sigmoid", "seed": 3},
     "sigmoid: phi' <= 1/4, the plain stack's gradient shrinks fastest"),
    ("residual-relu-wide", {"layers": 4, "channels": 4, "size": 4, "activation": "relu", "init-scale": 2, "seed": 7},
     "relu with larger kernels: the zeros of phi' cut some paths; the identity path keeps them"),
    ("residual-two-layers", {"layers": 2, "channels": 1, "size": 3, "init-scale": 0.5, "seed": 11},
     "the smallest stack: one channel, 3 x 3 image, two layers"),
    ("residual-train5", {"layers": 5, "channels": 2, "size": 4, "train": 5, "lr": 0.05, "seed": 4},
     "each stack trained 5 SGD iterations from the same start: every loss and every iteration's norms"),
]


def main():
    check_against_central_differences({**DEFAULTS, "layers": 3, "channels": 2, "size": 4}, "plain")
    for activation in ("tanh", "sigmoid", "relu"):
        check_against_central_differences({**DEFAULTS, "layers": 3, "channels": 2, "size": 4, "activation": activation,
                                           "seed": 5}, "residual")
    out = fixture_folder("images", "residual-*.json")
    for name, params, description in CASES:
        result, norms = residual(params, brief=name == "residual-defaults")
        fixture = {"case": name, "demo": "residual", "description": description, "parameters": params, **result}
        write(out, name, fixture)
        for variant in VARIANTS:
            n = norms[variant]
            print(f"  {variant:8} |dL/dy_1| = {n[0]:.3e}  |dL/dy_L| = {n[-1]:.3e}  top/bottom {n[-1] / n[0]:.3e}")


if __name__ == "__main__":
    main()
