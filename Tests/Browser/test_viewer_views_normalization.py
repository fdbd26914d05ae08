"""The normalization view in a real Chromium over file://: the input values it draws, the
statistics it offers and the cells it lights for each of the four modes, μ, σ² and x̂ of the
selected statistic, and the evaluation pass with the running statistics — all read from the trace
JSON here, the highlighted cells worked out from the mode's definition, not from the view."""

from __future__ import annotations

import numpy as np
import pytest

from viewer_harness import make_trace
from views_support import Viewer, values

MODES = {
    "batch": ("--mode", "batch"),
    "layer": ("--mode", "layer", "--seed", "2"),
    "instance": ("--mode", "instance", "--height", "3", "--seed", "3"),
    "group": ("--mode", "group", "--groups", "2", "--channels", "6", "--batch", "2", "--seed", "4"),
}


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    folder = tmp_path_factory.mktemp("normalization")
    made = {}
    for mode, params in MODES.items():
        (folder / mode).mkdir()
        made[mode] = make_trace(folder / mode, "normalization", *params)
    return made


def tagged(trace: dict, quantity: str, root: int) -> dict:
    """The tensor tagged `quantity` that a step inside root scope `root` reads or makes."""
    def root_of(scope):
        while trace["scopes"][scope]["parent"] is not None:
            scope = trace["scopes"][scope]["parent"]
        return scope
    for step in trace["steps"]:
        if step["scope"] is None or root_of(step["scope"]) != root:
            continue
        for tid in [*step["inputs"], step["output"]]:
            tensor = trace["tensors"][tid]
            if tensor.get("tags", {}).get("quantity") == quantity:
                return tensor
    raise KeyError(quantity)


