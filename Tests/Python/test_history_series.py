"""What history keeps for the views at any epoch or iteration (issue 20, item 1), against numpy:

- word2vec (cbow, skipgram, skipgram-ns): after each snapshotted epoch, the traced example's
  stages (h, u, y, the errors, Q; for negative sampling the output vectors, σ(u_o), σ(−u_n)) equal
  what the independent references (Tests/Fixtures/reference_word2vec.py,
  reference_skipgram_ns.py) compute from their own training's weights after that epoch;
- the sequence demos trained more than once: each iteration's ‖∂Q/∂h_t‖ (`grad_norm_h`) equals the
  norms of ∂Q/∂h_t that reference_lstm_gru.py's hand-written BPTT gives from the parameters before
  that iteration (the traced ones, then each snapshot's).

No number comes from a Swift run but the parameters the trace snapshotted."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

from trace_checks import _run_cli
import numpy_ops as ops

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "Fixtures"))
import reference_skipgram_ns as ns  # noqa: E402
import reference_word2vec as w2v  # noqa: E402
from reference_lstm_gru import OneWay  # noqa: E402

SMALL = "the cat sat on the mat and the dog sat on the log"


def trace_of(demo: str, parameters: dict) -> dict:
    arguments = [a for key, value in parameters.items() for a in (f"--{key}", str(value))]
    return ops.load_trace(_run_cli(demo, tuple(arguments)))


def array(record: dict) -> np.ndarray:
    return np.array([float(x) for x in record["data"]], dtype=float).reshape(record["shape"])


def snapshotted(i: int, n: int) -> bool:
    """docs/models.md: the first, the last, and 1, 2, 5 × 10^k."""
    return i in (1, n) or any(i == m * 10 ** e for m in (1, 2, 5) for e in range(7))


def stages(trace: dict) -> dict[int, dict[str, tuple[dict, np.ndarray]]]:
    """Per epoch holding them: the activation series' (tags, values), by key."""
    series = [s for s in trace["series"] if s["quantity"] == "activation"]
    assert series and all(s["per"] == "epoch" for s in series)
    return {e["iteration"]: {s["key"]: (s["tags"], array(e["tensors"][s["key"]])) for s in series if s["key"] in e["tensors"]}
            for e in trace["history"] if any(s["key"] in (e.get("tensors") or {}) for s in series)}


@pytest.mark.parametrize("demo,parameters", [
    ("cbow", {"corpus": SMALL, "window": 2, "dimensions": 3, "seed": 5, "train": 12, "lr": 0.1, "context": "the,sat,the", "target": "cat"}),
    ("skipgram", {"corpus": SMALL, "window": 2, "dimensions": 4, "seed": 9, "train": 12, "lr": 0.2, "word": "sat"}),
])
def test_the_word2vec_stages_after_each_snapshotted_epoch_are_the_references(demo, parameters):
    trace = trace_of(demo, parameters)
    run = w2v.setup(demo, parameters)
    first = w2v.step(run["W_in"], run["W_out"], run["inputs"], run["targets"], parameters["lr"])
    kept = stages(trace)
    n = parameters["train"]
    assert sorted(kept) == [i for i in range(1, n + 1) if snapshotted(i, n)] == [1, 2, 5, 10, 12]
    checked = 0
    for epoch, _, W_in, W_out in w2v.trained(demo, first["W_in"], first["W_out"], run["windows"], n, parameters["lr"], run["gen"]):
        if epoch not in kept:
            continue
        s = w2v.step(W_in, W_out, run["inputs"], run["targets"], parameters["lr"])
        expected = {"hidden_layer": s["h"], "scores": s["u"], "probabilities": s["y"], "loss": s["Q"],
                    "context_embeddings": np.stack([W_in[i] for i in run["inputs"]])}
        quantities = set()
        for key, (tags, got) in kept[epoch].items():
            q = tags["quantity"]
            quantities.add(q)
            want = s["errors"][tags.get("position", 1) - 1] if q == "error" else expected[q]
            assert np.allclose(got.ravel(), np.ravel(want), rtol=1e-10, atol=1e-13), (key, epoch)
            checked += 1
        assert {"hidden_layer", "scores", "probabilities", "error", "loss"} <= quantities
    assert checked >= 5 * 5


