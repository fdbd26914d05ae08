#!/usr/bin/env python3
"""Independent reference values for the `dropout` demo (Tests/ModelsTests/DropoutTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/dropout/*.json, and only those) with:

    python3 Tests/Fixtures/reference_dropout.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (docs/models.md, "dropout"),
not from the Swift code, and no number is read from a Swift run. The PRNG is
Tests/Python/seeded_generator.py; the forward pass, backpropagation through the masks and the
early-stopping rule are written out here, and the first step's gradients are checked against
central differences (with the same masks) before anything is written.

Draws: W_1, b_1, W_2, b_2, ... uniform in +-1/sqrt(fan-in) (W_l is n_l x n_{l-1}, b_l n_l x 1),
then X (n_0 x m, row-major, uniform in [-1, 1)), then m noise values u_j uniform in [-1, 1):
t_j = sin(pi X[0, j]) + noise * u_j. The last floor(v m + 1/2) columns are the validation split.
Each epoch then draws one keep-mask per hidden layer (n_l x m_train, row-major): kept when
u >= p; nothing at all when p = 0.

Network while training: h~_0 = X, z_l = W_l h~_{l-1} + b_l, h_l = phi(z_l),
h~_l = (M_l * h_l) / (1 - p); y = W_L h~_{L-1} + b_L; Q = mean (y - T)^2. Evaluation: the same
without masks and without the 1/(1 - p). One SGD step per epoch on the whole training split.

Early stopping: an epoch improves when its validation loss is below the best so far by more than
min-delta; after `patience` epochs in a row without one, training stops (patience 0: never). The
weights kept are the best epoch's when patience > 0, the last epoch's otherwise; Q_train and
Q_val evaluate them without dropout.
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import entry, fixture_folder, snapshot, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

DEFAULTS = {"layers": [4, 64, 1], "activation": "tanh", "p": 0.2, "samples": 48, "validation": 0.5, "noise": 0.3,
            "patience": 20, "min-delta": 0.0, "train": 1000, "lr": 0.1, "seed": 1}

PHI = {
    "tanh": (np.tanh, lambda z, a: 1 - a * a),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
}


def draw_parameters(gen, sizes):
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        bound = 1 / math.sqrt(fan_in)
        W = np.array(gen.tensor(fan_out * fan_in, bound)).reshape(fan_out, fan_in)
        b = np.array(gen.tensor(fan_out, bound)).reshape(fan_out, 1)
        params.append([W, b])
    return params


def draw_data(gen, inputs, m, noise):
    X = np.array(gen.tensor(inputs * m, 1.0)).reshape(inputs, m)
    T = np.array([[math.sin(math.pi * X[0, j]) + noise * gen.uniform(-1, 1) for j in range(m)]])
    return X, T


def draw_masks(gen, hidden, m, p):
    if p == 0:
        return None
    return [np.array([1.0 if gen.next_uniform() >= p else 0.0 for _ in range(n * m)]).reshape(n, m) for n in hidden]


def forward(params, X, phi, masks, p):
    """y and what backpropagation needs: per hidden layer (input, z, h, mask)."""
    layers, h = [], X
    for l, (W, b) in enumerate(params):
        z = W @ h + b
        if l == len(params) - 1:
            return z, layers
        a = phi[0](z)
        M = None if masks is None else masks[l]
        layers.append((h, z, a, M))
        h = a if M is None else (M * a) * (1 / (1 - p))


def mse(y, T):
    return float(np.mean((y - T) ** 2))


def backward(params, y, T, layers, phi, p):
    """Hand-written gradients: dQ/dy, and per layer dQ/dW, dQ/db, dQ/dh (hidden), dQ/dz."""
    g = 2 * (y - T) / y.size
    grads = {"y": g}
    for l in reversed(range(len(params))):
        W, _ = params[l]
        h_in = layers[l - 1][2] if l > 0 else None
        if l > 0 and layers[l - 1][3] is not None:
            h_in = (layers[l - 1][3] * layers[l - 1][2]) * (1 / (1 - p))
        x_in = layers[0][0] if l == 0 else h_in
        grads[f"W_{l + 1}"] = g @ x_in.T
        grads[f"b_{l + 1}"] = g.sum(axis=1, keepdims=True)
        if l == 0:
            break
        g_tilde = W.T @ g
        _, z, a, M = layers[l - 1]
        # A dropped unit passes nothing forward, so nothing comes back to it.
        g_h = g_tilde if M is None else M * g_tilde * (1 / (1 - p))
        grads[f"h_{l}"] = g_h
        g = g_h * phi[1](z, a)
        grads[f"z_{l}"] = g
    return grads


def check_gradients(params, X, T, phi, masks, p, grads):
    worst = 0.0
    for l, (W, b) in enumerate(params):
        for name, tensor in ((f"W_{l + 1}", W), (f"b_{l + 1}", b)):
            for index in np.ndindex(tensor.shape):
                saved, eps = tensor[index], 1e-6
                tensor[index] = saved + eps
                up = mse(forward(params, X, phi, masks, p)[0], T)
                tensor[index] = saved - eps
                down = mse(forward(params, X, phi, masks, p)[0], T)
                tensor[index] = saved
                numeric = (up - down) / (2 * eps)
                worst = max(worst, abs(numeric - grads[name][index]) / max(1e-6, abs(numeric)))
    assert worst < 1e-5, f"hand gradients disagree with central differences: {worst}"


def stopping_epochs(validation, patience, min_delta):
    """(best epoch, stop epoch or None) by the rule, over the validation losses seen so far."""
    best_epoch, best, since = None, math.inf, 0
    for epoch, v in enumerate(validation, start=1):
        if best_epoch is None or v < best - min_delta:
            best_epoch, best, since = epoch, v, 0
        else:
            since += 1
            if patience and since == patience:
                return best_epoch, epoch
    return best_epoch, None


def run(case, description, given):
    c = {**DEFAULTS, **given}
    sizes, p, m = c["layers"], c["p"], c["samples"]
    phi = PHI[c["activation"]]
    gen = SeededGenerator(c["seed"])
    params = draw_parameters(gen, sizes)
    X, T = draw_data(gen, sizes[0], m, c["noise"])
    held = math.floor(c["validation"] * m + 0.5)
    Xt, Tt, Xv, Tv = X[:, :m - held], T[:, :m - held], X[:, m - held:], T[:, m - held:]
    hidden = sizes[1:-1]

    tensors = [entry("X", Xt), entry("T", Tt), entry("X_val", Xv), entry("T_val", Tv)]
    for l, (W, b) in enumerate(params):
        tensors += [entry(f"W_{l + 1}", W, version=0), entry(f"b_{l + 1}", b, version=0)]
    losses, validation, snapshots, kept = [], [], {}, None
    for epoch in range(1, c["train"] + 1):
        masks = draw_masks(gen, hidden, m - held, p)
        y, layers = forward(params, Xt, phi, masks, p)
        Q = mse(y, Tt)
        grads = backward(params, y, Tt, layers, phi, p)
        if epoch == 1:
            check_gradients(params, Xt, Tt, phi, masks, p, grads)
            tensors += [entry("y", y), entry("Q", np.array(Q)), entry("dQ/dy", grads["y"], gradient_of="y")]
            for l, (_, z, a, M) in enumerate(layers, start=1):
                tensors += [entry(f"z_{l}", z), entry(f"h_{l}", a),
                            entry(f"dQ/dh_{l}", grads[f"h_{l}"], gradient_of=f"h_{l}"),
                            entry(f"dQ/dz_{l}", grads[f"z_{l}"], gradient_of=f"z_{l}")]
                if M is not None:
                    tensors.append(entry(f"M_{l}", M))
        for l in range(len(params)):
            if epoch == 1:
                tensors += [entry(f"dQ/dW_{l + 1}", grads[f"W_{l + 1}"], gradient_of=f"W_{l + 1}"),
                            entry(f"dQ/db_{l + 1}", grads[f"b_{l + 1}"], gradient_of=f"b_{l + 1}")]
            params[l][0] = params[l][0] - c["lr"] * grads[f"W_{l + 1}"]
            params[l][1] = params[l][1] - c["lr"] * grads[f"b_{l + 1}"]
        if epoch == 1:
            for l, (W, b) in enumerate(params):
                tensors += [entry(f"W_{l + 1}", W, version=1), entry(f"b_{l + 1}", b, version=1)]
        losses.append(Q)
        validation.append(mse(forward(params, Xv, phi, None, p)[0], Tv))
        snapshots[str(epoch)] = {"validation_loss": snapshot([validation[-1]])}
        best, stop = stopping_epochs(validation, c["patience"], c["min-delta"])
        if best == epoch:
            kept = [[W.copy(), b.copy()] for W, b in params]
        if stop is not None:
            break
    final = kept if c["patience"] > 0 else params
    tensors += [entry("Q_train", np.array(mse(forward(final, Xt, phi, None, p)[0], Tt))),
                entry("Q_val", np.array(mse(forward(final, Xv, phi, None, p)[0], Tv)))]
    marks = {"best": best} | ({"stop": stop} if stop is not None and stop < c["train"] else {})
    return {"case": case, "demo": "dropout", "description": description, "parameters": given, "tensors": tensors,
            "history": {"losses": losses, "snapshots": snapshots}, "marks": marks}


CASES = [
    ("dropout-16-hidden-early-stop", "one hidden layer of 16, p 0.2, stops early (patience 5)",
     {"layers": [4, 16, 1], "train": 200, "patience": 5}),
    ("dropout-two-layers-relu-min-delta", "two hidden layers (relu), p 0.5, min-delta, uneven split",
     {"layers": [3, 8, 6, 1], "activation": "relu", "p": 0.5, "samples": 14, "validation": 0.3, "patience": 4,
      "min-delta": 0.001, "train": 60, "lr": 0.05, "seed": 4}),
    ("dropout-p0-no-stopping", "p 0: no masks drawn; patience 0 runs every epoch and keeps the last weights",
     {"layers": [2, 10, 1], "activation": "sigmoid", "p": 0, "samples": 10, "noise": 0.5, "patience": 0,
      "train": 25, "lr": 0.5, "seed": 3}),
]


def main():
    out = fixture_folder("dropout", "*.json")
    for case, description, given in CASES:
        fixture = run(case, description, given)
        write(out, case, fixture)
        print(case, "marks", fixture["marks"], "epochs", len(fixture["history"]["losses"]))


if __name__ == "__main__":
    main()
