"""The training view (loss curve, embedding scatter) in a real Chromium over file://, every view in
both colour schemes, and the views' speed on a long trace."""

from __future__ import annotations

import numpy as np
import pytest

from viewer_harness import make_trace
from views_support import Viewer, by_name, curve_points, make_traces


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["rnn-long", "cbow-epochs", "rnn-wide", "mlp-diverging", "mlp", "lstm", "gru",
                                          "bilstm", "encoder-decoder", "skipgram"])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_training_curve_has_one_point_per_history_entry(browser_context, tmp_path, traces, scheme):
    viewer = Viewer(browser_context, tmp_path, {"rnn": traces["rnn-long"], "cbow": traces["cbow-epochs"]}, scheme=scheme)
    for key in ("rnn", "cbow"):
        history = viewer.traces[key]["history"]
        viewer.show(key, "training")
        points = viewer.page.eval_on_selector(f"#{key} .uv-curve", "p => p.getAttribute('points').trim().split(/\\s+/).length")
        assert points == len(history)
        traced = viewer.page.locator(f"#{key} .uv-traced").count()
        assert traced == sum(1 for e in history if e["traced"])
    # Hover shows the iteration and its loss.
    viewer.page.locator("#rnn .uv-loss").scroll_into_view_if_needed()
    box = viewer.page.locator("#rnn .uv-loss").bounding_box()
    # The chart's viewBox is 900 wide with the plot ending at 880: the last iteration's x.
    viewer.page.mouse.move(box["x"] + box["width"] * 880 / 900, box["y"] + box["height"] / 2)
    text = viewer.page.text_content("#rnn .uv-hover-text")
    last = viewer.traces["rnn"]["history"][-1]
    assert text.startswith(f"iteration {last['iteration']}: loss ")
    viewer.shot("rnn", f"training-rnn-{scheme}")

    # word2vec: one labelled point per vocabulary word; the slider moves them.
    cbow = viewer.traces["cbow"]
    words = by_name(cbow, "W_in")["labels"][0]
    assert viewer.page.eval_on_selector_all("#cbow .uv-word", "ws => ws.map(w => w.getAttribute('data-word'))") == words
    def positions():
        return viewer.page.eval_on_selector_all("#cbow .uv-point", "cs => cs.map(c => [+c.getAttribute('cx'), +c.getAttribute('cy')])")
    at_last = positions()
    viewer.page.eval_on_selector("#cbow .uv-scatter input[type=range]", "s => { s.value = 0; s.dispatchEvent(new Event('input')); }")
    assert positions() != at_last
    # The epoch slider is the viewer's history position (the first epoch's entry of trace.history).
    first_epoch = next(i for i, e in enumerate(cbow["history"]) if "W_in_pca" in (e.get("tensors") or {}))
    assert viewer.page.evaluate("document.getElementById('cbow').state.history") == first_epoch
    # Independent check of the placement: x and y are an affine image of W_in_pca (same scale both axes).
    pca = np.array([float(v) for v in cbow["history"][0]["tensors"]["W_in_pca"]["data"]]).reshape(-1, 2)
    shown = np.array(positions())
    scale = (shown[:, 0] - shown[:, 0].mean()) / (pca[:, 0] - pca[:, 0].mean())
    assert np.allclose(scale, scale[0], rtol=1e-6)
    assert np.allclose(-(shown[:, 1] - shown[:, 1].mean()), scale[0] * (pca[:, 1] - pca[:, 1].mean()), atol=1e-3)
    viewer.shot("cbow", f"training-cbow-{scheme}")
    viewer.assert_clean()


def test_views_update_on_a_20000_step_trace(browser_context, tmp_path):
    """Each view of a bidirectional LSTM of 22,000+ steps updates at 40 steps spread over it,
    without an error. How long an update takes is printed here and measured in `make bench`
    (Benchmarks/viewer_bench.py), not asserted: a test does not time."""
    trace_path = make_trace(tmp_path, "bilstm", "--steps", "140")
    # Time each view's update from inside the page: wrap create() as the views register.
    browser_context.add_init_script("""
      window.__updateTimes = {};
      window.Unrolled = { views: [] };
      window.Unrolled.views.push = function (spec) {
        var create = spec.create;
        spec.create = function (host, model, api) {
          var view = create.call(this, host, model, api);
          var update = view.update;
          view.update = function (i) {
            var t0 = performance.now();
            update.call(view, i);
            (window.__updateTimes[spec.id] = window.__updateTimes[spec.id] || []).push(performance.now() - t0);
          };
          return view;
        };
        return Array.prototype.push.call(this, spec);
      };""")
    viewer = Viewer(browser_context, tmp_path / "page", {"big": trace_path})
    steps = len(viewer.traces["big"]["steps"])
    assert steps >= 20000
    for view in ("lstm-cell", "unrolled", "training"):
        viewer.show("big", view)
        for k in range(40):
            viewer.go("big", (k * 7919) % steps)
    times = viewer.page.evaluate("window.__updateTimes")
    report = {view: (round(float(np.median(t)), 3), round(max(t), 3)) for view, t in times.items()}
    print("update ms (median, max):", report)
    assert all(len(times[view]) >= 40 for view in ("lstm-cell", "unrolled", "training")), report
    viewer.shot("big", "unrolled-bilstm-140")
    viewer.assert_clean()


