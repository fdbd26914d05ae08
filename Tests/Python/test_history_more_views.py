"""What history keeps for the last views of issue 20, item 1, against numpy from the snapshots'
own parameters (no number comes from a Swift run but those parameters and the traced inputs):

- segmentation: after each snapshotted epoch, the chosen image's feature maps (a_1 … y) equal
  reference_segmentation.py's forward pass of that image with the epoch's parameters;
- cnn and transfer: after each snapshotted epoch, one traced image's maps (z_1 … h_2), what the
  convolution view reads at that epoch, equal reference_cnn.py's forward pass of the image as layer 1
  read it (augmented, when augmenting) with the epoch's parameters;
- the bidirectional demos: each iteration's ‖∂Q/∂→h_t‖ and ‖∂Q/∂←h_t‖ equal the norms of the
  gradients reference_lstm_gru.py's hand-written BPTT gives from the parameters before it;
- the tapped delay line: each iteration's ‖∂Q/∂ẑ_t‖, with ẑ_t = Σ_i a_i x_{t−i} and
  Q = Σ_t ½‖ẑ_t − target_t‖² written out here, so ∂Q/∂ẑ_t = ẑ_t − target_t.

(gradient-flow's LSTM cell wires are checked with the lstm demo's, in test_history_activations.py.)"""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

from trace_checks import _run_cli
import numpy_ops as ops

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "Fixtures"))
import reference_cnn as cnn  # noqa: E402
import reference_segmentation as seg  # noqa: E402
from reference_lstm_gru import Bidirectional  # noqa: E402


def trace_of(demo: str, *arguments: str) -> dict:
    return ops.load_trace(_run_cli(demo, arguments))


def array(record: dict) -> np.ndarray:
    return np.array([float(x) for x in record["data"]], dtype=float).reshape(record["shape"])


def snapshotted(i: int, n: int) -> bool:
    """docs/trace-format.md: the first, the last, and 1, 2, 5 × 10^k."""
    return i in (1, n) or any(i == m * 10 ** e for m in (1, 2, 5) for e in range(7))


def traced(trace: dict, name: str) -> dict:
    return next(t for t in trace["tensors"] if t["name"] == name)


def parameters_before(trace: dict, names: list[str]) -> dict[int, list[np.ndarray]]:
    """The parameters each iteration starts from, where the trace tells: the traced ones for
    iteration 1, then after each snapshot the snapshot's for the next."""
    before = {1: [array(next(t for t in trace["tensors"] if t["name"] == n and t["role"] == "parameter")) for n in names]}
    for e in trace["history"]:
        if e.get("tensors") and names[0] in e["tensors"]:
            before[e["iteration"] + 1] = [array(e["tensors"][n]) for n in names]
    return before


@pytest.mark.parametrize("arguments", [
    ("--train", "12", "--image", "3"),
    ("--train", "5", "--upsampling", "transposed", "--classes", "3", "--skip", "false", "--dilation", "1", "--image", "2"),
])
def test_the_segmentation_maps_after_each_snapshot_are_numpys(arguments):
    trace = trace_of("segmentation", *arguments)
    config = trace["config"]
    n, item = config["train"], config["image"]
    series = [s for s in trace["series"] if s["quantity"] == "activation"]
    by_tags = {str(sorted(t["tags"].items())): t for t in trace["tensors"] if t.get("tags", {}).get("quantity") == "feature_map"}
    # Every traced map is followed, for the chosen image.
    assert len(series) == len(by_tags) and {s["item"] for s in series} == {item}
    names = [t["name"] for t in trace["tensors"] if t["role"] == "parameter"]
    x = array(traced(trace, "x"))[item - 1:item]
    T = array(traced(trace, "T"))[item - 1:item]
    entries = [e for e in trace["history"] if any(s["key"] in (e.get("tensors") or {}) for s in series)]
    assert [e["iteration"] for e in entries] == [i for i in range(1, n + 1) if snapshotted(i, n)]
    for entry in entries:
        p = {name: array(entry["tensors"][name]) for name in names}
        f = seg.forward(p, x, T, config["dilation"], skip=config["skip"] in (True, "true"))
        for s in series:
            tensor = by_tags[str(sorted(s["tags"].items()))]
            got = array(entry["tensors"][s["key"]])
            assert got.shape == tuple(tensor["shape"][1:]), s["key"]
            assert np.allclose(got, f[tensor["name"]][0], rtol=1e-10, atol=1e-12), (tensor["name"], entry["iteration"])
    # Training changes the maps: the scores after the last epoch are not those after the first.
    y = next(s["key"] for s in series if s["tags"] == {"quantity": "feature_map", "layer": 5})
    assert not np.allclose(array(entries[0]["tensors"][y]), array(entries[-1]["tensors"][y]))


