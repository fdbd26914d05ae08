"""Issue 20, item 1 (what test_viewer_views_history*.py leave), in Chromium on a desktop (1400×900)
and then, on the same page, a phone (390×844): the segmentation demo's feature maps at any recorded
epoch, the cell diagram of `gradient-flow --network lstm` at any recorded iteration, and the
Unrolled view's per-iteration gradient norms of the bidirectional demos (both directions) and the
tapped delay line. Expected numbers are read from the trace JSON here (the history's series, whose
values Tests/Python/test_history_more_views.py and test_history_activations.py check against
numpy), and each first iteration's norms against numpy's norms of the traced gradients."""

from __future__ import annotations

import numpy as np
import pytest

from test_viewer_views_feature_maps import drawn
from test_viewer_views_history import history_text, recorded, slide
from views_support import VIEWPORTS, Viewer, assert_wire_shows, bar_norms, by_name, final_gradient, make_traces, producer, values, wire_state

FMAPS = ".ut-panel[data-view='feature-maps']"


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    import views_support
    views_support.SPECIAL.update({
        "seg-trained": ("segmentation", "--train", "12", "--image", "2"),
        "flow-lstm-trained": ("gradient-flow", "--network", "lstm", "--steps", "5", "--hidden", "3", "--train", "10"),
        # As test_viewer_views_history_more.py makes them, so the run makes them once.
        "bilstm-trained": ("bilstm", "--train", "20", "--lr", "0.5"),
        "bigru-trained": ("bigru", "--train", "20", "--lr", "0.5"),
        "tdl-trained": ("tdl", "--train", "30", "--lr", "0.2"),
    })
    return make_traces(tmp_path_factory, ["seg-trained", "flow-lstm-trained", "bilstm-trained", "bigru-trained", "tdl-trained"])


def fits_sideways(viewer: Viewer) -> bool:
    return viewer.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_segmentation_maps_follow_the_epoch(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"seg": traces["seg-trained"]})
    trace = viewer.traces["seg"]
    item = trace["config"]["image"]
    series = {str(sorted(s["tags"].items())): s["key"] for s in trace["series"] if s["quantity"] == "activation"}
    entries = [i for i, e in enumerate(trace["history"]) if set(series.values()) <= set(e.get("tensors") or {})]
    assert [trace["history"][i]["iteration"] for i in entries] == [1, 2, 5, 10, 12]
    viewer.go("seg", len(trace["steps"]) - 1)
    viewer.show("seg", "feature-maps")
    traced = drawn(viewer, "seg")
    slider = viewer.page.locator(f"#seg {FMAPS} input.uv-fm-epoch")
    assert slider.get_attribute("max") == str(len(entries))

    def shown_after(entry: dict) -> None:
        """Every traced map of the chosen image, in the traced order: the image as traced, each
        feature map the snapshot whose tags are its tensor's."""
        maps = drawn(viewer, "seg")
        assert [(m["layer"], m["stage"], m["channel"]) for m in maps] == \
            [(m["layer"], m["stage"], m["channel"]) for m in traced], "the same sections as the traced iteration"
        for m, before in zip(maps, traced):
            tensor = trace["tensors"][int(before["tensor"])]
            n, c, h, w = tensor["shape"]
            if tensor["tags"]["quantity"] == "image":
                assert int(m["tensor"]) == tensor["id"]
                expected = values(tensor).reshape(n, c, h * w)[item - 1, m["channel"]]
            else:
                assert m["tensor"] == ""
                snapshot = entry["tensors"][series[str(sorted(tensor["tags"].items()))]]
                assert snapshot["shape"] == [c, h, w]
                expected = np.array(snapshot["data"], dtype=float).reshape(c, h * w)[m["channel"]]
            assert m["values"] == list(expected), (tensor["name"], m["channel"])
            assert m["pending"] == 0

    last = trace["history"][entries[-1]]
    for size in VIEWPORTS:
        viewer.page.set_viewport_size(VIEWPORTS[size])
        slider.fill(str(len(entries)))
        if size == "desktop":   # the same drawing at both sizes: its numbers are read once
            shown_after(last)
        note = viewer.page.locator(f"#seg {FMAPS} .uv-caption").last.text_content()
        assert note.startswith("After epoch 12:") and f"Image {item} of the batch" in note
        assert viewer.page.locator(f"#seg {FMAPS} select.uv-fm-image").count() == 0
        viewer.shot("seg", f"history-segmentation-{size}")
        assert fits_sideways(viewer), size
    # Trained, the scores differ from the traced iteration's for that image.
    y = next(t for t in trace["tensors"] if t.get("tags") == {"quantity": "feature_map", "layer": 5})
    after = [m for m in drawn(viewer, "seg") if m["layer"] == "5"]
    assert after[0]["values"] != list(values(y).reshape(y["shape"][0], y["shape"][1], -1)[item - 1, 0])
    # A position between snapshots (after epoch 4) shows the last one before it, epoch 2's.
    viewer.page.evaluate("document.getElementById('seg').state.set({history: 3})")
    assert slider.input_value() == "2"
    shown_after(trace["history"][entries[1]])
    # Back to the traced iteration: the batch's maps and the image picker again.
    slider.fill("0")
    assert drawn(viewer, "seg") == traced
    assert viewer.page.locator(f"#seg {FMAPS} select.uv-fm-image").count() == 1
    viewer.assert_clean()


