#!/usr/bin/env python3
"""Independent reference for the `transfer` demo's two traced iterations
(Tests/Python/test_transfer_reference.py runs it on traces from the CLI).

Check a trace by hand with:

    unrolled trace transfer > t.json && python3 Tests/Fixtures/reference_transfer.py t.json

Pretraining runs with recording off, so its end, the pretrained weights, is taken from the trace:
the leaves of each traced iteration (w_1, b_1, w_2, b_2, W_3, b_3), its images x and targets T, and
the learning rates from the trace's config. From those alone, numpy by hand (written from the
equations in docs/models.md, "transfer"; the network's forward pass and full backward pass are
reference_cnn.py's hand-written ones):

- the head iteration (the convolutions frozen): forward, then backward by hand only as far as the
  head, dQ/dy = (p - T)/N, dQ/dW_3 = g^T dQ/dy, dQ/db_3 = sum over the batch of dQ/dy, checked
  against central differences of Q in W_3 and b_3; SGD on W_3 and b_3 only. The trace must hold
  these values to 1e-12, the frozen leaves marked `frozen`, no gradient of anything below y but the
  head's (no dQ/dg, no dQ/dw_1 …), and update steps for W_3 and b_3 only.
- the fine-tune iteration: its convolution leaves equal the head iteration's frozen ones (the head
  stage did not move them); forward, the full backward by hand (checked against central
  differences), SGD on all six at fine-tune-lr; every value to 1e-12.
"""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from reference_cnn import ORDER, backward, forward  # noqa: E402  (the network by hand, in numpy)

CONVOLUTIONS = ORDER[:4]
HEAD = ORDER[4:]
# What the head iteration's backward pass may differentiate: the loss's own steps, y, the dense
# layer's product and the head. Nothing of the features (g, h_2, z_2, h_1, a_1, z_1) or below.
HEAD_GRADIENTS = {"y", "W_3", "b_3", "Q"}


def array(tensor: dict) -> np.ndarray:
    return np.array([float(v) for v in tensor["data"]], dtype=np.float64).reshape(tensor["shape"])


def close(name: str, traced: np.ndarray, expected: np.ndarray) -> None:
    assert traced.shape == expected.shape, (name, traced.shape, expected.shape)
    assert np.allclose(traced, expected, rtol=1e-12, atol=1e-12), (name, np.max(np.abs(traced - expected)))


class Iteration:
    """One traced iteration: its root scope's steps and the tensors they read and make."""

    def __init__(self, trace: dict, stage: str):
        scopes = trace["scopes"]
        (inner,) = [s for s in scopes if s.get("kind") == "training_stage" and s["attributes"]["training_stage"] == stage]
        root = scopes[inner["parent"]]
        assert root.get("kind") == "iteration" and root["parent"] is None, root
        self.iteration = root["attributes"]["iteration"]

        def root_of(scope):
            while scopes[scope]["parent"] is not None:
                scope = scopes[scope]["parent"]
            return scope

        self.steps = [s for s in trace["steps"] if s["scope"] is not None and root_of(s["scope"]) == root["id"]]
        tensors = trace["tensors"]
        ids = {i for s in self.steps for i in [*s["inputs"], s["output"]]}
        self.tensors = [tensors[i] for i in sorted(ids)]
        made = {s["output"] for s in self.steps}
        self.leaves = {t["name"]: t for t in self.tensors if t["id"] not in made}
        self.by_id = {t["id"]: t for t in self.tensors}

    def made(self, name: str, **fields) -> np.ndarray:
        (t,) = [t for t in self.tensors if t["name"] == name and t["role"] != "gradient" and t["id"] not in
                [l["id"] for l in self.leaves.values()] and all(t.get(k) == v for k, v in fields.items())]
        return array(t)

    def gradient(self, name: str) -> np.ndarray:
        """The last gradient of the tensor `name` (a total, when contributions are added)."""
        found = [t for t in self.tensors if t["role"] == "gradient" and self.by_id.get(t["of"], {}).get("name") == name]
        return array(found[-1])

    def updated(self, name: str) -> dict | None:
        found = [t for t in self.tensors if t["role"] == "parameter" and t.get("version") == 1 and t["name"] == name]
        return found[0] if found else None


