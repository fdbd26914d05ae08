"""The feature-maps view in a real Chromium over file://: every feature_map-tagged tensor of the
iteration as a heatmap of one channel, blank until its step, and a described feature_map history
series per entry; every drawn number is read here from the trace JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from views_support import OUTPUT, Viewer, read_trace, values
from viewer_harness import make_trace


@pytest.fixture(scope="module")
def conv(tmp_path_factory):
    return make_trace(tmp_path_factory.mktemp("conv"), "conv")


def panel(key):
    return f"#{key} .ut-panel[data-view='feature-maps']"


def maps(viewer, key):
    return viewer.page.eval_on_selector_all(
        f"{panel(key)} .uv-fmaps .uv-fmap",
        """ms => ms.map(m => ({id: +m.dataset.tensorId, channel: m.dataset.channel,
                              values: [...m.querySelectorAll('.uv-fcell')].map(c => +c.dataset.value),
                              pending: m.querySelectorAll('.uv-fcell.uv-pending').length}))""")


def channel_of(tensor, c):
    return list(values(tensor).reshape(tensor["shape"])[0, c].reshape(-1))


def test_every_feature_map_of_the_iteration_is_drawn_with_its_values(browser_context, tmp_path, conv):
    viewer = Viewer(browser_context, tmp_path, {"conv": conv})
    trace = viewer.traces["conv"]
    assert viewer.tabs("conv")[1:] == ["convolution", "feature-maps"]
    tagged = [t for t in trace["tensors"] if (t.get("tags") or {}).get("quantity") == "feature_map"]
    assert [t["tags"]["stage"] for t in tagged] == ["conv", "relu", "pool"]
    image = next(t for t in trace["tensors"] if (t.get("tags") or {}).get("quantity") == "image")
    tagged = [image] + tagged   # the input first, for comparison
    viewer.go("conv", len(trace["steps"]) - 1)
    viewer.show("conv", "feature-maps")
    shown = maps(viewer, "conv")
    assert [m["id"] for m in shown] == [t["id"] for t in tagged]
    for m, t in zip(shown, tagged):
        assert m["values"] == channel_of(t, 0) and m["pending"] == 0
    # At the conv2d step, A and P are not computed yet: blank.
    conv2d = next(s["index"] for s in trace["steps"] if s["op"] == "conv2d")
    viewer.go("conv", conv2d)
    assert [m["pending"] for m in maps(viewer, "conv")] == [0, 0, 64, 16]
    # The channel picker shows channel 2 of every map.
    viewer.page.select_option(f"{panel('conv')} .uv-fchannel", index=1)
    shown = maps(viewer, "conv")
    assert shown[0]["channel"] == "0" and shown[0]["values"] == channel_of(image, 0)   # X has one channel
    for m, t in zip(shown[1:], tagged[1:]):
        assert m["channel"] == "1" and m["values"] == channel_of(t, 1)
    viewer.shot("conv", "feature-maps")
    viewer.assert_clean()


def with_series(path, folder):
    """The conv trace with a history of three entries, each holding a 2×3×3 snapshot described as
    a feature_map series per epoch (what a training demo records)."""
    trace = read_trace(path)
    rng = np.random.default_rng(5)
    snaps = [rng.uniform(-1, 1, (2, 3, 3)) for _ in range(3)]
    trace["history"] = [{"iteration": k + 1, "loss": 1.0 / (k + 1), "traced": k == 0,
                         "tensors": {"fmap": {"shape": [2, 3, 3], "data": [float(v) for v in s.reshape(-1)]}}}
                        for k, s in enumerate(snaps)]
    trace["series"] = [{"key": "fmap", "quantity": "feature_map", "of": "image", "axis": "channel", "per": "epoch",
                        "meaning": "the seven's maps at layer 1"}]
    out = folder / "conv-series.json"
    out.write_text(json.dumps(trace), encoding="utf-8")
    return out, snaps


def test_a_feature_map_series_is_shown_per_entry_with_a_slider(browser_context, tmp_path, conv):
    path, snaps = with_series(conv, tmp_path)
    viewer = Viewer(browser_context, tmp_path / "page", {"series": path})
    viewer.show("series", "feature-maps")
    box = f"{panel('series')} .uv-fseries"
    def drawn():
        return viewer.page.eval_on_selector_all(f"{box} .uv-fcell", "cs => cs.map(c => +c.dataset.value)")
    assert viewer.page.get_attribute(box, "data-entry") == "3"
    assert drawn() == list(snaps[2][0].reshape(-1))
    viewer.page.eval_on_selector(f"{box} input[type=range]", "r => { r.value = '0'; r.dispatchEvent(new Event('input')); }")
    assert viewer.page.get_attribute(box, "data-entry") == "1"
    assert drawn() == list(snaps[0][0].reshape(-1))
    viewer.page.select_option(f"{box} .uv-fseries-channel", index=1)
    assert drawn() == list(snaps[0][1].reshape(-1))
    OUTPUT.mkdir(exist_ok=True)
    viewer.shot("series", "feature-maps-series")
    viewer.assert_clean()
