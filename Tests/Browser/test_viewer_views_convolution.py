"""The convolution view and the image ops' provenance in a real Chromium over file://: the grids,
the window, every product and the sum it draws are the trace's numbers, recomputed here in numpy
from the trace JSON by the ops' documented formulas (docs/trace-format.md, "Image ops")."""

from __future__ import annotations

import json

import numpy as np
import pytest

from views_support import OUTPUT, Viewer, by_name, read_trace, values
from viewer_harness import make_trace

CONV = {
    "conv": (),
    "strided": ("--image", "seeded", "--size", "7", "--channels-in", "2", "--stride", "2", "--padding", "2",
                "--dilation", "2", "--pool", "avg", "--relu", "false"),
    "depthwise": ("--image", "cross", "--channels-in", "2", "--channels-out", "4", "--groups", "2", "--kernel", "2",
                  "--padding", "0"),
}


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    made = {}
    for key, params in CONV.items():
        folder = tmp_path_factory.mktemp(key)
        made[key] = make_trace(folder, "conv", *params)
    return made


def tensor(trace, tensor_id):
    t = trace["tensors"][tensor_id]
    return values(t).reshape(t["shape"])


def first(trace, op, phase=None):
    return next(s for s in trace["steps"] if s["op"] == op and (phase is None or s["phase"] == phase))


def geometry(step):
    a = step["attrs"]
    return a["stride"], a["padding"], a["dilation"], a["groups"]


def conv_terms(x, w, step, n, o, i, j):
    """The (x, w) pairs of y[n,o,i,j] in kernel order, 0 for taps in the padding (spec's formula)."""
    (s, _), (p, _), (d, _), G = geometry(step)
    per = w.shape[1]
    g = o // (w.shape[0] // G)
    pairs = []
    for c1 in range(per):
        for u in range(w.shape[2]):
            for v in range(w.shape[3]):
                h, col = i * s + u * d - p, j * s + v * d - p
                inside = 0 <= h < x.shape[2] and 0 <= col < x.shape[3]
                pairs.append((x[n, g * per + c1, h, col] if inside else 0.0, w[o, c1, u, v]))
    return pairs


def panel(viewer, key):
    return f"#{key} .ut-panel[data-view='convolution']"


def terms_shown(viewer, key):
    return viewer.page.eval_on_selector_all(
        f"{panel(viewer, key)} .uv-conv-term",
        "ls => ls.map(l => [+l.dataset.a, l.dataset.b === undefined ? null : +l.dataset.b, +l.dataset.product, +l.dataset.sum])")


def data_value(viewer, key, selector):
    return float(viewer.page.get_attribute(f"{panel(viewer, key)} {selector}", "data-value"))


def cells(viewer, key, role):
    return viewer.page.eval_on_selector_all(
        f"{panel(viewer, key)} .uv-conv-grid[data-role='{role}'] .uv-conv-cell",
        """cs => cs.map(c => ({r: +c.dataset.row, c: +c.dataset.col, v: +c.dataset.value, pad: c.classList.contains('uv-conv-pad'),
                              lit: c.classList.contains('uv-conv-window'), k: c.dataset.kernel === undefined ? null : +c.dataset.kernel}))""")


def click_output(viewer, key, r, c):
    viewer.page.click(f"{panel(viewer, key)} .uv-conv-grid[data-role='output'] .uv-conv-cell[data-row='{r}'][data-col='{c}']")