SHOWCASE = [  # (trace, view, where: a fraction of the way through the steps)
    ("lstm", "lstm-cell", 0.7), ("gru", "gru-cell", 0.2), ("bilstm", "unrolled", 0.8),
    ("encoder-decoder", "attention", 1.0), ("skipgram", "word2vec", 0.15), ("cbow-epochs", "training", 0.0),
]


def test_views_follow_light_and_dark_mode(browser_context, tmp_path, traces):
    """Each view in both colour schemes: its text colour follows the scheme (so nothing is
    dark on dark), and a screenshot of each is kept to be looked at."""
    colours = {}
    for scheme in ("light", "dark"):
        viewer = Viewer(browser_context, tmp_path / scheme, {key: traces[key] for key, _, _ in SHOWCASE}, scheme=scheme)
        for key, view, where in SHOWCASE:
            panel = viewer.show(key, view)
            steps = len(viewer.traces[key]["steps"])
            viewer.go(key, min(steps - 1, int(where * steps)))
            colours[(scheme, view)] = panel.evaluate(
                "p => getComputedStyle(p.querySelector('svg text')).fill")
            viewer.shot(key, f"{view}-{key}-{scheme}")
        viewer.assert_clean()
        viewer.page.close()
    for _, view, _ in SHOWCASE:
        assert colours[("light", view)] != colours[("dark", view)], view


def test_training_curve_log_scale_and_non_finite_losses(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"wide": traces["rnn-wide"], "narrow": traces["rnn-long"],
                                                "nan": traces["mlp-diverging"]})
    wide = [float(e["loss"]) for e in viewer.traces["wide"]["history"]]
    assert max(wide) / min(wide) > 100
    viewer.show("wide", "training")
    box = "#wide .ut-panel[data-view='training'] input[type=checkbox]"
    assert viewer.page.is_checked(box)
    # On a log scale the heights are affine in log10(loss); on a linear one, in the loss.
    ys = np.array([y for run in curve_points(viewer, "wide") for _, y in run])
    assert len(ys) == len(wide)
    fit = np.polyfit(np.log10(wide), ys, 1)
    assert np.allclose(np.polyval(fit, np.log10(wide)), ys, atol=0.02)
    viewer.page.uncheck(box)
    ys = np.array([y for run in curve_points(viewer, "wide") for _, y in run])
    fit = np.polyfit(wide, ys, 1)
    assert np.allclose(np.polyval(fit, wide), ys, atol=0.02)
    viewer.show("narrow", "training")
    assert viewer.page.locator("#narrow .ut-panel[data-view='training'] input[type=checkbox]").count() == 0

    # A diverging run: the curve stops where the loss stops being finite.
    losses = [float(e["loss"]) for e in viewer.traces["nan"]["history"]]
    finite = [x for x in losses if np.isfinite(x)]
    assert len(finite) < len(losses)
    viewer.show("nan", "training")
    runs = curve_points(viewer, "nan")
    assert sum(len(run) for run in runs) == len(finite)
    viewer.shot("nan", "training-diverging")
    viewer.assert_clean()


def test_a_single_iteration_is_its_loss_not_a_chart(browser_context, tmp_path, traces):
    """One SGD iteration (the mlp default): its loss as a sentence, not a chart of one point."""
    viewer = Viewer(browser_context, tmp_path, {"mlp": traces["mlp"]})
    assert len(viewer.traces["mlp"]["history"]) == 1
    panel = viewer.show("mlp", "training")
    entry = viewer.traces["mlp"]["history"][0]
    assert panel.locator("svg.uv-loss").count() == 0
    loss = viewer.page.evaluate(f"Unrolled.format({float(entry['loss'])!r})")
    assert f"loss {loss}" in panel.locator(".uv-single").inner_text()
    viewer.assert_clean()

