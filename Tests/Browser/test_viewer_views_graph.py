"""The computation-graph view (views/graph.js) in a real Chromium over file://: what it draws is
worked out here again from the trace JSON — each step's output folded into its outermost closed
scope, arrows from each input's node to the output's node — and compared with the drawing; a
folded scope opens and folds again; a tensor's node goes to the step that made it; the node of the
current step is marked; a trace with no scopes and a long one draw too. The drawing and the folding
run on a phone (390×844) too, where the graph scrolls in its own box and the page does not."""

from __future__ import annotations

import pytest

from views_support import VIEWPORTS, Viewer, make_traces
from viewer_harness import make_trace

DRAWN = """panel => ({
  nodes: Object.fromEntries([...panel.querySelectorAll('.uv-graph-node')].map(n => [n.dataset.unit, Number(n.dataset.steps)])),
  edges: [...panel.querySelectorAll('.uv-graph-edge')].map(e => [e.dataset.from, e.dataset.to]).sort(),
  current: [...panel.querySelectorAll('.uv-graph-node.uv-graph-current')].map(n => n.dataset.unit),
  note: !panel.querySelector('.uv-graph-note').hidden,
  open: [...panel.querySelectorAll('.uv-graph-fold')].map(b => Number(b.dataset.scope))})"""


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    made = make_traces(tmp_path_factory, ["lstm", "mlp"])
    # Long enough that the whole forward pass would be too many nodes unfolded (Benchmarks/
    # viewer_bench.py times the 23,800-step one); short enough to make quickly in a debug build.
    big = tmp_path_factory.mktemp("graph-big")
    made["big"] = make_trace(big, "peephole-lstm", "--steps", "60", "--hidden", "3")
    return made


def lone_scopes(trace: dict) -> set[int]:
    """The scopes alone at their level, from the root down: open from the start."""
    children: dict = {}
    for scope in trace["scopes"]:
        children.setdefault(scope["parent"], []).append(scope["id"])
    opened, level = set(), children.get(None, [])
    while len(level) == 1:
        opened.add(level[0])
        level = children.get(level[0], [])
    return opened


def expected(trace: dict, phase: str, opened: set[int]) -> dict:
    """The nodes (unit → steps it stands for) and arrows of the steps of `phase`."""
    scopes = trace["scopes"]

    def path(scope):
        out = []
        while scope is not None:
            out.append(scope)
            scope = scopes[scope]["parent"]
        return out[::-1]

    def unit(step):
        for scope in path(step["scope"]):
            if scope not in opened:
                return f"s{scope}"
        return f"t{step['output']}"

    shown = [s for s in trace["steps"] if phase == "all" or s["phase"] == phase]
    made_by = {s["output"]: s for s in shown}
    nodes, edges = {}, set()
    for step in shown:
        to = unit(step)
        nodes[to] = nodes.get(to, 0) + 1
        for tensor in step["inputs"]:
            source = f"t{tensor}" if tensor not in made_by else unit(made_by[tensor])
            if source != to:
                nodes.setdefault(source, 0)
                edges.add((source, to))
    return {"nodes": nodes, "edges": sorted([list(e) for e in edges])}


def open_at(browser_context, tmp_path, traces, key, size):
    viewer = Viewer(browser_context, tmp_path, {key: traces[key]})
    viewer.page.set_viewport_size(VIEWPORTS[size])
    return viewer


