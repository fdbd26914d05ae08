#!/usr/bin/env python3
"""Independent reference values for the `normalization` demo (Tests/ModelsTests/NormalizationTests.swift).

Regenerate (rewrites Tests/Fixtures/normalization/*.json, only those; needs Python 3.9+ and numpy 2.x):

    python3 Tests/Fixtures/reference_normalization.py

Written from the demo's documented rules (Sources/Models/Demos/NormalizationDemo.swift's doc
comment, docs/models.md "normalization"), not from the Swift code, and no number is read from a
Swift run. The PRNG is Tests/Python/seeded_generator.py.

Each mode is written as *which elements share a statistic* (`members`), with plain loops over
those sets, rather than as reductions over axes as the engine records them:
  batch: (c) -> every (n, h, w); layer: (n) -> every (c, h, w); instance: (n, c) -> every (h, w);
  group: (n, g) -> every (c, h, w) with c in channels g*C/G ... (g+1)*C/G - 1.
  mu = mean of the members, var = mean of (x - mu)^2 (biased), xhat = (x - mu) / sqrt(var + eps),
  y = gamma xhat + beta (gamma, beta per channel, or per (c, h, w) for layer), L = 1/2 sum (y - t)^2.
Gradients by hand: dy = y - t; dbeta, dgamma sum dy and dy xhat over what shares a gamma;
g = dxhat = gamma dy; per statistic S with s = sqrt(var + eps):
  dvar = -1/2 (var + eps)^(-3/2) sum_S g (x - mu),   dmu = -sum_S g / s - dvar 2/n sum_S (x - mu),
  dx = g / s + dvar 2 (x - mu) / n + dmu / n.
dx, dgamma, dbeta are checked here against central differences before a fixture is written.
Then SGD on gamma, beta; for batch normalization the running statistics (0 and 1 at first):
  r <- (1 - m) r + m s with s = mu, and s = n/(n - 1) var (unbiased) for the variance;
and the evaluation forward xhat_eval = (x - r_mean)/sqrt(r_var + eps), y_eval = gamma' xhat_eval + beta'.

Draws, uniform, row-major: x in [0, 4) (2 + U[-2, 2)) unless given; gamma = 1 + U[-0.5, 0.5);
beta in [-0.5, 0.5); t in [-1, 1). gamma, beta: C x 1 x 1, or C x H x W for layer.
"""

import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import dump, entry, fixture_folder  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

DEFAULTS = {"mode": "batch", "groups": 2, "batch": 3, "channels": 4, "height": 2, "width": 2, "eps": 1e-5,
            "momentum": 0.1, "evaluate": "true", "lr": 0.1, "seed": 1}


