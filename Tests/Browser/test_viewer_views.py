"""The viewer's special views (Templates/assets/viewer/views/*.js) in a real Chromium,
through the <unrolled-trace> element's tabs, over file://. Traces come from the `unrolled`
binary; every expected number is read from the trace JSON here, in Python (numpy for the
norms), never from the views' own output. Screenshots go to Tests/Browser/output/."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from browsing import file_url, open_page
from viewer_harness import Figure, make_trace, unrolled_binary, write_page

OUTPUT = Path(__file__).resolve().parent / "output"

# Which view teaches which model (issue 7), written out here rather than taken from the code.
# gradient-flow also gets the LSTM cell when its network is an LSTM (tested on its own).
VIEW_MODELS = {
    "lstm-cell": {"lstm", "peephole-lstm", "bilstm"},
    "gru-cell": {"gru", "bigru"},
    "unrolled": {"rnn", "lstm", "peephole-lstm", "gru", "birnn", "bilstm", "bigru", "tdl", "gradient-flow"},
    "attention": {"attention", "self-attention", "attention-vs-tdl", "multi-head-attention",
                  "transformer-encoder", "encoder-decoder"},
    "word2vec": {"cbow", "skipgram", "skipgram-ns"},
}
# Every demo, as the library lists them (`unrolled demos --json`), so a new demo is checked too.
DEMOS = [demo["name"] for demo in json.loads(subprocess.run(
    [str(unrolled_binary()), "demos", "--json"], check=True, capture_output=True, text=True).stdout)]


def read_trace(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"), parse_int=lambda s: -0.0 if s == "-0" else int(s))


def values(tensor: dict) -> np.ndarray:
    return np.array([float(x) for x in tensor["data"]], dtype=float)


def by_name(trace: dict, name: str) -> dict:
    """The first tensor called `name` (the forward one; gradients have other names)."""
    return next(t for t in trace["tensors"] if t["name"] == name)


def producer(trace: dict, tensor_id: int) -> int:
    return next(s["index"] for s in trace["steps"] if s["output"] == tensor_id)


def final_gradient(trace: dict, tensor_id: int) -> dict:
    """The last gradient of the tensor the trace makes: the fully accumulated one."""
    made = [t for t in trace["tensors"] if t["role"] == "gradient" and t.get("of") == tensor_id]
    return max(made, key=lambda t: t["id"])


class Viewer:
    """A page of <unrolled-trace> elements, one per trace, and ways to drive them."""

    def __init__(self, context, folder: Path, traces: dict[str, Path], scheme: str = "light"):
        self.traces = {key: read_trace(path) for key, path in traces.items()}
        figures = [Figure(path.read_text(encoding="utf-8"), key) for key, path in traces.items()]
        page_path = write_page(folder, figures)
        self.page, self.visit = open_page(context, file_url(page_path), wait_for="unrolled-trace")
        self.page.emulate_media(color_scheme=scheme)
        for key in traces:
            self.page.evaluate(f"document.getElementById({json.dumps(key)}).ready.then(() => true)")

    def tabs(self, key: str) -> list[str]:
        return self.page.eval_on_selector_all(
            f"#{key} .ut-tab", "bs => bs.map(b => b.getAttribute('data-view'))")

    def show(self, key: str, view: str):
        self.page.click(f"#{key} .ut-tab[data-view='{view}']")
        return self.page.locator(f"#{key} .ut-panel[data-view='{view}']")

    def go(self, key: str, step_index0: int):
        self.page.evaluate(f"document.getElementById({json.dumps(key)}).goTo({step_index0 + 1})")

    def step0(self, key: str) -> int:
        return self.page.evaluate(f"document.getElementById({json.dumps(key)}).step") - 1

    def shot(self, key: str, name: str):
        OUTPUT.mkdir(exist_ok=True)
        self.page.locator(f"#{key}").screenshot(path=str(OUTPUT / f"views-{name}.png"))

    def assert_clean(self):
        assert self.visit.problems() == []
        assert self.visit.external_requests() == []


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    """Every demo's default trace, plus longer or special ones the tests need."""
    folder = tmp_path_factory.mktemp("traces")
    made = {demo: make_trace(folder, demo) for demo in DEMOS}
    special = {
        "rnn-long": ("rnn", "--steps", "8", "--train", "40"),
        "self-causal": ("self-attention", "--causal", "true"),
        "self-incremental": ("self-attention", "--causal", "true", "--incremental", "true"),
        "cbow-epochs": ("cbow", "--train", "12"),
        "flow-history": ("gradient-flow", "--record", "history", "--steps", "300", "--train", "3"),
        "flow-lstm": ("gradient-flow", "--network", "lstm", "--steps", "12", "--hidden", "3"),
        "flow-train": ("gradient-flow", "--steps", "10", "--train", "5"),
        "rnn-wide": ("rnn", "--train", "300", "--lr", "0.5"),
        "mlp-diverging": ("mlp", "--train", "400", "--lr", "1"),
    }
    for key, (demo, *params) in special.items():
        sub = folder / key
        sub.mkdir()
        made[key] = make_trace(sub, demo, *params)
    return made


