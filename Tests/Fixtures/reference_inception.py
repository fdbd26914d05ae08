#!/usr/bin/env python3
"""Independent reference values for the `inception` demo (Tests/ModelsTests/InceptionTests.swift).

Regenerate (rewrites Tests/Fixtures/inception/*.json, only those; needs Python 3.9+ and numpy 2.x):

    python3 Tests/Fixtures/reference_inception.py

Written from the documented rules (issue 16, the demo's doc comment, docs/models.md "Inception"),
not from the Swift code, and no number is read from a Swift run. The PRNG is
Tests/Python/seeded_generator.py; the convolution, the max-pool and every gradient are written
here by hand (not Tests/Python/numpy_conv_ops.py), and the gradients are checked against central
differences of the forward pass before anything is written.

The module, on an image x (1 x C x H x W), for each variant:
- naive:   h_1 = relu(W_1 * x + b_1), h_3 = relu(W_3 * x + b_3), h_5 = relu(W_5 * x + b_5),
           m = maxpool_3x3(x) (stride 1, padding 1, padding never the max); y = [h_1; h_3; h_5; m]
- reduced: h_1 as above; h_3r = relu(W_3r * x + b_3r), h_3 = relu(W_3 * h_3r + b_3);
           h_5r = relu(W_5r * x + b_5r), h_5 = relu(W_5 * h_5r + b_5);
           m = maxpool_3x3(x), h_p = relu(W_p * m + b_p); y = [h_1; h_3; h_5; h_p]
where * is a k x k convolution (cross-correlation) with zero padding (k - 1) / 2, so every map stays
H x W, and [..] stacks along the channels. L = sum over the variants of 1/2 |y - t|^2, then one SGD
step p <- p - lr dL/dp on every parameter.
Draws: x uniform in [-1, 1); for each variant that runs (naive first) W then b of each convolution,
branch by branch (1x1, 3x3, 5x5, pool) and layer by layer, each uniform in +-1/sqrt(C_in k^2);
then each variant's target t (1 x C_out x H x W) uniform in [-1, 1), naive first.
Costs: a k x k convolution C_in -> C_out has C_in C_out k^2 + C_out parameters and
H W C_in C_out k^2 multiplications; a branch's are its convolutions' summed (a max-pool: none).

Each fixture: case, demo, description, parameters, costs (variant -> branch -> parameters,
multiplications), loss, and tensors: one entry per value by `name` and `variant` (x and L have
none), `gradient: true` for dL/d(that tensor), `version: 1` for a parameter after the update, with
shape and data.
"""

import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import dump, fixture_folder, uniform  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

DEFAULTS = {"mode": "both", "channels-in": 8, "size": 6, "c1": 2, "c3-reduce": 3, "c3": 4, "c5-reduce": 1, "c5": 2,
            "pool-proj": 2, "lr": 0.1, "seed": 1}


def branches(variant, p):
    """[(branch, [layer, ...])], a layer being ("pool",) or (name, k, c_in, c_out)."""
    c = p["channels-in"]
    if variant == "naive":
        return [("1x1", [("1", 1, c, p["c1"])]), ("3x3", [("3", 3, c, p["c3"])]), ("5x5", [("5", 5, c, p["c5"])]),
                ("pool", [("pool",)])]
    return [("1x1", [("1", 1, c, p["c1"])]),
            ("3x3", [("3r", 1, c, p["c3-reduce"]), ("3", 3, p["c3-reduce"], p["c3"])]),
            ("5x5", [("5r", 1, c, p["c5-reduce"]), ("5", 5, p["c5-reduce"], p["c5"])]),
            ("pool", [("pool",), ("p", 1, c, p["pool-proj"])])]


def padded(x, pad):
    out = np.zeros((x.shape[0], x.shape[1] + 2 * pad, x.shape[2] + 2 * pad))
    out[:, pad:pad + x.shape[1], pad:pad + x.shape[2]] = x
    return out


def conv(x, W, b):
    """z[o, i, j] = b[o] + sum_{c, u, v} W[o, c, u, v] x[c, i + u - p, j + v - p] (x: C x H x W)."""
    k = W.shape[2]
    pad, (H, Wd) = (k - 1) // 2, x.shape[1:]
    xp = padded(x, pad)
    z = np.zeros((W.shape[0], H, Wd))
    for o in range(W.shape[0]):
        z[o] = b[o]
        for u in range(k):
            for v in range(k):
                z[o] += np.tensordot(W[o, :, u, v], xp[:, u:u + H, v:v + Wd], axes=1)
    return z