def test_the_negative_sampling_stages_after_each_snapshotted_epoch_are_the_references():
    parameters = {"corpus": SMALL, "window": 2, "word": "sat", "context": "on", "dimensions": 3, "negatives": 4,
                  "seed": 9, "train": 20, "lr": 0.2}
    trace = trace_of("skipgram-ns", parameters)
    run = ns.setup(parameters)
    c, o, negatives, k, lr = run["centre"], run["context"], run["negatives"], parameters["negatives"], parameters["lr"]
    first = ns.step(run["W_in"], run["W_out"], c, o, negatives, lr)
    kept = stages(trace)
    assert sorted(kept) == [1, 2, 5, 10, 20]
    for epoch, _, W_in, W_out in ns.trained(first["W_in"], first["W_out"], run["pairs"], run["sampler"], k, 20, lr, run["gen"]):
        if epoch not in kept:
            continue
        s = ns.step(W_in, W_out, c, o, negatives, lr)
        expected = {"hidden_layer": s["h"], "output_vectors": s["w"], "scores": s["u"], "true_word_probability": s["sigma_o"],
                    "negative_probabilities": s["sigma_n"], "loss": s["Q"]}
        assert {tags["quantity"] for tags, _ in kept[epoch].values()} == set(expected)
        for key, (tags, got) in kept[epoch].items():
            assert np.allclose(got.ravel(), np.ravel(expected[tags["quantity"]]), rtol=1e-10, atol=1e-13), (key, epoch)


@pytest.mark.parametrize("demo,names", [("rnn", ["W_1", "b_1", "W_2", "b_2"]),
                                        ("lstm", ["W_f", "b_f", "W_i", "b_i", "W_c", "b_c", "W_o", "b_o", "W_y", "b_y"]),
                                        ("gru", ["W_z", "b_z", "W_r", "b_r", "W_h", "b_h", "W_y", "b_y"])])
def test_each_iterations_hidden_state_gradient_norms_are_numpys(demo, names):
    trace = trace_of(demo, {"steps": 4, "hidden": 3, "train": 12, "lr": 0.5})
    T, I, H, O = (trace["config"][k] for k in ("steps", "input", "hidden", "output-size"))
    tagged = {(t["tags"]["quantity"], t["tags"].get("t")): array(t) for t in trace["tensors"] if t.get("tags")}
    xs = [tagged[("input", t)].reshape(-1, 1) for t in range(1, T + 1)]
    targets = [tagged[("target", t)].reshape(-1, 1) for t in range(1, T + 1)]
    network = OneWay("rnn" if demo == "rnn" else demo, I, H, O)
    traced = [array(next(t for t in trace["tensors"] if t["name"] == n and t["role"] == "parameter")) for n in names]
    history = trace["history"]
    assert [s for s in trace["series"] if s["key"] == "grad_norm_h"][0]["quantity"] == "gradient_norm"
    # The norms are in every entry; the parameters and the cell's wires only at the snapshots.
    activations = {s["key"] for s in trace["series"] if s["quantity"] == "activation"}
    for e in history:
        assert set(e["tensors"]) & activations == (activations if snapshotted(e["iteration"], 12) else set()), e["iteration"]
    before = {1: traced}   # the parameters each iteration starts from: the traced ones, then each snapshot's
    for e in history:
        if e.get("tensors") and names[0] in e["tensors"]:
            before[e["iteration"] + 1] = [array(e["tensors"][n]) for n in names]
    checked = 0
    for e in history:
        norms = array(e["tensors"]["grad_norm_h"])
        assert norms.shape == (T,)
        if e["iteration"] not in before:
            continue
        _, grads, _ = network.evaluate(before[e["iteration"]], xs, targets, trace["config"]["loss"])
        expected = [np.linalg.norm(grads[f"h_{t}"]) for t in range(1, T + 1)]
        assert np.allclose(norms, expected, rtol=1e-12, atol=0), e["iteration"]
        checked += 1
    assert checked == 5   # iterations 1, 2, 3, 6 and 11