def members(mode: str, shape: list[int], groups: int, n0: int, c0: int) -> set[tuple[int, int]]:
    """The (sample, channel) maps that share the statistic of map (n0, c0), from the definitions."""
    N, C = shape[0], shape[1]
    same = {"batch": lambda n, c: c == c0, "layer": lambda n, c: n == n0, "instance": lambda n, c: (n, c) == (n0, c0),
            "group": lambda n, c: n == n0 and c // (C // groups) == c0 // (C // groups)}[mode]
    return {(n, c) for n in range(N) for c in range(C) if same(n, c)}


def statistic_sets(mode: str, shape: list[int], groups: int) -> list[set[tuple[int, int]]]:
    """Every statistic's maps, ordered by their first (sample, channel) map."""
    sets = {frozenset(members(mode, shape, groups, n, c)) for n in range(shape[0]) for c in range(shape[1])}
    return [set(s) for s in sorted(sets, key=min)]


def state(panel) -> dict:
    return panel.evaluate("""p => ({
      cells: [...p.querySelectorAll('.uv-norm-cell')].map(g => [+g.dataset.n, +g.dataset.c, +g.dataset.h, +g.dataset.w, +g.dataset.value]),
      lit: [...new Set([...p.querySelectorAll('.uv-norm-cell.uv-norm-lit')].map(g => g.dataset.n + ',' + g.dataset.c))],
      stats: [...p.querySelectorAll('.uv-norm-stat')].map(b => [+b.dataset.mean, +b.dataset.variance]),
      mean: +p.querySelector('.uv-norm-mean').dataset.value, variance: +p.querySelector('.uv-norm-variance').dataset.value,
      normalized: [...p.querySelectorAll('.uv-norm-member')].map(r => [+r.dataset.value, +r.dataset.normalized]),
      minis: Object.fromEntries([...p.querySelectorAll('.uv-norm-mode')].map(f => [f.dataset.mode,
        [...f.querySelectorAll('.uv-norm-minicell.uv-norm-lit')].map(r => r.dataset.n + ',' + r.dataset.c)]))})""")


@pytest.mark.parametrize("mode", sorted(MODES))
def test_the_view_draws_the_input_and_lights_the_cells_that_share_each_statistic(browser_context, tmp_path, traces, mode):
    viewer = Viewer(browser_context, tmp_path, {"norm": traces[mode]})
    trace = viewer.traces["norm"]
    assert viewer.tabs("norm")[1:] == ["normalization", "graph"]
    panel = viewer.show("norm", "normalization")
    root = next(s["id"] for s in trace["scopes"] if s.get("kind") == "normalization")
    x, mu, var, xhat = (tagged(trace, q, root) for q in ("input", "mean", "variance", "normalized"))
    X, MU, VAR, XHAT = values(x).reshape(x["shape"]), values(mu), values(var), values(xhat).reshape(x["shape"])
    N, C, H, W = x["shape"]
    G = trace["config"].get("groups", 1) if mode == "group" else 1
    shown = state(panel)
    assert shown["cells"] == [[n, c, h, w, X[n, c, h, w]] for n in range(N) for c in range(C) for h in range(H) for w in range(W)]
    assert shown["stats"] == [[m, v] for m, v in zip(MU, VAR)]
    assert len(shown["stats"]) == {"batch": C, "layer": N, "instance": N * C, "group": N * G}[mode]
    buttons = panel.locator(".uv-norm-stat")
    for k in range(len(shown["stats"])):
        buttons.nth(k).click()
        now = state(panel)
        # μ's data runs over the kept axes in row-major order: the k-th set of maps by its first map.
        expected = statistic_sets(mode, x["shape"], G)[k]
        first = min(expected)
        assert {tuple(map(int, s.split(","))) for s in now["lit"]} == expected
        assert (now["mean"], now["variance"]) == (MU[k], VAR[k])
        # μ and σ² are those of the lit values (numpy here), x̂ each value's normalized one.
        lit = np.array([X[n, c] for n, c in sorted(expected)]).reshape(-1)
        assert np.isclose(lit.mean(), MU[k], rtol=1e-12) and np.isclose(lit.var(), VAR[k], rtol=1e-12, atol=1e-15)
        assert now["normalized"] == [[X[n, c, h, w], XHAT[n, c, h, w]] for n, c in sorted(expected) for h in range(H) for w in range(W)]
        # The four small diagrams: the same map's statistic in each mode.
        for other in ("batch", "layer", "instance", "group"):
            G_other = G if mode == "group" else min(d for d in range(2, C + 1) if C % d == 0)
            assert {tuple(map(int, s.split(","))) for s in now["minis"][other]} == members(other, x["shape"], G_other, *first)
    # Arrows move between the statistics.
    buttons.nth(0).click()
    buttons.nth(0).press("ArrowRight")
    assert panel.locator(".uv-norm-stat[aria-pressed='true']").get_attribute("data-stat") == "1"
    viewer.assert_clean()


def test_evaluation_shows_the_running_statistics(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"norm": traces["batch"]})
    trace = viewer.traces["norm"]
    panel = viewer.show("norm", "normalization")
    evaluation = next(s["id"] for s in trace["scopes"] if s.get("attributes", {}).get("phase") == "eval")
    first = next(s for s in trace["steps"] if s["scope"] is not None and s["scope"] >= evaluation)
    viewer.go("norm", first["index"])
    assert panel.get_attribute("data-phase") == "eval"
    running_mean, running_var = (tagged(trace, q, evaluation) for q in ("running_mean", "running_variance"))
    assert running_mean.get("version") == 1 and running_var.get("version") == 1
    shown = state(panel)
    assert shown["stats"] == [[m, v] for m, v in zip(values(running_mean), values(running_var))]
    panel.locator(".uv-norm-phase[data-phase='train']").click()
    assert panel.get_attribute("data-phase") == "train"
    viewer.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_normalization_view_screenshots(browser_context, tmp_path, traces, scheme):
    viewer = Viewer(browser_context, tmp_path, {"norm": traces["group"]}, scheme=scheme)
    viewer.show("norm", "normalization").locator(".uv-norm-stat").nth(1).click()
    if scheme == "light":
        viewer.page.set_viewport_size({"width": 1400, "height": 900})
        viewer.shot("norm", "normalization-light")
    else:
        viewer.page.set_viewport_size({"width": 390, "height": 844})
        viewer.shot("norm", "normalization-dark-phone")
    viewer.assert_clean()