def test_each_view_appears_for_its_models_and_no_other(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {demo: traces[demo] for demo in DEMOS})
    for demo in DEMOS:
        trace = viewer.traces[demo]
        expected = {view for view, models in VIEW_MODELS.items() if trace["model"] in models}
        if trace.get("history"):
            expected.add("training")
        tabs = viewer.tabs(demo)
        assert set(tabs) - {"step"} == expected, demo
        for view in expected:
            panel = viewer.show(demo, view)
            assert panel.is_visible()
            assert panel.locator(".ut-error").count() == 0, (demo, view)
            assert panel.locator("svg").count() >= 1, (demo, view)
            for index0 in (0, len(trace["steps"]) // 2, len(trace["steps"]) - 1):
                viewer.go(demo, index0)
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


def wire_state(viewer: Viewer, key: str) -> dict[str, dict]:
    """Per wire with values: the tensor it names, the id it shows, its title and its label."""
    return {w["wire"]: w for w in viewer.page.eval_on_selector_all(
        f"#{key} .ut-panel[data-view='lstm-cell'] .uv-wire[data-tensor]",
        """ws => ws.map(w => ({wire: w.getAttribute('data-wire'), tensor: w.getAttribute('data-tensor'),
                              id: w.getAttribute('data-tensor-id'),
                              title: (w.querySelector(':scope > title') || {}).textContent || '',
                              label: (w.querySelector('.uv-values') || {}).textContent || ''}))""")}


def numbers_in(text: str) -> list[float]:
    return [float(x.replace("−", "-")) for x in re.findall(r"[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?", text)]


def assert_wire_shows(wire: dict, expected: np.ndarray):
    exact = numbers_in(wire["title"].split("=", 1)[1])
    assert np.allclose(exact, expected, rtol=0, atol=1e-15), wire
    shown = numbers_in(wire["label"].split(" ", 1)[1])
    n = min(len(shown), 4)
    assert np.allclose(shown[:n], expected[:n], rtol=5e-3, atol=5e-4), wire


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
                      and trace["scopes"][s["scope"]]["name"] == "forget gate"
                      and "t = 1" in [trace["scopes"][p]["name"] for p in ancestors(trace, s["scope"])])
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


def ancestors(trace: dict, scope: int) -> list[int]:
    chain = []
    while scope is not None:
        chain.append(scope)
        scope = trace["scopes"][scope]["parent"]
    return chain


def test_peephole_connections_only_on_the_peephole_lstm(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"plain": traces["lstm"], "peep": traces["peephole-lstm"]})
    viewer.show("plain", "lstm-cell")
    viewer.show("peep", "lstm-cell")
    assert viewer.page.locator("#plain .uv-peephole").count() == 0
    assert viewer.page.locator("#peep .uv-peephole").count() == 3
    viewer.shot("peep", "lstm-cell-peephole")
    viewer.assert_clean()


def bar_norms(viewer: Viewer, key: str) -> dict[tuple[str, int], float | None]:
    bars = viewer.page.eval_on_selector_all(
        f"#{key} .ut-panel[data-view='unrolled'] .uv-bar",
        "bs => bs.map(b => [b.getAttribute('data-dir') || '', +b.getAttribute('data-t'), b.getAttribute('data-norm')])")
    return {(d, t): (None if n is None else float(n)) for d, t, n in bars}


def expected_norms(trace: dict, state_names: dict[tuple[str, int], str], step: int) -> dict:
    """numpy norms of the latest gradient of each h_t made at or before `step`."""
    out = {}
    for key, name in state_names.items():
        h = by_name(trace, name)
        made = [t for t in trace["tensors"] if t["role"] == "gradient" and t.get("of") == h["id"]
                and producer(trace, t["id"]) <= step]
        out[key] = float(np.linalg.norm(values(max(made, key=lambda t: t["id"])))) if made else None
    return out


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
    first = next(s["index"] for s in trace["steps"]
                 if s["scope"] is not None and "t = 5" in [trace["scopes"][p]["name"] for p in ancestors(trace, s["scope"])])
    assert viewer.step0("rnn") == first
    # And from the keyboard: a cell is a button.
    viewer.page.focus("#rnn .uv-unit[data-t='3']")
    viewer.page.keyboard.press("Enter")
    first3 = next(s["index"] for s in trace["steps"]
                  if s["scope"] is not None and "t = 3" in [trace["scopes"][p]["name"] for p in ancestors(trace, s["scope"])])
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
    viewer.assert_clean()


