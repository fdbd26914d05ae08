#!/usr/bin/env python3
"""Independent reference values for the `lstm`, `peephole-lstm`, `gru`, `birnn`, `bilstm` and
`bigru` demos (Tests/ModelsTests/LSTMTests.swift, GRUTests.swift, BidirectionalTests.swift).

Regenerate the fixtures (rewrites Tests/Fixtures/sequences/{lstm,peephole-lstm,gru,birnn,bilstm,
bigru}-*.json, and only those) with:

    python3 Tests/Fixtures/reference_lstm_gru.py

Needs Python 3.9+ and numpy 2.x. Everything here is written from the documented rules (issue 3,
docs/models.md), not from the Swift code, and no number is read from a Swift run:

- the PRNG: Tests/Python/seeded_generator.py (imported, the one Python copy of the rules);
- the sequence: x_1..x_T each I values uniform in [-1, 1) (one step after another), then the
  targets (mse: O values uniform in [-1, 1) per step; cross-entropy: a class per step by
  nextInt(below: O), one-hot), each drawn only when not given; a text without white space is its
  characters, x_t = one-hot(token t), target_t = one-hot(token t + 1) over the vocabulary in
  order of first appearance, cross-entropy;
- then the parameters, each row-major uniform in +-1/sqrt(H), in this order:
  lstm       W_f b_f W_i b_i W_c b_c W_o b_o [p_f p_i p_o with peepholes] W_y b_y
  gru        W_z b_z W_r b_r W_h b_h W_y b_y
  bi<cell>   the cell's recurrent parameters for the forward direction (rnn: W_1 b_1), the same
             for the backward direction, then W_y (O x 2H) and b_y;
- the cells (vectors are columns, [a; b] stacks them):
  rnn   h_t = tanh(W_1 [x_t; h_{t-1}] + b_1)
  lstm  f = s(W_f [h_{t-1}; x_t] (+ p_f * c_{t-1}) + b_f), i likewise with p_i,
        c~ = tanh(W_c [h_{t-1}; x_t] + b_c), c_t = f * c_{t-1} + i * c~,
        o = s(W_o [h_{t-1}; x_t] (+ p_o * c_t) + b_o), h_t = o * tanh(c_t)
  gru   z = s(W_z [h_{t-1}; x_t] + b_z), r = s(W_r [h_{t-1}; x_t] + b_r),
        h~ = tanh(W_h [r * h_{t-1}; x_t] + b_h), h_t = z * h_{t-1} + (1 - z) * h~
  with zero initial states; one-way networks read x_1..x_T and output y_t = W_y h_t + b_y;
  bidirectional ones run a forward copy over x_1..x_T from hf_0 = 0 and a backward copy over
  x_T..x_1 from hb_{T+1} = 0 (hb_t reads x_t and hb_{t+1}), then y_t = W_y [hf_t; hb_t] + b_y;
- the loss Q = sum_t Q_t, Q_t = 1/2 |y_t - target_t|^2 (mse) or -sum target_t * log softmax(y_t);
- backpropagation through time written out by hand, cell by cell (below), then plain SGD
  p <- p - lr dQ/dp for `train` iterations, the loss of each iteration taken before its update.

Each fixture has the layout of Tests/Fixtures/models (see reference_models.py and README.md),
always with `history`: the parameters (version 0 and 1), x_t, target_t, the initial states, every
step's gates and states, y_t, Q_t, Q, and the gradients of y_t, of the states (h_t, c_t, and for
bidirectional networks both directions' and the joined h_t), of the initial states and of every
parameter. Names follow docs/models.md (hf_t, cb_t, W_f_fwd, ...).
"""

import math
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "Python"))
from fixture_io import draw, entry, fixture_folder, sequence, snapshot, step_loss, write  # noqa: E402
from recurrent_cells import cell_for  # noqa: E402  (the cells, forward and backward by hand)
from seeded_generator import SeededGenerator  # noqa: E402  (the documented PRNG rules, in Python)

