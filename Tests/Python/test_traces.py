"""Checks Unrolled traces (format v1) from outside the engine.

For every trace: it validates against docs/trace.schema.json; every step, re-executed on its
recorded inputs by an independent numpy implementation (numpy_ops.py), gives the recorded
output; and the structural rules of docs/trace-format.md hold.

The traces come from the CLI (`$UNROLLED_BIN trace <demo> …`, default .build/debug/unrolled)
and from a small trace written out below, so the checks themselves are exercised even
without a build. Run with plain `python3 -m pytest Tests/Python`.
"""

from __future__ import annotations

import functools
import json
import math
import os
import subprocess
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import numpy_ops as ops
from seeded_generator import SeededGenerator

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# Traces the engine wrote (through its Swift API) for a computation that uses every op, one with
# NaN and ±∞ everywhere, a 3-iteration training run and a few edge cases. Recorded once; the
# tests replay them to keep numpy_ops and the schema honest without a build of the CLI.
FIXTURES = sorted((HERE / "fixtures").glob("*.json"))
SCHEMA_PATH = REPO / "docs" / "trace.schema.json"
RELATIVE_TOLERANCE = 1e-12
# The ops of the update phase (and only of it).
UPDATE_OPS = ("sgd", "clip_norm")

# id → (demo, arguments after `unrolled trace <demo>`)
CLI_CASES = {
    "neuron-sigmoid": ("neuron", ["--activation", "sigmoid"]),
    "neuron-tanh": ("neuron", ["--activation", "tanh"]),
    "neuron-relu": ("neuron", ["--activation", "relu"]),
    "mlp-default": ("mlp", []),
    "mlp-cross-entropy": ("mlp", ["--loss", "cross-entropy", "--layers", "2,3,2"]),
    "mlp-train-3": ("mlp", ["--train", "3"]),
    "rnn-default": ("rnn", []),
    "rnn-text": ("rnn", ["--text", "hello", "--train", "2"]),
    "rnn-inputs": ("rnn", ["--inputs", "0.5,-1;1,0;0,2", "--targets", "1,0,0;0,0,1;0,1,0", "--loss", "cross-entropy"]),
    "lstm-default": ("lstm", []),
    "lstm-text-train": ("lstm", ["--text", "hello", "--hidden", "3", "--train", "2"]),
    "peephole-lstm-inputs": ("peephole-lstm", ["--inputs", "0.5,-1;1,0;0,2", "--targets", "1,0,0;0,0,1;0,1,0", "--loss", "cross-entropy"]),
    "gru-default": ("gru", []),
    "gru-train": ("gru", ["--steps", "4", "--input", "3", "--hidden", "3", "--train", "3"]),
    "birnn-default": ("birnn", []),
    "bilstm-text": ("bilstm", ["--text", "hello", "--train", "2"]),
    "bigru-cross-entropy": ("bigru", ["--loss", "cross-entropy", "--steps", "4", "--seed", "5"]),
    "tdl-default": ("tdl", []),
    "tdl-vector-train": ("tdl", ["--tap-kind", "vector", "--taps", "4", "--steps", "5", "--input", "3", "--train", "3"]),
    "tdl-matrix-text": ("tdl", ["--tap-kind", "matrix", "--taps", "2", "--text", "the cat saw the dog"]),
    "cbow-example-three": ("cbow", ["--weights", "example", "--context", "this,corpus,context", "--target", "sample"]),
    "cbow-train": ("cbow", ["--corpus", "the cat sat on the mat and the dog sat on the log", "--window", "2",
                            "--train", "3", "--neighbours", "cat,dog"]),
    "skipgram-example": ("skipgram", ["--weights", "example", "--word", "corpus"]),
    "skipgram-train": ("skipgram", ["--corpus", "the cat sat on the mat and the dog sat on the log", "--window", "2",
                                    "--word", "sat", "--dimensions", "5", "--train", "3", "--neighbours", "mat"]),
    "skipgram-ns-default": ("skipgram-ns", []),
    "skipgram-ns-train": ("skipgram-ns", ["--corpus", "the cat sat on the mat and the dog sat on the log", "--window", "2",
                                          "--negatives", "8", "--word", "sat", "--train", "3", "--neighbours", "cat,dog"]),
    "mha-default": ("multi-head-attention", []),
    "mha-causal": ("multi-head-attention", ["--causal", "true", "--d-model", "6", "--heads", "3", "--train", "2"]),
    "mha-heads-train": ("multi-head-attention", ["--sentence", "the cat sat on the mat", "--d-model", "8", "--heads", "4",
                                                 "--train", "3"]),
    "transformer-default": ("transformer-encoder", []),
    "transformer-causal": ("transformer-encoder", ["--causal", "true", "--heads", "4"]),
    "transformer-next-token": ("transformer-encoder", ["--loss", "next-token", "--causal", "true", "--train", "2"]),
    "transformer-train": ("transformer-encoder", ["--sentence", "the cat sat on the mat", "--d-model", "6", "--heads", "3",
                                                  "--d-ff", "5", "--train", "3"]),
    "encoder-decoder-default": ("encoder-decoder", []),
    "encoder-decoder-train": ("encoder-decoder", ["--source", "the black cat sleeps", "--target", "le chat noir dort",
                                                  "--d-model", "6", "--heads", "3", "--d-ff", "5", "--train", "3"]),
    "attention-default": ("attention", []),
    "attention-causal-given": ("attention", ["--queries", "1,0;0,1;1,1", "--keys", "1,1;0,-1;2,0", "--values", "1;2;3",
                                             "--causal", "true", "--train", "2"]),
    "self-attention-default": ("self-attention", []),
    "self-attention-causal": ("self-attention", ["--causal", "true", "--train", "3"]),
    "self-attention-incremental": ("self-attention", ["--incremental", "true"]),
    "attention-vs-tdl-default": ("attention-vs-tdl", []),
    "attention-vs-tdl-train": ("attention-vs-tdl", ["--steps", "6", "--input", "2", "--taps", "4", "--train", "3"]),
    "gradient-flow-vanish": ("gradient-flow", ["--weight-scale", "0.5", "--steps", "20", "--hidden", "8"]),
    "gradient-flow-explode-clip": ("gradient-flow", ["--weight-scale", "2", "--steps", "20", "--hidden", "16", "--clip", "0.5", "--train", "3"]),
    "gradient-flow-lstm": ("gradient-flow", ["--network", "lstm", "--steps", "10", "--hidden", "4", "--weight-scale", "1.5"]),
    # Exploding to overflow: too long to trace, so only the history, where ∂Q/∂h_t is ∞ and NaN.
    "gradient-flow-overflow": (
        "gradient-flow", ["--record", "history", "--steps", "1000", "--hidden", "64", "--weight-scale", "10", "--train", "2"]),
}
# Cases whose trace holds only a history (no steps to replay).
HISTORY_ONLY = {"gradient-flow-overflow"}

