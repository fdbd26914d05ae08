"""Issue 20, item 1: the convolution view at any recorded epoch, in Chromium on a desktop (1400×900)
and then, on the same page, a phone (390×844). After an epoch the view works out the chosen
element from that epoch's kernel and bias (the `parameter` series) and the maps the history keeps
for one image of the traced batch (the `activation` series found by the tensors' tags; the input
image is data, as traced). The expected terms are numpy's, written here from the convolution's
equation over those snapshots (docs/trace-format.md, "Image ops"), never read from the view.
The snapshots themselves are checked against numpy's forward pass in
Tests/Python/test_history_more_views.py."""

from __future__ import annotations

import numpy as np
import pytest

from test_viewer_views_convolution import cells, click_output, conv_terms, data_value, panel, terms_shown
from test_viewer_views_history import history_text, slide
from test_viewer_views_history_rest import fits_sideways
from views_support import VIEWPORTS, Viewer, make_traces, values


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    import views_support
    # As test_viewer_views_history_rest.py makes it, so the run makes it once.
    views_support.SPECIAL.setdefault("seg-trained", ("segmentation", "--train", "12", "--image", "2"))
    return make_traces(tmp_path_factory, ["seg-trained", "cnn-epochs", "transfer-short"])


def snapshot(trace: dict, entry: dict, tensor: dict) -> np.ndarray:
    """The entry's value of `tensor`: its parameter series (by name) or its activation series (by
    tags), as one image of the batch (1 × C × H × W); the input image as traced, that item's."""
    if tensor.get("tags", {}).get("quantity") == "image":
        return values(tensor).reshape(tensor["shape"])[item(trace) - 1:item(trace)]
    series = next(s for s in trace["series"]
                  if (s["quantity"] == "parameter" and s["key"] == tensor["name"] and tensor["role"] == "parameter")
                  or (s["quantity"] == "activation" and s.get("tags") == tensor.get("tags")))
    data = entry["tensors"][series["key"]]
    return np.array([float(x) for x in data["data"]]).reshape(([1] if series.get("item") else []) + data["shape"])


def item(trace: dict) -> int:
    return next(s["item"] for s in trace["series"] if s["quantity"] == "activation")


def convs(trace: dict) -> list[dict]:
    return [s for s in trace["steps"] if s["op"] == "conv2d" and s["phase"] == "forward"]


def consumer(trace: dict, tensor_id: int, op: str) -> dict:
    return next(s for s in trace["steps"] if s["phase"] == "forward" and s["op"] == op and s["inputs"][0] == tensor_id)


def assert_worked_out(viewer: Viewer, key: str, step: dict, entry: dict, o: int, i: int, j: int) -> float:
    """The element (item, o, i, j) of `step`'s output after `entry`: every term is numpy's pair of
    the epoch's input patch and kernel tap, the sum plus the epoch's bias is the element, and the
    output grid is the epoch's map. Returns the element."""
    trace = viewer.traces[key]
    X, W, b = (snapshot(trace, entry, trace["tensors"][k]) for k in step["inputs"])
    Y = snapshot(trace, entry, trace["tensors"][step["output"]])
    assert viewer.page.get_attribute(panel(viewer, key), "data-element") == f"{item(trace) - 1},{o},{i},{j}"
    assert viewer.page.get_attribute(panel(viewer, key), "data-iteration") == str(entry["iteration"])
    expected = conv_terms(X, W, step, 0, o, i, j)
    shown = terms_shown(viewer, key)
    assert [(a, k) for a, k, _, _ in shown] == expected
    assert [p for _, _, p, _ in shown] == [a * k for a, k in expected]
    assert data_value(viewer, key, ".uv-conv-bias") == b[o]
    assert data_value(viewer, key, ".uv-conv-result") == Y[0, o, i, j]
    assert Y[0, o, i, j] == pytest.approx(b[o] + sum(a * k for a, k in expected), rel=1e-12, abs=1e-14)
    grid = cells(viewer, key, "output")
    assert [c["v"] for c in grid] == list(Y[0, o].reshape(-1))
    inputs = [c for c in cells(viewer, key, "input") if not c["pad"]]
    assert [c["v"] for c in inputs] == list(X[0, 0].reshape(-1))   # input channel 1, as the picker starts
    return float(Y[0, o, i, j])