DEFAULTS = {"steps": 3, "input": 2, "output-size": 2, "hidden": 2, "train": 1, "lr": 0.1, "seed": 1}
DEMOS = ["lstm", "peephole-lstm", "gru", "birnn", "bilstm", "bigru"]



# ---------------------------------------------------------------------------------------------
# One direction over the sequence, and its backward pass


def run_direction(cell, P, xs, positions, start, H):
    """Forward over `positions` (1-based, in reading order) from zero states at position `start`
    (0, or T + 1 going backward). Returns the states, step values and caches by position."""
    states = {start: {name: np.zeros((H, 1)) for name in cell.state_names}}
    values, caches, previous = {}, {}, start
    for t in positions:
        state, gates, cache = cell.forward(P, xs[t - 1], states[previous])
        states[t], values[t], caches[t] = state, gates, cache
        previous = t
    return start, states, values, caches


def backprop_direction(cell, P, positions, start, dh_out, caches):
    """BPTT over one direction: dh_out[t] is dQ/dh_t from the output layer. Returns the parameter
    gradients and dQ/d(state) by position (complete gradients, the initial state's included)."""
    G = [np.zeros_like(p) for p in P]
    H = dh_out[positions[0]].shape[0]
    carry = {name: np.zeros((H, 1)) for name in cell.state_names}
    dstates = {}
    for t in reversed(positions):
        d = {"h": dh_out[t] + carry["h"]}
        if "c" in cell.state_names:
            d["c"] = carry["c"]
        back = cell.backward(P, G, d, caches[t])
        dstates[t] = {"h": d["h"]}
        if "c" in cell.state_names:
            dstates[t]["c"] = back["dc_total"]
        carry = {name: back[name] for name in cell.state_names}
    dstates[start] = carry
    return G, dstates


# ---------------------------------------------------------------------------------------------
# Whole networks: forward, loss, BPTT


def initial_parameters(gen, shapes, H):
    bound = 1.0 / math.sqrt(H)
    return [np.array(draw(gen, r * c, bound)).reshape(r, c) for r, c in shapes]


class OneWay:
    def __init__(self, demo, I, H, O):
        self.cell, self.H = cell_for(demo), H
        self.k = len(self.cell.names)
        self.names = self.cell.names + ["W_y", "b_y"]
        self.shapes = self.cell.shapes(I, H) + [(O, H), (O, 1)]

    def evaluate(self, params, xs, targets, loss):
        """Every named value and gradient of one iteration, and the parameter gradients."""
        T, P = len(xs), params[: self.k]
        Wy, by = params[self.k :]
        positions = list(range(1, T + 1))
        start, states, gates, caches = run_direction(self.cell, P, xs, positions, 0, self.H)
        values, grads = {}, {}
        for name in self.cell.state_names:
            values[f"{name}_0"] = states[0][name]
        Q, dh_out, dWy, dby = 0.0, {}, np.zeros_like(Wy), np.zeros_like(by)
        for t in positions:
            for name, value in gates[t].items():
                values[f"{name}_{t}"] = value
            for name in self.cell.state_names:
                values[f"{name}_{t}"] = states[t][name]
            y = Wy @ states[t]["h"] + by
            q, dy = step_loss(y, targets[t - 1], loss)
            values[f"y_{t}"], values[f"Q_{t}"] = y, q
            Q = Q + q if t > 1 else q
            grads[f"y_{t}"] = dy
            dWy += dy @ states[t]["h"].T
            dby += dy
            dh_out[t] = Wy.T @ dy
        values["Q"] = Q
        G, dstates = backprop_direction(self.cell, P, positions, start, dh_out, caches)
        for t, d in dstates.items():
            for name, value in d.items():
                grads[f"{name}_{t}"] = value
        return values, grads, G + [dWy, dby]