# A small trace written by hand from the docs: a forward pass, its backward pass and one SGD
# step, plus steps on NaN and ±∞ (scale by −∞, where filling NaN, softmax of a row with −∞).
HANDWRITTEN_TRACE = r"""
{
  "config": {"note": "hand-written", "seed": 1},
  "format": "unrolled-trace",
  "gradients": {"1": 16},
  "history": [
    {"iteration": 1, "loss": 3, "tensors": {"W": {"data": [0, 0.5, -0.5, 2], "shape": [2, 2]}}, "traced": true}
  ],
  "loss": 4,
  "model": "handwritten",
  "scopes": [
    {"equation": "z = x W", "id": 0, "name": "layer", "parent": null},
    {"equation": "r = \\operatorname{ReLU}(z)", "id": 1, "name": "activation", "parent": 0},
    {"equation": null, "id": 2, "name": "loss", "parent": null}
  ],
  "steps": [
    {"attrs": {}, "index": 0, "inputs": [0, 1], "op": "matmul", "output": 2, "phase": "forward", "scope": 0},
    {"attrs": {}, "index": 1, "inputs": [2], "op": "relu", "output": 3, "phase": "forward", "scope": 1},
    {"attrs": {}, "index": 2, "inputs": [3], "op": "sum", "output": 4, "phase": "forward", "scope": 2},
    {"attrs": {"factor": "-Infinity"}, "index": 3, "inputs": [5], "op": "scale", "output": 6, "phase": "forward", "scope": null},
    {"attrs": {"value": "NaN"}, "index": 4, "inputs": [7, 5], "op": "where", "output": 8, "phase": "forward", "scope": null},
    {"attrs": {"axis": 1}, "index": 5, "inputs": [9], "op": "softmax", "output": 10, "phase": "forward", "scope": null},
    {"attrs": {"axis": 1}, "index": 6, "inputs": [9], "op": "log_softmax", "output": 11, "phase": "forward", "scope": null},
    {"attrs": {"shape": [1, 2]}, "index": 7, "inputs": [12], "op": "broadcast_to", "output": 13, "phase": "backward", "scope": 2},
    {"attrs": {}, "index": 8, "inputs": [2, 13], "op": "relu_backward", "output": 14, "phase": "backward", "scope": 1},
    {"attrs": {}, "index": 9, "inputs": [0], "op": "transpose", "output": 15, "phase": "backward", "scope": 0},
    {"attrs": {}, "index": 10, "inputs": [15, 14], "op": "matmul", "output": 16, "phase": "backward", "scope": 0},
    {"attrs": {"lr": 0.5}, "index": 11, "inputs": [1, 16], "op": "sgd", "output": 17, "phase": "update", "scope": null}
  ],
  "tensors": [
    {"data": [2, -1], "id": 0, "labels": [null, ["a", "b"]], "name": "x", "role": "input", "shape": [1, 2], "tex": "x"},
    {"data": [1, 0.5, -1, 2], "id": 1, "name": "W", "role": "parameter", "shape": [2, 2], "tex": "W"},
    {"data": [3, -1], "id": 2, "name": "z", "role": "activation", "shape": [1, 2], "tex": "z"},
    {"data": [3, 0], "id": 3, "name": "r", "role": "activation", "shape": [1, 2], "tex": "r"},
    {"data": [3], "id": 4, "name": "L", "role": "loss", "shape": [], "tex": "L"},
    {"data": ["NaN", "Infinity", "-Infinity", -0], "id": 5, "name": "c", "role": "constant", "shape": [4], "tex": "c"},
    {"data": ["NaN", "-Infinity", "Infinity", "NaN"], "id": 6, "name": "scale_6", "role": "activation", "shape": [4], "tex": "\\mathrm{scale\\_6}"},
    {"data": [1, 0, "NaN", 0], "id": 7, "name": "m", "role": "constant", "shape": [4], "tex": "m"},
    {"data": ["NaN", "NaN", "-Infinity", "NaN"], "id": 8, "name": "where_8", "role": "activation", "shape": [4], "tex": "\\mathrm{where\\_8}"},
    {"data": [0, "-Infinity"], "id": 9, "name": "s", "role": "constant", "shape": [1, 2], "tex": "s"},
    {"data": [1, 0], "id": 10, "name": "p", "role": "activation", "shape": [1, 2], "tex": "p"},
    {"data": [0, "-Infinity"], "id": 11, "name": "lp", "role": "activation", "shape": [1, 2], "tex": "lp"},
    {"data": [1], "id": 12, "name": "dL/dL", "of": 4, "role": "gradient", "shape": [], "tex": "\\frac{\\partial L}{\\partial L}"},
    {"data": [1, 1], "id": 13, "name": "dL/dr", "of": 3, "role": "gradient", "shape": [1, 2], "tex": "\\frac{\\partial L}{\\partial r}"},
    {"data": [1, 0], "id": 14, "name": "dL/dz", "of": 2, "role": "gradient", "shape": [1, 2], "tex": "\\frac{\\partial L}{\\partial z}"},
    {"data": [2, -1], "id": 15, "name": "transpose_15", "role": "activation", "shape": [2, 1], "tex": "\\mathrm{transpose\\_15}"},
    {"data": [2, 0, -1, 0], "id": 16, "name": "dL/dW", "of": 1, "role": "gradient", "shape": [2, 2], "tex": "\\frac{\\partial L}{\\partial W}"},
    {"data": [0, 0.5, -0.5, 2], "id": 17, "name": "W", "of": 1, "role": "parameter", "shape": [2, 2], "tex": "W", "version": 1}
  ],
  "title": "Hand-written: x W, ReLU, sum; backward; one SGD step; non-finite numbers",
  "version": 1
}
"""


