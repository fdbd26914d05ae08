"""The viewer for keyboard and screen-reader users (issue #20, item 6): the element is a region
named for its trace, each matrix is named for its tensor and shape, a result's cells are one tab
stop with the arrow keys moving inside (without stepping the trace), and Enter explains the cell
with the focus kept on it. What depends on the layout (the matrices' names, the arrows and Enter
inside a result, which on a phone sits in a box that scrolls sideways) runs on a desktop and a phone
(390×844, as with a keyboard paired to it)."""

from __future__ import annotations

import re

import pytest

from views_support import VIEWPORTS, Viewer, make_traces


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["mlp"])


def test_the_viewer_is_a_region_named_for_its_trace(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"mlp": traces["mlp"]})
    element = viewer.page.locator("#mlp")
    assert element.get_attribute("role") == "region"
    assert element.get_attribute("aria-label") == "Trace: " + viewer.traces["mlp"]["title"]
    viewer.assert_clean()


def open_at(browser_context, tmp_path, traces, size):
    viewer = Viewer(browser_context, tmp_path, {"mlp": traces["mlp"]})
    viewer.page.set_viewport_size(VIEWPORTS[size])
    return viewer


@pytest.mark.parametrize("size", VIEWPORTS)
def test_each_matrix_is_named_for_its_tensor(browser_context, tmp_path, traces, size):
    viewer = open_at(browser_context, tmp_path, traces, size)
    trace = viewer.traces["mlp"]
    viewer.go("mlp", 0)
    step = trace["steps"][0]
    labels = viewer.page.eval_on_selector_all("#mlp .ut-step-panel table.ut-mat", "ts => ts.map(t => t.getAttribute('aria-label'))")
    for tensor_id, label in zip(step["inputs"] + [step["output"]], labels):
        tensor = trace["tensors"][tensor_id]
        # By its TeX as plain text (W_{1} X reads "W_1 X"): what the reader sees, typeset.
        assert label.startswith(re.sub(r"_\{(\w+)\}", r"_\1", tensor["tex"]) + ", "), (label, tensor["tex"])
        assert "×".join(map(str, tensor["shape"])) in label or tensor["shape"] == [], label
    assert labels[-1].endswith("arrow keys move between its values, Enter shows how one was computed")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_a_results_cells_are_one_tab_stop_moved_by_arrows(browser_context, tmp_path, traces, size):
    viewer = open_at(browser_context, tmp_path, traces, size)
    trace = viewer.traces["mlp"]
    # A step whose result has at least two rows and two columns.
    index0 = next(s["index"] for s in trace["steps"]
                  if len(trace["tensors"][s["output"]]["shape"]) == 2 and min(trace["tensors"][s["output"]]["shape"]) >= 2)
    viewer.go("mlp", index0)
    cols = trace["tensors"][trace["steps"][index0]["output"]]["shape"][1]
    page = viewer.page
    out = "#mlp .ut-card[data-slot='out'] td[data-i]"
    stops = page.eval_on_selector_all(out, "cs => cs.filter(c => c.tabIndex === 0).map(c => Number(c.dataset.i))")
    assert stops == [0]
    page.locator(f"{out}[data-i='0']").focus()
    focused = lambda: page.evaluate("Number(document.activeElement.dataset.i)")
    page.keyboard.press("ArrowRight")
    assert focused() == 1
    page.keyboard.press("ArrowDown")
    assert focused() == 1 + cols
    page.keyboard.press("ArrowLeft")
    assert focused() == cols
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")   # at the top edge: stays
    assert focused() == 0
    assert viewer.step0("mlp") == index0, "the arrows inside the matrix do not step the trace"
    assert page.eval_on_selector_all(out, "cs => cs.filter(c => c.tabIndex === 0).length") == 1
    # Enter explains the focused cell and keeps the focus on it.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    assert page.locator("#mlp .ut-card[data-slot='out'] td.ut-selected").get_attribute("data-i") == "1"
    assert focused() == 1
    assert page.locator("#mlp .ut-prov-box .ut-prov").count() == 1
    # The focused value is in view, also where its matrix scrolls in its own box (a phone).
    assert page.evaluate("""() => { const c = document.activeElement.getBoundingClientRect();
        const box = document.activeElement.closest('.ut-card').getBoundingClientRect();
        return c.width > 0 && c.left >= Math.max(0, box.left) - 1 && c.right <= Math.min(window.innerWidth, box.right) + 1; }""")
    viewer.assert_clean()