def test_the_convolution_view_works_out_an_element_at_any_recorded_epoch(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"seg": traces["seg-trained"], "cnn": traces["cnn-epochs"], "transfer": traces["transfer-short"]})
    seg, cnn = viewer.traces["seg"], viewer.traces["cnn"]
    entries = {key: [e for e in viewer.traces[key]["history"] if "w_1" in (e.get("tensors") or {}) or "W_1" in (e.get("tensors") or {})]
               for key in ("seg", "cnn")}
    assert [e["iteration"] for e in entries["seg"]] == [1, 2, 5, 10, 12]
    assert [e["iteration"] for e in entries["cnn"]] == [1, 2, 4]

    # Segmentation's second convolution (3×3, dilation 2) reads the pooled m_2 the history keeps.
    conv2 = convs(seg)[1]
    assert conv2["attrs"]["dilation"] == [2, 2]
    viewer.go("seg", conv2["index"])
    viewer.show("seg", "convolution")
    traced_terms = terms_shown(viewer, "seg")
    slide(viewer, "seg", "convolution", len(entries["seg"]))
    assert history_text(viewer, "seg", "convolution") == "after epoch 12 (of 12)"
    click_output(viewer, "seg", 1, 2)
    viewer.page.select_option(f"{panel(viewer, 'seg')} .uv-conv-outchannel", index=2)
    after = assert_worked_out(viewer, "seg", conv2, entries["seg"][-1], 2, 1, 2)
    relu = snapshot(seg, entries["seg"][-1], seg["tensors"][consumer(seg, conv2["output"], "relu")["output"]])
    assert data_value(viewer, "seg", ".uv-conv-after[data-stage='relu']") == relu[0, 2, 1, 2] == max(0.0, after)
    assert terms_shown(viewer, "seg") != traced_terms
    # A position between snapshots (after epoch 4) shows epoch 2's, and says so.
    viewer.page.evaluate("document.getElementById('seg').state.set({history: 3})")
    assert history_text(viewer, "seg", "convolution") == "after epoch 2 (of 12)"
    assert_worked_out(viewer, "seg", conv2, entries["seg"][1], 2, 1, 2)

    # The cnn's first convolution reads the image (data), then ReLU and the 2×2 max pool, at epoch 4.
    conv1 = convs(cnn)[0]
    viewer.go("cnn", conv1["index"])
    viewer.show("cnn", "convolution")
    slide(viewer, "cnn", "convolution", len(entries["cnn"]))
    click_output(viewer, "cnn", 3, 5)
    z = assert_worked_out(viewer, "cnn", conv1, entries["cnn"][-1], 0, 3, 5)
    relu = consumer(cnn, conv1["output"], "relu")
    pool = snapshot(cnn, entries["cnn"][-1], cnn["tensors"][consumer(cnn, relu["output"], "max_pool2d")["output"]])
    a = snapshot(cnn, entries["cnn"][-1], cnn["tensors"][relu["output"]])
    assert data_value(viewer, "cnn", ".uv-conv-after[data-stage='relu']") == max(0.0, z)
    assert data_value(viewer, "cnn", ".uv-conv-after[data-stage='pool']") == pool[0, 0, 1, 2] == a[0, 0, 2:4, 4:6].max()
    # The tab's own step list keeps the epoch (a step of the trace would not): layer 2 reads h_1 after epoch 4.
    viewer.page.select_option(f"{panel(viewer, 'cnn')} .uv-conv-step", str(convs(cnn)[1]["index"]))
    assert history_text(viewer, "cnn", "convolution") == "after epoch 4 (of 4)"
    click_output(viewer, "cnn", 2, 1)
    assert_worked_out(viewer, "cnn", convs(cnn)[1], entries["cnn"][-1], 0, 2, 1)

    # A backward image op at an epoch: the history keeps no gradients, so the view works out the
    # forward convolution the gradient belongs to (∂W of layer 2: the conv2d that reads h_1).
    weight = next(s for s in cnn["steps"] if s["op"] == "conv2d_weight" and s["inputs"][0] == convs(cnn)[1]["inputs"][0])
    viewer.go("cnn", weight["index"])
    assert viewer.page.get_attribute(panel(viewer, "cnn"), "data-step") == str(weight["index"])
    slide(viewer, "cnn", "convolution", 1)
    assert viewer.page.get_attribute(panel(viewer, "cnn"), "data-step") == str(convs(cnn)[1]["index"])
    note = viewer.page.locator(f"{panel(viewer, 'cnn')} .uv-caption").last.text_content()
    assert note.startswith(f"After epoch 1, image {item(cnn)} of the batch: the history keeps no gradients")
    click_output(viewer, "cnn", 1, 3)
    assert_worked_out(viewer, "cnn", convs(cnn)[1], entries["cnn"][0], 0, 1, 3)

    # Transfer learning: the fine-tuning iteration's first convolution after the last epoch.
    transfer = viewer.traces["transfer"]
    conv = convs(transfer)[-2]
    viewer.go("transfer", conv["index"])
    viewer.show("transfer", "convolution")
    slide(viewer, "transfer", "convolution", 4)
    assert history_text(viewer, "transfer", "convolution") == "after epoch 8 (of 8)"
    click_output(viewer, "transfer", 4, 6)
    assert_worked_out(viewer, "transfer", conv, transfer["history"][-1], 0, 4, 6)

    # A step returns the traced values.
    viewer.go("cnn", conv1["index"])
    assert history_text(viewer, "cnn", "convolution") == "the traced step"
    assert viewer.page.get_attribute(panel(viewer, "cnn"), "data-iteration") == ""
    click_output(viewer, "cnn", 3, 5)
    traced = values(cnn["tensors"][conv1["output"]]).reshape(cnn["tensors"][conv1["output"]]["shape"])
    assert data_value(viewer, "cnn", ".uv-conv-result") == traced[0, 0, 3, 5] != z

    # On a phone: the same page at 390 px, the epoch's work drawn, nothing scrolling sideways.
    viewer.page.set_viewport_size(VIEWPORTS["phone"])
    slide(viewer, "seg", "convolution", len(entries["seg"]))
    assert data_value(viewer, "seg", ".uv-conv-result") == after
    viewer.page.locator(f"{panel(viewer, 'seg')} .uv-history").scroll_into_view_if_needed()
    viewer.shot("seg", "convolution-epoch-phone")
    assert fits_sideways(viewer)
    viewer.page.set_viewport_size(VIEWPORTS["desktop"])
    viewer.shot("seg", "convolution-epoch-desktop")
    viewer.assert_clean()