def assert_no_sideways_page(viewer: Viewer):
    """The page is no wider than the window: what is wide scrolls in its own box."""
    assert viewer.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_graph_is_the_traces_steps_folded_by_scope(browser_context, tmp_path, traces, size):
    viewer = open_at(browser_context, tmp_path, traces, "lstm", size)
    trace = viewer.traces["lstm"]
    assert "graph" in viewer.tabs("lstm")
    panel = viewer.show("lstm", "graph")
    opened = lone_scopes(trace)
    assert opened, "the lstm trace has one iteration scope around its run"
    for index0 in (0, 40, len(trace["steps"]) - 1):
        viewer.go("lstm", index0)
        step = trace["steps"][index0]
        drawn = panel.evaluate(DRAWN)
        want = expected(trace, step["phase"], opened)
        assert drawn["nodes"] == want["nodes"], index0
        assert drawn["edges"] == want["edges"], index0
        holder = [u for u in drawn["nodes"] if u == f"t{step['output']}"] or \
                 [f"s{s}" for s in [step["scope"]] if s is not None]
        assert len(drawn["current"]) == 1 and drawn["nodes"][drawn["current"][0]] >= 1
    assert_no_sideways_page(viewer)
    viewer.shot("lstm", "graph" if size == "desktop" else f"graph-{size}")
    viewer.assert_clean()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_folded_scope_opens_and_folds_again(browser_context, tmp_path, traces, size):
    viewer = open_at(browser_context, tmp_path, traces, "lstm", size)
    trace = viewer.traces["lstm"]
    panel = viewer.show("lstm", "graph")
    viewer.go("lstm", 40)
    before = panel.evaluate(DRAWN)
    folded = before["current"][0]
    assert folded.startswith("s")
    panel.locator(f'.uv-graph-node[data-unit="{folded}"]').click()
    after = panel.evaluate(DRAWN)
    opened = lone_scopes(trace) | {int(folded[1:])}
    assert sorted(after["open"]) == sorted(opened)
    assert after["nodes"] == expected(trace, "forward", opened)["nodes"]
    assert folded not in after["nodes"]
    assert_no_sideways_page(viewer)
    panel.locator(f'.uv-graph-fold[data-scope="{folded[1:]}"]').click()
    assert panel.evaluate(DRAWN)["nodes"] == before["nodes"]
    viewer.assert_clean()


def test_a_tensor_goes_to_the_step_that_made_it_and_the_phase_follows_the_step(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"mlp": traces["mlp"]})
    trace = viewer.traces["mlp"]
    panel = viewer.show("mlp", "graph")
    backward = next(s["index"] for s in trace["steps"] if s["phase"] == "backward")
    viewer.go("mlp", backward)
    drawn = panel.evaluate(DRAWN)
    assert drawn["nodes"] == expected(trace, "backward", lone_scopes(trace))["nodes"]
    # Choosing every phase draws every step.
    panel.locator("select.uv-graph-phase").select_option("all")
    assert panel.evaluate(DRAWN)["nodes"] == expected(trace, "all", lone_scopes(trace))["nodes"]
    # A tensor's node made by a step: a click goes to that step.
    made = {s["output"]: s["index"] for s in trace["steps"]}
    node = panel.locator(".uv-graph-node[data-unit^='t']").evaluate_all(
        "ns => ns.map(n => n.dataset.unit)")
    target = next(u for u in node if int(u[1:]) in made and made[int(u[1:])] != backward)
    panel.locator(f'.uv-graph-node[data-unit="{target}"]').click()
    assert viewer.step0("mlp") == made[int(target[1:])]
    viewer.assert_clean()


def test_a_trace_without_scopes_draws_its_tensors(browser_context, tmp_path, traces):
    import json
    trace = json.loads(traces["mlp"].read_text(encoding="utf-8"))
    for step in trace["steps"]:
        step["scope"] = None
    trace["scopes"] = []
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(trace), encoding="utf-8")
    viewer = Viewer(browser_context, tmp_path / "page", {"plain": plain})
    panel = viewer.show("plain", "graph")
    viewer.go("plain", 3)
    drawn = panel.evaluate(DRAWN)
    assert all(unit.startswith("t") for unit in drawn["nodes"])
    assert drawn["nodes"] == expected(viewer.traces["plain"], "forward", set())["nodes"]
    viewer.assert_clean()


def test_a_long_trace_draws_folded(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"big": traces["big"]})
    trace = viewer.traces["big"]
    assert len(trace["steps"]) > 5000
    panel = viewer.show("big", "graph")
    for index0 in (0, len(trace["steps"]) // 2, len(trace["steps"]) - 1):
        viewer.go("big", index0)
        drawn = panel.evaluate(DRAWN)
        assert 0 < len(drawn["nodes"]) <= 240 or drawn["note"], index0
        assert len(drawn["current"]) == 1, index0
    viewer.assert_clean()
