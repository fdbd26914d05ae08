"""The activation series (issue 20, item 1) against numpy: what a trace keeps after a snapshotted
iteration's update, the attention maps and an LSTM's gates and states, equals what numpy computes
from that snapshot's parameters on the traced input, with the models' equations written out here
or in the independent references of Tests/Fixtures (reference_encoder_decoder.py's forward pass,
recurrent_cells.py's LSTM cell). No number comes from a Swift run but the parameters themselves."""

from __future__ import annotations

import math
import pathlib
import sys

import numpy as np
import pytest

from trace_checks import _run_cli
import numpy_ops as ops

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "Fixtures"))
import reference_encoder_decoder as ed  # noqa: E402
from recurrent_cells import LSTMCell  # noqa: E402


def trace_of(demo: str, *arguments: str) -> dict:
    return ops.load_trace(_run_cli(demo, arguments))


def array(record: dict) -> np.ndarray:
    return np.array([float(x) for x in record["data"]], dtype=float).reshape(record["shape"])


def kept(trace: dict) -> list[tuple[dict, dict]]:
    """(series, entry) for every snapshot of an activation series."""
    series = [s for s in trace["series"] if s["quantity"] == "activation"]
    return [(s, e) for e in trace["history"] for s in series if s["key"] in (e.get("tensors") or {})]


def parameters(entry: dict, names: list[str]) -> list[np.ndarray]:
    return [array(entry["tensors"][n]) for n in names]


def softmax_rows(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def tagged(trace: dict, **tags) -> dict:
    return next(t for t in trace["tensors"] if t.get("tags") == tags)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_weights_after_each_snapshot_are_the_snapshots_softmax(causal):
    """attention: A = softmax(Q Kᵀ / √d_k) row by row, −∞ above the diagonal when causal."""
    trace = trace_of("attention", "--tokens", "4", "--train", "12", "--lr", "0.5", *(["--causal"] if causal else []))
    snapshots = kept(trace)
    assert {s["tags"]["quantity"] for s, _ in snapshots} == {"attention_weights"}
    assert [e["iteration"] for _, e in snapshots] == [1, 2, 5, 10, 12]
    for s, entry in snapshots:
        Q, K = parameters(entry, ["Q", "K"])
        S = Q @ K.T / math.sqrt(K.shape[1])
        if causal:
            S = np.where(np.tril(np.ones_like(S)) != 0, S, -np.inf)
        assert np.allclose(array(entry["tensors"][s["key"]]), softmax_rows(S), rtol=1e-12, atol=1e-15), entry["iteration"]


def test_the_translators_attention_maps_after_each_snapshot_are_numpys():
    """encoder-decoder: every head's encoder, masked decoder and cross attention, by the reference's
    forward pass from the snapshot's 32 parameters and the traced embeddings."""
    trace = trace_of("encoder-decoder", "--train", "20", "--lr", "0.5")
    E_enc, E_dec = (array(next(t for t in trace["tensors"] if t["name"] == n)) for n in ("E^enc", "E^dec"))
    tag_of = {("self", "encoder"): "enc", ("masked_self", "decoder"): "dec", ("cross", "decoder"): "cross"}
    snapshots = kept(trace)
    assert {e["iteration"] for _, e in snapshots} == {1, 2, 5, 10, 20} and len({s["key"] for s, _ in snapshots}) == 6
    for s, entry in snapshots:
        values = {}
        nodes = [ed.leaf(w) for w in parameters(entry, ed.parameter_names())]
        ed.forward(nodes, E_enc, E_dec, [0] * E_dec.shape[0], trace["config"]["heads"], values)
        tags = s["tags"]
        name = f"A_{tags['head']}^{tag_of[(tags['attention'], tags['block'])]}"
        assert np.allclose(array(entry["tensors"][s["key"]]), values[name].value, rtol=1e-12, atol=1e-15), (name, entry["iteration"])


@pytest.mark.parametrize("demo,arguments", [("lstm", ("--steps", "3", "--hidden", "2", "--train", "10", "--lr", "0.5")),
                                            ("gradient-flow", ("--network", "lstm", "--steps", "3", "--hidden", "2", "--train", "10"))])
def test_an_lstms_gates_and_states_after_each_snapshot_are_numpys(demo, arguments):
    """lstm, and gradient-flow's lstm (its loss on the last step only, the cell the same): f, i, o,
    c̃, c, h and [h; x] at every t, by recurrent_cells.py's LSTM cell from the snapshot's weights
    and the traced inputs x_t, from zero states."""
    trace = trace_of(demo, *arguments)
    cell = LSTMCell(peepholes=False)
    T, H = trace["config"]["steps"], trace["config"]["hidden"]
    xs = [array(tagged(trace, quantity="input", t=t)).reshape(-1, 1) for t in range(1, T + 1)]
    by_entry = {}
    for s, entry in kept(trace):
        by_entry.setdefault(entry["iteration"], (entry, []))[1].append(s)
    assert sorted(by_entry) == [1, 2, 5, 10]
    for iteration, (entry, series) in by_entry.items():
        P = parameters(entry, cell.names)
        state, expected = {"h": np.zeros((H, 1)), "c": np.zeros((H, 1))}, {}
        for t in range(1, T + 1):
            hx = np.vstack([state["h"], xs[t - 1]])
            state, gates, _ = cell.forward(P, xs[t - 1], state)
            expected.update({("gate", "forget", t): gates["f"], ("gate", "input", t): gates["i"],
                             ("gate", "output", t): gates["o"], ("candidate", None, t): gates["ctilde"],
                             ("cell_state", None, t): state["c"], ("hidden_state", None, t): state["h"],
                             ("stacked_input", None, t): hx})
        checked = 0
        for s in series:
            tags = s["tags"]
            want = expected.get((tags["quantity"], tags.get("gate"), tags["t"]))
            if want is None:
                assert tags["t"] == 0   # h_0 and c_0: zeros
                assert not array(entry["tensors"][s["key"]]).any()
                continue
            got = array(entry["tensors"][s["key"]]).reshape(-1, 1)
            assert np.allclose(got, want, rtol=1e-12, atol=1e-15), (s["key"], iteration)
            checked += 1
        assert checked == 7 * T