class Bidirectional:
    def __init__(self, demo, I, H, O):
        self.cell, self.H = cell_for(demo), H
        self.k = len(self.cell.names)
        self.names = (
            [f"{n}_fwd" for n in self.cell.names] + [f"{n}_bwd" for n in self.cell.names] + ["W_y", "b_y"]
        )
        self.shapes = self.cell.shapes(I, H) * 2 + [(O, 2 * H), (O, 1)]

    def evaluate(self, params, xs, targets, loss):
        T, H, k = len(xs), self.H, self.k
        Pf, Pb, (Wy, by) = params[:k], params[k : 2 * k], params[2 * k :]
        forward_positions, backward_positions = list(range(1, T + 1)), list(range(T, 0, -1))
        runs = {
            "f": run_direction(self.cell, Pf, xs, forward_positions, 0, H),
            "b": run_direction(self.cell, Pb, xs, backward_positions, T + 1, H),
        }
        values, grads = {}, {}
        for mark, (start, states, gates, _) in runs.items():
            for name in self.cell.state_names:
                values[f"{name}{mark}_{start}"] = states[start][name]
            for t in forward_positions:
                for name, value in gates[t].items():
                    values[f"{name}{mark}_{t}"] = value
                for name in self.cell.state_names:
                    values[f"{name}{mark}_{t}"] = states[t][name]
        Q, dWy, dby = 0.0, np.zeros_like(Wy), np.zeros_like(by)
        dh_out = {"f": {}, "b": {}}
        for t in forward_positions:
            h = np.vstack([runs["f"][1][t]["h"], runs["b"][1][t]["h"]])
            y = Wy @ h + by
            q, dy = step_loss(y, targets[t - 1], loss)
            values[f"h_{t}"], values[f"y_{t}"], values[f"Q_{t}"] = h, y, q
            Q = Q + q if t > 1 else q
            dh = Wy.T @ dy
            grads[f"y_{t}"], grads[f"h_{t}"] = dy, dh
            dWy += dy @ h.T
            dby += dy
            dh_out["f"][t], dh_out["b"][t] = dh[:H], dh[H:]
        values["Q"] = Q
        gradients = []
        for mark, P, positions in [("f", Pf, forward_positions), ("b", Pb, backward_positions)]:
            start, _, _, caches = runs[mark]
            G, dstates = backprop_direction(self.cell, P, positions, start, dh_out[mark], caches)
            gradients += G
            for t, d in dstates.items():
                for name, value in d.items():
                    grads[f"{name}{mark}_{t}"] = value
        return values, grads, gradients + [dWy, dby]


# ---------------------------------------------------------------------------------------------
# Fixture records


def reference(demo, params):
    p = dict(DEFAULTS, **params)
    gen = SeededGenerator(p["seed"])
    xs, targets, _, loss = sequence(p, gen)
    I, O, H = xs[0].shape[0], targets[0].shape[0], p["hidden"]
    network = (Bidirectional if demo.startswith("bi") else OneWay)(demo, I, H, O)
    weights = initial_parameters(gen, network.shapes, H)
    lr, iterations = float(p["lr"]), p["train"]

    tensors = [entry(name, value, version=0) for name, value in zip(network.names, weights)]
    tensors += [entry(f"x_{t + 1}", x) for t, x in enumerate(xs)]
    tensors += [entry(f"target_{t + 1}", target) for t, target in enumerate(targets)]
    losses, snapshots = [], {}
    for iteration in range(1, iterations + 1):
        values, grads, gradients = network.evaluate(weights, xs, targets, loss)
        losses.append(float(values["Q"]))
        weights = [w - lr * g for w, g in zip(weights, gradients)]
        if iteration == 1:
            tensors += [entry(name, value) for name, value in values.items()]
            tensors += [entry(f"dQ/d{name}", value, gradient_of=name) for name, value in grads.items()]
            tensors += [entry(f"dQ/d{name}", g, gradient_of=name) for name, g in zip(network.names, gradients)]
            tensors += [entry(name, value, version=1) for name, value in zip(network.names, weights)]
        if iteration == 1 or iteration == iterations:
            snapshots[str(iteration)] = {name: snapshot(value) for name, value in zip(network.names, weights)}
    return {"tensors": tensors, "history": {"losses": losses, "snapshots": snapshots}}


