"""Issue 20, item 1, in Chromium on a desktop (1400×900) and a phone (390×844): the views that draw
traced tensors (the attention maps, the LSTM cell's wires) show them at any recorded iteration. The
history position (the viewer's state, which every view's slider sets) picks the last snapshot at or
before it; a step of the trace returns the view to the traced values. Expected numbers are read from
the trace JSON here: the `activation` series whose tags are the drawn tensor's (their values are
checked against numpy in Tests/Python/test_history_activations.py)."""

from __future__ import annotations

import numpy as np
import pytest

from views_support import VIEWPORTS, Viewer, by_name, heat_cells, make_traces, values, wire_state, assert_wire_shows


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    import views_support
    views_support.SPECIAL.update({
        "translator": ("encoder-decoder", "--train", "300", "--lr", "0.5"),
        "lstm-trained": ("lstm", "--train", "60", "--lr", "0.5"),
    })
    return make_traces(tmp_path_factory, ["translator", "lstm-trained"])


def open_viewer(browser_context, tmp_path, traces, key, size):
    viewer = Viewer(browser_context, tmp_path, {key: traces[key]})
    viewer.page.set_viewport_size(VIEWPORTS[size])
    return viewer


def recorded(trace: dict, tags: dict) -> list[tuple[int, int, np.ndarray]]:
    """(history index, iteration, values) of every snapshot of the activation series with `tags`."""
    keys = [s["key"] for s in trace["series"] if s["quantity"] == "activation" and s.get("tags") == tags]
    assert len(keys) == 1, tags
    return [(i, e["iteration"], np.array([float(x) for x in e["tensors"][keys[0]]["data"]]))
            for i, e in enumerate(trace["history"]) if e.get("tensors") and keys[0] in e["tensors"]]


def slide(viewer: Viewer, key: str, view: str, position: int):
    viewer.page.eval_on_selector(f"#{key} .ut-panel[data-view='{view}'] .uv-history-slider",
                                 f"s => {{ s.value = {position}; s.dispatchEvent(new Event('input')); }}")


def history_text(viewer: Viewer, key: str, view: str) -> str:
    return viewer.page.inner_text(f"#{key} .ut-panel[data-view='{view}'] .uv-history-text")


def axe_violations(viewer: Viewer, selector: str) -> list[str]:
    """WCAG 2.1 A and AA violations axe-core finds inside `selector` (the rules of accessibility.py)."""
    from axe_playwright_python.sync_playwright import Axe
    from accessibility import WCAG_21_AA
    result = Axe().run(viewer.page, context={"include": [[selector]]}, options=WCAG_21_AA)
    return [f"{rule['id']} {node['target']}" for rule in result.response["violations"] for node in rule["nodes"]]


def maps(trace: dict) -> list[dict]:
    """The whole attention maps the view offers, in the order of its select (first softmax first)."""
    seen, out = set(), []
    for step in trace["steps"]:
        t = trace["tensors"][step["output"]]
        tags = t.get("tags") or {}
        if step["phase"] == "forward" and step["op"] == "softmax" and tags.get("quantity") == "attention_weights" \
                and "t" not in tags and len(t["shape"]) == 2 and str(sorted(tags.items())) not in seen:
            seen.add(str(sorted(tags.items())))
            out.append(t)
    return out


