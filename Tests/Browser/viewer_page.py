"""Driving a trace viewer page in the browser tests: open viewers, read the step, go to a
step, read the numbers and the provenance lines on screen, and the trace's own numbers to
compare them with (numpy_ops, the independent numpy version of every op)."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from browsing import file_url, open_page
from viewer_harness import Figure, sample_trace, write_page

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
sys.path.insert(0, str(ROOT / "Tests" / "Python"))
import numpy_ops  # noqa: E402  (the independent numpy version of every op)


def load(text: str) -> dict:
    return numpy_ops.load_trace(text)


def values(trace: dict, tensor_id: int) -> np.ndarray:
    return numpy_ops.tensor_array(trace["tensors"][tensor_id])


def same(a: float, b: float) -> bool:
    """NaN with NaN, infinities by sign, finite values to 1e-12 relative (exp/log/tanh may
    differ by an ulp between math libraries)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def first_step(trace: dict, op: str, phase: str | None = None, at_least: int = 1) -> int:
    """0-based index of the first step with `op` (and `phase`) whose output has ≥ at_least values."""
    for step in trace["steps"]:
        out = trace["tensors"][step["output"]]
        if step["op"] == op and (phase is None or step["phase"] == phase) and len(out["data"]) >= at_least:
            return step["index"]
    raise AssertionError(f"no {op} step in the trace")


def viewer(page, trace_id: str):
    return page.locator(f'unrolled-trace[trace-id="{trace_id}"]')


def step_of(page, trace_id: str) -> int:
    return page.evaluate(f'document.querySelector(\'unrolled-trace[trace-id="{trace_id}"]\').step')


def go(page, trace_id: str, k: int):
    page.evaluate(f'document.querySelector(\'unrolled-trace[trace-id="{trace_id}"]\').goTo({k})')


def wait_ready(page):
    page.evaluate("Promise.all([...document.querySelectorAll('unrolled-trace')].map(e => e.ready))")


def no_problems(visit):
    assert visit.problems() == [], visit.problems()
    assert visit.external_requests() == [], visit.external_requests()
    assert all(u.startswith(("file://", "data:", "about:")) for u in visit.requests), visit.requests


def prov_lines(page, trace_id: str) -> list[list[tuple[str, float]]]:
    """The provenance panel's lines, each as [(kind, exact value)…] read from the DOM."""
    return page.evaluate("""(id) => [...document.querySelectorAll(`unrolled-trace[trace-id="${id}"] .ut-prov-line`)]
        .map(line => [...line.querySelectorAll('.ut-num')].map(s => [s.dataset.kind, s.dataset.v]))""", trace_id)


def num(text: str) -> float:
    return float(text)  # JavaScript's "NaN", "Infinity", "-Infinity" and "-0" all parse


def shot(page, name: str):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5000


def open_viewers(context, folder: Path, figures: list[Figure], fragment: str = ""):
    page_path = write_page(folder, figures)
    page, visit = open_page(context, file_url(page_path) + fragment, wait_for="unrolled-trace .ut-root")
    wait_ready(page)
    return page, visit


@pytest.fixture
def lstm_text(tmp_path) -> str:
    return sample_trace("lstm", tmp_path)


def visible_cells(page, trace_id: str) -> list[dict]:
    return page.evaluate("""(id) => [...document.querySelectorAll(`unrolled-trace[trace-id="${id}"] .ut-step-panel .ut-card`)]
        .map(card => ({tensor: +card.dataset.tensor, slot: card.dataset.slot,
                       cells: [...card.querySelectorAll('td[data-i]')].map(td => [+td.dataset.i, td.title, td.textContent]),
                       cols: [...card.querySelectorAll('thead th[scope=col]')].map(th => th.textContent)}))""", trace_id)


def pick(page, trace_id: str, flat: int):
    """Clicks the result cell with flat index `flat` (paging to it first through the selection API)."""
    cell = page.locator(f'unrolled-trace[trace-id="{trace_id}"] .ut-card[data-slot="out"] td[data-i="{flat}"]')
    cell.click()
    assert "ut-selected" in cell.get_attribute("class")