# ---------------------------------------------------------------------------------------------
# Cases

GIVEN = {"inputs": [[0.5, -1], [1, 0], [0, 2]], "targets": [[1, 0, 0], [0, 0, 1], [0, 1, 0]], "loss": "cross-entropy"}

CASES = []
for demo in DEMOS:
    CASES += [
        (f"{demo}-defaults", demo, {}, "defaults: T = 3, I = 2, H = 2, O = 2, mse, x, targets and weights from seed 1"),
        (f"{demo}-text-hello", demo, {"text": "hello"},
         "characters of 'hello': vocabulary h, e, l, o; 4 steps of next-character cross-entropy"),
        (f"{demo}-given", demo, dict(GIVEN, hidden=3, seed=5),
         "inputs and one-hot targets given (only the weights drawn), cross-entropy over 3 classes, H = 3"),
        (f"{demo}-h3-i2-t4", demo, {"hidden": 3, "input": 2, "steps": 4, "output-size": 3, "seed": 7},
         "H = 3 over 4 drawn steps of 2 inputs, 3 outputs (mse)"),
    ]
CASES += [
    ("lstm-train3", "lstm", {"train": 3, "lr": 0.5}, "defaults trained for 3 SGD iterations at lr 0.5"),
    ("peephole-lstm-given-inputs-train3", "peephole-lstm", {"inputs": [[1, -0.5, 0.25], [0, 2, -1]], "seed": 2, "train": 3},
     "inputs given (T = 2, I = 3): the targets are the first draws, then the weights; 3 iterations"),
    ("gru-train3", "gru", {"train": 3, "lr": 0.5, "hidden": 4, "seed": 3}, "H = 4, 3 SGD iterations at lr 0.5"),
    ("bilstm-train3", "bilstm", {"train": 3, "steps": 5, "seed": 9}, "5 steps, 3 SGD iterations"),
    ("bigru-seeded-cross-entropy", "bigru", {"loss": "cross-entropy", "output-size": 3, "steps": 4, "seed": 11},
     "seeded inputs, then one class per step by nextInt(below: 3), then the weights"),
]


def check_against_finite_differences():
    """The hand-written BPTT against central differences of Q, every parameter element of every
    network, before anything is written (a slip in a derivative stops the script)."""
    for demo in DEMOS:
        gen = SeededGenerator(123)
        xs, targets, _, loss = sequence(dict(DEFAULTS, **{"steps": 3, "input": 2, "output-size": 2, "loss": "mse"}), gen)
        network = (Bidirectional if demo.startswith("bi") else OneWay)(demo, 2, 3, 2)
        weights = initial_parameters(gen, network.shapes, 3)
        weights = [2 * w for w in weights]  # larger weights, so every path matters
        _, _, gradients = network.evaluate(weights, xs, targets, loss)
        h = 1e-6
        for k, (name, w) in enumerate(zip(network.names, weights)):
            numeric = np.zeros_like(w)
            for index in np.ndindex(w.shape):
                plus = [v.copy() for v in weights]
                minus = [v.copy() for v in weights]
                plus[k][index] += h
                minus[k][index] -= h
                q_plus = network.evaluate(plus, xs, targets, loss)[0]["Q"]
                q_minus = network.evaluate(minus, xs, targets, loss)[0]["Q"]
                numeric[index] = (q_plus - q_minus) / (2 * h)
            error = np.max(np.abs(numeric - gradients[k]))
            assert error < 1e-7, f"{demo}: dQ/d{name} differs from central differences by {error}"
    print(f"hand-written BPTT agrees with central differences for {', '.join(DEMOS)}")


def main():
    check_against_finite_differences()
    out = fixture_folder("sequences", *(f"{demo}-*.json" for demo in DEMOS))
    for name, demo, params, description in CASES:
        result = reference(demo, params)
        fixture = {"case": name, "demo": demo, "description": description, "parameters": params, **result}
        write(out, name, fixture)


if __name__ == "__main__":
    main()
