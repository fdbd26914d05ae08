#!/usr/bin/env python3
"""Independent reference values for the `rnn` demo and the sequence task (Tests/ModelsTests/RNNTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/sequences/rnn-*.json, and only those) with:

    python3 Tests/Fixtures/reference_rnn.py

Needs Python 3.9+ and numpy 2.x. Everything here is written from the documented rules (issue 3,
docs/trace-format.md), not from the Swift code, and no number is read from a Swift run:

- the PRNG: Tests/Python/seeded_generator.py (imported, the one Python copy of the rules);
- the sequence: x_1..x_T each I values uniform in [-1, 1) (row-major, one step after another),
  then the targets (mse: O values uniform in [-1, 1) per step; cross-entropy: one class per step
  by nextInt(below: O), one-hot), each drawn only when not given; then the parameters;
- a text instead: characters, unless the text has white space, then lower-cased words with
  punctuation stripped; the vocabulary in order of first appearance; x_t = one-hot(token t),
  target_t = one-hot(token t + 1), so T = tokens - 1, I = O = vocabulary size, cross-entropy
  (an apostrophe or hyphen inside a word is kept: don't, well-known);
- the network: a_t = W_1 [x_t; h_{t-1}] + b_1, h_t = tanh(a_t), y_t = W_2 h_t + b_2, h_0 = 0;
  W_1 (H x (I+H)), b_1 (H x 1), W_2 (O x H), b_2 (O x 1) drawn in that order, row-major,
  uniform in +-1/sqrt(H), after the data;
- the loss Q = sum_t Q_t, Q_t = 1/2 |y_t - target_t|^2 (mse) or -sum target_t * log softmax(y_t)
  (cross-entropy);
- backpropagation through time written out by hand (below), then plain SGD p <- p - lr dQ/dp
  for `train` iterations, the loss of each iteration taken before its update.

Each fixture has the layout of Tests/Fixtures/models (see reference_models.py and README.md),
always with `history`, plus

    "bptt": {"parameter": "W_1", "contributions": [dQ/dW_1 from step t = 1, ..., t = T]}

(each contribution a {"t", "shape", "data"} object): delta_t [x_t; h_{t-1}]^T with delta_t the
full gradient at a_t, so that dQ/dW_1 is their sum.
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import draw, entry, fixture_folder, log_softmax, sequence, snapshot, write  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

DEFAULTS = {"steps": 3, "input": 2, "output-size": 2, "hidden": 2, "train": 1, "lr": 0.1, "seed": 1}


# ---------------------------------------------------------------------------------------------
# The network, its loss and backpropagation through time


def forward(params, xs, targets, loss):
    W1, b1, W2, b2 = params
    H = W1.shape[0]
    hs, as_, ys, Qs = [np.zeros((H, 1))], [], [], []
    for x, target in zip(xs, targets):
        a = W1 @ np.vstack([x, hs[-1]]) + b1
        h = np.tanh(a)
        y = W2 @ h + b2
        as_.append(a)
        hs.append(h)
        ys.append(y)
        if loss == "mse":
            Qs.append(0.5 * np.sum((y - target) ** 2))
        else:
            Qs.append(-np.sum(target * log_softmax(y)))
    Q = Qs[0]
    for q in Qs[1:]:
        Q = Q + q
    return {"h": hs, "a": as_, "y": ys, "Q_t": Qs, "Q": Q}


def backward(params, xs, targets, loss, values):
    """Hand-written BPTT: dQ/dy_t, dQ/dh_t, dQ/da_t, the parameter gradients, dQ/dh_0 and the
    per-step contributions delta_t [x_t; h_{t-1}]^T to dQ/dW_1."""
    W1, b1, W2, b2 = params
    H, I = W1.shape[0], xs[0].shape[0]
    hs, ys = values["h"], values["y"]
    T = len(xs)
    dW1, db1 = np.zeros_like(W1), np.zeros_like(b1)
    dW2, db2 = np.zeros_like(W2), np.zeros_like(b2)
    dy, dh, da, contributions = [None] * T, [None] * (T + 1), [None] * T, [None] * T
    carry = np.zeros((H, 1))  # dQ/dh_t through a_{t+1}
    for t in range(T - 1, -1, -1):
        y, target = ys[t], targets[t]
        if loss == "mse":
            dy[t] = y - target
        else:
            dy[t] = np.exp(log_softmax(y)) * target.sum() - target
        dW2 += dy[t] @ hs[t + 1].T
        db2 += dy[t]
        dh[t + 1] = W2.T @ dy[t] + carry
        da[t] = dh[t + 1] * (1.0 - hs[t + 1] ** 2)
        contributions[t] = da[t] @ np.vstack([xs[t], hs[t]]).T
        dW1 += contributions[t]
        db1 += da[t]
        carry = (W1.T @ da[t])[I:]
    dh[0] = carry
    return {"y": dy, "h": dh, "a": da, "params": [dW1, db1, dW2, db2], "contributions": contributions}


def initial_parameters(gen, I, H, O):
    bound = 1.0 / math.sqrt(H)
    shapes = [(H, I + H), (H, 1), (O, H), (O, 1)]
    return [np.array(draw(gen, r * c, bound)).reshape(r, c) for r, c in shapes]


# ---------------------------------------------------------------------------------------------
# Fixture records

NAMES = ["W_1", "b_1", "W_2", "b_2"]


def rnn(params):
    p = dict(DEFAULTS, **params)
    gen = SeededGenerator(p["seed"])
    xs, targets, vocabulary, loss = sequence(p, gen)
    I, O, H, T = xs[0].shape[0], targets[0].shape[0], p["hidden"], len(xs)
    weights = initial_parameters(gen, I, H, O)
    lr, iterations = float(p["lr"]), p["train"]

    tensors = [entry(name, value, version=0) for name, value in zip(NAMES, weights)]
    tensors += [entry(f"x_{t + 1}", x) for t, x in enumerate(xs)]
    tensors += [entry(f"target_{t + 1}", target) for t, target in enumerate(targets)]
    tensors.append(entry("h_0", np.zeros((H, 1))))
    losses, snapshots, bptt = [], {}, None
    for iteration in range(1, iterations + 1):
        values = forward(weights, xs, targets, loss)
        grads = backward(weights, xs, targets, loss, values)
        losses.append(float(values["Q"]))
        weights = [w - lr * g for w, g in zip(weights, grads["params"])]
        if iteration == 1:
            for t in range(1, T + 1):
                tensors += [
                    entry(f"a_{t}", values["a"][t - 1]), entry(f"h_{t}", values["h"][t]),
                    entry(f"y_{t}", values["y"][t - 1]), entry(f"Q_{t}", values["Q_t"][t - 1]),
                ]
            tensors.append(entry("Q", values["Q"]))
            for t in range(T, 0, -1):
                tensors += [
                    entry(f"dQ/dy_{t}", grads["y"][t - 1], gradient_of=f"y_{t}"),
                    entry(f"dQ/dh_{t}", grads["h"][t], gradient_of=f"h_{t}"),
                    entry(f"dQ/da_{t}", grads["a"][t - 1], gradient_of=f"a_{t}"),
                ]
            tensors.append(entry("dQ/dh_0", grads["h"][0], gradient_of="h_0"))
            tensors += [entry(f"dQ/d{name}", g, gradient_of=name) for name, g in zip(NAMES, grads["params"])]
            tensors += [entry(name, value, version=1) for name, value in zip(NAMES, weights)]
            bptt = {
                "parameter": "W_1",
                "contributions": [dict(t=t + 1, **snapshot(c)) for t, c in enumerate(grads["contributions"])],
            }
        if iteration == 1 or iteration == iterations:
            snapshots[str(iteration)] = {name: snapshot(value) for name, value in zip(NAMES, weights)}
    fixture = {"tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}, "bptt": bptt}
    if vocabulary is not None:
        fixture["vocabulary"] = vocabulary
    return fixture


# ---------------------------------------------------------------------------------------------
# Cases

CASES = [
    ("rnn-defaults", {}, "defaults: T = 3, I = 2, H = 2, O = 2, mse, x, targets and weights from seed 1"),
    ("rnn-h3-t5-i2-o1", {"hidden": 3, "steps": 5, "input": 2, "output-size": 1},
     "H = 3 over 5 drawn steps, one output (mse)"),
    ("rnn-text-hello", {"text": "hello"},
     "characters of 'hello': vocabulary h, e, l, o; 4 steps of next-character cross-entropy"),
    ("rnn-text-words", {"text": "the cat sat on the mat"},
     "words: vocabulary the, cat, sat, on, mat; 5 steps of next-word cross-entropy"),
    ("rnn-given-cross-entropy",
     {"inputs": [[0.5, -1], [1, 0], [0, 2]], "targets": [[1, 0, 0], [0, 0, 1], [0, 1, 0]],
      "loss": "cross-entropy", "hidden": 3, "seed": 5},
     "inputs and one-hot targets given (nothing drawn but the weights), cross-entropy over 3 classes"),
    ("rnn-train20", {"train": 20, "lr": 0.1}, "defaults trained for 20 SGD iterations at lr 0.1"),
    ("rnn-seeded-cross-entropy", {"loss": "cross-entropy", "output-size": 3, "steps": 4, "seed": 11},
     "seeded inputs, then one class per step by nextInt(below: 3), then the weights"),
    ("rnn-given-inputs", {"inputs": [[1, -0.5, 0.25], [0, 2, -1]], "seed": 2},
     "inputs given (T = 2, I = 3): the targets are the first draws, then the weights"),
    ("rnn-given-targets", {"targets": [[0.5], [-1], [0.25], [2]], "hidden": 1, "seed": 9, "train": 3, "lr": 0.05},
     "targets given (T = 4, O = 1): x_1..x_4 drawn, then the weights; H = 1; 3 iterations"),
    ("rnn-text-punctuation", {"text": "It's a well-known cat's 'cat' -- it's!", "hidden": 2, "seed": 4},
     "words: punctuation stripped, inner apostrophes and hyphens kept, quotes and a lone -- dropped: "
     "vocabulary it's, a, well-known, cat's, cat; 5 steps"),
    ("rnn-text-hello-train5", {"text": "Hello, hello world!", "hidden": 4, "train": 5, "lr": 0.5},
     "words with case and punctuation: vocabulary hello, world; 2 steps; 5 iterations at lr 0.5"),
]


def main():
    out = fixture_folder("sequences", "rnn-*.json")
    for name, params, description in CASES:
        result = rnn(params)
        fixture = {"case": name, "demo": "rnn", "description": description, "parameters": params, **result}
        write(out, name, fixture)


if __name__ == "__main__":
    main()
