"""The `equations` demo's gradients against central differences: for each traced program the loss
is recomputed in numpy (numpy_ops, written independently of the engine) from the forward steps,
with one element of a parameter or an input moved by ±h, and (L(+h) − L(−h)) / 2h must equal the
gradient the trace records for that element. This checks the backward pass the engine recorded for
programs it has never seen as a model: recurrences, stacks, convolutions, every function at once."""

from __future__ import annotations

import numpy as np
import pytest

import numpy_ops as ops
from trace_checks import cli_trace

CASES = ["equations-default", "equations-recurrence-train", "equations-functions-clip"]


def forward_loss(trace: dict, leaves: dict[int, np.ndarray]) -> float:
    """The loss, replaying the first forward pass (the steps before the first backward one) with
    the given leaf values in place of the recorded ones."""
    values = {record["id"]: ops.tensor_array(record) for record in trace["tensors"]}
    values.update(leaves)
    for step in trace["steps"]:
        if step["phase"] != "forward":
            break
        inputs = [values[i] for i in step["inputs"]]
        values[step["output"]] = ops.replay(step["op"], inputs, step["attrs"])
    return float(np.sum(values[trace["loss"]]))


@pytest.mark.parametrize("case", CASES)
def test_every_recorded_gradient_equals_central_differences(case):
    trace = cli_trace(case)
    tensors = trace["tensors"]
    assert trace["gradients"], f"{case}: no gradient recorded"
    h = 1e-6
    checked = 0
    for leaf_id, gradient_id in trace["gradients"].items():
        leaf = tensors[int(leaf_id)]
        assert leaf["role"] in ("parameter", "input"), f"{case}: a gradient of {leaf['role']} {leaf['name']}"
        value = ops.tensor_array(leaf)
        recorded = ops.tensor_array(tensors[gradient_id])
        assert recorded.shape == value.shape, f"{case}: ∂L/∂{leaf['name']} has shape {recorded.shape}, {leaf['name']} {value.shape}"
        # Every element of small tensors; of larger ones a spread of 12.
        flat = np.arange(value.size) if value.size <= 24 else np.linspace(0, value.size - 1, 12).astype(int)
        for index in flat:
            position = np.unravel_index(index, value.shape)
            plus, minus = value.copy(), value.copy()
            plus[position] += h
            minus[position] -= h
            numeric = (forward_loss(trace, {leaf["id"]: plus}) - forward_loss(trace, {leaf["id"]: minus})) / (2 * h)
            assert numeric == pytest.approx(recorded[position], rel=1e-5, abs=1e-7), (
                f"{case}: ∂L/∂{leaf['name']}{list(position)}: recorded {recorded[position]!r}, central differences {numeric!r}")
            checked += 1
    assert checked > 0


def test_a_wrong_gradient_is_caught():
    trace = cli_trace("equations-default")
    leaf_id, gradient_id = next(iter(trace["gradients"].items()))
    record = trace["tensors"][gradient_id]
    record["data"] = [x + 1e-3 for x in record["data"]]
    with pytest.raises(AssertionError):
        value = ops.tensor_array(trace["tensors"][int(leaf_id)])
        plus, minus = value.copy(), value.copy()
        plus.flat[0] += 1e-6
        minus.flat[0] -= 1e-6
        numeric = (forward_loss(trace, {int(leaf_id): plus}) - forward_loss(trace, {int(leaf_id): minus})) / 2e-6
        assert numeric == pytest.approx(ops.tensor_array(record).flat[0], rel=1e-5, abs=1e-7)
