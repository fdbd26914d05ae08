#!/usr/bin/env python3
"""Independent reference values for the neurons of the notes' table in the `neuron` demo: the
perceptron (step function, gradient and Rosenblatt's rule, on one example and on AND, OR, XOR),
the steep sigmoid sigma(k net), a softmax layer with cross-entropy and the RBF neuron.

Regenerate the fixtures (rewrites Tests/Fixtures/neurons/*.json) with:

    python3 Tests/Fixtures/reference_neurons.py

Needs Python 3.9+ and numpy 2.x. Written from the equations and draw order of docs/models.md
("neuron") and the op table of docs/trace-format.md, never from the Swift code or a Swift run:

- step(z) = 1 for z >= 0, else 0; its derivative 0 (recorded as 0 at z = 0 too);
- sigmoid with steepness k: y = sigma(k net), dy/dnet = k y (1 - y);
- softmax layer: net = W x + b (W is K x n), y_k = e^{net_k} / sum_j e^{net_j},
  Q = -sum_k t_k log y_k with t one-hot, dQ/dnet = y - t;
- RBF: y = exp(-|x - c|^2 / (2 s^2)), Q = 1/2 (y - t)^2, dQ/dc = e y (x - c) / s^2,
  dQ/ds = e y |x - c|^2 / s^3 with e = y - t;
- draws: x uniform in [-1, 1) (one example only), then W row by row and b (K values) uniform in
  +-1/sqrt(n); for the RBF neuron c uniform in [-1, 1) instead;
- each example is one update, in order; sgd: p - lr dQ/dp; perceptron: W + lr (t - y) x^T,
  b + lr (t - y); an epoch's history loss is the sum of its examples' losses, each before its
  update, and the parameters are snapshotted after every epoch.

The hand-written gradients are checked here against central differences before anything is
written (where the derivative exists: away from net = 0 for the step).
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import entry, fixture_folder, snapshot, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402

DEFAULTS = {"inputs": 3, "activation": "sigmoid", "target": 1.0, "lr": 0.5, "seed": 1, "steepness": 1.0,
            "classes": 3, "class": 1, "width": 1.0, "update": "sgd", "data": "single", "train": 1}
TABLES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}
POINTS = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]


def forward(kind, k, params, x, t):
    """(net or None, y, Q) of one example."""
    if kind == "rbf":
        c, s = params
        r2 = float(np.sum((x - c) ** 2))
        y = np.array([[math.exp(-r2 / (2.0 * s[0, 0] ** 2))]])
        return None, y, 0.5 * float(np.sum((y - t) ** 2))
    W, b = params
    net = W @ x + b
    if kind == "softmax":
        e = np.exp(net - net.max())
        y = e / e.sum()
        return net, y, -float(np.sum(t * np.log(y)))
    if kind == "step":
        y = np.where(net >= 0, 1.0, 0.0)
    elif kind == "sigmoid":
        y = 1.0 / (1.0 + np.exp(-k * net))
    elif kind == "tanh":
        y = np.tanh(net)
    else:
        y = np.where(net > 0, net, 0.0)
    return net, y, 0.5 * float(np.sum((y - t) ** 2))


def backward(kind, k, params, x, t, net, y):
    """(dQ/dy, dQ/dnet or None, [dQ/dp for each parameter], dQ/dx), by hand."""
    if kind == "rbf":
        c, s = params
        e = y - t
        r2 = float(np.sum((x - c) ** 2))
        dc = e[0, 0] * y[0, 0] * (x - c) / s[0, 0] ** 2
        ds = np.array([[e[0, 0] * y[0, 0] * r2 / s[0, 0] ** 3]])
        return e, None, [dc, ds], -dc
    W, _ = params
    if kind == "softmax":
        dy = -t / y
        delta = y - t
    else:
        dy = y - t
        slope = {"step": np.zeros_like(net), "sigmoid": k * y * (1.0 - y), "tanh": 1.0 - y * y,
                 "relu": (net > 0).astype(np.float64)}[kind]
        delta = dy * slope
    return dy, delta, [delta @ x.T, delta], W.T @ delta


def check_gradients(kind, k, params, x, t, net):
    """Central differences of Q against the hand-written gradients of the parameters."""
    if kind == "step" and np.any(np.abs(net) < 1e-4):
        return
    _, y, _ = forward(kind, k, params, x, t)
    _, _, grads, _ = backward(kind, k, params, x, t, net, y)
    h = 1e-6
    for i, p in enumerate(params):
        for idx in np.ndindex(p.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[i][idx] += h
            minus[i][idx] -= h
            numeric = (forward(kind, k, plus, x, t)[2] - forward(kind, k, minus, x, t)[2]) / (2 * h)
            assert abs(numeric - grads[i][idx]) < 1e-6 * max(1.0, abs(numeric)), (kind, i, idx, numeric, grads[i][idx])


def neuron(params):
    p = dict(DEFAULTS, **params)
    kind, k, lr = p["activation"], float(p["steepness"]), float(p["lr"])
    K = int(p["classes"]) if kind == "softmax" else 1
    gen = SeededGenerator(p["seed"])
    table = p["data"] != "single"
    n = 2 if table else len(params["x"]) if "x" in params else len(params["w"]) // K if "w" in params else int(p["inputs"])
    bound = 1.0 / math.sqrt(n)
    if table:
        examples = [(np.array(point).reshape(2, 1), np.array([[float(tv)]])) for point, tv in zip(POINTS, TABLES[p["data"]])]
    else:
        xs = [float(v) for v in params["x"]] if "x" in params else [gen.uniform(-1.0, 1.0) for _ in range(n)]
        if kind == "softmax":
            t = np.zeros((K, 1))
            t[int(p["class"]) - 1, 0] = 1.0
        else:
            t = np.array([[float(p["target"])]])
        examples = [(np.array(xs).reshape(n, 1), t)]
    if kind == "rbf":
        cs = [float(v) for v in params["c"]] if "c" in params else [gen.uniform(-1.0, 1.0) for _ in range(n)]
        values = [np.array(cs).reshape(n, 1), np.array([[float(p["width"])]])]
        names = ["c", "sigma"]
    else:
        ws = [float(v) for v in params["w"]] if "w" in params else [gen.uniform(-bound, bound) for _ in range(K * n)]
        bs = [float(params["b"])] * K if "b" in params else [gen.uniform(-bound, bound) for _ in range(K)]
        values = [np.array(ws).reshape(K, n), np.array(bs).reshape(K, 1)]
        names = ["w", "b"]

    several = len(examples) > 1
    tensors = [entry(name, value, version=0) for name, value in zip(names, values)]
    losses, snapshots = [], {}
    for epoch in range(1, int(p["train"]) + 1):
        total = 0.0
        for j, (x, t) in enumerate(examples):
            net, y, Q = forward(kind, k, values, x, t)
            dy, delta, grads, dx = backward(kind, k, values, x, t, net, y)
            check_gradients(kind, k, values, x, t, net)
            if p["update"] == "perceptron":
                values = [values[0] + lr * (t - y) @ x.T, values[1] + lr * (t - y)]
            else:
                values = [v - lr * g for v, g in zip(values, grads)]
            total += Q
            if epoch == 1:
                s = f"_{j + 1}" if several else ""
                tensors += [entry("x" + s, x), entry("t" + s, t), entry("y" + s, y), entry("Q" + s, Q),
                            entry("dQ" + s + "/dy" + s, dy, gradient_of="y" + s)]
                if net is not None:
                    tensors += [entry("net" + s, net), entry("dQ" + s + "/dnet" + s, delta, gradient_of="net" + s)]
                if not several:
                    tensors += [entry("dQ/dx", dx, gradient_of="x")]
                    tensors += [entry(f"dQ/d{name}", g, gradient_of=name) for name, g in zip(names, grads)]
                tensors += [entry(name, v, version=j + 1) for name, v in zip(names, values)]
        losses.append(total)
        snapshots[str(epoch)] = {name: snapshot(v) for name, v in zip(names, values)}
    history = {"losses": losses, "snapshots": snapshots} if several or int(p["train"]) > 1 else None
    return tensors, history


CASES = [
    ("step-given", {"activation": "step", "x": [1, 2], "w": [0.5, 0.25], "b": -0.5, "target": 0},
     "the perceptron: net = 0.5, y = 1 but t = 0; every gradient below y is 0 and SGD leaves w, b as they were"),
    ("step-at-zero", {"activation": "step", "x": [1, 2], "w": [0.5, 0.25], "b": -1, "target": 0},
     "net = 0 exactly: step(0) = 1, and the derivative (none exists there) is recorded as 0"),
    ("step-perceptron-one", {"activation": "step", "update": "perceptron", "x": [1, 2], "w": [0.5, -0.25], "b": -0.2, "lr": 0.5},
     "Rosenblatt's rule on one miss: y = 0, t = 1, w + 0.5 x, b + 0.5"),
    ("step-perceptron-and", {"activation": "step", "update": "perceptron", "data": "and", "train": 8, "lr": 1},
     "the perceptron rule on AND (linearly separable): no mistakes from epoch 6 on"),
    ("step-perceptron-xor", {"activation": "step", "update": "perceptron", "data": "xor", "train": 8, "lr": 1},
     "the perceptron rule on XOR: the weights come back to the same values every epoch, the errors never stop"),
    ("step-sgd-or", {"activation": "step", "data": "or", "train": 3},
     "SGD with the step on OR: the gradient is 0, nothing ever changes"),
    ("sigmoid-sgd-and", {"activation": "sigmoid", "data": "and", "train": 20, "seed": 4},
     "SGD with the sigmoid on AND, 20 epochs of 4 updates"),
    ("sigmoid-steep", {"steepness": 10, "x": [1, 2], "w": [0.5, 0.25], "b": -0.9},
     "sigma(10 net) with net = 0.1: y = sigma(1), slope k y (1 - y)"),
    ("sigmoid-steep-drawn", {"steepness": 0.5, "seed": 9, "inputs": 4}, "a shallow sigmoid, all drawn"),
    ("softmax-default", {"activation": "softmax"}, "a layer of 3 neurons on 3 drawn inputs, class 1"),
    ("softmax-given", {"activation": "softmax", "classes": 2, "class": 2, "x": [1, -1], "w": [1, 0, 0, 1], "b": 0.5},
     "two classes by hand: net = (1.5, -0.5), y = softmax(net)"),
    ("rbf-default", {"activation": "rbf"}, "x then c drawn, width 1"),
    ("rbf-given", {"activation": "rbf", "x": [1, 2], "c": [0, 1], "width": 0.5, "target": 0.5, "lr": 0.1},
     "|x - c|^2 = 2, sigma = 0.5: y = e^-4"),
]


def main():
    out = fixture_folder("neurons", "*.json")
    for name, params, description in CASES:
        tensors, history = neuron(params)
        fixture = {"case": name, "demo": "neuron", "description": description, "parameters": params, "tensors": tensors}
        if history is not None:
            fixture["history"] = history
        write(out, name, fixture)


if __name__ == "__main__":
    main()
