#!/usr/bin/env python3
"""Independent reference values for the `tdl` and `gradient-flow` demos
(Tests/ModelsTests/TDLTests.swift, GradientFlowTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/sequences/tdl-*.json and gradient-flow-*.json,
and only those) with:

    python3 Tests/Fixtures/reference_tdl_gradient_flow.py

Needs Python 3.9+ and numpy 2.x. Written from the documented rules (issue 3, the demos' doc
comments, docs/trace-format.md), not from the Swift code, and no number is read from a Swift run.
The sequence task (draws, texts, one-hot tokens) and the fixture layout are those of
reference_rnn.py, imported from fixture_io.py (the rnn's initial parameters from reference_rnn.py);
the PRNG is Tests/Python/seeded_generator.py.

tdl, the tapped delay line:
- zhat_t = a_0 x_t + a_1 x_{t-1} + ... + a_{L-1} x_{t-L+1}, the terms added from i = 0 up, with
  x_0 = x_{-1} = ... = 0 (the memory units before the sequence reaches them);
- a_i x is a scalar times x (`scalar`), an element-wise product with an I x 1 vector (`vector`)
  or a matrix product with an O x I matrix (`matrix`); scalar and vector taps need O = I, and O
  defaults to I for them;
- the taps a_0 ... a_{L-1} are drawn after the sequence, each row-major uniform in
  +-1/sqrt(fan-in), fan-in L (scalar, vector) or L * I (matrix);
- Q = sum_t Q_t with the task's loss (1/2 |zhat_t - target_t|^2 or cross-entropy);
- hand-written gradients: dQ/dzhat_t, and dQ/da_i = sum_t (contribution of step t), then SGD.

gradient-flow:
- the same sequence task, but the loss is on the last step only: Q = Q_T (y_T = output layer of h_T;
  the other steps have no output);
- rnn: a_t = W_1 [x_t; h_{t-1}] + b_1, h_t = tanh(a_t), y_T = W_2 h_T + b_2; W_1, b_1, W_2, b_2
  drawn as reference_rnn.py draws them, then the last H columns of W_1 (those reading h_{t-1})
  multiplied by weight-scale * sqrt(3);
- lstm: gates on [h_{t-1}; x_t]: f, i, o = sigmoid(W [h; x] + b), ctilde = tanh(W_c [h; x] + b_c),
  c_t = f c_{t-1} + i ctilde, h_t = o tanh(c_t), y_T = W_y h_T + b_y; W_f, b_f, W_i, b_i, W_c, b_c,
  W_o, b_o, W_y, b_y drawn in that order uniform in +-1/sqrt(H), then the first H columns of W_f,
  W_i, W_c, W_o multiplied by weight-scale * sqrt(3), and `forget-bias` (if given) added to b_f;
- backpropagation through time by hand; history keeps, per iteration, grad_norm_h = |dQ/dh_t| for
  t = 1..T (and grad_norm_c = |dQ/dc_t| for the lstm), Euclidean norms of the full gradients;
- `clip` c: each parameter's gradient g is replaced by g * (c / |g|) when |g| > c, then SGD.

Each fixture has the layout of Tests/Fixtures/models (see reference_models.py), always with
`history`, plus for tdl

    "contributions": {"a_1": [dQ/da_1 from step t = 1, ..., t = T]}

(each a {"t", "shape", "data"} object), the per-step terms whose sum is dQ/da_1.
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import draw, entry, fixture_folder, schedule, sequence, snapshot, step_loss, write  # noqa: E402
from reference_rnn import initial_parameters  # noqa: E402
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

TASK_DEFAULTS = {"steps": 3, "input": 2, "output-size": 2, "train": 1, "lr": 0.1, "seed": 1}


# ---------------------------------------------------------------------------------------------
# tdl

def tdl(params):
    p = dict(TASK_DEFAULTS, taps=3, **{"tap-kind": "scalar"})
    p.update(params)
    kind, L = p["tap-kind"], p["taps"]
    if kind != "matrix" and "text" not in p and "output-size" not in params and "targets" not in p:
        p["output-size"] = len(p["inputs"][0]) if "inputs" in p else p["input"]
    gen = SeededGenerator(p["seed"])
    xs, targets, vocabulary, loss = sequence(p, gen)
    I, O, T = xs[0].shape[0], targets[0].shape[0], len(xs)
    assert kind == "matrix" or I == O
    shape = {"scalar": (), "vector": (I, 1), "matrix": (O, I)}[kind]
    bound = 1.0 / math.sqrt(L * I if kind == "matrix" else L)
    taps = [np.array(draw(gen, int(np.prod(shape)), bound)).reshape(shape) for _ in range(L)]
    line = [np.zeros((I, 1)) for _ in range(L - 1)] + xs  # line[L - 1 + t - 1] is x_t

    def x_at(t):  # x_t for t in 2 - L .. T
        return line[L - 2 + t]

    def term(a, x):
        return a @ x if kind == "matrix" else a * x

    def forward(taps):
        zs, Qs, dzs = [], [], []
        for t in range(1, T + 1):
            z = term(taps[0], x_at(t))
            for i in range(1, L):
                z = z + term(taps[i], x_at(t - i))
            q, dz = step_loss(z, targets[t - 1], loss)
            zs.append(z)
            Qs.append(q)
            dzs.append(dz)
        Q = Qs[0]
        for q in Qs[1:]:
            Q = Q + q
        return zs, Qs, Q, dzs

    def contribution(i, t, dz):
        x = x_at(t - i)
        if kind == "scalar":
            return np.array(np.sum(dz * x))
        if kind == "vector":
            return dz * x
        return dz @ x.T

    tensors = [entry(f"a_{i}", a, version=0) for i, a in enumerate(taps)]
    tensors += [entry(f"x_{t}", x) for t, x in enumerate(xs, start=1)]
    tensors += [entry(f"target_{t}", target) for t, target in enumerate(targets, start=1)]
    tensors += [entry(f"x_{-k}", np.zeros((I, 1))) for k in range(L - 1)]
    losses, snapshots, contributions = [], {}, None
    iterations, lr = p["train"], float(p["lr"])
    for iteration in range(1, iterations + 1):
        zs, Qs, Q, dzs = forward(taps)
        grads = []
        for i in range(L):
            total = contribution(i, 1, dzs[0])
            for t in range(2, T + 1):
                total = total + contribution(i, t, dzs[t - 1])
            grads.append(total)
        losses.append(float(Q))
        taps = [a - lr * g for a, g in zip(taps, grads)]
        if iteration == 1:
            for t in range(1, T + 1):
                tensors += [entry(f"zhat_{t}", zs[t - 1]), entry(f"Q_{t}", Qs[t - 1])]
            tensors.append(entry("Q", Q))
            tensors += [entry(f"dQ/dzhat_{t}", dzs[t - 1], gradient_of=f"zhat_{t}") for t in range(1, T + 1)]
            tensors += [entry(f"dQ/da_{i}", g, gradient_of=f"a_{i}") for i, g in enumerate(grads)]
            tensors += [entry(f"a_{i}", a, version=1) for i, a in enumerate(taps)]
            if L > 1:
                contributions = {"a_1": [dict(t=t, **snapshot(contribution(1, t, dzs[t - 1]))) for t in range(1, T + 1)]}
        if iteration in schedule(iterations):
            snapshots[str(iteration)] = {f"a_{i}": snapshot(a) for i, a in enumerate(taps)}
    fixture = {"tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}}
    if contributions is not None:
        fixture["contributions"] = contributions
    if vocabulary is not None:
        fixture["vocabulary"] = vocabulary
    return fixture


# ---------------------------------------------------------------------------------------------
# gradient-flow

FLOW_DEFAULTS = dict(TASK_DEFAULTS, steps=30, hidden=32, network="rnn", **{"weight-scale": 1.0})


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def clipped(g, limit):
    norm = math.sqrt(float(np.sum(g * g)))
    return g * (limit / norm) if norm > limit else g


def rnn_flow(weights, xs, target, loss, I):
    """Forward and hand-written BPTT with the loss on the last step."""
    W1, b1, W2, b2 = weights
    H = W1.shape[0]
    hs, as_ = [np.zeros((H, 1))], []
    for x in xs:
        as_.append(W1 @ np.vstack([x, hs[-1]]) + b1)
        hs.append(np.tanh(as_[-1]))
    y = W2 @ hs[-1] + b2
    Q, dy = step_loss(y, target, loss)
    T = len(xs)
    dh = [None] * (T + 1)
    da = [None] * T
    dW1, db1 = np.zeros_like(W1), np.zeros_like(b1)
    dh[T] = W2.T @ dy
    for t in range(T, 0, -1):
        da[t - 1] = dh[t] * (1.0 - hs[t] ** 2)
        dW1 += da[t - 1] @ np.vstack([xs[t - 1], hs[t - 1]]).T
        db1 += da[t - 1]
        dh[t - 1] = (W1.T @ da[t - 1])[I:]
    values = {"h": hs, "a": as_, "y": y, "Q": Q}
    grads = {"y": dy, "h": dh, "a": da, "params": [dW1, db1, dy @ hs[-1].T, dy]}
    return values, grads


def lstm_flow(weights, xs, target, loss, I):
    """Forward and hand-written BPTT of the LSTM with the loss on the last step."""
    Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, by = weights
    H = Wf.shape[0]
    hs, cs, gates, zs = [np.zeros((H, 1))], [np.zeros((H, 1))], [], []
    for x in xs:
        z = np.vstack([hs[-1], x])
        f, i = sigmoid(Wf @ z + bf), sigmoid(Wi @ z + bi)
        g, o = np.tanh(Wc @ z + bc), sigmoid(Wo @ z + bo)
        c = f * cs[-1] + i * g
        zs.append(z)
        gates.append((f, i, g, o))
        cs.append(c)
        hs.append(o * np.tanh(c))
    y = Wy @ hs[-1] + by
    Q, dy = step_loss(y, target, loss)
    T = len(xs)
    dh, dc = [None] * (T + 1), [None] * (T + 1)
    dWs = [np.zeros_like(W) for W in (Wf, Wi, Wc, Wo)]
    dbs = [np.zeros_like(b) for b in (bf, bi, bc, bo)]
    dh[T] = Wy.T @ dy
    carry = np.zeros((H, 1))  # dQ/dc_t through c_{t+1}
    for t in range(T, 0, -1):
        f, i, g, o = gates[t - 1]
        tc = np.tanh(cs[t])
        dc[t] = carry + dh[t] * o * (1.0 - tc * tc)
        pre = [dc[t] * cs[t - 1] * f * (1.0 - f), dc[t] * g * i * (1.0 - i), dc[t] * i * (1.0 - g * g), dh[t] * tc * o * (1.0 - o)]
        dz = np.zeros((H + I, 1))
        for k, (W, d) in enumerate(zip((Wf, Wi, Wc, Wo), pre)):
            dWs[k] += d @ zs[t - 1].T
            dbs[k] += d
            dz += W.T @ d
        dh[t - 1] = dz[:H]
        carry = dc[t] * f
    dc[0] = carry
    params = [m for pair in zip(dWs, dbs) for m in pair] + [dy @ hs[-1].T, dy]
    values = {"h": hs, "c": cs, "gates": gates, "y": y, "Q": Q}
    return values, {"y": dy, "h": dh, "c": dc, "params": params}


def lstm_parameters(gen, I, H, O):
    bound = 1.0 / math.sqrt(H)
    shapes = [(H, H + I), (H, 1)] * 4 + [(O, H), (O, 1)]
    return [np.array(draw(gen, r * c, bound)).reshape(r, c) for r, c in shapes]


def gradient_flow(params):
    p = dict(FLOW_DEFAULTS, **params)
    gen = SeededGenerator(p["seed"])
    xs, targets, vocabulary, loss = sequence(p, gen)
    I, O, H, T = xs[0].shape[0], targets[0].shape[0], p["hidden"], len(xs)
    factor = float(p["weight-scale"]) * np.sqrt(3.0)
    lstm = p["network"] == "lstm"
    if lstm:
        weights = lstm_parameters(gen, I, H, O)
        for k in (0, 2, 4, 6):
            weights[k][:, :H] *= factor
        if "forget-bias" in p:
            weights[1] = weights[1] + float(p["forget-bias"])
        names = ["W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o", "W_y", "b_y"]
        flow = lstm_flow
    else:
        weights = initial_parameters(gen, I, H, O)
        weights[0][:, I:] *= factor
        names = ["W_1", "b_1", "W_2", "b_2"]
        flow = rnn_flow
    target = targets[-1]
    clip = p.get("clip")

    tensors = [entry(name, value, version=0) for name, value in zip(names, weights)]
    tensors += [entry(f"x_{t}", x) for t, x in enumerate(xs, start=1)]
    tensors.append(entry(f"target_{T}", target))
    losses, snapshots = [], {}
    iterations, lr = p["train"], float(p["lr"])
    for iteration in range(1, iterations + 1):
        values, grads = flow(weights, xs, target, loss, I)
        losses.append(float(values["Q"]))
        used = [clipped(g, float(clip)) for g in grads["params"]] if clip is not None else grads["params"]
        weights = [w - lr * g for w, g in zip(weights, used)]
        if iteration == 1:
            tensors.append(entry("h_0", values["h"][0]))
            for t in range(1, T + 1):
                if lstm:
                    f, i, g, o = values["gates"][t - 1]
                    tensors += [entry(f"f_{t}", f), entry(f"i_{t}", i), entry(f"ctilde_{t}", g), entry(f"o_{t}", o),
                                entry(f"c_{t}", values["c"][t])]
                else:
                    tensors.append(entry(f"a_{t}", values["a"][t - 1]))
                tensors.append(entry(f"h_{t}", values["h"][t]))
            tensors += [entry(f"y_{T}", values["y"]), entry("Q", values["Q"])]
            tensors.append(entry(f"dQ/dy_{T}", grads["y"], gradient_of=f"y_{T}"))
            for t in range(T, -1, -1):
                tensors.append(entry(f"dQ/dh_{t}", grads["h"][t], gradient_of=f"h_{t}"))
                if lstm:
                    tensors.append(entry(f"dQ/dc_{t}", grads["c"][t], gradient_of=f"c_{t}"))
                elif t > 0:
                    tensors.append(entry(f"dQ/da_{t}", grads["a"][t - 1], gradient_of=f"a_{t}"))
            tensors += [entry(f"dQ/d{name}", g, gradient_of=name) for name, g in zip(names, grads["params"])]
            tensors += [entry(name, value, version=1) for name, value in zip(names, weights)]
        kept = {"grad_norm_h": snapshot([np.linalg.norm(grads["h"][t]) for t in range(1, T + 1)])}
        if lstm:
            kept["grad_norm_c"] = snapshot([np.linalg.norm(grads["c"][t]) for t in range(1, T + 1)])
        if iteration in schedule(iterations):
            kept.update({name: snapshot(value) for name, value in zip(names, weights)})
        snapshots[str(iteration)] = kept
    fixture = {"tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}}
    if vocabulary is not None:
        fixture["vocabulary"] = vocabulary
    return fixture


# ---------------------------------------------------------------------------------------------
# Cases

CASES = [
    ("tdl-defaults", "tdl", {}, "defaults: L = 3 scalar taps over T = 3 drawn steps, I = O = 2, mse"),
    ("tdl-scalar-t6", "tdl", {"steps": 6, "taps": 4, "input": 3, "seed": 3},
     "4 scalar taps over 6 steps of 3 values: the zeros before the start feed the first 3 steps"),
    ("tdl-vector", "tdl", {"tap-kind": "vector", "taps": 3, "steps": 5, "input": 2, "seed": 2},
     "vector taps (a_i * x element-wise) over 5 steps"),
    ("tdl-matrix", "tdl", {"tap-kind": "matrix", "taps": 2, "steps": 4, "input": 3, "output-size": 2, "seed": 5},
     "matrix taps (2 x 3) over 4 steps: O differs from I"),
    ("tdl-matrix-text", "tdl", {"tap-kind": "matrix", "taps": 2, "text": "abcabd"},
     "matrix taps on one-hot characters a, b, c, d: next-character cross-entropy"),
    ("tdl-vector-given", "tdl",
     {"tap-kind": "vector", "taps": 2, "inputs": [[1, -1], [0.5, 2], [-1, 0]], "targets": [[0, 1], [1, 1], [0.5, -0.5]],
      "seed": 4},
     "sequence and targets given: only the taps are drawn"),
    ("tdl-scalar-train20", "tdl", {"taps": 2, "steps": 5, "train": 20, "lr": 0.2},
     "scalar taps trained for 20 SGD iterations at lr 0.2"),
    ("gradient-flow-rnn-vanish", "gradient-flow", {"weight-scale": 0.5, "hidden": 8, "steps": 20},
     "rnn, gain 0.5: dQ/dh_t shrinks going back from t = 20"),
    ("gradient-flow-rnn-explode", "gradient-flow", {"weight-scale": 2, "hidden": 32, "steps": 30},
     "rnn, gain 2, H = 32: dQ/dh_t grows (tenfold) going back from t = 30 to t = 1; longer runs are chaotic, "
     "so rounding differences between two implementations grow as fast as the gradient (at T = 60 to 1e-9)"),
    ("gradient-flow-rnn-clip", "gradient-flow",
     {"weight-scale": 2, "hidden": 16, "steps": 12, "clip": 0.5, "train": 3, "lr": 0.5, "seed": 7},
     "rnn, gain 2, each parameter gradient clipped to norm 0.5, 3 iterations"),
    ("gradient-flow-rnn-text", "gradient-flow", {"text": "the quick brown fox jumps over the lazy dog", "hidden": 6, "seed": 3},
     "rnn over words, cross-entropy on the last word only"),
    ("gradient-flow-lstm", "gradient-flow", {"network": "lstm", "hidden": 4, "steps": 10, "weight-scale": 1.5, "seed": 2},
     "lstm, gain 1.5: dQ/dh_t and dQ/dc_t for every step"),
    ("gradient-flow-lstm-forget-bias", "gradient-flow",
     {"network": "lstm", "hidden": 5, "steps": 25, "forget-bias": 4, "input": 1, "output-size": 1, "seed": 6},
     "lstm with forget bias 4: f_t near 1, so dQ/dc_t is carried back without vanishing"),
    ("gradient-flow-lstm-train", "gradient-flow",
     {"network": "lstm", "hidden": 3, "steps": 6, "input": 3, "output-size": 1, "train": 4, "clip": 0.2, "seed": 9},
     "lstm trained 4 iterations with clipping to norm 0.2"),
]


def main():
    out = fixture_folder("sequences", "tdl-*.json", "gradient-flow-*.json")
    for name, demo, params, description in CASES:
        result = (tdl if demo == "tdl" else gradient_flow)(params)
        fixture = {"case": name, "demo": demo, "description": description, "parameters": params, **result}
        write(out, name, fixture)


if __name__ == "__main__":
    main()