def conv_backward(x, W, dz):
    """(dx, dW, db) of conv: dW[o, c, u, v] = sum_ij dz[o, i, j] x[c, i + u - p, j + v - p];
    dx scatters W[o, c, u, v] dz[o, i, j] back to x[c, i + u - p, j + v - p]; db[o] = sum_ij dz[o]."""
    k = W.shape[2]
    pad, (H, Wd) = (k - 1) // 2, x.shape[1:]
    xp = padded(x, pad)
    dW = np.zeros_like(W)
    dxp = np.zeros_like(xp)
    for u in range(k):
        for v in range(k):
            window = xp[:, u:u + H, v:v + Wd]
            dW[:, :, u, v] = np.tensordot(dz, window, axes=([1, 2], [1, 2]))
            dxp[:, u:u + H, v:v + Wd] += np.tensordot(W[:, :, u, v], dz, axes=([0], [0]))
    return dxp[:, pad:pad + H, pad:pad + Wd], dW, dz.sum(axis=(1, 2))


def maxpool(x):
    """3 x 3 windows, stride 1, padding 1 that is never the maximum."""
    xp = np.full((x.shape[0], x.shape[1] + 2, x.shape[2] + 2), -np.inf)
    xp[:, 1:-1, 1:-1] = x
    return np.max([xp[:, u:u + x.shape[1], v:v + x.shape[2]] for u in range(3) for v in range(3)], axis=0)


def draw(p, gen):
    C, S = p["channels-in"], p["size"]
    x = uniform(gen, (C, S, S), 1.0)
    variants = ["naive", "reduced"] if p["mode"] == "both" else [p["mode"]]
    params = {}
    for variant in variants:
        for _, layers in branches(variant, p):
            for layer in layers:
                if layer[0] == "pool":
                    continue
                name, k, cin, cout = layer
                bound = 1.0 / np.sqrt(cin * k * k)
                params[(variant, "W_" + name)] = uniform(gen, (cout, cin, k, k), bound)
                params[(variant, "b_" + name)] = uniform(gen, (cout,), bound)
    outputs = {v: sum(out_channels(v, b, C) for b in branches(v, p)) for v in variants}
    targets = {v: uniform(gen, (outputs[v], S, S), 1.0) for v in variants}
    return x, variants, params, targets


def out_channels(variant, branch, C):
    last = branch[1][-1]
    return C if last[0] == "pool" else last[3]


def forward(p, x, variants, params, targets):
    """(L, values): values[(variant, name)] for every map, y per variant."""
    values, L = {}, 0.0
    for v in variants:
        parts = []
        for _, layers in branches(v, p):
            h = x
            for layer in layers:
                if layer[0] == "pool":
                    h = values[(v, "m")] = maxpool(h)
                    continue
                name = layer[0]
                z = values[(v, "z_" + name)] = conv(h, params[(v, "W_" + name)], params[(v, "b_" + name)])
                h = values[(v, "h_" + name)] = np.maximum(z, 0.0)
            parts.append(h)
        y = values[(v, "y")] = np.concatenate(parts, axis=0)
        L += 0.5 * np.sum((y - targets[v]) ** 2)
    return L, values


def backward(p, x, variants, params, values, targets):
    """grads[(variant, name)]: dL/d(parameter) and dL/d(map) for every map that reaches a parameter."""
    grads = {}
    for v in variants:
        dy = grads[(v, "y")] = values[(v, "y")] - targets[v]
        start = 0
        for _, layers in branches(v, p):
            width = values[(v, "m")].shape[0] if layers[-1][0] == "pool" else layers[-1][3]
            dh = dy[start:start + width]
            start += width
            for index in range(len(layers) - 1, -1, -1):
                layer = layers[index]
                if layer[0] == "pool":
                    break  # m is made from x alone: no parameter before it, no gradient
                name = layer[0]
                grads[(v, "h_" + name)] = dh
                dz = grads[(v, "z_" + name)] = dh * (values[(v, "z_" + name)] > 0)
                below = x if index == 0 else (values[(v, "m")] if layers[index - 1][0] == "pool"
                                             else values[(v, "h_" + layers[index - 1][0])])
                dx, grads[(v, "W_" + name)], grads[(v, "b_" + name)] = conv_backward(below, params[(v, "W_" + name)], dz)
                if index == 0 or layers[index - 1][0] == "pool":
                    break
                dh = dx
    return grads


