"""The feature-maps view in a real Chromium over file://: the image and maps it draws, per channel
and per image of the batch, and per epoch from the history, are the trace's numbers; the colour
scale diverges at 0; maps not computed yet are blank."""

from __future__ import annotations

import numpy as np
import pytest

from views_support import Viewer, producer, values
from viewer_harness import make_trace

PANEL = ".ut-panel[data-view='feature-maps']"


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traces")
    made = {}
    demos = {"cnn": ("cnn", "--train", "4", "--batch", "3", "--image", "2"), "mlp": ("mlp",),
             "augmented": ("cnn", "--train", "1", "--batch", "3", "--augment", "flip+shift+noise", "--seed", "4")}
    for key, (demo, *params) in demos.items():
        sub = folder / key
        sub.mkdir()
        made[key] = make_trace(sub, demo, *params)
    return made


def tagged(trace: dict, **tags) -> list[dict]:
    return [t for t in trace["tensors"] if t.get("tags") and all(t["tags"].get(k) == v for k, v in tags.items())]


def drawn(viewer: Viewer, key: str) -> list[dict]:
    """Every map drawn, in page order: its hooks and its cells' values and fills."""
    return viewer.page.eval_on_selector_all(
        f"#{key} {PANEL} svg.uv-fmap",
        """ms => ms.map(m => ({tensor: m.getAttribute('data-tensor-id'), channel: +m.getAttribute('data-channel'),
                              layer: m.getAttribute('data-layer'), stage: m.getAttribute('data-stage'),
                              values: [...m.querySelectorAll('.uv-fmcell')].map(c => +c.getAttribute('data-value')),
                              fills: [...m.querySelectorAll('.uv-fmcell')].map(c => c.getAttribute('fill')),
                              pending: m.querySelectorAll('.uv-fmcell.uv-pending').length}))""")


def expected_traced(trace: dict, image: int) -> list[tuple[int, int, np.ndarray]]:
    """(tensor id, channel, values) of the image and every feature map, network order: the
    image, then by layer, and within a layer in the order the steps make them."""
    maps = tagged(trace, quantity="image") + sorted(
        tagged(trace, quantity="feature_map"), key=lambda t: (t["tags"]["layer"], producer(trace, t["id"])))
    out = []
    for t in maps:
        n, c, h, w = t["shape"]
        data = values(t).reshape(n, c, h * w)
        out += [(t["id"], channel, data[image, channel]) for channel in range(c)]
    return out


def test_traced_maps_are_the_tensors_of_the_chosen_image_in_network_order(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"cnn": traces["cnn"], "mlp": traces["mlp"]})
    assert "feature-maps" in viewer.tabs("cnn") and "feature-maps" not in viewer.tabs("mlp")
    trace = viewer.traces["cnn"]
    viewer.go("cnn", len(trace["steps"]) - 1)
    viewer.show("cnn", "feature-maps")
    for image in (0, 2):
        if image:
            viewer.page.select_option(f"#cnn {PANEL} select.uv-fm-image", str(image))
        maps = drawn(viewer, "cnn")
        expected = expected_traced(trace, image)
        assert [(int(m["tensor"]), m["channel"]) for m in maps] == [(i, c) for i, c, _ in expected]
        for m, (_, _, data) in zip(maps, expected):
            assert m["values"] == list(data)
            assert m["pending"] == 0
    stages = [m["stage"] for m in maps if m["channel"] == 0]
    assert stages == ["image", "conv", "relu", "pool", "conv", "relu"]
    # The scale diverges at 0: red above, blue below, nothing at exactly 0 (ReLU's zeros).
    for m in maps:
        for v, fill in zip(m["values"], m["fills"]):
            if v > 0:
                assert fill.startswith("rgba(214")
            elif v < 0:
                assert fill.startswith("rgba(40")
            else:
                assert fill == "transparent"
    # The accessible table of a map holds its numbers, as the viewer formats them.
    first_row = viewer.page.eval_on_selector_all(
        f"#cnn {PANEL} table.uv-sr-only >> nth=0 >> tbody tr >> nth=0 >> td", "tds => tds.map(t => t.textContent)")
    image_row = expected_traced(trace, 2)[0][2][:8]
    assert [float(t.replace("−", "-")) for t in first_row] == pytest.approx(list(image_row), abs=5e-3, rel=5e-3)
    viewer.shot("cnn", "feature-maps-traced")

    # Before the second convolution runs, its maps (and the ReLU's after it) are blank and the
    # step that makes z_2 rings it.
    z_2 = tagged(trace, quantity="feature_map", layer=2, stage="conv")[0]
    at = producer(trace, z_2["id"])
    viewer.go("cnn", at - 1)
    blank = {m["stage"] for m in drawn(viewer, "cnn") if m["layer"] == "2" and m["pending"] == len(m["values"])}
    assert blank == {"conv", "relu"}
    viewer.go("cnn", at)
    lit = viewer.page.eval_on_selector_all(
        f"#cnn {PANEL} svg.uv-fmap", "ms => ms.filter(m => m.querySelector('.uv-fmap-frame').getAttribute('stroke-width') === '3')"
        ".map(m => m.getAttribute('data-tensor-id'))")
    assert set(lit) == {str(z_2["id"])}
    viewer.assert_clean()