def central_differences(P: dict, x, T, pad: int, names, h: float = 1e-6) -> dict:
    """dQ/dP[name] by (Q(p + h) - Q(p - h)) / 2h at every entry."""
    out = {}
    for name in names:
        grad = np.zeros_like(P[name])
        flat, gflat = P[name].reshape(-1), grad.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + h
            up = float(forward(P, x, T, pad)["Q"])
            flat[i] = saved - h
            down = float(forward(P, x, T, pad)["Q"])
            flat[i] = saved
            gflat[i] = (up - down) / (2 * h)
        out[name] = grad
    return out


def check_head(trace: dict) -> dict:
    """The head iteration by hand; returns its (frozen) leaves."""
    it = Iteration(trace, "head")
    P = {n: array(it.leaves[n]) for n in ORDER}
    for name in ORDER:
        assert it.leaves[name]["role"] == "parameter"
        assert it.leaves[name].get("frozen") is (True if name in CONVOLUTIONS else None), (name, it.leaves[name].get("frozen"))
    x, T = array(it.leaves["x"]), array(it.leaves["T"])
    pad = (P["w_1"].shape[2] - 1) // 2
    f = forward(P, x, T, pad)
    for name in ["z_1", "a_1", "h_1", "z_2", "h_2", "g", "y", "p"]:
        close(name, it.made(name), f[name])
    close("Q", it.made("Q"), f["Q"])

    # Backward by hand, stopping at the frozen features: g is a constant of this pass.
    dy = (f["p"] - T) / len(x)
    d = {"y": dy, "W_3": f["g"].T @ dy, "b_3": dy.sum(axis=0, keepdims=True)}
    numeric = central_differences(P, x, T, pad, HEAD)
    for name in HEAD:
        assert np.allclose(d[name], numeric[name], rtol=1e-6, atol=1e-8), (name, d[name], numeric[name])
    for name in ["y", *HEAD]:
        close(f"dQ/d{name}", it.gradient(name), d[name])

    differentiated = {it.by_id[t["of"]]["name"] for t in it.tensors if t["role"] == "gradient"}
    named = {n for n in differentiated if not any(n.startswith(op + "_") for op in ("sum", "mul", "log_softmax", "matmul"))}
    assert named <= HEAD_GRADIENTS, f"the head's backward pass reaches {sorted(named - HEAD_GRADIENTS)}"
    updates = [s for s in it.steps if s["phase"] == "update"]
    assert sorted(trace["tensors"][s["output"]]["name"] for s in updates) == sorted(HEAD), updates
    lr = trace["config"]["lr"]
    for name in HEAD:
        close(f"{name} after the step", array(it.updated(name)), P[name] - lr * d[name])
    for name in CONVOLUTIONS:
        assert it.updated(name) is None, f"frozen {name} was updated"
    return P


def check_fine_tune(trace: dict, pretrained: dict) -> None:
    it = Iteration(trace, "fine_tune")
    P = {n: array(it.leaves[n]) for n in ORDER}
    for name in ORDER:
        assert it.leaves[name]["role"] == "parameter" and "frozen" not in it.leaves[name], name
    for name in CONVOLUTIONS:
        assert np.array_equal(P[name], pretrained[name]), f"{name} moved while it was frozen"
    x, T = array(it.leaves["x"]), array(it.leaves["T"])
    pad = (P["w_1"].shape[2] - 1) // 2
    f = forward(P, x, T, pad)
    for name in ["z_1", "a_1", "h_1", "z_2", "h_2", "g", "y", "p", "Q"]:
        close(name, it.made(name), f[name])
    d = backward(P, f, pad)
    numeric = central_differences(P, x, T, pad, ORDER)
    for name in ORDER:
        assert np.allclose(d[name], numeric[name], rtol=1e-6, atol=1e-8), name
    for name in ["y", "g", "h_2", "z_2", "h_1", "a_1", "z_1", *ORDER]:
        close(f"dQ/d{name}", it.gradient(name), d[name])
    lr = trace["config"]["fine-tune-lr"]
    for name in ORDER:
        close(f"{name} after the step", array(it.updated(name)), P[name] - lr * d[name])


def check(trace: dict) -> None:
    check_fine_tune(trace, check_head(trace))


if __name__ == "__main__":
    check(json.loads(pathlib.Path(sys.argv[1]).read_text()))
    print("transfer: the head and fine-tune iterations agree with numpy by hand")
