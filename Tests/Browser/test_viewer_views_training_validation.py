"""The training view with a validation split (the `dropout` demo): the validation loss beside the
training loss, early stopping's marks at the right epochs, the per-epoch header, and accuracy
curves (the `cnn` demo), two variants' curves and the stages of transfer learning (the `transfer`
demo). Every expected number is read from the trace JSON."""

from __future__ import annotations

import numpy as np
import pytest

from views_support import Viewer, curve_points, make_traces


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["dropout", "dropout-p0", "cnn-epochs", "transfer-short"])


def polylines(viewer: Viewer, key: str, cls: str) -> list[list[list[float]]]:
    return viewer.page.eval_on_selector_all(
        f"#{key} polyline.{cls}",
        "ps => ps.map(p => p.getAttribute('points').trim().split(/\\s+/).map(xy => xy.split(',').map(Number)))")


def validation_series(trace: dict) -> dict:
    return next(s for s in trace["series"] if s["quantity"] == "validation_loss")


@pytest.mark.parametrize("size,scheme", [((1400, 900), "light"), ((1400, 900), "dark"), ((390, 844), "dark"), ((390, 844), "light")])
def test_validation_curve_and_early_stopping_marks(browser_context, tmp_path, traces, size, scheme):
    viewer = Viewer(browser_context, tmp_path, {"drop": traces["dropout"]}, scheme=scheme)
    viewer.page.set_viewport_size({"width": size[0], "height": size[1]})
    trace = viewer.traces["drop"]
    history = trace["history"]
    series = validation_series(trace)
    marks = series["marks"]
    assert set(marks) == {"best", "stop"} and marks["best"] < marks["stop"] == len(history)
    viewer.show("drop", "training")

    # Both curves: one point per entry, on one y-scale (heights affine in the value, the same map).
    train = [pt for run in curve_points(viewer, "drop") for pt in run]
    valid = [pt for run in polylines(viewer, "drop", "uv-curve-validation") for pt in run]
    losses = np.array([float(e["loss"]) for e in history])
    checks = np.array([float(e["tensors"][series["key"]]["data"][0]) for e in history])
    assert len(train) == len(valid) == len(history)
    fit = np.polyfit(losses, [y for _, y in train], 1)
    assert fit[0] < 0
    assert np.allclose(np.polyval(fit, checks), [y for _, y in valid], atol=0.02)
    assert [x for x, _ in train] == [x for x, _ in valid]

    # The marks: vertical lines at the x of their entries, labelled "best" and "stopped".
    for name, label in (("best", "best"), ("stop", "stopped")):
        mark = viewer.page.locator(f"#drop .uv-mark[data-mark='{name}']")
        assert int(mark.get_attribute("data-iteration")) == marks[name]
        x = float(mark.locator("line").get_attribute("x1"))
        assert abs(x - train[marks[name] - 1][0]) < 0.01
        assert mark.locator("text").text_content() == label
    # The best entry is the lowest validation loss (no min-delta in the default).
    assert int(np.argmin(checks)) + 1 == marks["best"]
    legend = viewer.page.locator("#drop .uv-legend text").all_text_contents()
    assert legend == ["training loss", "validation loss"]
    # The dash tells the curves apart without colour.
    dashes = viewer.page.eval_on_selector_all(
        "#drop polyline.uv-curve, #drop polyline.uv-curve-validation", "ps => ps.map(p => getComputedStyle(p).strokeDasharray)")
    assert len(set(dashes)) == 2
    # Per-epoch history: the header says epochs, not iterations.
    header = viewer.page.text_content("#drop .ut-loss-final")
    assert header.startswith(f"after {len(history)} epochs")
    caption = viewer.page.text_content("#drop .ut-panel[data-view='training'] .uv-caption")
    assert f"best epoch {marks['best']}" in caption and f"stopped after epoch {marks['stop']}" in caption
    viewer.shot("drop", f"training-dropout-{size[0]}-{scheme}")
    viewer.assert_clean()