def test_the_epoch_slider_shows_the_chosen_images_maps_after_each_epoch(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"cnn": traces["cnn"]})
    trace = viewer.traces["cnn"]
    keys = [s["key"] for s in trace["series"] if s["quantity"] == "feature_map"]
    viewer.show("cnn", "feature-maps")
    slider = viewer.page.locator(f"#cnn {PANEL} input.uv-fm-epoch")
    assert slider.get_attribute("max") == str(len(trace["history"]))
    for epoch in (1, 3, 4):
        slider.fill(str(epoch))
        entry = trace["history"][epoch - 1]
        maps = drawn(viewer, "cnn")
        expected = []
        for key in keys:
            snapshot = np.array(entry["tensors"][key]["data"], dtype=float).reshape(entry["tensors"][key]["shape"][0], -1)
            expected += list(snapshot)
        assert len(maps) == len(expected)
        for m, data in zip(maps, expected):
            assert m["values"] == list(data)
        assert viewer.page.locator(f"#cnn {PANEL} select.uv-fm-image").count() == 0
        note = viewer.page.locator(f"#cnn {PANEL} .uv-caption").last.text_content()
        accuracy = entry["tensors"]["accuracy"]["data"][0]
        assert f"After epoch {epoch}:" in note and f"accuracy {accuracy:.3g}".rstrip("0").rstrip(".") in note
    viewer.shot("cnn", "feature-maps-epoch")
    # Back to the traced iteration: the batch's maps again, the image picker back.
    slider.fill("0")
    assert viewer.page.locator(f"#cnn {PANEL} select.uv-fm-image").count() == 1
    assert drawn(viewer, "cnn")[0]["stage"] == "image"
    viewer.page.set_viewport_size({"width": 390, "height": 844})
    viewer.shot("cnn", "feature-maps-phone")
    viewer.assert_clean()


def test_dark_scheme_and_keyboard(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"cnn": traces["cnn"]}, scheme="dark")
    viewer.show("cnn", "feature-maps")
    first = viewer.page.locator(f"#cnn {PANEL} svg.uv-fmap").first
    first.focus()
    assert first.evaluate("m => document.activeElement === m")
    assert "channel 1 of 1" in first.get_attribute("aria-label")
    viewer.shot("cnn", "feature-maps-dark")
    viewer.assert_clean()


def test_an_augmented_batch_shows_as_drawn_then_augmented_before_the_maps(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"augmented": traces["augmented"]})
    trace = viewer.traces["augmented"]
    viewer.go("augmented", len(trace["steps"]) - 1)
    viewer.show("augmented", "feature-maps")
    maps = drawn(viewer, "augmented")
    first = [m for m in maps if m["channel"] == 0]
    assert [m["stage"] for m in first] == ["image", "augmented", "conv", "relu", "pool", "conv", "relu"]
    x, x_aug = tagged(trace, quantity="image")
    assert (int(first[0]["tensor"]), int(first[1]["tensor"])) == (x["id"], x_aug["id"])
    assert x_aug["tags"] == {"quantity": "image", "stage": "augmented"}
    assert first[1]["values"] == list(values(x_aug).reshape(3, -1)[0])
    titles = viewer.page.eval_on_selector_all(f"#augmented {PANEL} h3", "hs => hs.map(h => h.textContent)")
    assert titles[:2] == ["input image (x)", "input image, augmented (x_aug)"]
