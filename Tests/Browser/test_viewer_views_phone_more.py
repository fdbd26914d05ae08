"""Issue 20, item 5's rest: the Unrolled and residual views on a desktop (1400×900) and then, on the same
page, a phone (390×844), and the convolution grids' numbers on a desktop. On the phone each draws
its narrow drawing: nothing scrolls sideways and no text is drawn under 11 px (test_viewer_views_phone's
MEASURE), with the same hooks and the same values as the wide drawing. The two directions' bars of a
bidirectional network carry a legend that says in words which bar is which (WCAG 1.4.1), and the bars
stand where it says; axe finds no WCAG 2.1 AA violation in the phone's drawings. Expected numbers are read from the trace JSON here (numpy for the norms)."""

from __future__ import annotations

import json

import pytest

from test_viewer_views_history import axe_violations
from test_viewer_views_phone import MEASURE
from test_viewer_views_residual import below, steps_making_gradient_of
from views_support import VIEWPORTS, Viewer, bar_norms, declared, expected_norms, make_traces

SITE_FIGURE = "<style>.unrolled-figure { margin: 2rem 0; }</style>"   # a course page's margins (site.css)
UNROLLED = ".ut-panel[data-view='unrolled']"


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["rnn-long", "birnn", "flow-history", "residual", "conv"])


def measure(viewer: Viewer, key: str, view: str) -> dict:
    return viewer.page.locator(f"#{key} .ut-panel[data-view='{view}']").evaluate(MEASURE)


def wait_for_drawings(viewer: Viewer, panel: str, narrow: int):
    """Until the panel shows `narrow` narrow drawings: a resize switches drawings after it is laid out."""
    viewer.page.wait_for_function(f"() => document.querySelectorAll({json.dumps(panel + ' svg.uv-narrow')}).length === {narrow}")


def assert_fits(shown: dict, narrow: int):
    """The drawings wanted, nothing scrolling sideways and, in the narrow drawings, no text under 11 px
    (the wide ones are drawn for a desktop's panel: at 1400 px theirs are 10 px and more)."""
    assert shown["narrow"] == narrow, shown
    assert shown["scroll"] <= shown["client"] and shown["page"] <= shown["viewport"], shown
    assert not narrow or shown["small"] == [], shown


def bar_boxes(viewer: Viewer, key: str) -> dict[tuple[str, int], tuple[float, float, float, float]]:
    return {(d, t): box for d, t, box in viewer.page.eval_on_selector_all(
        f"#{key} {UNROLLED} .uv-bar",
        "bs => bs.map(b => [b.getAttribute('data-dir') || '', +b.getAttribute('data-t'), ['x', 'y', 'width', 'height'].map(a => +b.getAttribute(a))])")}


def legend(viewer: Viewer, key: str) -> dict[str, str]:
    return dict(viewer.page.eval_on_selector_all(f"#{key} {UNROLLED} .uv-bar-key",
                                                 "ks => ks.map(k => [k.getAttribute('data-dir'), k.textContent])"))