def test_the_view_works_out_a_convolution_element_with_padding_window_products_relu_and_pool(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"conv": traces["conv"]})
    trace = viewer.traces["conv"]
    assert viewer.tabs("conv")[1:] == ["convolution", "feature-maps", "graph"]
    step = first(trace, "conv2d")
    viewer.go("conv", step["index"])
    viewer.show("conv", "convolution")
    X, W, b = (tensor(trace, k) for k in step["inputs"])
    Y = tensor(trace, step["output"])
    click_output(viewer, "conv", 0, 3)
    # The input plane with its ring of padding (8×8 and p = 1: 10×10 cells, 36 of them padding).
    grid = cells(viewer, "conv", "input")
    assert len(grid) == 100 and sum(c["pad"] for c in grid) == 36
    for c in grid:
        assert c["v"] == (0.0 if c["pad"] else X[0, 0, c["r"], c["c"]])
    # The window of y[0,0,0,3]: rows −1…1, columns 2…4, each with its kernel value.
    lit = sorted((c["r"], c["c"], c["k"]) for c in grid if c["lit"])
    assert lit == sorted((u - 1, 3 + v - 1, W[0, 0, u, v]) for u in range(3) for v in range(3))
    # Every product and the running sum, then + b = y.
    expected = conv_terms(X, W, step, 0, 0, 0, 3)
    shown = terms_shown(viewer, "conv")
    assert [(a, k) for a, k, _, _ in shown] == expected
    assert [p for _, _, p, _ in shown] == [a * k for a, k in expected]
    assert shown[-1][3] == pytest.approx(sum(a * k for a, k in expected), abs=1e-15)
    assert data_value(viewer, "conv", ".uv-conv-bias") == b[0]
    assert data_value(viewer, "conv", ".uv-conv-result") == Y[0, 0, 0, 3]
    assert Y[0, 0, 0, 3] == pytest.approx(b[0] + sum(a * k for a, k in expected), abs=1e-14)
    # Then ReLU, and the max-pool window (0, 1) it falls in.
    A, P = by_name(trace, "A"), by_name(trace, "P")
    assert data_value(viewer, "conv", ".uv-conv-after[data-stage='relu']") == max(0.0, Y[0, 0, 0, 3])
    assert data_value(viewer, "conv", ".uv-conv-after[data-stage='pool']") == values(P).reshape(P["shape"])[0, 0, 0, 1]
    assert values(A).reshape(A["shape"])[0, 0, 0:2, 2:4].max() == values(P).reshape(P["shape"])[0, 0, 0, 1]
    # The arrow keys move the element; the output channel picker changes o.
    viewer.page.focus(f"{panel(viewer, 'conv')} .uv-conv-grid[data-role='output']")
    viewer.page.keyboard.press("ArrowDown")
    viewer.page.keyboard.press("ArrowRight")
    assert viewer.page.get_attribute(panel(viewer, "conv"), "data-element") == "0,0,1,4"
    viewer.page.select_option(f"{panel(viewer, 'conv')} .uv-conv-outchannel", index=1)
    assert viewer.page.get_attribute(panel(viewer, "conv"), "data-element") == "0,1,1,4"
    assert [(a, k) for a, k, _, _ in terms_shown(viewer, "conv")] == conv_terms(X, W, step, 0, 1, 1, 4)
    assert data_value(viewer, "conv", ".uv-conv-result") == Y[0, 1, 1, 4]
    viewer.shot("conv", "convolution-forward")
    viewer.assert_clean()


def test_stride_and_dilation_show_as_the_cells_the_window_covers(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"strided": traces["strided"]})
    trace = viewer.traces["strided"]
    step = first(trace, "conv2d")
    viewer.go("strided", step["index"])
    viewer.show("strided", "convolution")
    X, W, b = (tensor(trace, k) for k in step["inputs"])
    click_output(viewer, "strided", 1, 2)
    # Stride 2, dilation 2, padding 2: element (1, 2) reads rows 0, 2, 4 and columns 2, 4, 6.
    lit = sorted((c["r"], c["c"]) for c in cells(viewer, "strided", "input") if c["lit"])
    assert lit == [(r, c) for r in (0, 2, 4) for c in (2, 4, 6)]
    # Two input channels: all 18 products are written out; the picker shows channel 2's taps.
    expected = conv_terms(X, W, step, 0, 0, 1, 2)
    assert [(a, k) for a, k, _, _ in terms_shown(viewer, "strided")] == expected and len(expected) == 18
    viewer.page.select_option(f"{panel(viewer, 'strided')} .uv-conv-plane", index=1)
    grid = cells(viewer, "strided", "input")
    assert all(c["v"] == (0.0 if c["pad"] else X[0, 1, c["r"], c["c"]]) for c in grid)
    assert sorted(c["k"] for c in grid if c["lit"]) == sorted(W[0, 1].reshape(-1))
    viewer.assert_clean()