def test_without_early_stopping_only_the_best_is_marked(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"plain": traces["dropout-p0"]})
    trace = viewer.traces["plain"]
    assert validation_series(trace)["marks"] == {"best": validation_series(trace)["marks"]["best"]}
    viewer.show("plain", "training")
    assert viewer.page.locator("#plain .uv-mark").count() == 1
    assert viewer.page.locator("#plain .uv-mark[data-mark='best']").count() == 1
    # The overfitting the chapter shows: the training loss ends far below the validation loss.
    last = trace["history"][-1]
    assert float(last["loss"]) < 0.5 * float(last["tensors"]["validation_loss"]["data"][0])
    viewer.shot("plain", "training-dropout-p0")
    viewer.assert_clean()


def test_accuracy_is_plotted_when_described(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"cnn": traces["cnn-epochs"]})
    history = viewer.traces["cnn"]["history"]
    viewer.show("cnn", "training")
    [points] = polylines(viewer, "cnn", "uv-acc-curve")
    accuracy = np.array([float(e["tensors"]["accuracy"]["data"][0]) for e in history])
    ys = np.array([y for _, y in points])
    assert len(points) == len(history)
    # A fixed 0–1 scale: y(a) = y(0) − a·(y(0) − y(1)), y(0) and y(1) where the axis's 0 and 1 ticks are.
    ticks = dict(viewer.page.eval_on_selector_all(
        "#cnn .uv-accuracy .uv-axis line + text", "ts => ts.map(t => [t.textContent, +t.previousElementSibling.getAttribute('y1')])"))
    y0, y1 = ticks["0"], ticks["1"]
    assert y0 > y1
    assert np.allclose(ys, y0 - accuracy * (y0 - y1), atol=0.01)
    assert viewer.page.locator("#cnn polyline.uv-acc-curve-validation").count() == 0
    viewer.assert_clean()


def test_each_variants_curves_and_the_stages(browser_context, tmp_path, traces):
    """transfer: the pretrained and the from-scratch network's losses and accuracies, each series
    a curve with its own legend row, and a divider where the training_stage series changes."""
    viewer = Viewer(browser_context, tmp_path, {"tl": traces["transfer-short"]})
    trace = viewer.traces["tl"]
    history = trace["history"]
    viewer.show("tl", "training")
    series = {s["key"]: s for s in trace["series"]}
    losses = [k for k, s in series.items() if s["quantity"] in ("loss", "validation_loss") and k != "loss"]
    legend = viewer.page.locator("#tl .uv-loss .uv-legend text").all_text_contents()
    assert len(legend) == 1 + len(losses) and legend[0] == f"training loss ({series['loss']['variant']})"
    for key in losses:
        s = series[key]
        label = ("validation loss" if s["quantity"] == "validation_loss" else "training loss") + f" ({s['variant']})"
        assert label in legend, (label, legend)
    # Every scratch curve is drawn in the second variant's style; each has a point per entry with a value.
    scratch = [k for k in losses if series[k].get("variant") == "scratch"]
    assert viewer.page.locator("#tl .uv-loss polyline.uv-curve-other").count() == len(scratch)
    for key in losses:
        count = sum(1 for e in history if key in e.get("tensors", {}))
        assert count in viewer.page.eval_on_selector_all("#tl .uv-loss polyline", "ps => ps.map(p => +p.dataset.count)")
    # Stage dividers: where training_stage changes, between the two entries.
    stages = [int(e["tensors"]["training_stage"]["data"][0]) for e in history]
    changes = [history[k]["iteration"] for k in range(1, len(stages)) if stages[k] != stages[k - 1]]
    drawn = viewer.page.eval_on_selector_all("#tl .uv-loss .uv-stage", "gs => gs.map(g => [+g.dataset.iteration, +g.dataset.stage])")
    assert drawn == [[it, stages[it - 1]] for it in changes] and len(drawn) == 2
    xs = [pt[0] for run in curve_points(viewer, "tl") for pt in run]
    for it, _ in drawn:
        x = float(viewer.page.locator(f"#tl .uv-loss .uv-stage[data-iteration='{it}'] line").get_attribute("x1"))
        assert abs(x - (xs[it - 2] + xs[it - 1]) / 2) < 0.01
    accuracy = viewer.page.locator("#tl .uv-accuracy .uv-legend text").all_text_contents()
    assert sorted(accuracy) == ["validation accuracy (scratch)", "validation accuracy (transfer)"]
    viewer.assert_clean()