# --------------------------------------------------------------------------- getting traces


@functools.cache
def schema_validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def unrolled_binary() -> Path:
    """The CLI under test; fails the calling test (it does not skip) when it is missing."""
    path = Path(os.environ.get("UNROLLED_BIN", REPO / ".build" / "debug" / "unrolled"))
    if not path.is_absolute():
        path = REPO / path
    if not path.is_file() or not os.access(path, os.X_OK):
        pytest.fail(
            f"the unrolled binary was not found at {path}. Build it with `swift build` in {REPO}, "
            "or point UNROLLED_BIN at it.",
            pytrace=False,
        )
    return path


def test_documented_sampler_reproduces_the_skipgram_ns_negatives():
    """docs/word2vec-negative-sampling.md: after W_in and W_out, k draws from the running sums of
    sqrt(count) * sqrt(sqrt(count)), the first word above r * total, redrawn while equal to the context word."""
    trace = cli_trace("skipgram-ns-train")
    tensors = {t["name"]: t for t in trace["tensors"] if "version" not in t and t["role"] != "gradient"}
    vocabulary = tensors["W_in"]["labels"][0]
    V, N = tensors["W_in"]["shape"]
    tokens = "the cat sat on the mat and the dog sat on the log".split()
    running, total = [], 0.0
    for word in vocabulary:
        count = float(tokens.count(word))
        total += math.sqrt(count) * math.sqrt(math.sqrt(count))
        running.append(total)
    generator = SeededGenerator(1)
    assert tensors["W_in"]["data"] + tensors["W_out"]["data"] == generator.tensor(2 * V * N, 0.5 / N)
    context = vocabulary.index(tensors["u"]["labels"][1][0])
    negatives = []
    while len(negatives) < 8:
        threshold = generator.next_uniform() * total
        word = next((w for w, s in enumerate(running) if s > threshold), V - 1)
        if word != context:
            negatives.append(word)
    assert tensors["negatives"]["data"] == negatives
    assert tensors["u"]["labels"][1][1:] == [vocabulary[n] for n in negatives]