@pytest.mark.parametrize("demo, arguments", [
    ("cnn", ("--train", "5", "--samples", "8", "--batch", "4", "--image", "3")),
    ("cnn", ("--train", "3", "--samples", "8", "--batch", "4", "--image", "6", "--augment", "flip+shift+noise", "--kernel", "5")),
    ("transfer", ("--samples-a", "8", "--pretrain-epochs", "2", "--samples-b", "4", "--batch", "4", "--test-b", "4",
                  "--head-epochs", "3", "--fine-tune-epochs", "1")),
])
def test_the_cnn_and_transfer_maps_after_each_snapshot_are_numpys(demo, arguments):
    trace = trace_of(demo, *arguments)
    config = trace["config"]
    if demo == "cnn":
        n, kernel = config["train"], config["kernel"]
        item = config["image"] if config["image"] <= config["batch"] else 1   # the chosen image when the traced batch holds it
    else:   # transfer: task B's first image, through the three stages
        n, kernel, item = config["pretrain-epochs"] + config["head-epochs"] + config["fine-tune-epochs"], 3, 1
    series = [s for s in trace["series"] if s["quantity"] == "activation"]
    assert {s["item"] for s in series} == {item} and {s["key"] for s in series} == {"z_1", "a_1", "h_1", "z_2", "h_2"}
    conv1 = next(s for s in trace["steps"] if s["op"] == "conv2d")
    x = array(trace["tensors"][conv1["inputs"][0]])[item - 1:item]   # the image as layer 1 read it
    T = array(traced(trace, "T"))[item - 1:item]
    entries = [e for e in trace["history"] if "w_1" in (e.get("tensors") or {})]
    assert [e["iteration"] for e in entries] == [i for i in range(1, n + 1) if snapshotted(i, n)]
    for entry in entries:
        p = {name: array(entry["tensors"][name]) for name in cnn.ORDER}
        f = cnn.forward(p, x, T, (kernel - 1) // 2)
        for s in series:
            got = array(entry["tensors"][s["key"]])
            assert np.allclose(got, f[s["key"]][0], rtol=1e-10, atol=1e-12), (s["key"], entry["iteration"])
        if config.get("augment") == "none" and config["image"] <= config["batch"]:
            # The same parameters make the maps every epoch keeps of the chosen image (checked
            # against reference_cnn.py's training in CNNTests).
            assert np.allclose(array(entry["tensors"]["feature_maps_1"]), f["a_1"][0], rtol=1e-10, atol=1e-12)
    if demo == "transfer":   # epochs 1, 2 pretrain, 5 trains the head on frozen convolutions, 6 fine-tunes
        assert [e["tensors"]["training_stage"]["data"][0] for e in entries] == [1, 1, 2, 3]
        w = [array(e["tensors"]["w_1"]) for e in entries]
        assert np.array_equal(w[1], w[2]) and not np.array_equal(w[2], w[3])


@pytest.mark.parametrize("demo", ["bilstm", "bigru"])
def test_each_iterations_norms_of_both_directions_are_numpys(demo):
    trace = trace_of(demo, "--steps", "4", "--hidden", "3", "--train", "12", "--lr", "0.5")
    T, I, H, O = (trace["config"][k] for k in ("steps", "input", "hidden", "output-size"))
    tagged = {(t["tags"]["quantity"], t["tags"].get("t")): array(t) for t in trace["tensors"] if t.get("tags") and "direction" not in t["tags"]}
    xs = [tagged[("input", t)].reshape(-1, 1) for t in range(1, T + 1)]
    targets = [tagged[("target", t)].reshape(-1, 1) for t in range(1, T + 1)]
    network = Bidirectional(demo, I, H, O)
    keys = {s["tags"]["direction"]: s["key"] for s in trace["series"] if s["quantity"] == "gradient_norm"}
    assert set(keys) == {"forward", "backward"}
    assert all(s["of"] == "hidden_state" and s["axis"] == "time_step" for s in trace["series"] if s["quantity"] == "gradient_norm")
    before = parameters_before(trace, network.names)
    checked = 0
    for e in trace["history"]:
        assert all(array(e["tensors"][k]).shape == (T,) for k in keys.values())
        if e["iteration"] not in before:
            continue
        _, grads, _ = network.evaluate(before[e["iteration"]], xs, targets, trace["config"]["loss"])
        for direction, mark in (("forward", "f"), ("backward", "b")):
            expected = [np.linalg.norm(grads[f"h{mark}_{t}"]) for t in range(1, T + 1)]
            assert np.allclose(array(e["tensors"][keys[direction]]), expected, rtol=1e-12, atol=0), (direction, e["iteration"])
        checked += 1
    assert checked == 5   # iterations 1, 2, 3, 6 and 11


def test_each_iterations_delay_line_norms_are_numpys():
    trace = trace_of("tdl", "--train", "30", "--taps", "3", "--tap-kind", "vector", "--input", "2")
    T, L = trace["config"]["steps"], trace["config"]["taps"]
    x = {t["tags"]["t"]: array(t).reshape(-1, 1) for t in trace["tensors"] if t.get("tags", {}).get("quantity") == "input"}
    target = {t["tags"]["t"]: array(t).reshape(-1, 1) for t in trace["tensors"] if t.get("tags", {}).get("quantity") == "target"}
    assert sorted(x) == list(range(2 - L, T + 1)) and trace["config"]["loss"] == "mse"
    [series] = [s for s in trace["series"] if s["quantity"] == "gradient_norm"]
    assert (series["of"], series["axis"]) == ("delay_line_output", "time_step")
    before = parameters_before(trace, [f"a_{i}" for i in range(L)])
    checked = 0
    for e in trace["history"]:
        if e["iteration"] not in before:
            continue
        taps = [a.reshape(-1, 1) for a in before[e["iteration"]]]
        z = {t: sum(taps[i] * x[t - i] for i in range(L)) for t in range(1, T + 1)}
        expected = [np.linalg.norm(z[t] - target[t]) for t in range(1, T + 1)]
        assert np.allclose(array(e["tensors"][series["key"]]), expected, rtol=1e-12, atol=0), e["iteration"]
        checked += 1
    assert checked == 6   # iterations 1, 2, 3, 6, 11 and 21
