"""The recurrent networks' special views in a real Chromium over file:// (the LSTM and GRU cell
diagrams, the unrolled network with its gradient norms): the values they show are the trace's."""

from __future__ import annotations

import pytest

from views_support import (Viewer, assert_wire_shows, bar_norms, by_name, declared, expected_norms, final_gradient,
                           make_traces, producer, values, wire_state)


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["lstm", "peephole-lstm", "rnn-long", "birnn", "flow-history", "flow-train"])


def test_lstm_wires_show_the_values_of_time_step_t(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"lstm": traces["lstm"]})
    trace = viewer.traces["lstm"]
    h2 = by_name(trace, "h_2")
    viewer.go("lstm", producer(trace, h2["id"]))
    viewer.show("lstm", "lstm-cell")
    wires = wire_state(viewer, "lstm")
    expected = {"x": "x_2", "hprev": "h_1", "cprev": "c_1", "f": "f_2", "i": "i_2", "ctilde": "ctilde_2",
                "o": "o_2", "c": "c_2", "h": "h_2", "hx": "hx_2"}
    for wire, name in expected.items():
        tensor = by_name(trace, name)
        assert wires[wire]["tensor"] == name
        assert wires[wire]["id"] == str(tensor["id"])
        assert_wire_shows(wires[wire], values(tensor))
    lit = viewer.page.eval_on_selector_all("#lstm .uv-node.uv-lit", "ns => ns.map(n => n.getAttribute('data-node'))")
    assert set(lit) == {"tanhC", "mulO"}   # the step that makes h_2 is in "hidden state"
    viewer.shot("lstm", "lstm-cell-forward")

    # Earlier, at the step that makes f_2, the values of later wires are not there yet.
    viewer.go("lstm", producer(trace, by_name(trace, "f_2")["id"]))
    wires = wire_state(viewer, "lstm")
    assert wires["h"]["id"] == "" and wires["c"]["id"] == "" and wires["o"]["id"] == ""
    assert wires["f"]["id"] == str(by_name(trace, "f_2")["id"])
    lit = viewer.page.eval_on_selector_all("#lstm .uv-node.uv-lit", "ns => ns.map(n => n.getAttribute('data-node'))")
    assert lit == ["forget"]

    # Backward, at the last step before the update: every wire carries its final gradient.
    last_backward = max(s["index"] for s in trace["steps"] if s["phase"] == "backward")
    first_cell = next(s["index"] for s in trace["steps"] if s["phase"] == "backward"
                      and declared(trace, s["scope"], "cell_part", "part") == "forget_gate"
                      and declared(trace, s["scope"], "time_step", "t") == 1)
    viewer.go("lstm", first_cell)
    wires = wire_state(viewer, "lstm")
    for wire, name in {"f": "f_1", "c": "c_1", "h": "h_1"}.items():
        gradient = final_gradient(trace, by_name(trace, name)["id"])
        assert producer(trace, gradient["id"]) <= first_cell
        assert wires[wire]["id"] == str(gradient["id"]), wire
        assert_wire_shows(wires[wire], values(gradient))
    assert viewer.page.locator("#lstm .ut-panel[data-view='lstm-cell'].uv-backward").count() == 1
    viewer.shot("lstm", "lstm-cell-backward")
    viewer.go("lstm", last_backward)
    viewer.assert_clean()


def test_peephole_connections_only_on_the_peephole_lstm(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"plain": traces["lstm"], "peep": traces["peephole-lstm"]})
    viewer.show("plain", "lstm-cell")
    viewer.show("peep", "lstm-cell")
    assert viewer.page.locator("#plain .uv-peephole").count() == 0
    assert viewer.page.locator("#peep .uv-peephole").count() == 3
    viewer.shot("peep", "lstm-cell-peephole")
    viewer.assert_clean()