@functools.cache
def _run_cli(demo: str, arguments: tuple[str, ...]) -> bytes:
    command = [str(unrolled_binary()), "trace", demo, *arguments]
    result = subprocess.run(command, capture_output=True, timeout=300)
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)}` exited with {result.returncode}:\n{result.stderr.decode(errors='replace')}",
            pytrace=False,
        )
    return result.stdout


def cli_trace_bytes(case: str) -> bytes:
    demo, arguments = CLI_CASES[case]
    return _run_cli(demo, tuple(arguments))


def cli_trace(case: str) -> dict:
    return ops.load_trace(cli_trace_bytes(case))


def handwritten_trace() -> dict:
    return ops.load_trace(HANDWRITTEN_TRACE)


# --------------------------------------------------------------------------- the checks


def check_schema(trace: dict) -> None:
    errors = sorted(schema_validator().iter_errors(trace), key=lambda e: list(e.absolute_path))
    assert not errors, "schema violations:\n" + "\n".join(
        f"  at /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20]
    )


def mismatch(actual: np.ndarray, expected: np.ndarray) -> float | None:
    """The largest relative difference between two arrays, or None when NaN/±∞ positions differ.

    Finite values agree when |a − b| ≤ 1e-12 · max(|a|, |b|); subnormal values (below the
    smallest normal double) are compared absolutely, since there an ulp is a large relative step.
    """
    if not np.array_equal(np.isnan(actual), np.isnan(expected)):
        return None
    infinite = np.isinf(actual) | np.isinf(expected)
    if not np.array_equal(actual[infinite], expected[infinite]):
        return None
    finite = ~np.isnan(actual) & ~infinite
    a, b = actual[finite], expected[finite]
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), np.finfo(np.float64).tiny)
    return float(np.max(np.abs(a - b) / scale, initial=0.0))


def replay_trace(trace: dict) -> tuple[int, float]:
    """Re-executes every step; returns (steps replayed, largest relative error)."""
    values = [ops.tensor_array(record) for record in trace["tensors"]]
    worst = 0.0
    for step in trace["steps"]:
        where = f"step {step['index']} ({step['op']} {step['attrs']}, output {step['output']})"
        inputs = [values[i] for i in step["inputs"]]
        try:
            actual = ops.replay(step["op"], inputs, step["attrs"])
        except ops.OpError as error:
            raise AssertionError(f"{where}: the op refuses its recorded inputs: {error}") from None
        expected = values[step["output"]]
        assert actual.shape == expected.shape, f"{where}: shape {actual.shape}, recorded {expected.shape}"
        error = mismatch(actual, expected)
        assert error is not None, f"{where}: NaN/±∞ differ:\n  replayed {actual}\n  recorded {expected}"
        assert error <= RELATIVE_TOLERANCE, (
            f"{where}: relative error {error:.3g}:\n  replayed {actual!r}\n  recorded {expected!r}"
        )
        worst = max(worst, error)
    return len(trace["steps"]), worst


def check_structure(trace: dict) -> None:
    tensors, steps, scopes = trace["tensors"], trace["steps"], trace["scopes"]

    for position, collection, key in ((tensors, "tensors", "id"), (steps, "steps", "index"), (scopes, "scopes", "id")):
        for i, item in enumerate(position):
            assert item[key] == i, f"{collection}[{i}] has {key} {item[key]}"

    for scope in scopes:
        assert scope["parent"] is None or scope["parent"] < scope["id"], f"scope {scope['id']}: parent comes after it"

    for tensor in tensors:
        where = f"tensor {tensor['id']} ({tensor['name']})"
        assert len(tensor["data"]) == math.prod(tensor["shape"]), f"{where}: data does not fill the shape"
        if "labels" in tensor:
            labels = tensor["labels"]
            assert len(labels) == len(tensor["shape"]), f"{where}: labels for {len(labels)} axes"
            for axis, names in enumerate(labels):
                assert names is None or len(names) == tensor["shape"][axis], f"{where}: axis {axis} labels"
        if tensor["role"] == "gradient":
            assert "of" in tensor and "version" not in tensor, f"{where}: a gradient has `of` and no version"
            assert tensor["of"] < tensor["id"], f"{where}: gradient of a later tensor"
            assert tensor["shape"] == tensors[tensor["of"]]["shape"], f"{where}: shape differs from what it is the gradient of"
        elif "version" in tensor or "of" in tensor:
            assert tensor["role"] == "parameter" and "version" in tensor and "of" in tensor, (
                f"{where}: only gradients and parameter versions have `of`/`version`")
            base = tensors[tensor["of"]]
            assert base["role"] == "parameter" and "version" not in base, f"{where}: `of` is not an original parameter"

    outputs = [step["output"] for step in steps]
    assert outputs == sorted(outputs), "steps are not in the order of their outputs"
    producer: dict[int, dict] = {}
    for step in steps:
        where = f"step {step['index']} ({step['op']})"
        assert step["output"] < len(tensors), f"{where}: output {step['output']} is not a tensor"
        assert step["output"] not in producer, f"{where}: tensor {step['output']} already made by another step"
        assert all(i < step["output"] for i in step["inputs"]), f"{where}: an input does not precede the output"
        assert step["scope"] is None or step["scope"] < len(scopes), f"{where}: no scope {step['scope']}"
        producer[step["output"]] = step
        output = tensors[step["output"]]
        if step["phase"] == "update" or step["op"] in UPDATE_OPS:
            assert step["phase"] == "update" and step["op"] in UPDATE_OPS, f"{where}: updates are sgd and clip_norm steps and only they"
            if step["op"] == "clip_norm":
                clipped = tensors[step["inputs"][0]]
                assert clipped["role"] == "gradient", f"{where}: clips a {clipped['role']}, not a gradient"
                assert output["role"] == "activation", f"{where}: the clipped gradient is a {output['role']}"
                continue
            parameter = tensors[step["inputs"][0]]
            assert parameter["role"] == "parameter", f"{where}: updates a {parameter['role']}"
            assert output["role"] == "parameter", f"{where}: the new version is a {output['role']}"
            assert output["version"] == parameter.get("version", 0) + 1, f"{where}: version numbers"
            assert output["of"] == parameter.get("of", parameter["id"]), f"{where}: `of` of the new version"

    for tensor in tensors:
        where = f"tensor {tensor['id']} ({tensor['name']}, {tensor['role']})"
        if tensor["id"] in producer:
            assert tensor["role"] in ("activation", "loss", "gradient", "parameter"), f"{where}: made by a step"
            continue
        assert tensor["role"] in ("input", "parameter", "constant", "gradient"), f"{where}: not made by a step"
        assert "version" not in tensor, f"{where}: a version not made by sgd"
        if tensor["role"] == "gradient":  # only the seed ∂L/∂L = 1 is not made by a step
            loss = tensors[tensor["of"]]
            assert loss["role"] == "loss", f"{where}: a gradient made by no step must be a loss seed"
            assert all(ops.decode_number(v) == 1 for v in tensor["data"]), f"{where}: the seed is not all ones"

    loss_id, gradients = trace["loss"], trace["gradients"]
    if loss_id is None:
        assert gradients == {}, "gradients without a loss"
        return
    loss = tensors[loss_id]
    assert loss["role"] == "loss" and len(loss["data"]) == 1, f"loss {loss_id} is not a one-value loss tensor"
    seeds = [t for t in tensors if t["role"] == "gradient" and t["id"] not in producer and t["of"] == loss_id]
    assert len(seeds) == 1, f"{len(seeds)} seeds for the loss {loss_id}"

    for key, gradient_id in gradients.items():
        assert key == str(int(key)), f"gradients key {key!r} is not a decimal id"
        x, gradient = tensors[int(key)], tensors[gradient_id]
        assert x["role"] in ("parameter", "input"), f"gradients key {key} is a {x['role']}"
        assert gradient["role"] == "gradient", f"gradients[{key}] = {gradient_id} is a {gradient['role']}"
        assert gradient["shape"] == x["shape"], f"gradients[{key}]: shape {gradient['shape']} for {x['shape']}"
        assert gradient["of"] == int(key), f"gradients[{key}] = {gradient_id} is the gradient of {gradient['of']}"

    # Every parameter the loss depends on has a gradient, and only those do. The walk stops at
    # parameters (an sgd-made version is a leaf) and does not enter a `where` mask.
    depends, pending = set(), [loss_id]
    while pending:
        tensor_id = pending.pop()
        if tensor_id in depends:
            continue
        depends.add(tensor_id)
        step = producer.get(tensor_id)
        if step is None or (tensor_id != loss_id and tensors[tensor_id]["role"] == "parameter"):
            continue
        pending.extend(step["inputs"][1:] if step["op"] == "where" else step["inputs"])
    needed = {str(t) for t in depends if tensors[t]["role"] == "parameter"}
    assert needed <= set(gradients), f"parameters without a gradient: {sorted(needed - set(gradients), key=int)}"
    assert {int(k) for k in gradients} <= depends, "a gradient for a tensor the loss does not depend on"


def check_history(trace: dict) -> None:
    history = trace.get("history")
    if history is None:
        return
    iterations = [entry["iteration"] for entry in history]
    assert iterations == sorted(set(iterations)) and iterations[0] >= 1, f"iterations {iterations}"
    for entry in history:
        for name, snapshot in entry.get("tensors", {}).items():
            assert len(snapshot["data"]) == math.prod(snapshot["shape"]), f"iteration {entry['iteration']}: {name}"


def check_keys_sorted(text: bytes) -> None:
    def hook(pairs):
        keys = [key for key, _ in pairs]
        assert keys == sorted(keys), f"keys not sorted: {keys}"
        return dict(pairs)

    json.loads(text, object_pairs_hook=hook)


# --------------------------------------------------------------------------- the hand-written trace


def test_handwritten_trace_matches_the_schema():
    check_schema(handwritten_trace())


def test_handwritten_trace_replays_step_by_step():
    count, worst = replay_trace(handwritten_trace())
    assert count == 12 and worst == 0.0


def test_handwritten_trace_keeps_the_structural_rules():
    trace = handwritten_trace()
    check_structure(trace)
    check_history(trace)


def test_handwritten_trace_has_sorted_keys():
    check_keys_sorted(HANDWRITTEN_TRACE.encode())


def test_minus_zero_keeps_its_sign_when_read():
    data = handwritten_trace()["tensors"][5]["data"]
    assert math.copysign(1.0, data[3]) == -1.0


# The checks must fail when a trace breaks the rules they state.


def test_schema_rejects_an_unknown_field_a_bare_number_string_and_an_unknown_op():
    for path, value in (
        (("extra",), 1),
        (("tensors", 5, "data", 0), "nan"),
        (("steps", 0, "op"), "conv2d"),
        (("tensors", 0, "role"), "weight"),
        (("steps", 3, "attrs", "factor"), None),
        (("steps", 0, "inputs"), [0]),
    ):
        trace = handwritten_trace()
        target = trace
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(AssertionError):
            check_schema(trace)


def test_replay_detects_a_changed_number_and_a_changed_non_finite_value():
    for tensor_id, position, value in ((16, 0, 2.000000001), (8, 2, "Infinity"), (6, 0, 0.0)):
        trace = handwritten_trace()
        trace["tensors"][tensor_id]["data"][position] = value
        with pytest.raises(AssertionError):
            replay_trace(trace)


def test_structure_check_detects_broken_ids_order_and_gradients():
    breakages = [
        lambda t: t["tensors"][3].update(id=4),
        lambda t: t["steps"][1].update(inputs=[3]),
        lambda t: t["tensors"][16].update(role="activation"),
        lambda t: t["gradients"].update({"1": 14}),
        lambda t: t["tensors"][16].update(of=0, shape=[1, 2], data=[2, 0]),
        lambda t: t["gradients"].clear(),
        lambda t: t["scopes"][0].update(parent=1),
        lambda t: t["tensors"][17].update(version=2),
        lambda t: t["tensors"][12]["data"].__setitem__(0, 2),
    ]
    for breakage in breakages:
        trace = handwritten_trace()
        breakage(trace)
        with pytest.raises(AssertionError):
            check_structure(trace)


# --------------------------------------------------------------------------- recorded engine traces


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_recorded_trace_matches_the_schema_replays_and_keeps_the_rules(path):
    text = path.read_bytes()
    trace = ops.load_trace(text)
    check_schema(trace)
    replay_trace(trace)
    check_structure(trace)
    check_history(trace)
    check_keys_sorted(text)


def test_recorded_traces_use_every_op_of_the_schema():
    used = {step["op"] for path in FIXTURES for step in ops.load_trace(path.read_bytes())["steps"]}
    schema_ops = set(json.loads(SCHEMA_PATH.read_text())["$defs"]["opName"]["enum"])
    assert schema_ops == set(ops.OPS)
    assert used == schema_ops


# --------------------------------------------------------------------------- traces from the CLI


def test_unrolled_binary_is_built():
    assert unrolled_binary().is_file()


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_matches_the_schema(case):
    check_schema(cli_trace(case))


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_replays_step_by_step(case):
    count, _ = replay_trace(cli_trace(case))
    assert count > 0 or case in HISTORY_ONLY


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_keeps_the_structural_rules(case):
    trace = cli_trace(case)
    check_structure(trace)
    check_history(trace)


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_trace_is_byte_identical_when_run_again_and_has_sorted_keys(case):
    first = cli_trace_bytes(case)
    demo, arguments = CLI_CASES[case]
    again = subprocess.run([str(unrolled_binary()), "trace", demo, *arguments], capture_output=True, timeout=300)
    assert again.returncode == 0 and again.stdout == first
    check_keys_sorted(first)


def test_cli_training_trace_has_a_history_and_parameter_versions():
    trace = cli_trace("mlp-train-3")
    assert len(trace.get("history", [])) == 3
    assert any(t.get("version") == 1 for t in trace["tensors"]), "no updated parameter in a training trace"


def norm(values) -> float:
    return float(np.sqrt(np.sum(np.square(np.asarray(values, dtype=np.float64)))))


@pytest.mark.parametrize("case", ["gradient-flow-vanish", "gradient-flow-explode-clip", "gradient-flow-lstm"])
def test_gradient_flow_history_norms_are_the_norms_of_the_traced_state_gradients(case):
    trace = cli_trace(case)
    steps = trace["config"]["steps"]
    tensors = trace["tensors"]
    kept = trace["history"][0]["tensors"]
    for key, state in (("grad_norm_h", "h"), ("grad_norm_c", "c")):
        if key not in kept:
            assert state == "c" and trace["config"]["network"] == "rnn"
            continue
        norms = ops.tensor_array(kept[key])
        assert norms.shape == (steps,)
        for t in range(1, steps + 1):
            (base,) = [x["id"] for x in tensors if x["name"] == f"{state}_{t}" and x["role"] != "gradient"]
            gradient = [x for x in tensors if x["role"] == "gradient" and x["of"] == base][-1]  # the accumulated one
            assert gradient["name"] == f"dQ/d{state}_{t}"
            expected = norm(ops.tensor_array(gradient))
            assert abs(norms[t - 1] - expected) <= 1e-12 * expected, f"{key}[{t}]"


def test_gradient_flow_vanishing_norms_shrink_going_back():
    norms = ops.tensor_array(cli_trace("gradient-flow-vanish")["history"][0]["tensors"]["grad_norm_h"])
    assert norms[0] < 1e-4 * norms[-1]


def test_gradient_flow_clipping_caps_every_parameter_gradient():
    trace = cli_trace("gradient-flow-explode-clip")
    clips = [step for step in trace["steps"] if step["op"] == "clip_norm"]
    assert len(clips) == 4  # W_1, b_1, W_2, b_2 in the traced iteration
    capped = 0
    for step in clips:
        limit = ops.decode_number(step["attrs"]["max_norm"])
        before = norm(ops.tensor_array(trace["tensors"][step["inputs"][0]]))
        after = norm(ops.tensor_array(trace["tensors"][step["output"]]))
        assert after <= limit * (1 + 1e-15)
        if before > limit:
            assert abs(after - limit) <= 1e-15 * limit
            capped += 1
    assert capped > 0
    users = {step["inputs"][1] for step in trace["steps"] if step["op"] == "sgd"}
    assert users == {step["output"] for step in clips}, "sgd reads the clipped gradients"


def test_gradient_flow_overflow_keeps_infinity_and_nan_through_the_json():
    text = cli_trace_bytes("gradient-flow-overflow")
    assert b'"Infinity"' in text and b'"NaN"' in text
    trace = ops.load_trace(text)  # refuses bare NaN / Infinity tokens
    assert trace["steps"] == [] and trace["tensors"] == [] and trace["loss"] is None
    first, second = trace["history"]
    norms = ops.tensor_array(first["tensors"]["grad_norm_h"])
    assert norms.shape == (1000,)
    assert np.isfinite(norms[-1]) and norms[-1] > 0
    assert np.isposinf(norms).any() and np.isnan(norms).any()
    last_infinite = int(np.flatnonzero(np.isposinf(norms))[-1])
    assert np.isfinite(norms[last_infinite + 1:]).all(), "finite between the overflow and t = T"
    assert np.isnan(norms[:last_infinite]).any(), "NaN further back (∞ · 0, ∞ − ∞)"
    assert math.isnan(ops.decode_number(second["loss"])), "the NaN update makes the next loss NaN"
    assert np.isnan(ops.tensor_array(first["tensors"]["W_1"])).all()


# The generator as docs/trace-format.md describes it reproduces the demos' random draws.


def test_documented_generator_reproduces_the_neuron_demo_draws():
    tensors = {t["name"]: t["data"] for t in cli_trace("neuron-sigmoid")["tensors"] if t["role"] in ("input", "parameter") and "version" not in t}
    generator, n = SeededGenerator(1), 3  # the defaults: seed 1, 3 inputs
    bound = 1 / math.sqrt(n)
    assert tensors["x"] == generator.tensor(n, 1.0)
    assert tensors["w"] == generator.tensor(n, bound)
    assert tensors["b"] == generator.tensor(1, bound)


def test_documented_generator_reproduces_the_mlp_demo_initial_parameters():
    trace = cli_trace("mlp-default")  # layers 2,3,1, fan-in initializer, seed 1
    generator, drawn = SeededGenerator(1), []
    for fan_in, fan_out in ((2, 3), (3, 1)):
        drawn.append(generator.tensor(fan_in * fan_out, 1 / math.sqrt(fan_in)))
        drawn.append(generator.tensor(fan_out, 1 / math.sqrt(fan_in)))
    assert [t["data"] for t in trace["tensors"][:4]] == drawn


def test_word2vec_notes_example_figures_through_the_cli():
    trace = cli_trace("cbow-example-three")
    by_name = {t["name"]: t for t in trace["tensors"] if t["role"] != "gradient" and t.get("version") is None}
    assert np.allclose(by_name["h"]["data"], [55 / 3, 58 / 3, 61 / 3, 64 / 3], rtol=0, atol=1e-12)
    e, y = np.array(by_name["e_sample"]["data"]), np.array(by_name["y"]["data"])
    assert np.array_equal(e, y - np.eye(10)[3])
    pairs = next(t for t in cli_trace("skipgram-example")["tensors"] if t["name"] == "training_pairs")
    assert pairs["labels"][0][4] == "corpus → sample, using"


@pytest.mark.parametrize("case", ["cbow-train", "skipgram-train"])
def test_word2vec_history_has_a_loss_and_a_pca_projection_per_epoch(case):
    trace = cli_trace(case)
    vocabulary = trace["config"]["vocabulary"]
    assert [h["iteration"] for h in trace["history"]] == [1, 2, 3]
    for entry in trace["history"]:
        assert not entry["traced"]
        assert entry["tensors"]["W_in_pca"]["shape"] == [vocabulary, 2]
    neighbours = [t for t in trace["tensors"] if t["name"].startswith("neighbours_")]
    assert neighbours and all(t["shape"] == [1, 5] and len(t["labels"][1]) == 5 for t in neighbours)


def _first(trace: dict, name: str) -> dict:
    return next(t for t in trace["tensors"] if t["name"] == name and t["role"] != "gradient" and t.get("version", 0) == 0)


def test_self_attention_one_token_at_a_time_matches_the_causal_trace_through_the_cli():
    full, incremental = cli_trace("self-attention-causal"), cli_trace("self-attention-incremental")
    for name in ("A", "Z"):
        a, b = np.array(_first(full, name)["data"]), np.array(_first(incremental, name)["data"])
        assert np.allclose(a, b, rtol=0, atol=1e-14), name
    A = np.array(_first(incremental, "A")["data"]).reshape(_first(incremental, "A")["shape"])
    assert np.all(A[np.triu_indices(A.shape[0], 1)] == 0) and np.allclose(A.sum(axis=1), 1, rtol=0, atol=1e-14)
    assert _first(incremental, "X")["labels"][0] == ["cat", "sat", "on", "the", "soft", "mat"]
    scopes = [s["name"] for s in incremental["scopes"]]
    assert [n for n in scopes if n.startswith("t = ")][:6] == ["t = 1: cat", "t = 2: sat", "t = 3: on", "t = 4: the", "t = 5: soft", "t = 6: mat"]


def test_attention_vs_tdl_weights_reproduce_the_attention_output_as_a_delay_line_sum():
    trace = cli_trace("attention-vs-tdl-default")
    A = np.array(_first(trace, "A")["data"]).reshape(_first(trace, "A")["shape"])
    X = np.array(_first(trace, "X")["data"]).reshape(_first(trace, "X")["shape"])
    Z = np.array(_first(trace, "Z")["data"]).reshape(_first(trace, "Z")["shape"])
    for t in range(A.shape[0]):  # z_t = sum_i a_i(t) x_{t-i}, a_i(t) = A[t, t-i]
        assert np.allclose(Z[t], sum(A[t, t - i] * X[t - i] for i in range(t + 1)), rtol=0, atol=1e-14)


def test_documented_generator_reproduces_the_encoder_decoder_draws():
    """EncoderDecoder.swift: the source vocabulary's embedding rows, then the target vocabulary's
    (<s>, </s>, then the words), then the encoder's W_Q; the decoder reads <s> and the words."""
    trace = cli_trace("encoder-decoder-default")
    by_name = {t["name"]: t for t in trace["tensors"] if t["role"] != "gradient" and t.get("version") is None}
    generator = SeededGenerator(1)
    assert by_name["E^enc"]["data"] == generator.tensor(3 * 4, 1.0)
    table = generator.tensor(6 * 4, 1.0)
    assert by_name["E^dec"]["data"] == [v for k in (0, 2, 3, 4, 5) for v in table[4 * k:4 * k + 4]]
    assert by_name["W_Q^enc"]["data"] == generator.tensor(4 * 4, 0.5)
    assert by_name["E^dec"]["labels"][0] == ["<s>", "i", "am", "a", "student"]
    assert by_name["Y"]["labels"][1] == ["<s>", "</s>", "i", "am", "a", "student"]
    masked = by_name["A_1^dec"]["data"]
    assert all(masked[5 * i + j] == 0 for i in range(5) for j in range(i + 1, 5))
