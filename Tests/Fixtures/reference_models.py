#!/usr/bin/env python3
"""Independent reference values for the `neuron` and `mlp` demos (Tests/ModelsTests).

Regenerate the fixtures (rewrites Tests/Fixtures/models/*.json) with:

    python3 Tests/Fixtures/reference_models.py

Needs Python 3.9+ and numpy 2.x. Everything here is written from the documented rules,
not from the Swift code, and no number is read from a Swift run:

- the PRNG: SplitMix64 seeding xoshiro256** (Blackman & Vigna, https://prng.di.unimi.it),
  nextUniform() = (next() >> 11) * 2^-53, uniform(lo, hi) = lo + (hi - lo) * nextUniform(),
  nextInt(below n): reject outputs below (2^64 - n) mod n, then next() mod n;
- the initializers: fan-in uniform in +-1/sqrt(fan_in), Xavier uniform in
  +-sqrt(6 / (fan_in + fan_out)), values drawn in row-major order;
- the neuron: net = w.x + b, y = phi(net), Q = 1/2 (y - t)^2, e = dQ/dy, one SGD step;
  x (uniform in [-1, 1)), then w, then b (uniform in +-1/sqrt(n)) drawn from the seed,
  each only when not given;
- the MLP: z_l = W_l h_{l-1} + b_l, h_l = phi(z_l) for the hidden layers, linear output y;
  parameters W_1, b_1, W_2, ... drawn in that order, then (data random) X uniform in [-1, 1)
  (n_0 x samples), then the targets (uniform in [-1, 1) for mse, nextInt(below: n_L) per
  sample for cross-entropy); mse = mean of (y - T)^2, cross-entropy = -(1/m) sum T * log softmax(y)
  (classes along axis 0); plain SGD, the loss of each iteration taken before its update.

Gradients are derived by hand-written backpropagation in numpy.

Each fixture is one JSON object:

    {"case": name, "demo": "neuron" | "mlp", "description": text,
     "parameters": {the demo's parameters as a directive would give them},
     "tensors": [{"name": trace tensor name, "version": 0 | 1 (parameters only),
                  "gradientOf": name of the tensor this is the gradient of (gradients only),
                  "shape": [...], "data": [row-major values]}, ...],
     "history": {"losses": [loss of iteration 1, 2, ...],
                 "snapshots": {"<iteration>": {parameter name: {"shape", "data"}}}}  (mlp only)}
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import entry, fixture_folder, snapshot, uniform, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)


# ---------------------------------------------------------------------------------------------
# Activations: value and derivative (the derivative from the input z and the output a = phi(z))


def phi(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    raise ValueError(name)


def phi_prime(name, z, a):
    if name == "sigmoid":
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - a * a
    if name == "relu":
        return (z > 0).astype(np.float64)
    raise ValueError(name)


# ---------------------------------------------------------------------------------------------
# Neuron

NEURON_DEFAULTS = {"inputs": 3, "activation": "sigmoid", "target": 1.0, "lr": 0.5, "seed": 1}


def neuron(params):
    p = dict(NEURON_DEFAULTS, **params)
    gx, gw = params.get("x"), params.get("w")
    n = len(gx) if gx is not None else len(gw) if gw is not None else p["inputs"]
    gen = SeededGenerator(p["seed"])
    bound = 1.0 / math.sqrt(n)
    xs = list(map(float, gx)) if gx is not None else [gen.uniform(-1.0, 1.0) for _ in range(n)]
    ws = list(map(float, gw)) if gw is not None else [gen.uniform(-bound, bound) for _ in range(n)]
    bv = float(params["b"]) if "b" in params else gen.uniform(-bound, bound)
    act, lr = p["activation"], float(p["lr"])

    x = np.array(xs).reshape(n, 1)
    w = np.array(ws).reshape(1, n)
    b = np.array([[bv]])
    t = np.array([[float(p["target"])]])

    net = w @ x + b  # 1 x 1
    y = phi(act, net)
    Q = 0.5 * np.sum((y - t) ** 2)  # scalar

    e = y - t  # dQ/dy
    delta = e * phi_prime(act, net, y)  # dQ/dnet
    dw = delta @ x.T  # 1 x n
    db = delta  # 1 x 1
    dx = w.T @ delta  # n x 1
    w1 = w - lr * dw
    b1 = b - lr * db

    tensors = [
        entry("x", x), entry("w", w, version=0), entry("b", b, version=0), entry("t", t),
        entry("net", net), entry("y", y), entry("Q", Q),
        entry("dQ/dy", e, gradient_of="y"), entry("dQ/dnet", delta, gradient_of="net"),
        entry("dQ/dw", dw, gradient_of="w"), entry("dQ/db", db, gradient_of="b"), entry("dQ/dx", dx, gradient_of="x"),
        entry("w", w1, version=1), entry("b", b1, version=1),
    ]
    return tensors, None


# ---------------------------------------------------------------------------------------------
# MLP

MLP_DEFAULTS = {
    "layers": [2, 3, 1], "activation": "tanh", "loss": "mse", "data": "xor", "samples": 8,
    "init": "fan-in", "train": 1, "lr": 0.2, "seed": 1,
}


def one_hot(labels, classes):
    T = np.zeros((classes, len(labels)))
    for j, label in enumerate(labels):
        T[label, j] = 1.0
    return T


def mlp_data(p, gen):
    layers, loss = p["layers"], p["loss"]
    if p["data"] == "xor":
        X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
        labels = [0, 1, 1, 0]
        T = np.array([[float(v) for v in labels]]) if loss == "mse" else one_hot(labels, layers[-1])
        return X, T
    m = p["samples"]
    X = uniform(gen, [layers[0], m], 1.0)
    if loss == "mse":
        return X, uniform(gen, [layers[-1], m], 1.0)
    labels = [gen.next_int(layers[-1]) for _ in range(m)]
    return X, one_hot(labels, layers[-1])


def log_softmax0(y):
    shifted = y - y.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


def mlp_forward_backward(Ws, bs, X, T, act, loss):
    """Forward and backward for one iteration: every intermediate and gradient, by trace name."""
    L = len(Ws)
    values, grads = {}, {}
    h = X
    hs, zs = [X], []
    for l in range(1, L + 1):
        z = Ws[l - 1] @ h + bs[l - 1]
        zs.append(z)
        if l < L:
            h = phi(act, z)
            values[f"z_{l}"], values[f"h_{l}"] = z, h
            hs.append(h)
        else:
            values["y"] = z
    y = zs[-1]
    m = X.shape[1]
    if loss == "mse":
        Q = np.mean((y - T) ** 2)
        dy = 2.0 * (y - T) / y.size
    else:
        ls = log_softmax0(y)
        Q = -(1.0 / m) * np.sum(T * ls)
        # d/dy of -(1/m) sum_i T_i (y_i - logsumexp(y)) = -(1/m) (T - softmax(y) * sum_classes T)
        dy = -(1.0 / m) * (T - np.exp(ls) * T.sum(axis=0, keepdims=True))
    values["Q"] = Q
    grads["y"] = dy
    dz = dy
    dWs, dbs = [None] * L, [None] * L
    for l in range(L, 0, -1):
        dWs[l - 1] = dz @ hs[l - 1].T
        dbs[l - 1] = dz.sum(axis=1, keepdims=True)
        if l > 1:
            dh = Ws[l - 1].T @ dz
            grads[f"h_{l - 1}"] = dh
            dz = dh * phi_prime(act, zs[l - 2], hs[l - 1])
            grads[f"z_{l - 1}"] = dz
    return values, grads, dWs, dbs


def mlp(params):
    p = dict(MLP_DEFAULTS, **params)
    layers, act, loss, lr, iterations = p["layers"], p["activation"], p["loss"], float(p["lr"]), p["train"]
    gen = SeededGenerator(p["seed"])
    Ws, bs = [], []
    for fan_in, fan_out in zip(layers, layers[1:]):
        bound_w = math.sqrt(6.0 / (fan_in + fan_out)) if p["init"] == "xavier" else 1.0 / math.sqrt(fan_in)
        Ws.append(uniform(gen, [fan_out, fan_in], bound_w))
        bs.append(uniform(gen, [fan_out, 1], 1.0 / math.sqrt(fan_in)))
    X, T = mlp_data(p, gen)
    L = len(Ws)

    tensors = []
    for l in range(1, L + 1):
        tensors += [entry(f"W_{l}", Ws[l - 1], version=0), entry(f"b_{l}", bs[l - 1], version=0)]
    tensors += [entry("X", X), entry("T", T)]

    losses, snapshots = [], {}
    for iteration in range(1, iterations + 1):
        values, grads, dWs, dbs = mlp_forward_backward(Ws, bs, X, T, act, loss)
        losses.append(float(values["Q"]))
        Ws = [W - lr * dW for W, dW in zip(Ws, dWs)]
        bs = [b - lr * db for b, db in zip(bs, dbs)]
        if iteration == 1:
            for l in range(1, L):
                tensors += [entry(f"z_{l}", values[f"z_{l}"]), entry(f"h_{l}", values[f"h_{l}"])]
            tensors += [entry("y", values["y"]), entry("Q", values["Q"])]
            tensors.append(entry("dQ/dy", grads["y"], gradient_of="y"))
            for l in range(L - 1, 0, -1):
                tensors.append(entry(f"dQ/dh_{l}", grads[f"h_{l}"], gradient_of=f"h_{l}"))
                tensors.append(entry(f"dQ/dz_{l}", grads[f"z_{l}"], gradient_of=f"z_{l}"))
            for l in range(1, L + 1):
                tensors += [
                    entry(f"dQ/dW_{l}", dWs[l - 1], gradient_of=f"W_{l}"),
                    entry(f"dQ/db_{l}", dbs[l - 1], gradient_of=f"b_{l}"),
                ]
            for l in range(1, L + 1):
                tensors += [entry(f"W_{l}", Ws[l - 1], version=1), entry(f"b_{l}", bs[l - 1], version=1)]
        if iteration == 1 or iteration == iterations:
            snap = {}
            for l in range(1, L + 1):
                snap[f"W_{l}"] = snapshot(Ws[l - 1])
                snap[f"b_{l}"] = snapshot(bs[l - 1])
            snapshots[str(iteration)] = snap
    return tensors, {"losses": losses, "snapshots": snapshots}


# ---------------------------------------------------------------------------------------------
# Cases

CASES = [
    ("neuron-sigmoid", "neuron", {"activation": "sigmoid"}, "default neuron (3 inputs drawn from seed 1), sigmoid"),
    ("neuron-tanh", "neuron", {"activation": "tanh"}, "default neuron, tanh"),
    ("neuron-relu", "neuron", {"activation": "relu"}, "default neuron, relu"),
    ("neuron-given", "neuron", {"x": [1, 2], "w": [0.5, -0.3], "b": 0.1, "target": 1},
     "x, w, b and t given (net cancels to ~3e-17, so y = 1/2), sigmoid"),
    ("neuron-relu-inactive", "neuron",
     {"activation": "relu", "x": [1, 2], "w": [0.5, -0.3], "b": -0.1, "target": 0.5},
     "relu with net = -0.2 < 0: y = 0 and every gradient below y is 0"),
    ("neuron-given-x-tanh", "neuron", {"x": [0.5, -1, 2], "activation": "tanh", "seed": 7, "lr": 0.25},
     "x given: w then b are the first draws of seed 7"),
    ("neuron-given-w-relu", "neuron", {"w": [0.8, 0.2, -0.4, 0.1], "activation": "relu", "target": -0.5, "seed": 3},
     "w given: x then b drawn (no draws for w); relu active (net > 0)"),
    ("neuron-inputs5", "neuron", {"inputs": 5, "seed": 42, "lr": 0.1, "target": -0.5},
     "5 inputs drawn from seed 42, sigmoid, negative target"),
    ("mlp-default", "mlp", {}, "default: layers 2,3,1, tanh, mse on XOR, one iteration"),
    ("mlp-xor-ce-relu", "mlp", {"loss": "cross-entropy", "layers": [2, 4, 2], "activation": "relu"},
     "cross-entropy on one-hot XOR, relu hidden layer"),
    ("mlp-random-ce-sigmoid-xavier", "mlp",
     {"data": "random", "layers": [3, 5, 4, 2], "loss": "cross-entropy", "samples": 6, "activation": "sigmoid",
      "init": "xavier"},
     "random data with labels drawn by nextInt, two sigmoid hidden layers, Xavier weights"),
    ("mlp-train50", "mlp", {"train": 50}, "default network trained for 50 SGD iterations"),
    ("mlp-random-mse-train20", "mlp",
     {"data": "random", "loss": "mse", "layers": [4, 3, 2], "samples": 5, "train": 20, "lr": 0.1},
     "random regression data (targets uniform in [-1, 1)), 20 iterations at lr 0.1"),
]


def main():
    out = fixture_folder("models", "*.json")
    for name, demo, params, description in CASES:
        tensors, history = (neuron if demo == "neuron" else mlp)(params)
        fixture = {"case": name, "demo": demo, "description": description, "parameters": params, "tensors": tensors}
        if history is not None:
            fixture["history"] = history
        write(out, name, fixture)


if __name__ == "__main__":
    main()