def heat_cells(viewer: Viewer, key: str) -> list[dict]:
    return viewer.page.eval_on_selector_all(
        f"#{key} .ut-panel[data-view='attention'] .uv-heatcell",
        """cs => cs.map(c => ({row: +c.getAttribute('data-row'), col: +c.getAttribute('data-col'),
                              value: +c.getAttribute('data-value'),
                              masked: c.querySelector('rect').classList.contains('uv-masked'),
                              text: (c.querySelector('text') || {}).textContent || ''}))""")


def heat_labels(viewer: Viewer, key: str, kind: str) -> list[str]:
    return viewer.page.eval_on_selector_all(
        f"#{key} .ut-panel[data-view='attention'] .uv-{kind}token", "ts => ts.map(t => t.textContent)")


def test_attention_heatmap_shows_the_weights_with_token_labels(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"causal": traces["self-causal"], "mha": traces["multi-head-attention"],
                                                "inc": traces["self-incremental"]})
    trace = viewer.traces["causal"]
    A = by_name(trace, "A")
    rows, cols = A["shape"]
    viewer.go("causal", len(trace["steps"]) - 1)
    viewer.show("causal", "attention")
    cells = heat_cells(viewer, "causal")
    assert len(cells) == rows * cols
    data = values(A)
    for c in cells:
        assert c["value"] == data[c["row"] * cols + c["col"]]
        assert c["masked"] == (c["col"] > c["row"])          # causal: no key after the query
        if not c["masked"]:
            assert float(c["text"].replace("−", "-")) == pytest.approx(c["value"], abs=5e-4)
    assert heat_labels(viewer, "causal", "row") == A["labels"][0]
    assert heat_labels(viewer, "causal", "col") == A["labels"][1]
    assert A["labels"][0] == trace["config"]["sentence"].split()
    # The softmax step computes every row: all of them are lit there, none a step later.
    softmax = producer(trace, A["id"])
    viewer.go("causal", softmax)
    assert viewer.page.locator("#causal .uv-rowlit[visibility='visible']").count() == rows
    viewer.go("causal", softmax - 1)
    assert viewer.page.locator("#causal .uv-pending").count() == sum(1 for c in cells if not c["masked"])
    viewer.shot("causal", "attention-causal")
    # Backward: the step that makes a gradient of A lights every row (in the backward colour).
    into_A = next(s["index"] for s in trace["steps"]
                  if trace["tensors"][s["output"]].get("of") == A["id"])
    viewer.go("causal", into_A)
    assert viewer.page.locator("#causal .uv-rowlit[visibility='visible']").count() == rows
    assert viewer.page.locator("#causal .ut-panel[data-view='attention'].uv-backward").count() == 1
    viewer.go("causal", into_A - 1)
    if trace["tensors"][trace["steps"][into_A - 1]["output"]].get("of") != A["id"]:
        assert viewer.page.locator("#causal .uv-rowlit[visibility='visible']").count() == 0

    # Multi-head: one map per head, chosen with the selector.
    mha = viewer.traces["mha"]
    viewer.show("mha", "attention")
    for head in (1, 2):
        A_k = by_name(mha, f"A_{head}")
        viewer.page.select_option("#mha .ut-panel[data-view='attention'] select", str(head - 1))
        cells = heat_cells(viewer, "mha")
        assert [c["value"] for c in cells] == list(values(A_k))
    viewer.go("mha", len(mha["steps"]) - 1)
    viewer.shot("mha", "attention-multi-head")

    # Incremental: at the softmax of t = 3 only that row is lit and later rows are pending.
    inc = viewer.traces["inc"]
    viewer.show("inc", "attention")
    a3 = by_name(inc, "a_3")
    viewer.go("inc", producer(inc, a3["id"]))
    lit = viewer.page.eval_on_selector_all("#inc .uv-rowlit", "rs => rs.map(r => r.getAttribute('visibility'))")
    assert lit == ["hidden", "hidden", "visible"] + ["hidden"] * (len(lit) - 3)
    cells = heat_cells(viewer, "inc")
    row3 = [c["value"] for c in cells if c["row"] == 2 and c["col"] < 3]
    assert row3 == list(values(a3))
    viewer.shot("inc", "attention-incremental")
    viewer.assert_clean()


