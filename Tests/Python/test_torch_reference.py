"""PyTorch as a second, optional reference for the convolution family (issue #16).

(a) Every numpy op of numpy_conv_ops.py against torch.nn.functional (and autograd for the backward
ops) on seeded shapes and attrs, groups 1, grouped and depthwise among them; (b) every convolution-
family step of every demo's default trace (`$UNROLLED_BIN demos --json`, then `trace <demo>`),
replayed with torch and compared to the output the engine recorded.

Optional: skipped with a message when torch is not installed (`pip install torch`; README.md).
Values agree to 1e-12 of the size of the terms summed: each op is linear in the inputs it sums,
so applying it to their absolute values bounds every output's Σ|term| (a difference of summation
order can move a cancelling sum by more than 1e-12 of the sum itself, never of that bound).
"""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

import numpy_ops as ops
from conv_cases import GROUPINGS, gradient_output_padding, random_conv_case, random_pool_case
from trace_checks import unrolled_binary

torch = pytest.importorskip(
    "torch", reason="PyTorch is an optional second reference: `pip install torch` to run these tests")
F = torch.nn.functional

TOLERANCE = 1e-12


def tensor(a: np.ndarray, gradient: bool = False):
    return torch.tensor(a, dtype=torch.float64, requires_grad=gradient)


