"""The viewer's special views (Templates/assets/viewer/views/*.js) in a real Chromium,
through the <unrolled-trace> element's tabs, over file://: which views appear for which trace
comes from the traces' declarations alone (their `views`, scope kinds, tensor tags, series).
Stripping the declarations makes the views step aside (renaming every scope and tensor keeps
every view and what it shows: test_viewer_views_renaming.py). The views' numbers are checked in test_viewer_views_*.py."""

from __future__ import annotations

import pytest

from views_support import (MORE, Viewer, assert_wire_shows, by_name, declared_views, make_traces, producer, read_trace,
                           every_demo, rewrite, values, wire_state)

DECLARATIONS = {"scopes": ("kind", "attributes"), "tensors": ("tags",)}


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, every_demo() + MORE)


# Each of a viewer's tabs clicked in turn: whether its panel then shows, with no error, and draws.
SHOW_EACH = """([key, views]) => views.map(view => {
  const viewer = document.getElementById(key);
  viewer.querySelector(`.ut-tab[data-view='${view}']`).click();
  const panel = viewer.querySelector(`.ut-panel[data-view='${view}']`);
  return {visible: panel.checkVisibility(), error: panel.querySelectorAll('.ut-error').length,
          drawn: panel.querySelectorAll('svg, table, .uv-single').length};
})"""


def test_each_view_appears_for_the_traces_that_declare_it(browser_context, tmp_path, traces):
    """Every declared view is a tab, in the declared order, and shows and draws. Stepping each view
    through its trace's first, middle and last steps is the renaming test's
    (test_viewer_views_renaming.py), which shows every view of every trace at those steps."""
    viewer = Viewer(browser_context, tmp_path, {key: traces[key] for key in every_demo() + MORE})
    assert any(viewer.traces[key].get("views") for key in every_demo())
    assert viewer.traces["equations-recurrence"]["views"] == ["unrolled", "training"]
    for key in every_demo() + MORE:
        expected = declared_views(viewer.traces[key])
        # In the declared order; the step and the graph are every trace's.
        assert [tab for tab in viewer.tabs(key) if tab not in ("step", "graph")] == expected, key
        for view, shown in zip(expected, viewer.page.evaluate(SHOW_EACH, [key, expected])):
            # A view draws (svg), lists (the neighbours' tables) or, for one training entry, says its loss.
            assert shown["visible"] and shown["error"] == 0 and shown["drawn"] >= 1, (key, view, shown)
    viewer.assert_clean()


def test_gradient_flow_through_an_lstm_has_the_cell_diagram(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"rnn": traces["gradient-flow"], "lstm": traces["flow-lstm"]})
    assert "lstm-cell" not in viewer.tabs("rnn")
    assert "lstm-cell" in viewer.tabs("lstm")
    trace = viewer.traces["lstm"]
    c5 = by_name(trace, "c_5")
    viewer.go("lstm", producer(trace, c5["id"]))
    viewer.show("lstm", "lstm-cell")
    wires = wire_state(viewer, "lstm")
    assert wires["c"]["id"] == str(c5["id"])
    assert_wire_shows(wires["c"], values(c5))
    viewer.assert_clean()


def test_two_viewers_of_one_trace_keep_their_own_views(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"one": traces["lstm"], "two": traces["lstm"]})
    trace = viewer.traces["one"]
    for key, name in (("one", "h_1"), ("two", "h_3")):
        viewer.go(key, producer(trace, by_name(trace, name)["id"]))
        viewer.show(key, "lstm-cell")
        viewer.show(key, "unrolled")
        viewer.show(key, "lstm-cell")
    assert wire_state(viewer, "one")["h"]["tensor"] == "h_1"
    assert wire_state(viewer, "two")["h"]["tensor"] == "h_3"
    viewer.go("one", producer(trace, by_name(trace, "h_2")["id"]))
    assert wire_state(viewer, "one")["h"]["tensor"] == "h_2"
    assert wire_state(viewer, "two")["h"]["tensor"] == "h_3"
    # Patterns and markers inside SVGs need ids unique on the page.
    ids = viewer.page.eval_on_selector_all("svg [id]", "es => es.map(e => e.id)")
    assert len(ids) == len(set(ids))
    viewer.assert_clean()

def strip_declarations(trace: dict):
    for field, keys in DECLARATIONS.items():
        for item in trace[field]:
            for key in keys:
                item.pop(key, None)
    trace.pop("series", None)
    trace.pop("views", None)


def test_without_declarations_the_views_step_aside(browser_context, tmp_path, traces):
    keys = every_demo() + MORE
    stripped = {key: rewrite(traces[key], tmp_path / f"{key}-stripped.json", strip_declarations) for key in keys}
    viewer = Viewer(browser_context, tmp_path / "page", stripped)
    for key in keys:
        trace = viewer.traces[key]
        assert not any("kind" in s for s in trace["scopes"]) and "views" not in trace
        assert set(viewer.tabs(key)) <= {"step", "graph"}, key
        assert viewer.page.locator(f"#{key} .ut-error").count() == 0
        if trace["steps"]:   # the core viewer still steps through the trace
            viewer.go(key, len(trace["steps"]) // 2)
            assert viewer.step0(key) == len(trace["steps"]) // 2
    viewer.assert_clean()
