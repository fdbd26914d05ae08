"""What the trace tests share (test_traces.py, test_demo_traces.py, test_declarations.py): where
the traces come from (the CLI cases, the engine's recorded fixtures, a hand-written trace) and the
checks every trace must pass: the schema, a step-by-step numpy replay (numpy_ops.py), the
structural rules of docs/trace-format.md, the history, sorted keys."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import math
import os
import subprocess
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import numpy_ops as ops
from trace_cases import CLI_CASES, HISTORY_ONLY  # noqa: F401 (re-exported: the command lines every check runs on)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
# Traces the engine wrote (through its Swift API) for a computation that uses every op, one with
# NaN and ±∞ everywhere, a 3-iteration training run and a few edge cases. Recorded once; the
# tests replay them to keep numpy_ops and the schema honest without a build of the CLI.
FIXTURES = sorted((HERE / "fixtures").glob("*.json"))
SCHEMA_PATH = REPO / "docs" / "trace.schema.json"
RELATIVE_TOLERANCE = 1e-12
# The ops of the update phase (and only of it).
UPDATE_OPS = ("sgd", "clip_norm", "running_average", "perceptron")


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


# Set by conftest.py under pytest-xdist: a folder all the run's workers share, where each command
# line's trace is kept, so that a case the schema, the replay and the declarations all read is
# computed once per run rather than once per worker (a debug build takes seconds on the larger ones).
SHARED: Path | None = None


@functools.cache
def _run_cli(demo: str, arguments: tuple[str, ...]) -> bytes:
    if SHARED is None:
        return _computed(demo, arguments)
    key = hashlib.sha256(json.dumps([demo, *arguments]).encode()).hexdigest()[:24]
    kept = SHARED / f"{key}.json"
    with open(SHARED / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not kept.exists():
            partial = kept.with_suffix(".partial")
            partial.write_bytes(_computed(demo, arguments))
            partial.rename(kept)
    return kept.read_bytes()


def _computed(demo: str, arguments: tuple[str, ...]) -> bytes:
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


# Ops whose every output is a sum of many terms (the convolutions, pooling's sums and routings):
# the same op on the absolute values of these inputs gives each output's Σ|term|, the size a
# different order of summation may move it by — a sum that cancels to nearly 0 is compared to its
# terms, not to itself (numpy's im2col and the engine's add in different orders).
SUMS_OF_TERMS = {"conv2d": (0, 1, 2), "conv_transpose2d": (0, 1, 2), "conv2d_weight": (0, 1), "avg_pool2d": (0,),
                 "avg_pool2d_backward": (0,), "max_pool2d_backward": (1,), "upsample_nearest2d_backward": (0,)}


def term_sizes(op: str, inputs: list[np.ndarray], attrs: dict) -> np.ndarray | None:
    """Σ|term| of every output of a SUMS_OF_TERMS step (None for other ops)."""
    if op not in SUMS_OF_TERMS:
        return None
    with np.errstate(all="ignore"):
        return ops.replay(op, [np.abs(a) if k in SUMS_OF_TERMS[op] else a for k, a in enumerate(inputs)], attrs)


def mismatch(actual: np.ndarray, expected: np.ndarray, terms: np.ndarray | None = None) -> float | None:
    """The largest relative difference between two arrays, or None when NaN/±∞ positions differ.

    Finite values agree when |a − b| ≤ 1e-12 · max(|a|, |b|), or of their Σ|term| when `terms`
    gives it; subnormal values (below the smallest normal double) are compared absolutely, since
    there an ulp is a large relative step.
    """
    if not np.array_equal(np.isnan(actual), np.isnan(expected)):
        return None
    infinite = np.isinf(actual) | np.isinf(expected)
    if not np.array_equal(actual[infinite], expected[infinite]):
        return None
    finite = ~np.isnan(actual) & ~infinite
    a, b = actual[finite], expected[finite]
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), np.finfo(np.float64).tiny)
    if terms is not None:
        scale = np.maximum(scale, terms[finite])
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
        error = mismatch(actual, expected, term_sizes(step["op"], inputs, step["attrs"]))
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
            assert tensor["role"] in ("parameter", "constant") and "version" in tensor and "of" in tensor, (
                f"{where}: only gradients and parameter or running-statistic versions have `of`/`version`")
            base = tensors[tensor["of"]]
            assert base["role"] == tensor["role"] and "version" not in base, f"{where}: `of` is not an original {tensor['role']}"

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
            assert step["phase"] == "update" and step["op"] in UPDATE_OPS, f"{where}: updates are {', '.join(UPDATE_OPS)} steps and only they"
            if step["op"] == "running_average":
                running = tensors[step["inputs"][0]]
                assert running["role"] == "constant" and output["role"] == "constant", f"{where}: a running statistic is a constant"
                assert output["version"] == running.get("version", 0) + 1, f"{where}: version numbers"
                assert output["of"] == running.get("of", running["id"]), f"{where}: `of` of the new version"
                continue
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
            assert not parameter.get("frozen"), f"{where}: updates a frozen parameter"

    for tensor in tensors:
        where = f"tensor {tensor['id']} ({tensor['name']}, {tensor['role']})"
        if tensor["id"] in producer:
            made = ("activation", "loss", "gradient", "parameter") + (("constant",) if producer[tensor["id"]]["op"] == "running_average" else ())
            assert tensor["role"] in made, f"{where}: made by a step"
            assert "frozen" not in tensor, f"{where}: only a parameter leaf can be frozen"
            continue
        assert tensor.get("frozen", True) is True and ("frozen" not in tensor or tensor["role"] == "parameter"), f"{where}: frozen"
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
    needed = {str(t) for t in depends if tensors[t]["role"] == "parameter" and not tensors[t].get("frozen")}
    frozen = {str(t) for t in depends if tensors[t].get("frozen")}
    assert not frozen & set(gradients), f"frozen parameters with a gradient: {sorted(frozen & set(gradients), key=int)}"
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