def with_gradient(function, x: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """∂⟨function(x), dy⟩/∂x by autograd: the backward op's reference."""
    leaf = tensor(x, gradient=True)
    function(leaf).backward(tensor(dy))
    return leaf.grad.numpy()


# --------------------------------------------------------------------------- torch's version of each op


def _conv(attrs):
    return dict(stride=attrs["stride"], padding=attrs["padding"], dilation=attrs["dilation"], groups=attrs["groups"])


def _pool(attrs):
    return dict(kernel_size=attrs["kernel"], stride=attrs["stride"], padding=attrs["padding"])


def _bias(inputs):
    return tensor(inputs[2]) if len(inputs) > 2 else None


def _max_pool_backward(inputs, attrs):
    return with_gradient(lambda x: F.max_pool2d(x, **_pool(attrs)), *inputs)


def _avg_pool_backward(inputs, attrs):
    x = np.zeros(inputs[0].shape[:2] + tuple(attrs["size"]))
    return with_gradient(lambda x: F.avg_pool2d(x, **_pool(attrs), count_include_pad=True), x, inputs[0])


def _upsample_backward(inputs, attrs):
    dy = inputs[0]
    x = np.zeros(dy.shape[:2] + (dy.shape[2] // attrs["scale"][0], dy.shape[3] // attrs["scale"][1]))
    return with_gradient(lambda x: F.interpolate(x, scale_factor=tuple(attrs["scale"]), mode="nearest"), x, dy)


# op → (torch's output for these inputs and attrs, the positions of the inputs it sums: it is linear in them)
TORCH = {
    "conv2d": (lambda i, a: F.conv2d(tensor(i[0]), tensor(i[1]), _bias(i), **_conv(a)).numpy(), (0, 1, 2)),
    "conv_transpose2d": (lambda i, a: F.conv_transpose2d(tensor(i[0]), tensor(i[1]), _bias(i), output_padding=a["output_padding"],
                                                         **_conv(a)).numpy(), (0, 1, 2)),
    "conv2d_weight": (lambda i, a: torch.nn.grad.conv2d_weight(tensor(i[0]), [i[1].shape[1], i[0].shape[1] // a["groups"], *a["kernel"]],
                                                               tensor(i[1]), **_conv(a)).numpy(), (0, 1)),
    "max_pool2d": (lambda i, a: F.max_pool2d(tensor(i[0]), **_pool(a)).numpy(), ()),
    "max_pool2d_backward": (_max_pool_backward, (1,)),
    "avg_pool2d": (lambda i, a: F.avg_pool2d(tensor(i[0]), **_pool(a), count_include_pad=True).numpy(), (0,)),
    "avg_pool2d_backward": (_avg_pool_backward, (0,)),
    "upsample_nearest2d": (lambda i, a: F.interpolate(tensor(i[0]), scale_factor=tuple(a["scale"]), mode="nearest").numpy(), ()),
    "upsample_nearest2d_backward": (_upsample_backward, (0,)),
}
FAMILY = set(TORCH)


def assert_agrees(op: str, inputs: list[np.ndarray], attrs: dict, expected: np.ndarray, where: str) -> None:
    """torch's output for the step equals `expected` to 1e-12 of Σ|term| (see the module's docstring)."""
    reference, summed = TORCH[op]
    actual = reference(inputs, attrs)
    assert actual.shape == expected.shape, f"{where}: torch gives shape {actual.shape}, expected {expected.shape}"
    if not summed:   # a selection: exactly the same values
        assert np.array_equal(actual, expected, equal_nan=True), f"{where}: torch {actual}, expected {expected}"
        return
    magnitude = ops.replay(op, [np.abs(a) if k in summed else a for k, a in enumerate(inputs)], attrs)
    error = np.abs(actual - expected)
    worst = np.unravel_index(np.argmax(error - TOLERANCE * magnitude), error.shape)
    assert np.all(error <= TOLERANCE * magnitude), (
        f"{where}: at {worst} torch gives {actual[worst]!r}, expected {expected[worst]!r} (Σ|term| = {magnitude[worst]:.3g})")


# --------------------------------------------------------------------------- (a) the numpy ops against torch


@pytest.mark.parametrize("grouping", GROUPINGS)
@pytest.mark.parametrize("seed", range(12))
def test_numpy_convolutions_agree_with_torch(seed, grouping):
    rng = np.random.default_rng(1000 + seed)
    x, w, b, attrs = random_conv_case(rng, grouping)
    for inputs in ([x, w], [x, w, b]):
        assert_agrees("conv2d", inputs, attrs, ops.conv2d(*inputs, **attrs), f"conv2d {attrs}")
    y = rng.standard_normal(ops.conv2d(x, w, **attrs).shape)
    transposed = {**attrs, "output_padding": gradient_output_padding(x.shape, w.shape, attrs)}
    bias = rng.standard_normal(x.shape[1])
    for inputs in ([y, w], [y, w, bias]):
        assert_agrees("conv_transpose2d", inputs, transposed, ops.conv_transpose2d(*inputs, **transposed),
                      f"conv_transpose2d {transposed}")
    weight = {**attrs, "kernel": list(w.shape[2:])}
    assert_agrees("conv2d_weight", [x, y], weight, ops.conv2d_weight(x, y, **weight), f"conv2d_weight {weight}")


@pytest.mark.parametrize("seed", range(20))
def test_numpy_pooling_and_upsampling_agree_with_torch(seed):
    rng = np.random.default_rng(2000 + seed)
    x, attrs = random_pool_case(rng)
    if seed % 4 == 0:   # ties, as after a ReLU: torch's CPU kernels take the first maximum too
        x = np.maximum(np.round(x), 0.0)
    y = ops.max_pool2d(x, **attrs)
    dy = rng.standard_normal(y.shape)
    assert_agrees("max_pool2d", [x], attrs, y, f"max_pool2d {attrs}")
    assert_agrees("max_pool2d_backward", [x, dy], attrs, ops.max_pool2d_backward(x, dy, **attrs), f"max_pool2d_backward {attrs}")
    assert_agrees("avg_pool2d", [x], attrs, ops.avg_pool2d(x, **attrs), f"avg_pool2d {attrs}")
    sized = {**attrs, "size": list(x.shape[2:])}
    assert_agrees("avg_pool2d_backward", [dy], sized, ops.avg_pool2d_backward(dy, **sized), f"avg_pool2d_backward {sized}")
    scale = {"scale": rng.integers(1, 4, 2).tolist()}
    up = ops.upsample_nearest2d(x, **scale)
    assert_agrees("upsample_nearest2d", [x], scale, up, f"upsample_nearest2d {scale}")
    dup = rng.standard_normal(up.shape)
    assert_agrees("upsample_nearest2d_backward", [dup], scale, ops.upsample_nearest2d_backward(dup, **scale),
                  f"upsample_nearest2d_backward {scale}")


def test_the_comparison_fails_on_a_changed_value():
    x, w, _, attrs = random_conv_case(np.random.default_rng(7), "full")
    y = ops.conv2d(x, w, **attrs)
    y.flat[0] += 1e-9 * (1 + abs(y.flat[0]))
    with pytest.raises(AssertionError, match="torch gives"):
        assert_agrees("conv2d", [x, w], attrs, y, "conv2d")


# --------------------------------------------------------------------------- (b) the demos' steps against torch


def demo_traces():
    """Every demo's trace with its defaults."""
    binary = str(unrolled_binary())
    demos = json.loads(subprocess.run([binary, "demos", "--json"], check=True, capture_output=True, text=True).stdout)
    for demo in demos:
        result = subprocess.run([binary, "trace", demo["name"]], capture_output=True, timeout=600)
        assert result.returncode == 0, f"`unrolled trace {demo['name']}` failed: {result.stderr.decode(errors='replace')}"
        yield demo["name"], ops.load_trace(result.stdout)


def check_trace_with_torch(name: str, trace: dict) -> int:
    """Replays the trace's convolution-family steps with torch against their recorded outputs; returns how many."""
    values, count = {}, 0
    for step in trace["steps"]:
        if step["op"] in FAMILY:
            for index in step["inputs"] + [step["output"]]:
                values.setdefault(index, ops.tensor_array(trace["tensors"][index]))
            where = f"{name}: step {step['index']} ({step['op']} {step['attrs']})"
            assert_agrees(step["op"], [values[i] for i in step["inputs"]], step["attrs"], values[step["output"]], where)
            count += 1
    return count


def test_a_trace_check_reads_the_recorded_steps_and_fails_on_a_changed_output():
    x, w, b, attrs = random_conv_case(np.random.default_rng(3), "depthwise")
    y = ops.conv2d(x, w, b, **attrs)
    record = lambda i, a: {"id": i, "shape": list(a.shape), "data": a.reshape(-1).tolist()}  # noqa: E731
    trace = {"tensors": [record(0, x), record(1, w), record(2, b), record(3, y)],
             "steps": [{"index": 0, "op": "conv2d", "inputs": [0, 1, 2], "output": 3, "attrs": attrs},
                       {"index": 1, "op": "relu", "inputs": [3], "output": 3, "attrs": {}}]}
    assert check_trace_with_torch("made by hand", trace) == 1
    trace["tensors"][3]["data"][-1] += 1e-6
    with pytest.raises(AssertionError, match="made by hand: step 0"):
        check_trace_with_torch("made by hand", trace)


def test_every_convolution_step_of_every_demo_agrees_with_torch():
    checked = {name: check_trace_with_torch(name, trace) for name, trace in demo_traces()}
    checked = {name: count for name, count in checked.items() if count}
    if not checked:
        pytest.skip(f"no demo's default trace has a step of the convolution family ({', '.join(sorted(FAMILY))}) yet")
    print("convolution-family steps checked against torch:", checked)