def test_backward_steps_show_the_pairs_that_make_dW_and_dX(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"conv": traces["conv"]})
    trace = viewer.traces["conv"]
    forward = first(trace, "conv2d")
    (s, _), (p, _), (d, _), _ = geometry(forward)
    viewer.show("conv", "convolution")
    # ∂W[1,1,3,2] = Σ_ij X[.., i + 2 − 1, j + 1 − 1] · dY[1, i, j]: the input/gradient pairs.
    weight = first(trace, "conv2d_weight")
    viewer.go("conv", weight["index"])
    X, dY = (tensor(trace, k) for k in weight["inputs"])
    click_output(viewer, "conv", 2, 1)
    pairs = [(X[0, 0, i * s + 2 * d - p, j * s + 1 * d - p] if 0 <= i * s + 2 * d - p < 8 and 0 <= j * s + d - p < 8 else 0.0, dY[0, 0, i, j])
             for i in range(dY.shape[2]) for j in range(dY.shape[3])]
    assert [(a, k) for a, k, _, _ in terms_shown(viewer, "conv")] == pairs
    assert data_value(viewer, "conv", ".uv-conv-result") == tensor(trace, weight["output"])[0, 0, 2, 1]
    assert viewer.page.locator(f"{panel(viewer, 'conv')}.uv-backward").count() == 1
    viewer.shot("conv", "convolution-weight-gradient")
    # ∂X[1,1,4,6] (conv_transpose2d): the kernel taps and output gradients that reach it.
    transpose = first(trace, "conv_transpose2d")
    viewer.go("conv", transpose["index"])
    dY2, W = (tensor(trace, k) for k in transpose["inputs"])
    click_output(viewer, "conv", 3, 5)
    reach = [(dY2[0, o, (3 + p - u * d) // s, (5 + p - v * d) // s], W[o, 0, u, v])
             for o in range(W.shape[0]) for u in range(3) for v in range(3)
             if 0 <= 3 + p - u * d < 8 and 0 <= 5 + p - v * d < 8]
    assert [(a, k) for a, k, _, _ in terms_shown(viewer, "conv")] == reach
    assert data_value(viewer, "conv", ".uv-conv-result") == tensor(trace, transpose["output"])[0, 0, 3, 5]
    viewer.assert_clean()


def test_max_pool_step_shows_the_window_and_its_maximum(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"conv": traces["conv"]})
    trace = viewer.traces["conv"]
    pool = first(trace, "max_pool2d")
    viewer.show("conv", "convolution")
    viewer.go("conv", pool["index"])
    A = tensor(trace, pool["inputs"][0])
    click_output(viewer, "conv", 1, 2)
    window = A[0, 0, 2:4, 4:6].reshape(-1)
    shown = terms_shown(viewer, "conv")
    assert [a for a, _, _, _ in shown] == list(window)
    chosen = viewer.page.eval_on_selector_all(f"{panel(viewer, 'conv')} .uv-conv-term", "ls => ls.findIndex(l => l.classList.contains('uv-conv-chosen'))")
    assert chosen == int(np.argmax(window))
    assert data_value(viewer, "conv", ".uv-conv-result") == window.max()
    viewer.assert_clean()


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_play_slides_the_window_or_steps_it_under_reduced_motion(chromium, tmp_path, traces, motion):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, reduced_motion=motion)
    try:
        viewer = Viewer(context, tmp_path, {"conv": traces["conv"]})
        viewer.go("conv", first(viewer.traces["conv"], "conv2d")["index"])
        viewer.show("conv", "convolution")
        play = f"{panel(viewer, 'conv')} .uv-conv-play"
        if motion == "reduce":
            # No motion of its own: each press moves the window one place, along the row then down.
            assert viewer.page.text_content(play) == "Next position"
            click_output(viewer, "conv", 0, 7)
            viewer.page.click(play)
            assert viewer.page.get_attribute(panel(viewer, "conv"), "data-element") == "0,0,1,0"
        else:
            viewer.page.click(play)
            assert viewer.page.text_content(play) == "Pause"
            viewer.page.wait_for_function(
                f"document.querySelector(\"{panel(viewer, 'conv')}\").dataset.element !== '0,0,0,0'")
            viewer.page.click(play)
            assert viewer.page.text_content(play) == "Play"
        viewer.assert_clean()
    finally:
        context.close()


