"""Renaming every scope and tensor of every trace that suggests views keeps every view and what it
shows: the views find what they draw by the traces' declarations (scope kinds, tensor tags,
series), never by a name. A module of its own, so that pytest-xdist runs it beside the other
views' tests (test_viewer_views.py)."""

from __future__ import annotations

import pytest

from views_support import MORE, Viewer, declared_views, every_demo, make_traces, read_trace, rewrite


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, every_demo() + MORE)


def rename_everything(trace: dict):
    """New display names for every scope and tensor, declarations kept."""
    for scope in trace["scopes"]:
        scope["name"] = f"region {scope['id']}"
    for tensor in trace["tensors"]:
        tensor["name"], tensor["tex"] = f"v{tensor['id']}", f"v_{{{tensor['id']}}}"


# What a view shows, apart from names: its hooks and which parts are lit.
HOOKS = """p => [...p.querySelectorAll('[data-tensor-id], [data-norm], [data-value], [data-t], [data-node], .uv-lit,'
  + ' .uv-heatcell, .uv-word, .uv-curve, .uv-traced, .uv-rowlit, .uv-single, .uv-nb-row')].map(e => [e.tagName, e.getAttribute('class'),
  e.getAttribute('data-tensor-id'), e.getAttribute('data-norm'), e.getAttribute('data-value'), e.getAttribute('data-t'),
  e.getAttribute('data-dir'), e.getAttribute('data-node'), e.getAttribute('data-wire'), e.getAttribute('visibility'),
  e.getAttribute('points')])"""


def steps_to_compare(view: str, steps: int) -> list[int]:
    """The first step, the middle and the last: the hooks of every part of a trace. The training
    view draws the history, and a step only moves its mark to the step's iteration: the first and
    the last step (the first and last traced iterations)."""
    chosen = {0, steps - 1} if view == "training" else {0, steps // 2, steps - 1}
    return sorted(s for s in chosen if s >= 0)


# Both viewers on a view at a step, and what each then shows: one round trip to the browser.
SHOW_BOTH = """([keys, view, step]) => keys.map(key => {
  const viewer = document.getElementById(key);
  viewer.querySelector(`.ut-tab[data-view='${view}']`).click();
  viewer.goTo(step);
  const panel = viewer.querySelector(`.ut-panel[data-view='${view}']`);
  return {hooks: (""" + HOOKS + """)(panel), error: panel.querySelectorAll('.ut-error').length,
          drawn: panel.querySelectorAll('svg, table, .uv-single').length};
})"""


def test_renaming_every_scope_and_tensor_keeps_every_view_and_what_it_shows(browser_context, tmp_path, traces):
    keys = [key for key in every_demo() + MORE if read_trace(traces[key]).get("views")]
    renamed = {f"{key}-renamed": rewrite(traces[key], tmp_path / f"{key}-renamed.json", rename_everything) for key in keys}
    viewer = Viewer(browser_context, tmp_path / "page", {**{key: traces[key] for key in keys}, **renamed})
    for key in keys:
        trace, other = viewer.traces[key], f"{key}-renamed"
        assert all(not s["name"].startswith("t = ") for s in viewer.traces[other]["scopes"])
        assert viewer.tabs(other) == viewer.tabs(key), key
        for view in declared_views(trace):
            for index0 in steps_to_compare(view, len(trace["steps"])):
                original, copy = viewer.page.evaluate(SHOW_BOTH, [[key, other], view, index0 + 1])
                assert original["error"] == copy["error"] == 0 and copy["drawn"] >= 1, (key, view, index0)
                assert original["hooks"] and copy["hooks"] == original["hooks"], (key, view, index0)
    viewer.assert_clean()