def members(mode, shape, G):
    """Statistic key -> the (n, c, h, w) positions that share it, and the shape the trace gives
    the statistics (kept axes as 1)."""
    N, C, H, W = shape
    groups = {}
    for n, c, h, w in np.ndindex(N, C, H, W):
        key = {"batch": (c,), "layer": (n,), "instance": (n, c), "group": (n, c // (C // G))}[mode]
        groups.setdefault(key, []).append((n, c, h, w))
    stat_shape = {"batch": [1, C, 1, 1], "layer": [N, 1, 1, 1], "instance": [N, C, 1, 1], "group": [N, G, 1, 1, 1]}[mode]
    return groups, stat_shape


def affine_key(mode, n, c, h, w):
    return (c, h, w) if mode == "layer" else (c, 0, 0)


def forward(x, gamma, beta, t, p):
    mode, eps = p["mode"], p["eps"]
    groups, stat_shape = members(mode, x.shape, p["groups"])
    mu, var = {}, {}
    xhat = np.zeros_like(x)
    for key, positions in groups.items():
        values = [x[i] for i in positions]
        mu[key] = sum(values) / len(values)
        var[key] = sum((v - mu[key]) ** 2 for v in values) / len(values)
        for i in positions:
            xhat[i] = (x[i] - mu[key]) / np.sqrt(var[key] + eps)
    y = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        a = affine_key(mode, *i)
        y[i] = gamma[a] * xhat[i] + beta[a]
    L = 0.5 * float(np.sum((y - t) ** 2))
    as_array = lambda d: np.array([d[k] for k in sorted(d)]).reshape(stat_shape)  # noqa: E731  keys sort as the trace lays them out
    return {"mu": as_array(mu), "var": as_array(var), "xhat": xhat, "y": y, "L": L}, groups, mu, var


def backward(x, gamma, t, p, out, groups, mu, var):
    mode, eps = p["mode"], p["eps"]
    dy = out["y"] - t
    dgamma, dbeta = np.zeros_like(gamma), np.zeros_like(gamma)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        a = affine_key(mode, *i)
        dgamma[a] += dy[i] * out["xhat"][i]
        dbeta[a] += dy[i]
        g[i] = gamma[a] * dy[i]
    dx = np.zeros_like(x)
    dmu, dvar = {}, {}
    for key, positions in groups.items():
        n, s = len(positions), np.sqrt(var[key] + eps)
        dvar[key] = -0.5 * (var[key] + eps) ** -1.5 * sum(g[i] * (x[i] - mu[key]) for i in positions)
        dmu[key] = -sum(g[i] for i in positions) / s - dvar[key] * 2 / n * sum(x[i] - mu[key] for i in positions)
        for i in positions:
            dx[i] = g[i] / s + dvar[key] * 2 * (x[i] - mu[key]) / n + dmu[key] / n
    stat_shape = out["mu"].shape
    as_array = lambda d: np.array([d[k] for k in sorted(d)]).reshape(stat_shape)  # noqa: E731
    return {"y": dy, "xhat": g, "mu": as_array(dmu), "var": as_array(dvar), "x": dx, "gamma": dgamma, "beta": dbeta}


def check_central_differences(x, gamma, beta, t, p, grads):
    """Every entry of dx, dgamma, dbeta against (L(v + e) - L(v - e)) / 2e; returns how many."""
    e, checked = 1e-6, 0
    for name, tensor in {"x": x, "gamma": gamma, "beta": beta}.items():
        for index in np.ndindex(tensor.shape):
            saved = tensor[index]
            tensor[index] = saved + e
            up = forward(x, gamma, beta, t, p)[0]["L"]
            tensor[index] = saved - e
            down = forward(x, gamma, beta, t, p)[0]["L"]
            tensor[index] = saved
            numeric = (up - down) / (2 * e)
            assert abs(numeric - grads[name][index]) <= 1e-6 * max(1.0, abs(numeric)), (name, index, numeric, grads[name][index])
            checked += 1
    return checked


def case(name, description, given):
    p = dict(DEFAULTS, **given)
    shape = (p["batch"], p["channels"], p["height"], p["width"])
    mode, C = p["mode"], p["channels"]
    gen = SeededGenerator(p["seed"])
    if "values" in given:
        x = np.array(p["values"], dtype=np.float64).reshape(shape)
    else:
        x = np.array([2 + v for v in gen.tensor(int(np.prod(shape)), 2.0)]).reshape(shape)
    affine = (C, p["height"], p["width"]) if mode == "layer" else (C, 1, 1)
    size = int(np.prod(affine))
    gamma = np.array([1 + v for v in gen.tensor(size, 0.5)]).reshape(affine)
    beta = np.array(gen.tensor(size, 0.5)).reshape(affine)
    t = np.array(gen.tensor(int(np.prod(shape)), 1.0)).reshape(shape)

    out, groups, mu, var = forward(x, gamma, beta, t, p)
    grads = backward(x, gamma, t, p, out, groups, mu, var)
    checked = check_central_differences(x, gamma, beta, t, p, grads)
    print(f"{name}: {checked} gradient entries agree with central differences")
    lr = p["lr"]
    gamma1, beta1 = gamma - lr * grads["gamma"], beta - lr * grads["beta"]
    tensors = [entry("x", x), entry("t", t), entry("gamma", gamma, version=0), entry("beta", beta, version=0),
               entry("gamma", gamma1, version=1), entry("beta", beta1, version=1)]
    tensors += [entry(k, out[k]) for k in ("mu", "var", "xhat", "y", "L")]
    tensors += [entry(f"dL/d{k}", g, gradient_of=k) for k, g in grads.items()]
    if mode == "batch":
        n, m, eps = len(next(iter(groups.values()))), p["momentum"], p["eps"]
        running_mean = (1 - m) * np.zeros_like(out["mu"]) + m * out["mu"]
        running_var = (1 - m) * np.ones_like(out["var"]) + m * (n / (n - 1) * out["var"])
        tensors += [entry("running_mean", np.zeros_like(out["mu"])), entry("running_var", np.ones_like(out["var"])),
                    entry("running_mean", running_mean, version=1), entry("running_var", running_var, version=1)]
        if p["evaluate"] == "true":
            xhat_eval = (x - running_mean) / np.sqrt(running_var + eps)
            tensors += [entry("xhat_eval", xhat_eval), entry("y_eval", gamma1 * xhat_eval + beta1)]
    return {"case": name, "demo": "normalization", "description": description, "parameters": given, "tensors": tensors}


CASES = [
    ("normalization-batch", "defaults: batch norm of 3x4x2x2, training step, running statistics, evaluation", {}),
    ("normalization-layer", "layer norm of 3x4x2x2, gamma and beta 4x2x2", {"mode": "layer", "seed": 2}),
    ("normalization-instance", "instance norm of 2x3x3x2", {"mode": "instance", "batch": 2, "channels": 3, "height": 3, "seed": 3}),
    ("normalization-group", "group norm of 3x4x2x2 in 2 groups", {"mode": "group", "seed": 4}),
    ("normalization-group-6-3", "group norm of 2x6x1x2 in 3 groups, lr 0.5",
     {"mode": "group", "groups": 3, "batch": 2, "channels": 6, "height": 1, "width": 2, "lr": 0.5, "seed": 5}),
    ("normalization-batch-features", "batch norm of 4x3 features (H = W = 1), momentum 0.3, no evaluation",
     {"batch": 4, "channels": 3, "height": 1, "width": 1, "momentum": 0.3, "evaluate": "false", "seed": 6}),
    ("normalization-layer-given", "layer norm of given 2x3 features, eps 0.01",
     {"mode": "layer", "batch": 2, "channels": 3, "height": 1, "width": 1, "values": [1, 2, 3, -1, 0, 4], "eps": 0.01, "seed": 7}),
]


def main():
    out = fixture_folder("normalization", "normalization-*.json")
    written = [out / f"{name}.json" for name, _, _ in CASES]
    for path, (name, description, given) in zip(written, CASES):
        path.write_text(dump(case(name, description, given)))
    print(f"wrote {len(written)} fixtures to {out}")


if __name__ == "__main__":
    main()