def test_the_cell_diagram_of_gradient_flows_lstm_follows_the_history_position(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"flow": traces["flow-lstm-trained"]})
    trace = viewer.traces["flow"]
    assert "lstm-cell" in viewer.tabs("flow")
    viewer.show("flow", "lstm-cell")
    n = len(recorded(trace, {"quantity": "hidden_state", "t": 3}))
    assert n == 4   # iterations 1, 2, 5 and 10
    viewer.go("flow", producer(trace, by_name(trace, "h_3")["id"]))
    traced = wire_state(viewer, "flow")
    for size in VIEWPORTS:
        viewer.page.set_viewport_size(VIEWPORTS[size])
        slide(viewer, "flow", "lstm-cell", n)
        assert history_text(viewer, "flow", "lstm-cell") == "after iteration 10 (of 10)"
        checked = 0
        for wire, shown in wire_state(viewer, "flow").items():
            if not traced[wire]["id"]:
                continue
            tags = trace["tensors"][int(traced[wire]["id"])]["tags"]
            if tags["quantity"] == "input":   # x_t: data
                assert shown["title"] == traced[wire]["title"]
                continue
            assert_wire_shows(shown, recorded(trace, tags)[-1][2])
            checked += 1
        assert checked >= 8, size
        viewer.shot("flow", f"history-flow-lstm-cell-{size}")
        assert fits_sideways(viewer), size
        # A step returns the traced wires.
        viewer.go("flow", producer(trace, by_name(trace, "h_3")["id"]) - 1)
        viewer.go("flow", producer(trace, by_name(trace, "h_3")["id"]))
        assert history_text(viewer, "flow", "lstm-cell") == "the traced step"
    viewer.assert_clean()


ROWS = {"bilstm-trained": {"f": "hf_{}", "b": "hb_{}"}, "bigru-trained": {"f": "hf_{}", "b": "hb_{}"}, "tdl-trained": {"": "zhat_{}"}}


def test_the_unrolled_norms_of_both_directions_and_the_delay_line_at_any_iteration(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {key: traces[key] for key in ROWS})
    for size in VIEWPORTS:
        viewer.page.set_viewport_size(VIEWPORTS[size])
        for key, rows in ROWS.items() if size == "desktop" else [("bilstm-trained", ROWS["bilstm-trained"])]:
            trace = viewer.traces[key]
            T, history = trace["config"]["steps"], trace["history"]
            keys = {("f" if s.get("tags", {}).get("direction") == "forward" else "b" if s.get("tags") else ""): s["key"]
                    for s in trace["series"] if s["quantity"] == "gradient_norm"}
            assert set(keys) == set(rows)
            series = {row: [[float(x) for x in e["tensors"][keys[row]]["data"]] for e in history] for row in rows}
            # Iteration 1's norms are those of the traced final gradients (numpy's norms here).
            for row, name in rows.items():
                traced = [float(np.linalg.norm(values(final_gradient(trace, by_name(trace, name.format(t))["id"])))) for t in range(1, T + 1)]
                assert series[row][0] == pytest.approx(traced, rel=1e-12), (key, row)
            viewer.show(key, "unrolled")
            slider = f"#{key} .ut-panel[data-view='unrolled'] input[type=range]"
            assert viewer.page.eval_on_selector(slider, "s => +s.max") == len(history)
            for k in (1, len(history)):
                viewer.page.eval_on_selector(slider, f"s => {{ s.value = {k}; s.dispatchEvent(new Event('input')); }}")
                bars = bar_norms(viewer, key)
                for row in rows:
                    assert [bars[(row, t)] for t in range(1, T + 1)] == pytest.approx(series[row][k - 1], rel=1e-12), (key, row, k)
                assert viewer.page.evaluate(f"document.getElementById('{key}').state.history") == k - 1
            # Training changes the gradients: the last iteration's are not the first's.
            assert any(not np.allclose(series[row][0], series[row][-1]) for row in rows), key
            viewer.shot(key, f"history-unrolled-{key}-{size}")
            assert fits_sideways(viewer), (key, size)
    viewer.assert_clean()