@pytest.mark.parametrize("size", VIEWPORTS)
def test_attention_maps_follow_the_history_position(browser_context, tmp_path, traces, size):
    viewer = open_viewer(browser_context, tmp_path, traces, "translator", size)
    trace = viewer.traces["translator"]
    last_iteration = trace["history"][-1]["iteration"]
    panel = viewer.show("translator", "attention")
    assert history_text(viewer, "translator", "attention") == "the traced step"
    for k, A in enumerate(maps(trace)):
        viewer.page.select_option("#translator .ut-panel[data-view='attention'] select", str(k))
        snapshots = recorded(trace, A["tags"])
        assert snapshots[-1][1] == last_iteration
        # The slider's last position: the map after the last iteration, not the traced one.
        slide(viewer, "translator", "attention", len(snapshots))
        drawn = np.array([c["value"] for c in heat_cells(viewer, "translator")])
        assert np.array_equal(drawn, snapshots[-1][2]), A["name"]
        assert not np.array_equal(drawn, snapshots[0][2]) and not np.array_equal(drawn, values(A))
        assert history_text(viewer, "translator", "attention") == f"after iteration {last_iteration} (of {last_iteration})"
        assert panel.locator("svg.uv-heat").get_attribute("data-iteration") == str(last_iteration)
        assert panel.locator(".uv-rowlit[visibility='visible']").count() == 0
        # A step of the trace returns the view to the traced values.
        viewer.go("translator", viewer.step0("translator") + 1)
        assert np.array_equal([c["value"] for c in heat_cells(viewer, "translator")], values(A))
        assert history_text(viewer, "translator", "attention") == "the traced step"
        assert panel.locator("svg.uv-heat").get_attribute("data-iteration") is None
    # The shared position, as another view's slider sets it: the last snapshot at or before it.
    A = maps(trace)[-1]
    snapshots = recorded(trace, A["tags"])
    j = len(snapshots) // 2   # an entry just before snapshot j + 1 shows snapshot j
    assert snapshots[j + 1][0] - 1 > snapshots[j][0]
    viewer.page.evaluate(f"document.getElementById('translator').state.set({{history: {snapshots[j + 1][0] - 1}}})")
    drawn = np.array([c["value"] for c in heat_cells(viewer, "translator")])
    assert np.array_equal(drawn, snapshots[j][2])
    assert history_text(viewer, "translator", "attention") == f"after iteration {snapshots[j][1]} (of {last_iteration})"
    # The view's slider moves the position for the other views, and 0 returns it to the step.
    slide(viewer, "translator", "attention", 1)
    assert viewer.page.evaluate("document.getElementById('translator').state.history") == snapshots[0][0]
    slide(viewer, "translator", "attention", len(snapshots))
    viewer.shot("translator", f"history-attention-{size}")
    # The training view marks the position, and a click on its chart moves it: iteration 150 shows
    # the snapshot after iteration 100 (a phone's pixel spans about an iteration: 149 to 151 do too).
    training = viewer.show("translator", "training")
    assert training.locator(".uv-history-mark").get_attribute("data-iteration") == str(last_iteration)
    box = training.locator("svg.uv-loss").bounding_box()
    # The chart's viewBox width (900, or 440 on a phone) and margins (views/training.js).
    W, left, right, inner = training.locator("svg.uv-loss").evaluate("s => s.viewBox.baseVal.width"), 70, 20, 10
    x = left + inner + (150 - 1) / (last_iteration - 1) * (W - left - right - inner)
    viewer.page.mouse.click(box["x"] + x / W * box["width"], box["y"] + box["height"] / 2)
    position = viewer.page.evaluate("document.getElementById('translator').state.history")
    assert abs(position - 149) <= (0 if size == "desktop" else 1), position
    assert training.locator(".uv-history-mark").get_attribute("data-iteration") == str(position + 1)
    viewer.shot("translator", f"history-training-{size}")
    viewer.show("translator", "attention")
    at_100 = next(v for h, it, v in snapshots if it == 100)
    assert np.array_equal([c["value"] for c in heat_cells(viewer, "translator")], at_100)
    assert history_text(viewer, "translator", "attention") == f"after iteration 100 (of {last_iteration})"
    slide(viewer, "translator", "attention", 0)
    assert viewer.page.evaluate("document.getElementById('translator').state.history") is None
    viewer.assert_clean()
    # Last (axe fetches the page's stylesheets, which file:// refuses): no WCAG 2.1 AA violation.
    slide(viewer, "translator", "attention", len(snapshots))
    assert axe_violations(viewer, "#translator .ut-panel[data-view='attention']") == []


def test_the_translators_cross_attention_is_no_longer_near_uniform(browser_context, tmp_path, traces):
    """After training, the cross-attention maps as drawn are at least twice as far from uniform
    (1 / the number of source tokens) as the traced iteration's: the threshold is iteration 1's own
    distance, read from the trace."""
    viewer = open_viewer(browser_context, tmp_path, traces, "translator", "desktop")
    trace = viewer.traces["translator"]
    viewer.show("translator", "attention")
    cross = [(k, A) for k, A in enumerate(maps(trace)) if A["tags"].get("attention") == "cross"]
    assert cross
    before, after = 0.0, 0.0
    for k, A in cross:
        viewer.page.select_option("#translator .ut-panel[data-view='attention'] select", str(k))
        uniform = 1 / A["shape"][1]
        slide(viewer, "translator", "attention", 0)
        before = max(before, max(abs(c["value"] - uniform) for c in heat_cells(viewer, "translator")))
        slide(viewer, "translator", "attention", len(recorded(trace, A["tags"])))
        after = max(after, max(abs(c["value"] - uniform) for c in heat_cells(viewer, "translator")))
    assert after >= 2 * before, (before, after)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_cell_diagram_follows_the_history_position(browser_context, tmp_path, traces, size):
    viewer = open_viewer(browser_context, tmp_path, traces, "lstm-trained", size)
    trace = viewer.traces["lstm-trained"]
    last_iteration = trace["history"][-1]["iteration"]
    viewer.go("lstm-trained", 0)
    viewer.show("lstm-trained", "lstm-cell")
    # At the last step of the forward pass every wire of the last time step is computed.
    forward_end = max(s["index"] for s in trace["steps"] if s["phase"] == "forward")
    viewer.go("lstm-trained", forward_end)
    traced = wire_state(viewer, "lstm-trained")
    n = len(recorded(trace, {"quantity": "gate", "gate": "forget", "t": 1}))
    slide(viewer, "lstm-trained", "lstm-cell", n)
    after = wire_state(viewer, "lstm-trained")
    assert history_text(viewer, "lstm-trained", "lstm-cell") == f"after iteration {last_iteration} (of {last_iteration})"
    checked = 0
    for wire, state in after.items():
        if not traced[wire]["id"]:
            continue
        tags = next(t["tags"] for t in trace["tensors"] if t["id"] == int(traced[wire]["id"]))
        if tags["quantity"] == "input":   # x_t: data, the same at every iteration
            assert state["title"] == traced[wire]["title"]
            continue
        snapshots = recorded(trace, tags)
        assert_wire_shows(state, snapshots[-1][2])
        if tags.get("t", 0) >= 1:
            assert not np.array_equal(snapshots[-1][2], snapshots[0][2]), wire
        checked += 1
    assert checked >= 8, after
    viewer.shot("lstm-trained", f"history-lstm-cell-{size}")
    viewer.go("lstm-trained", forward_end - 1)
    assert history_text(viewer, "lstm-trained", "lstm-cell") == "the traced step"
    viewer.assert_clean()
    slide(viewer, "lstm-trained", "lstm-cell", n)
    assert axe_violations(viewer, "#lstm-trained .ut-panel[data-view='lstm-cell']") == []