def test_the_unrolled_view_stacks_its_time_steps_on_a_phone_and_spreads_them_on_a_desktop(browser_context, tmp_path, traces):
    keys = {"rnn": "rnn-long", "bi": "birnn", "flow": "flow-history"}
    viewer = Viewer(browser_context, tmp_path, {key: traces[name] for key, name in keys.items()}, body_before=SITE_FIGURE)
    rnn, bi, flow = (viewer.traces[key] for key in keys)
    T = rnn["config"]["steps"]
    rnn_states = {("", t): f"h_{t}" for t in range(1, T + 1)}
    bi_states = {(d, t): f"h{d}_{t}" for d in ("f", "b") for t in range(1, 4)}
    last = {key: max(s["index"] for s in viewer.traces[key]["steps"] if s["phase"] == "backward") for key in ("rnn", "bi")}
    middle = (min(s["index"] for s in rnn["steps"] if s["phase"] == "backward") + last["rnn"]) // 2
    history = [float(x) for x in flow["history"][-1]["tensors"]["grad_norm_h"]["data"]]
    for size in ("desktop", "phone"):
        viewer.page.set_viewport_size(VIEWPORTS[size])
        narrow = int(size == "phone")
        for key in keys:
            viewer.show(key, "unrolled")
            wait_for_drawings(viewer, f"#{key} {UNROLLED}", narrow)
            assert_fits(measure(viewer, key, "unrolled"), narrow)
        # The bars are the norms of the latest gradient of each h_t, all of them and part-way back.
        for step in (last["rnn"], middle):
            viewer.go("rnn", step)
            expected, shown = expected_norms(rnn, rnn_states, step), bar_norms(viewer, "rnn")
            assert any(v is not None for v in expected.values())
            for state in rnn_states:
                assert (shown[state] is None) == (expected[state] is None), (size, state)
                if expected[state] is not None:
                    assert shown[state] == pytest.approx(expected[state], rel=1e-12), (size, state)
        viewer.go("bi", last["bi"])
        assert bar_norms(viewer, "bi") == pytest.approx(expected_norms(bi, bi_states, last["bi"]), rel=1e-12)
        flow_bars = bar_norms(viewer, "flow")
        assert [flow_bars[("", t)] for t in range(1, len(history) + 1)] == pytest.approx(history, rel=1e-12)
        # Stacked on a phone (each t a row further down, the bars lying), side by side on a desktop;
        # the legend says where each direction's bar is, and it is there.
        boxes = bar_boxes(viewer, "bi")
        along, across = (1, 0) if narrow else (0, 1)
        assert all(boxes[("f", t)][along] < boxes[("f", t + 1)][along] for t in (1, 2)), boxes
        first, second = ("upper", "lower") if narrow else ("left", "right")
        assert legend(viewer, "bi") == {"f": f"forward direction: the {first} bar of each t",
                                        "b": f"backward direction: the {second} bar of each t"}
        assert all(boxes[("f", t)][along] < boxes[("b", t)][along] for t in (1, 2, 3)), boxes
        assert legend(viewer, "rnn") == {}
        if not narrow:
            # Each row's wires lie over the gaps between its cells: one per pair t, t+1, none past the ends.
            for key in ("bi", "rnn"):
                gaps, wires = viewer.page.evaluate("""key => {
                  const panel = document.querySelector(`#${key} .ut-panel[data-view='unrolled']`);
                  const rows = {};
                  for (const u of panel.querySelectorAll('.uv-unit')) {
                    const r = u.querySelector('rect'), x = +r.getAttribute('x'), y = +r.getAttribute('y');
                    (rows[y] = rows[y] || []).push([+u.getAttribute('data-t'), x, x + +r.getAttribute('width'), y + +r.getAttribute('height')]);
                  }
                  const gaps = Object.entries(rows).map(([y, cells]) => { cells.sort((a, b) => a[0] - b[0]);
                    return cells.slice(1).map((c, i) => [+y, c[3], cells[i][2], c[1]]); }).flat();
                  const wires = [...panel.querySelectorAll('line.uv-arrow')].map(l => [+l.getAttribute('x1'), +l.getAttribute('x2'), +l.getAttribute('y1')]);
                  return [gaps, wires];
                }""", key)
                assert len(wires) == len(gaps) > 0, (key, gaps, wires)
                for top, bottom, right, left in gaps:
                    middle = (right + left) / 2
                    assert sum(1 for x1, x2, y in wires if x1 < middle < x2 and top < y < bottom) == 1, (key, top, middle, wires)
        # A bar's length runs across the time axis: its width on a phone, its height on a desktop.
        lengths = [boxes[("f", t)][2 + across] for t in (1, 2, 3)]
        assert all(0 < length <= 150 for length in lengths) and len(set(lengths)) == 3, boxes
        viewer.shot("bi", f"unrolled-birnn-{size}")
        viewer.shot("flow", f"unrolled-flow-history-{size}")
        # A cell is a button, to the mouse and to the keyboard.
        viewer.page.click(f"#rnn {UNROLLED} .uv-unit[data-t='5']")
        assert declared(rnn, rnn["steps"][viewer.step0("rnn")]["scope"], "time_step", "t") == 5
        viewer.page.focus(f"#rnn {UNROLLED} .uv-unit[data-t='3']")
        viewer.page.keyboard.press("Enter")
        assert viewer.step0("rnn") == next(s["index"] for s in rnn["steps"] if declared(rnn, s["scope"], "time_step", "t") == 3)
    viewer.assert_clean()
    # The legend and the narrow drawing, for screen readers and contrast (axe's own script last: it is a request of its own).
    assert axe_violations(viewer, f"#bi {UNROLLED}") == []


def test_the_residual_view_fits_a_phone_and_the_convolution_numbers_read_on_a_desktop(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"res": traces["residual"], "conv": traces["conv"]}, body_before=SITE_FIGURE)
    trace = viewer.traces["res"]
    add = steps_making_gradient_of(trace, below(trace, 4, "residual")["id"], "residual")[-1]
    for size in ("desktop", "phone"):
        viewer.page.set_viewport_size(VIEWPORTS[size])
        narrow = 2 if size == "phone" else 0   # the chart and the block
        viewer.go("res", 0)
        panel = viewer.show("res", "residual")
        wait_for_drawings(viewer, "#res .ut-panel[data-view='residual']", narrow)
        # A point goes to the layer's backward add, and the block shows the two paths adding.
        viewer.page.click("#res .uv-res-point[data-variant='residual'][data-layer='4']")
        assert viewer.step0("res") == add["index"]
        assert panel.locator(".uv-res-path.uv-lit").count() == 2
        heading = panel.locator(".uv-res-heading").text_content()
        assert heading.replace(" ", "") == "Layer4oftheresidual(withtheskip):backward", heading
        assert_fits(measure(viewer, "res", "residual"), narrow)
        for variant in ("plain", "residual"):
            series = next(s["key"] for s in trace["series"] if s.get("variant") == variant and s["quantity"] == "gradient_norm")
            norms = [float(x) for x in trace["history"][0]["tensors"][series]["data"]]
            drawn = panel.evaluate(f"""p => [...p.querySelectorAll(".uv-res-point[data-variant='{variant}']")].map(c => +c.dataset.norm)""")
            assert drawn == norms, (size, variant)
        viewer.shot("res", f"residual-{size}")
        if size == "desktop":
            # The convolution grids' numbers at 11 px or more on a desktop (the phone's are test_viewer_views_phone's).
            viewer.go("conv", next(s["index"] for s in viewer.traces["conv"]["steps"] if s["op"] == "conv2d"))
            viewer.show("conv", "convolution")
            shown = measure(viewer, "conv", "convolution")
            assert shown["scroll"] <= shown["client"] and shown["small"] == [], shown
            assert viewer.page.locator("#conv .uv-conv-grid .uv-conv-value").count() >= 3 * 9
    viewer.assert_clean()
    assert axe_violations(viewer, "#res .ut-panel[data-view='residual']") == []