def test_unrolled_bars_are_the_norms_of_the_hidden_state_gradients(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"rnn": traces["rnn-long"], "birnn": traces["birnn"]})
    trace = viewer.traces["rnn"]
    T = trace["config"]["steps"]
    names = {("", t): f"h_{t}" for t in range(1, T + 1)}
    viewer.show("rnn", "unrolled")
    last_backward = max(s["index"] for s in trace["steps"] if s["phase"] == "backward")
    viewer.go("rnn", last_backward)
    shown = bar_norms(viewer, "rnn")
    expected = expected_norms(trace, names, last_backward)
    assert all(v is not None for v in expected.values())
    for key in names:
        assert shown[key] == pytest.approx(expected[key], rel=1e-12), key
    # Part-way through the backward pass: only the time steps reached so far have a bar.
    middle = (min(s["index"] for s in trace["steps"] if s["phase"] == "backward") + last_backward) // 2
    viewer.go("rnn", middle)
    shown, expected = bar_norms(viewer, "rnn"), expected_norms(trace, names, middle)
    assert any(v is None for v in expected.values()) and any(v is not None for v in expected.values())
    for key in names:
        assert (shown[key] is None) == (expected[key] is None), key
        if expected[key] is not None:
            assert shown[key] == pytest.approx(expected[key], rel=1e-12)
    viewer.shot("rnn", "unrolled-rnn")

    # Clicking cell t = 5 goes to that cell's first step.
    viewer.page.click("#rnn .uv-unit[data-t='5']")
    first = next(s["index"] for s in trace["steps"] if declared(trace, s["scope"], "time_step", "t") == 5)
    assert viewer.step0("rnn") == first
    # And from the keyboard: a cell is a button.
    viewer.page.focus("#rnn .uv-unit[data-t='3']")
    viewer.page.keyboard.press("Enter")
    first3 = next(s["index"] for s in trace["steps"] if declared(trace, s["scope"], "time_step", "t") == 3)
    assert viewer.step0("rnn") == first3

    bi = viewer.traces["birnn"]
    viewer.show("birnn", "unrolled")
    last_backward = max(s["index"] for s in bi["steps"] if s["phase"] == "backward")
    viewer.go("birnn", last_backward)
    names = {(d, t): f"h{d}_{t}" for d in ("f", "b") for t in range(1, 4)}
    shown, expected = bar_norms(viewer, "birnn"), expected_norms(bi, names, last_backward)
    for key in names:
        assert shown[key] == pytest.approx(expected[key], rel=1e-12), key
    viewer.shot("birnn", "unrolled-birnn")
    viewer.assert_clean()


def test_unrolled_view_of_a_history_only_gradient_flow_trace(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"flow": traces["flow-history"]}, scheme="dark")
    trace = viewer.traces["flow"]
    assert trace["steps"] == []
    viewer.show("flow", "unrolled")
    shown = bar_norms(viewer, "flow")
    expected = [float(x) for x in trace["history"][-1]["tensors"]["grad_norm_h"]["data"]]
    assert [shown[("", t)] for t in range(1, len(expected) + 1)] == pytest.approx(expected, rel=1e-12)
    viewer.shot("flow", "unrolled-gradient-flow-dark")
    viewer.assert_clean()


def test_unrolled_slider_shows_each_training_iterations_norms(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"flow": traces["flow-train"]})
    trace = viewer.traces["flow"]
    viewer.show("flow", "unrolled")
    last_backward = max(s["index"] for s in trace["steps"] if s["phase"] == "backward")
    viewer.go("flow", last_backward)
    live = bar_norms(viewer, "flow")
    names = {("", t): f"h_{t}" for t in range(1, 11)}
    assert live == pytest.approx(expected_norms(trace, names, last_backward), rel=1e-12)
    slider = "#flow .ut-panel[data-view='unrolled'] input[type=range]"
    for k, entry in enumerate(trace["history"], start=1):
        viewer.page.eval_on_selector(slider, f"s => {{ s.value = {k}; s.dispatchEvent(new Event('input')); }}")
        shown = bar_norms(viewer, "flow")
        expected = [float(x) for x in entry["tensors"]["grad_norm_h"]["data"]]
        assert [shown[("", t)] for t in range(1, 11)] == pytest.approx(expected, rel=1e-12), k
        viewer.go("flow", k)   # stepping keeps the chosen iteration's norms
        assert [bar_norms(viewer, "flow")[("", t)] for t in range(1, 11)] == pytest.approx(expected, rel=1e-12)
        # The slider is the viewer's history position: the index of the entry in trace.history.
        assert viewer.page.evaluate("document.getElementById('flow').state.history") == k - 1
    # Set from elsewhere (another view, a page), the position moves the slider and the bars.
    viewer.page.evaluate("document.getElementById('flow').state.set({history: 0})")
    assert viewer.page.eval_on_selector(slider, "s => +s.value") == 1
    first = [float(x) for x in trace["history"][0]["tensors"]["grad_norm_h"]["data"]]
    assert [bar_norms(viewer, "flow")[("", t)] for t in range(1, 11)] == pytest.approx(first, rel=1e-12)
    viewer.page.evaluate("document.getElementById('flow').state.set({history: null})")
    assert viewer.page.eval_on_selector(slider, "s => +s.value") == 0
    viewer.assert_clean()
