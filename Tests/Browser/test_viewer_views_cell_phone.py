"""Issue 20, item 5: the LSTM and GRU cell diagrams on a phone (390×844), against a desktop
(1400×900). On the phone the view draws its narrow drawing: the panel does not scroll sideways,
every text of the drawing is drawn at 11 px or more (its computed font size times the drawing's
scale, the rendered width over the viewBox's), and each wire's values, listed under the drawing,
are the trace's (read from the trace JSON here, as test_viewer_views_recurrent.py reads them). The
page sets the figure's margins as the site's stylesheet does (site.css: no side margins), so the
panel is as wide as on a course page."""

from __future__ import annotations

import pytest

from views_support import VIEWPORTS, Viewer, assert_wire_shows, by_name, declared, final_gradient, make_traces, producer, values, wire_state

SITE_FIGURE = "<style>.unrolled-figure { margin: 2rem 0; }</style>"
# Per view: the wires and the tensors of t = 2 they carry (x_t is x_2, the previous state t = 1).
WIRES = {
    "lstm-cell": {"x": "x_2", "hprev": "h_1", "cprev": "c_1", "f": "f_2", "i": "i_2", "ctilde": "ctilde_2",
                  "o": "o_2", "c": "c_2", "h": "h_2", "hx": "hx_2"},
    "gru-cell": {"x": "x_2", "hprev": "h_1", "r": "r_2", "z": "z_2", "htilde": "htilde_2", "h": "h_2", "hx": "hx_2"},
}


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["peephole-lstm", "gru"])


def drawing(viewer: Viewer, key: str, view: str) -> dict:
    """The panel's widths, whether the drawing is the narrow one, and each text's rendered font size."""
    return viewer.page.eval_on_selector(f"#{key} .ut-panel[data-view='{view}']", """panel => {
        const figure = panel.querySelector('svg.uv-svg');
        const scale = figure.getBoundingClientRect().width / figure.viewBox.baseVal.width;
        const texts = [...figure.querySelectorAll('text, tspan')].filter(t => t.textContent.trim());
        return {client: panel.clientWidth, scroll: panel.scrollWidth, narrow: figure.classList.contains('uv-narrow'),
                page: document.documentElement.scrollWidth, viewport: window.innerWidth,
                rows: panel.querySelectorAll('.uv-cell-value').length,
                fonts: texts.map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * scale])};
    }""")


@pytest.mark.parametrize("key,view", [("peephole-lstm", "lstm-cell"), ("gru", "gru-cell")])
@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_cell_diagram_fits_and_reads_at_the_viewports_width(browser_context, tmp_path, traces, key, view, size):
    viewer = Viewer(browser_context, tmp_path, {key: traces[key]}, body_before=SITE_FIGURE)
    viewer.page.set_viewport_size(VIEWPORTS[size])
    trace = viewer.traces[key]
    viewer.go(key, producer(trace, by_name(trace, "h_2")["id"]))
    viewer.show(key, view)
    shown = drawing(viewer, key, view)
    assert shown["narrow"] == (size == "phone")
    assert shown["scroll"] <= shown["client"] and shown["page"] <= shown["viewport"], shown
    assert len(shown["fonts"]) >= 15
    small = [(text, round(px, 2)) for text, px in shown["fonts"] if px < 11]
    assert small == [], small
    # The wires show the step's values, on the wire (desktop) or in its row of the list (phone).
    wires = wire_state(viewer, key, view)
    assert shown["rows"] == (len(WIRES[view]) if size == "phone" else 0)
    for wire, name in WIRES[view].items():
        tensor = by_name(trace, name)
        assert wires[wire]["tensor"] == name and wires[wire]["id"] == str(tensor["id"]), wire
        assert_wire_shows(wires[wire], values(tensor))
        if size == "phone":
            assert wires[wire]["row"] == {"tensor": name, "id": str(tensor["id"]), "title": wires[wire]["title"]}
    viewer.shot(key, f"cell-{view}-{size}")
    # Backward, at the first step of cell 1's first gate: h_1 and the gate carry their final gradients.
    gate = "forget_gate" if view == "lstm-cell" else "reset_gate"
    first_cell = next(s["index"] for s in trace["steps"] if s["phase"] == "backward"
                      and declared(trace, s["scope"], "cell_part", "part") == gate
                      and declared(trace, s["scope"], "time_step", "t") == 1)
    viewer.go(key, first_cell)
    wires = wire_state(viewer, key, view)
    for wire, name in ({"h": "h_1", "f": "f_1"} if view == "lstm-cell" else {"h": "h_1", "r": "r_1"}).items():
        gradient = final_gradient(trace, by_name(trace, name)["id"])
        assert wires[wire]["id"] == str(gradient["id"]), wire
        assert_wire_shows(wires[wire], values(gradient))
    viewer.shot(key, f"cell-{view}-backward-{size}")
    viewer.assert_clean()


def test_a_wider_window_switches_drawings_at_the_same_step(browser_context, tmp_path, traces):
    """A phone's width, then a tablet's (the panel past 600 px), then the phone's again."""
    viewer = Viewer(browser_context, tmp_path, {"lstm": traces["peephole-lstm"]}, body_before=SITE_FIGURE)
    viewer.page.set_viewport_size(VIEWPORTS["phone"])
    trace = viewer.traces["lstm"]
    viewer.go("lstm", producer(trace, by_name(trace, "c_2")["id"]))
    viewer.show("lstm", "lstm-cell")
    assert drawing(viewer, "lstm", "lstm-cell")["narrow"]
    viewer.page.set_viewport_size({"width": 1100, "height": 700})
    viewer.page.wait_for_function(
        "() => !document.querySelector('#lstm .ut-panel[data-view=\"lstm-cell\"] svg.uv-svg').classList.contains('uv-narrow')")
    wires = wire_state(viewer, "lstm", "lstm-cell")
    assert wires["c"]["row"] is None and wires["c"]["id"] == str(by_name(trace, "c_2")["id"])
    assert_wire_shows(wires["c"], values(by_name(trace, "c_2")))
    assert viewer.page.locator("#lstm .uv-node.uv-lit").count() >= 1
    viewer.page.set_viewport_size(VIEWPORTS["phone"])
    viewer.page.wait_for_function(
        "() => document.querySelector('#lstm .ut-panel[data-view=\"lstm-cell\"] svg.uv-svg').classList.contains('uv-narrow')")
    assert wire_state(viewer, "lstm", "lstm-cell")["c"]["row"]["tensor"] == "c_2"
    viewer.assert_clean()