def test_word2vec_pipeline_shows_each_stage_with_the_vocabulary(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"cbow": traces["cbow"], "ns": traces["skipgram-ns"]})
    trace = viewer.traces["cbow"]
    viewer.show("cbow", "word2vec")
    stages = viewer.page.eval_on_selector_all(
        "#cbow .uv-stage", "ss => ss.map(s => [s.getAttribute('data-stage'), [...s.querySelectorAll('.uv-w2vcell')].map(c => +c.getAttribute('data-value'))])")
    names = [s[0] for s in stages]
    assert names[:4] == ["x", "h", "u", "y"] and any(n.startswith("e_") for n in names)
    for name, shown in stages:
        assert shown == list(values(by_name(trace, name)))
    y = by_name(trace, "y")
    viewer.go("cbow", producer(trace, y["id"]))
    lit = viewer.page.eval_on_selector_all("#cbow .uv-stage.uv-lit", "ss => ss.map(s => s.getAttribute('data-stage'))")
    assert "y" in lit and "x" not in lit
    viewer.shot("cbow", "word2vec-cbow")
    # Backward: the band under u holds ∂Q/∂u, which for softmax with cross-entropy is the
    # error e = y − target of the forward pass (an identity, not the same tensor).
    last_backward = max(s["index"] for s in trace["steps"] if s["phase"] == "backward")
    viewer.go("cbow", last_backward)
    gradient_u = viewer.page.eval_on_selector_all(
        "#cbow .uv-stage[data-stage='u'] .uv-w2vgrad", "cs => cs.map(c => +c.getAttribute('data-value'))")
    e = values(next(t for t in trace["tensors"] if t["name"].startswith("e_")))
    assert np.allclose(gradient_u, e, rtol=0, atol=1e-12)
    assert gradient_u == list(values(final_gradient(trace, by_name(trace, "u")["id"])))
    viewer.go("cbow", producer(trace, y["id"]))
    pending = viewer.page.eval_on_selector_all(
        "#cbow .uv-stage[data-stage='u'] .uv-w2vgrad", "cs => cs.map(c => c.getAttribute('data-value'))")
    assert set(pending) == {""}
    viewer.show("ns", "word2vec")
    ns_names = viewer.page.eval_on_selector_all("#ns .uv-stage", "ss => ss.map(s => s.getAttribute('data-stage'))")
    assert ns_names == ["h", "w", "u", "sigma_o", "sigma_n", "Q"]
    viewer.shot("ns", "word2vec-negative-sampling")
    viewer.assert_clean()


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
    # Independent check of the placement: x and y are an affine image of W_in_pca (same scale both axes).
    pca = np.array([float(v) for v in cbow["history"][0]["tensors"]["W_in_pca"]["data"]]).reshape(-1, 2)
    shown = np.array(positions())
    scale = (shown[:, 0] - shown[:, 0].mean()) / (pca[:, 0] - pca[:, 0].mean())
    assert np.allclose(scale, scale[0], rtol=1e-6)
    assert np.allclose(-(shown[:, 1] - shown[:, 1].mean()), scale[0] * (pca[:, 1] - pca[:, 1].mean()), atol=1e-3)
    viewer.shot("cbow", f"training-cbow-{scheme}")
    viewer.assert_clean()


def test_view_updates_stay_fast_on_a_20000_step_trace(browser_context, tmp_path):
    """update(stepIndex) of each view under 5 ms on a bidirectional LSTM of 22,000+ steps."""
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
    for view in ("lstm-cell", "unrolled", "training"):
        assert float(np.median(times[view])) < 5, report
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


def curve_points(viewer: Viewer, key: str) -> list[list[tuple[float, float]]]:
    return viewer.page.eval_on_selector_all(
        f"#{key} .uv-curve",
        "ps => ps.map(p => p.getAttribute('points').trim().split(/\\s+/).map(xy => xy.split(',').map(Number)))")


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


def test_a_single_iteration_is_a_dot_on_the_loss_curve(browser_context, tmp_path, traces):
    """One SGD iteration (the mlp default): its loss is drawn as a point, not an empty line."""
    viewer = Viewer(browser_context, tmp_path, {"mlp": traces["mlp"]})
    assert len(viewer.traces["mlp"]["history"]) == 1
    viewer.show("mlp", "training")
    dots = viewer.page.locator("#mlp .uv-curve-point")
    assert dots.count() == 1
    assert dots.first.bounding_box()["width"] > 0
    viewer.assert_clean()