def synthetic_trace() -> str:
    """A trace made here, with numpy_ops computing every output: the ops no demo records
    (reshape, clip_norm), a rank-3 transpose with perm, NaN and ±∞ from log, sqrt, div by 0
    and a −∞ mask."""
    tensors, steps = [], []

    def encode(x: float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x

    def tensor(array, name, role="input"):
        array = np.asarray(array, dtype=np.float64)
        tensors.append({"id": len(tensors), "name": name, "tex": name.replace("_", "\\_"), "role": role,
                        "shape": list(array.shape), "data": [encode(v) for v in array.reshape(-1)]})
        return len(tensors) - 1

    def step(op, inputs, attrs=None, phase="forward"):
        attrs = attrs or {}
        arrays = [values({"tensors": tensors}, i) for i in inputs]
        out = numpy_ops.replay(op, arrays, attrs)
        oid = tensor(out, f"{op}_{len(tensors)}", "activation")
        steps.append({"index": len(steps), "phase": phase, "op": op, "inputs": inputs, "output": oid,
                      "attrs": attrs, "scope": 0})
        return oid

    x = tensor([[1.5, -2.0, 0.25], [3.0, -0.5, 4.0]], "x")
    m = tensor([[1.0, 0.0, 1.0]], "mask", "constant")
    cube = tensor(np.arange(24, dtype=float).reshape(2, 3, 4) / 7 - 1.2, "cube")
    p = tensor([[0.5, -0.25, 1.0], [2.0, 0.0, -1.0]], "p", "parameter")
    r = step("reshape", [x], {"shape": [3, 2]})
    step("transpose", [cube], {"perm": [2, 0, 1]})
    step("transpose", [r])
    step("matmul", [x, r])
    step("sum", [x], {"axis": 1, "keepdims": True})
    step("sum", [cube], {"axis": 1})
    step("mean", [x])
    step("sum", [cube], {"axes": [0, 2]})
    step("mean", [cube], {"axes": [1, 2], "keepdims": True})
    step("flip", [cube], {"axes": [0, 2]})
    w = step("where", [m, x], {"value": "-Infinity"})
    s = step("softmax", [w], {"axis": 1})
    step("log_softmax", [x], {"axis": 0})
    step("softmax_backward", [s, x], {"axis": 1})
    step("log", [x])
    step("sqrt", [x])
    step("div", [x, m])
    step("pad", [x], {"axis": 1, "before": 1, "after": 2})
    rw = step("rows", [x], {"indices": [1, 0, 1]})
    step("rows_backward", [rw], {"indices": [1, 0, 1], "count": 2})
    step("concat", [x, p, x], {"axis": 0})
    step("slice", [x], {"axis": 1, "start": 1, "end": 3})
    step("sum_to", [x], {"shape": [1, 3]})
    step("broadcast_to", [m], {"shape": [2, 3]})
    for op in ("neg", "exp", "square", "tanh", "relu"):
        step(op, [x])
    sg = step("sigmoid", [x])
    step("scale", [x], {"factor": 2.5})
    step("add", [x, m])
    step("sub", [m, x])
    step("mul", [x, p])
    step("sigmoid_backward", [sg, x])
    step("tanh_backward", [sg, x])
    step("relu_backward", [x, p])
    # The perceptron's ops: the step at 0 and below, its zero derivative, Rosenblatt's rule on a miss.
    net = tensor([[0.0], [-2.0]], "net")
    fired = step("step", [net])
    step("step_backward", [net, tensor([[1.5], [math.nan]], "dy")], phase="backward")
    step("perceptron", [p, tensor([[1.0], [-2.0], [0.5]], "a"), tensor([[0.0], [1.0]], "t"), fired], {"lr": 0.5}, phase="update")
    # The image ops: a 1×2×4×4 image, a 3×2×3×3 kernel with a bias, stride 2 and padding 1.
    image = tensor(np.sin(np.arange(32, dtype=float)).reshape(1, 2, 4, 4), "image")
    kernel = tensor(np.cos(np.arange(54, dtype=float)).reshape(3, 2, 3, 3) / 3, "kernel", "parameter")
    bias = tensor([0.5, -0.25, 0.0], "bias", "parameter")
    geometry = {"stride": [2, 2], "padding": [1, 1], "dilation": [1, 1], "groups": 1}
    y = step("conv2d", [image, kernel, bias], geometry)
    step("conv_transpose2d", [y, kernel], {**geometry, "output_padding": [1, 1]}, phase="backward")
    step("conv2d_weight", [image, y], {**geometry, "kernel": [3, 3]}, phase="backward")
    window = {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0]}
    pooled = step("max_pool2d", [image], window)
    step("max_pool2d_backward", [image, pooled], window, phase="backward")
    averaged = step("avg_pool2d", [image], {"kernel": [3, 3], "stride": [1, 1], "padding": [1, 1]})
    step("avg_pool2d_backward", [averaged], {"kernel": [3, 3], "stride": [1, 1], "padding": [1, 1], "size": [4, 4]}, phase="backward")
    up = step("upsample_nearest2d", [pooled], {"scale": [2, 2]})
    step("upsample_nearest2d_backward", [up], {"scale": [2, 2]}, phase="backward")
    step("clip_norm", [x], {"max_norm": 1}, phase="update")
    step("sgd", [p, x], {"lr": 0.1}, phase="update")
    step("running_average", [m, tensor([[0.5, 2.0, -1.0]], "batch_mean")], {"momentum": 0.1}, phase="update")
    return json.dumps({"format": "unrolled-trace", "version": 1, "title": "every op, edge cases", "model": "synthetic",
                       "config": {}, "scopes": [{"id": 0, "name": "ops", "parent": None, "equation": "y = f(x)"}],
                       "tensors": tensors, "steps": steps, "loss": None, "gradients": {}})
