"""Issue 20, item 1 (what test_viewer_views_history.py leaves), in Chromium on a desktop (1400×900)
and a phone (390×844): the word2vec pipeline at any recorded epoch, the Unrolled view's ‖∂Q/∂h_t‖
at any iteration of an rnn or lstm trained with `train`, and the bidirectional cell diagrams at a
recorded iteration, each direction's wires. Expected numbers are read from the trace JSON here (the
history's series; their values are checked against numpy in Tests/Python/test_history_series.py),
and the first iteration's norms against numpy's norms of the traced gradients."""

from __future__ import annotations

import numpy as np
import pytest

from test_viewer_views_history import axe_violations, history_text, recorded, slide
from views_support import VIEWPORTS, Viewer, assert_wire_shows, bar_norms, by_name, final_gradient, make_traces, producer, values, wire_state


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    import views_support
    views_support.SPECIAL.update({
        "cbow-trained": ("cbow", "--context", "this,corpus", "--train", "30", "--lr", "0.5"),
        "ns-trained": ("skipgram-ns", "--word", "this", "--context", "is", "--negatives", "3", "--train", "20"),
        "rnn-trained": ("rnn", "--text", "hello", "--hidden", "3", "--train", "50", "--lr", "0.5"),
        "lstm-norms": ("lstm", "--steps", "4", "--train", "20", "--lr", "0.5"),
        "bilstm-trained": ("bilstm", "--train", "20", "--lr", "0.5"),
        "bigru-trained": ("bigru", "--train", "20", "--lr", "0.5"),
    })
    return make_traces(tmp_path_factory, ["cbow-trained", "ns-trained", "rnn-trained", "lstm-norms",
                                          "bilstm-trained", "bigru-trained"])


def open_viewer(browser_context, tmp_path, traces, key, size):
    viewer = Viewer(browser_context, tmp_path, {key: traces[key]})
    viewer.page.set_viewport_size(VIEWPORTS[size])
    return viewer


def stages(viewer: Viewer, key: str) -> dict[str, dict]:
    """Per stage of the pipeline: its tensor id, the epoch it shows and its cells' values."""
    return {s["name"]: s for s in viewer.page.eval_on_selector_all(
        f"#{key} .ut-panel[data-view='word2vec'] .uv-stage",
        """ss => ss.map(s => ({name: s.getAttribute('data-stage'), id: +s.getAttribute('data-tensor-id'),
                              epoch: s.getAttribute('data-iteration'),
                              values: [...s.querySelectorAll('.uv-w2vcell')].map(c => +c.getAttribute('data-value')),
                              gradients: [...s.querySelectorAll('.uv-w2vgrad')].map(c => c.getAttribute('data-value'))}))""")}


@pytest.mark.parametrize("key", ["cbow-trained", "ns-trained"])
@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_word2vec_pipeline_at_any_recorded_epoch(browser_context, tmp_path, traces, key, size):
    viewer = open_viewer(browser_context, tmp_path, traces, key, size)
    trace = viewer.traces[key]
    last = trace["history"][-1]["iteration"]
    viewer.show(key, "word2vec")
    backward_end = max(s["index"] for s in trace["steps"] if s["phase"] == "backward")
    viewer.go(key, backward_end)
    traced = stages(viewer, key)
    tensors = {t["id"]: t for t in trace["tensors"]}
    kept = [name for name, stage in traced.items() if tensors[stage["id"]].get("tags", {}).get("quantity") not in ("one_hot", "target")]
    assert len(kept) >= 4, traced
    snapshots = recorded(trace, tensors[traced[kept[0]]["id"]]["tags"])
    assert [it for _, it, _ in snapshots] == sorted({it for it in (1, 2, 5, 10, 20, last) if it <= last})
    for position, (_, iteration, _) in [(len(snapshots), snapshots[-1]), (2, snapshots[1])]:
        slide(viewer, key, "word2vec", position)
        assert history_text(viewer, key, "word2vec") == f"after epoch {iteration} (of {last})"
        shown = stages(viewer, key)
        for name, stage in shown.items():
            tensor = tensors[stage["id"]]
            if name not in kept:   # data: the same at every epoch
                assert stage["values"] == traced[name]["values"] and stage["epoch"] == ""
                continue
            expected = next(v for _, it, v in recorded(trace, tensor["tags"]) if it == iteration)
            assert stage["epoch"] == str(iteration)
            assert np.array_equal(stage["values"], expected[:len(stage["values"])]), (name, iteration)
            assert all(g == "" for g in stage["gradients"]), name   # no gradient is kept after an epoch
    # Training moves the traced example's loss: the last epoch's Q is not the traced one.
    Q = next(name for name in kept if tensors[traced[name]["id"]]["tags"]["quantity"] == "loss")
    assert shown[Q]["values"] != traced[Q]["values"]
    slide(viewer, key, "word2vec", len(snapshots))
    viewer.shot(key, f"history-word2vec-{key}-{size}")
    # A step of the trace returns the traced values and their gradients.
    viewer.go(key, backward_end - 1)
    viewer.go(key, backward_end)
    assert history_text(viewer, key, "word2vec") == "the traced step"
    assert stages(viewer, key) == traced
    viewer.assert_clean()
    if size == "phone":
        slide(viewer, key, "word2vec", len(snapshots))
        assert axe_violations(viewer, f"#{key} .ut-panel[data-view='word2vec']") == []