def check_against_central_differences(p, x, variants, params, targets, grads):
    """Every parameter entry's dL/dp against (L(p + e) - L(p - e)) / 2e, e = 1e-6."""
    eps, worst = 1e-6, 0.0
    for key, value in params.items():
        flat = value.reshape(-1)
        for index in range(flat.size):
            saved = flat[index]
            flat[index] = saved + eps
            up, _ = forward(p, x, variants, params, targets)
            flat[index] = saved - eps
            down, _ = forward(p, x, variants, params, targets)
            flat[index] = saved
            numeric, analytic = (up - down) / (2 * eps), grads[key].reshape(-1)[index]
            worst = max(worst, abs(numeric - analytic) / max(1.0, abs(analytic)))
    assert worst < 1e-6, f"{p}: a hand-written gradient is off by {worst} from central differences"
    return worst


def costs(variants, p):
    S = p["size"]
    table = {}
    for v in variants:
        table[v] = {}
        for branch, layers in branches(v, p):
            convs = [layer for layer in layers if layer[0] != "pool"]
            table[v][branch] = {
                "parameters": sum(cin * cout * k * k + cout for _, k, cin, cout in convs),
                "multiplications": sum(S * S * cin * cout * k * k for _, k, cin, cout in convs),
            }
    return table


def record(name, value, variant=None, gradient=False, version=None):
    value = np.asarray(value, dtype=np.float64)
    entry = {"name": name}
    if variant is not None:
        entry["variant"] = variant
    if gradient:
        entry["gradient"] = True
    if version is not None:
        entry["version"] = version
    # The engine's maps are N x C x H x W with N = 1; vectors (biases) and kernels as they are.
    shape = list(value.shape) if name[0] in "Wb" else [1] + list(value.shape)
    entry["shape"] = shape
    entry["data"] = [float(f) for f in value.reshape(-1)]
    return entry


def case(name, description, given):
    p = dict(DEFAULTS, **given)
    x, variants, params, targets = draw(p, SeededGenerator(p["seed"]))
    L, values = forward(p, x, variants, params, targets)
    grads = backward(p, x, variants, params, values, targets)
    worst = check_against_central_differences(p, x, variants, params, targets, grads)
    tensors = [record("x", x), {"name": "L", "shape": [], "data": [float(L)]}]
    for (v, key), value in params.items():
        tensors.append(record(key, value, v))
    for (v, key), value in values.items():
        tensors.append(record(key, value, v))
    for v in variants:
        tensors.append(record("t", targets[v], v))
    for (v, key), value in grads.items():
        tensors.append(record(key, value, v, gradient=True))
    for (v, key), value in params.items():
        tensors.append(record(key, value - p["lr"] * grads[(v, key)], v, version=1))
    print(f"{name}: L = {L:.6f}, {len(tensors)} tensors, worst gradient vs central differences {worst:.1e}")
    return {"case": name, "demo": "inception", "description": description, "parameters": given,
            "costs": costs(variants, p), "loss": float(L), "tensors": tensors}


CASES = [
    ("inception-defaults", "defaults: both variants on an 8 x 6 x 6 image", {}),
    ("inception-naive-c3-s4", "naive only, 3 channels, 4 x 4, other widths and seed",
     {"mode": "naive", "channels-in": 3, "size": 4, "c1": 1, "c3": 2, "c5": 3, "seed": 7}),
    ("inception-reduced-s1", "reduced only on a 1 x 1 image: the 3 x 3 and 5 x 5 kernels see mostly padding",
     {"mode": "reduced", "channels-in": 5, "size": 1, "c3-reduce": 2, "c5-reduce": 2, "c5": 3, "seed": 3}),
    ("inception-both-expanding", "both, reductions wider than the input (1 x 1 convolutions that expand)",
     {"channels-in": 2, "size": 5, "c3-reduce": 4, "c5-reduce": 3, "pool-proj": 1, "lr": 0.5, "seed": 11}),
]


def main():
    out = fixture_folder("inception", "inception-*.json")
    for name, description, given in CASES:
        fixture = case(name, description, given)
        (out / f"{name}.json").write_text(dump(fixture))
        print(f"wrote {out.name}/{name}.json")


if __name__ == "__main__":
    main()