def explain(viewer, trace, step, flat):
    """Unrolled.explain of one element of `trace` (a dict), on a model of it made in the page."""
    return viewer.page.evaluate(
        """([text, step, flat]) => { const e = Unrolled.explain(new Unrolled.TraceModel(JSON.parse(text)), step, flat);
             return {agrees: e.agrees, value: e.value, recorded: e.recorded,
                     terms: e.lines.map(l => l.filter(t => t && typeof t === 'object' && t.kind !== 'result' && t.kind !== 'sum').map(t => t.v))
                                   .filter(l => l.length)}; }""",
        [json.dumps(trace), step, flat])


def upsample_trace():
    """A trace made here: x (1×1×2×3) upsampled by 2 in numpy, and a gradient dY summed back."""
    x = np.arange(6, dtype=float).reshape(1, 1, 2, 3) - 2.5
    y = x.repeat(2, axis=2).repeat(2, axis=3)
    dy = np.linspace(-1, 1, 24).reshape(1, 1, 4, 6)
    dx = dy.reshape(1, 1, 2, 2, 3, 2).sum(axis=(3, 5))
    def t(i, name, a, role="activation"):
        return {"id": i, "name": name, "tex": name, "role": role, "shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}
    return {"format": "unrolled-trace", "version": 1, "title": "upsample", "model": "test", "config": {}, "scopes": [],
            "tensors": [t(0, "x", x, "input"), t(1, "y", y), t(2, "dY", dy, "constant"), t(3, "dX", dx)],
            "steps": [{"index": 0, "phase": "forward", "op": "upsample_nearest2d", "inputs": [0], "output": 1, "attrs": {"scale": [2, 2]}, "scope": None},
                      {"index": 1, "phase": "backward", "op": "upsample_nearest2d_backward", "inputs": [2], "output": 3, "attrs": {"scale": [2, 2]}, "scope": None}],
            "loss": None, "gradients": {}}


def test_provenance_explains_every_image_op_with_the_terms_it_sums(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"conv": traces["conv"], "strided": traces["strided"], "depthwise": traces["depthwise"]})
    seen = set()
    for key in ("conv", "strided", "depthwise"):
        trace = viewer.traces[key]
        for step in trace["steps"]:
            if step["op"] not in ("conv2d", "conv_transpose2d", "conv2d_weight", "max_pool2d", "max_pool2d_backward",
                                  "avg_pool2d", "avg_pool2d_backward"):
                continue
            out = tensor(trace, step["output"])
            ins = [tensor(trace, k) for k in step["inputs"]]
            for flat in (0, out.size // 2 + 1, out.size - 1):
                idx = np.unravel_index(flat, out.shape)
                e = explain(viewer, trace, step["index"], flat)
                assert e["agrees"], (key, step["op"], flat, e)
                assert e["recorded"] == out[idx]
                assert e["value"] == pytest.approx(expected_value(step, ins, idx), rel=1e-12, abs=1e-15), (key, step["op"], idx)
                seen.add(step["op"])
    up = upsample_trace()
    x, dy = (np.array(up["tensors"][k]["data"]).reshape(up["tensors"][k]["shape"])[0, 0] for k in (0, 2))
    # 0-based: y[2,1] (flat 13 of 4×6) copies x[1,0]; dx[1,1] (flat 4 of 2×3) sums the block of dY at rows 2–3, columns 2–3.
    for step, flat, want in ((0, 13, x[1, 0]), (1, 4, dy[2:4, 2:4].sum())):
        e = explain(viewer, up, step, flat)
        assert e["agrees"] and e["value"] == pytest.approx(want, abs=1e-15)
        seen.add(up["steps"][step]["op"])
    assert len(seen) == 9, seen
    viewer.assert_clean()


def expected_value(step, ins, idx):
    """The element by the op's formula (docs/trace-format.md), computed here from the inputs."""
    op, a = step["op"], step["attrs"]
    n, c, h, w = idx
    if op == "conv2d":
        x, W, b = ins
        return b[c] + sum(p * k for p, k in conv_terms(x, W, step, n, c, h, w))
    if op == "conv2d_weight":
        x, dy = ins
        (s, _), (p, _), (d, _), G = geometry(step)
        o, c1, u, v = idx
        ch = o // (dy.shape[1] // G) * (x.shape[1] // G) + c1
        return sum(dy[m, o, i, j] * x[m, ch, i * s + u * d - p, j * s + v * d - p]
                   for m in range(x.shape[0]) for i in range(dy.shape[2]) for j in range(dy.shape[3])
                   if 0 <= i * s + u * d - p < x.shape[2] and 0 <= j * s + v * d - p < x.shape[3])
    if op == "conv_transpose2d":
        dy, W = ins[:2]
        (s, _), (p, _), (d, _), G = geometry(step)
        per = W.shape[1]
        g = c // per
        total = 0.0
        for o in range(g * dy.shape[1] // G, (g + 1) * dy.shape[1] // G):
            for u in range(W.shape[2]):
                for v in range(W.shape[3]):
                    ri, rj = h + p - u * d, w + p - v * d
                    if ri % s == 0 and rj % s == 0 and 0 <= ri // s < dy.shape[2] and 0 <= rj // s < dy.shape[3] and ri >= 0 and rj >= 0:
                        total += dy[n, o, ri // s, rj // s] * W[o, c - g * per, u, v]
        return total
    k, s = a["kernel"][0], a["stride"][0]
    if op == "max_pool2d":
        return ins[0][n, c, h * s:h * s + k, w * s:w * s + k].max()
    if op == "avg_pool2d":
        return ins[0][n, c, h * s:h * s + k, w * s:w * s + k].sum() / (k * k)
    if op == "avg_pool2d_backward":
        dy = ins[0]
        return sum(dy[n, c, i, j] / (k * k) for i in range(dy.shape[2]) for j in range(dy.shape[3])
                   if i * s <= h < i * s + k and j * s <= w < j * s + k)
    x, dy = ins  # max_pool2d_backward: the windows whose first maximum is (h, w)
    total = 0.0
    for i in range(dy.shape[2]):
        for j in range(dy.shape[3]):
            window = x[n, c, i * s:i * s + k, j * s:j * s + k]
            u, v = divmod(int(np.argmax(window)), k)
            if (i * s + u, j * s + v) == (h, w):
                total += dy[n, c, i, j]
    return total


@pytest.mark.parametrize("size,scheme", [((1400, 900), "light"), ((1400, 900), "dark"), ((390, 844), "light"), ((390, 844), "dark")])
def test_screenshots(chromium, tmp_path, traces, size, scheme):
    context = chromium.new_context(viewport={"width": size[0], "height": size[1]}, color_scheme=scheme)
    try:
        viewer = Viewer(context, tmp_path, {"conv": traces["conv"]}, scheme=scheme)
        trace = viewer.traces["conv"]
        viewer.go("conv", first(trace, "conv2d")["index"])
        viewer.show("conv", "convolution")
        click_output(viewer, "conv", 2, 3)
        OUTPUT.mkdir(exist_ok=True)
        viewer.page.locator("#conv").screenshot(path=str(OUTPUT / f"views-convolution-{size[0]}-{scheme}.png"))
        viewer.assert_clean()
    finally:
        context.close()