@pytest.mark.parametrize("key", ["rnn-trained", "lstm-norms"])
@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_unrolled_norms_at_any_iteration_of_a_trained_sequence_demo(browser_context, tmp_path, traces, key, size):
    viewer = open_viewer(browser_context, tmp_path, traces, key, size)
    trace = viewer.traces[key]
    T = trace["config"]["steps"]
    history = trace["history"]
    assert all("grad_norm_h" in e["tensors"] for e in history)
    # Iteration 1's norms are those of the traced gradients of h_1…h_T (numpy's norms here).
    first = [float(x) for x in history[0]["tensors"]["grad_norm_h"]["data"]]
    traced = [float(np.linalg.norm(values(final_gradient(trace, by_name(trace, f"h_{t}")["id"])))) for t in range(1, T + 1)]
    assert first == pytest.approx(traced, rel=1e-12)
    viewer.show(key, "unrolled")
    slider = f"#{key} .ut-panel[data-view='unrolled'] input[type=range]"
    assert viewer.page.eval_on_selector(slider, "s => +s.max") == len(history)
    for k in (1, len(history) // 2, len(history)):
        viewer.page.eval_on_selector(slider, f"s => {{ s.value = {k}; s.dispatchEvent(new Event('input')); }}")
        expected = [float(x) for x in history[k - 1]["tensors"]["grad_norm_h"]["data"]]
        assert [bar_norms(viewer, key)[("", t)] for t in range(1, T + 1)] == pytest.approx(expected, rel=1e-12), k
        assert viewer.page.evaluate(f"document.getElementById('{key}').state.history") == k - 1
    # Training changes the gradients: the last iteration's are not the first's.
    assert not np.allclose(first, [float(x) for x in history[-1]["tensors"]["grad_norm_h"]["data"]])
    viewer.shot(key, f"history-unrolled-{key}-{size}")
    # The training view's position is the same one.
    viewer.page.evaluate(f"document.getElementById('{key}').state.set({{history: 0}})")
    assert [bar_norms(viewer, key)[("", t)] for t in range(1, T + 1)] == pytest.approx(first, rel=1e-12)
    viewer.assert_clean()


@pytest.mark.parametrize("key,view", [("bilstm-trained", "lstm-cell"), ("bigru-trained", "gru-cell")])
@pytest.mark.parametrize("size", VIEWPORTS)
def test_the_bidirectional_cell_diagrams_follow_the_history_position(browser_context, tmp_path, traces, key, view, size):
    viewer = open_viewer(browser_context, tmp_path, traces, key, size)
    trace = viewer.traces[key]
    last = trace["history"][-1]["iteration"]
    viewer.show(key, view)
    n = len(recorded(trace, {"quantity": "hidden_state", "t": 2, "direction": "forward"}))
    for direction, state in (("forward", "hf_2"), ("backward", "hb_2")):
        viewer.go(key, producer(trace, by_name(trace, state)["id"]))
        traced = wire_state(viewer, key, view)
        assert traced["h"]["tensor"] == state
        slide(viewer, key, view, n)
        assert history_text(viewer, key, view) == f"after iteration {last} (of {last})"
        after = wire_state(viewer, key, view)
        if after["hprev"]["row"]:   # the narrow drawing names the state read: t + 1's going backward
            assert after["hprev"]["label"].startswith("ht+1 " if direction == "backward" else "ht−1 "), after["hprev"]
        checked = 0
        for wire, shown in after.items():
            if not traced[wire]["id"]:
                continue
            tags = next(t["tags"] for t in trace["tensors"] if t["id"] == int(traced[wire]["id"]))
            if tags["quantity"] == "input":   # x_t: data
                assert shown["title"] == traced[wire]["title"]
                continue
            assert tags["direction"] == direction, wire
            snapshots = recorded(trace, tags)
            assert_wire_shows(shown, snapshots[-1][2])
            if tags.get("t") == 2:
                assert not np.array_equal(snapshots[-1][2], snapshots[0][2]), wire
            checked += 1
        assert checked >= (6 if view == "gru-cell" else 8), after
        viewer.shot(key, f"history-{view}-{direction}-{size}")
    viewer.assert_clean()
