"""Issue 20, items 2 and 7 for word2vec, in Chromium on a desktop (1400×900) and a phone (390×844):
the Neighbours view lists each asked word's nearest words and cosines after the epoch the history
position names; the Training tab tells the truth about a trace whose epochs ran without recording,
and shows a one-entry history as a number; the embedding scatter's labels do not overlap. Expected
words and cosines are read from the trace JSON here (the history's rows decoded by the W_in labels),
and checked against the final constant neighbours_<word> and against cosines numpy computes."""

from __future__ import annotations

import numpy as np
import pytest

from views_support import OUTPUT, Viewer, by_name, make_traces, values

TOY = ("the king rules the land. the queen rules the land. the king wears a crown. the queen wears a crown. "
       "a dog chases a cat. a cat chases a mouse. the dog eats meat. the cat eats fish. the king and the queen. "
       "the dog and the cat.")
VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    import views_support
    views_support.SPECIAL.update({
        "toy": ("skipgram-ns", "--corpus", TOY, "--window", "2", "--dimensions", "4", "--train", "60",
                "--neighbours", "king,dog"),
        "cbow-one": ("cbow", "--train", "1", "--neighbours", "this"),
    })
    return make_traces(tmp_path_factory, ["toy", "cbow-one", "lstm"])


def open_viewer(browser_context, tmp_path, traces, keys, size):
    viewer = Viewer(browser_context, tmp_path, {key: traces[key] for key in keys})
    viewer.page.set_viewport_size(VIEWPORTS[size])
    return viewer


def expected_rows(trace: dict, entry: dict, key: str) -> tuple[str, list[tuple[str, float]]]:
    words = by_name(trace, "W_in")["labels"][0]
    data = np.array([float(x) for x in entry["tensors"][key]["data"]]).reshape(-1, 2)
    return words[int(data[0, 0])], [(words[int(i)], c) for i, c in data[1:]]


def shown_lists(viewer: Viewer, key: str) -> list[dict]:
    return viewer.page.eval_on_selector_all(
        f"#{key} .ut-panel[data-view='neighbours'] .uv-nb-list",
        """ls => ls.map(l => ({word: l.getAttribute('data-word'), heading: l.querySelector('h3').textContent,
                               rows: [...l.querySelectorAll('.uv-nb-row')].map(r => [r.getAttribute('data-word'),
                                      +r.getAttribute('data-cosine'), +r.getAttribute('data-rank')])}))""")


@pytest.mark.parametrize("size", VIEWPORTS)
def test_neighbours_per_epoch_follow_the_history_position(browser_context, tmp_path, traces, size):
    viewer = open_viewer(browser_context, tmp_path, traces, ["toy"], size)
    trace = viewer.traces["toy"]
    assert "neighbours" in viewer.tabs("toy")
    panel = viewer.show("toy", "neighbours")
    keys = [s["key"] for s in trace["series"] if s["quantity"] == "nearest_neighbours"]
    history = trace["history"]
    # The last epoch by default: the final constants' words and cosines, most similar first.
    lists = shown_lists(viewer, "toy")
    assert [l["word"] for l in lists] == ["king", "dog"]
    for shown, key in zip(lists, keys):
        word, rows = expected_rows(trace, history[-1], key)
        constant = by_name(trace, f"neighbours_{word}")
        assert shown["word"] == word and [r[0] for r in shown["rows"]] == constant["labels"][1]
        assert [r[1] for r in shown["rows"]] == [float(x) for x in constant["data"]] == [c for _, c in rows]
        assert [r[2] for r in shown["rows"]] == list(range(1, len(rows) + 1))
    # By the history position (the state the training view's slider sets): epoch 3's lists.
    viewer.page.evaluate("document.getElementById('toy').state.set({history: 2})")
    assert panel.locator(".uv-nb-epoch").input_value() == "2"
    assert panel.locator(".uv-nb-epoch-text").inner_text().startswith("3 of 60")
    for shown, key in zip(shown_lists(viewer, "toy"), keys):
        word, rows = expected_rows(trace, history[2], key)
        assert shown["word"] == word and [(r[0], r[1]) for r in shown["rows"]] == rows
    # Its slider moves the history position back.
    panel.locator(".uv-nb-epoch").fill("9")
    assert viewer.page.evaluate("document.getElementById('toy').state.history") == 9
    viewer.shot("toy", f"neighbours-{size}")
    viewer.assert_clean()


def test_neighbour_cosines_are_those_of_the_rows(traces):
    """The trace holds W_in only before and after the traced update: with a learning rate of 1e-9
    one epoch moves its rows by about 1e-9, so the epoch's neighbours are numpy's cosines over
    the updated W_in, to 1e-6, and they are the five largest."""
    import json
    import subprocess
    from viewer_harness import unrolled_binary
    out = traces["toy"].parent / "still.json"
    subprocess.run([str(unrolled_binary()), "trace", "skipgram-ns", "--corpus", TOY, "--window", "2", "--dimensions", "4",
                    "--train", "1", "--neighbours", "king", "--lr", "1e-9", "--output", str(out)], check=True, capture_output=True)
    trace = json.loads(out.read_text())
    W = values(next(t for t in trace["tensors"] if t["name"] == "W_in" and t.get("version") == 1)).reshape(-1, 4)
    words = by_name(trace, "W_in")["labels"][0]
    king = words.index("king")
    cosine = W @ W[king] / (np.linalg.norm(W, axis=1) * np.linalg.norm(W[king]))
    word, rows = expected_rows(trace, trace["history"][0], "neighbours_king")
    assert word == "king" and len(rows) == 5
    for name, c in rows:
        assert abs(c - cosine[words.index(name)]) < 1e-6, name
    others = sorted((cosine[i] for i in range(len(words)) if i != king), reverse=True)
    assert np.allclose([c for _, c in rows], others[:5], rtol=0, atol=1e-6)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_training_tab_says_what_is_true(browser_context, tmp_path, traces, size):
    viewer = open_viewer(browser_context, tmp_path, traces, ["toy", "cbow-one", "lstm"], size)
    toy = viewer.show("toy", "training")
    caption = toy.locator(".uv-controls .uv-caption").inner_text()
    assert "0 traced" not in caption and caption.startswith("60 epochs, run without recording after the traced steps")
    # One entry: its loss as a number, no chart of one point.
    for key in ("cbow-one", "lstm"):
        panel = viewer.show(key, "training")
        entry = viewer.traces[key]["history"][0]
        assert panel.locator("svg.uv-loss").count() == 0
        text = panel.locator(".uv-single").inner_text()
        loss = viewer.page.evaluate(f"Unrolled.format({float(entry['loss'])!r})")
        assert text.startswith("One ") and f"loss {loss}" in text, text
    assert viewer.show("cbow-one", "training").locator(".uv-word").count() == len(by_name(viewer.traces["cbow-one"], "W_in")["labels"][0])
    viewer.shot("lstm", f"training-single-{size}")
    viewer.assert_clean()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_scatter_labels_do_not_overlap(browser_context, tmp_path, traces, size):
    viewer = open_viewer(browser_context, tmp_path, traces, ["toy"], size)
    panel = viewer.show("toy", "training")
    for epoch in (0, 20, 59):
        viewer.page.evaluate(f"document.getElementById('toy').state.set({{history: {epoch}}})")
        boxes = panel.locator(".uv-point-label").evaluate_all(
            "ts => ts.map(t => { const b = t.getBBox(); return [t.textContent, b.x, b.y, b.width, b.height]; })")
        assert len(boxes) == 16
        for i, (a, ax, ay, aw, ah) in enumerate(boxes):
            for b, bx, by, bw, bh in boxes[i + 1:]:
                overlap_x = min(ax + aw, bx + bw) - max(ax, bx)
                overlap_y = min(ay + ah, by + bh) - max(ay, by)
                assert overlap_x <= 0.5 or overlap_y <= 0.5, (epoch, a, b)
    OUTPUT.mkdir(exist_ok=True)
    panel.locator(".uv-embedding").screenshot(path=str(OUTPUT / f"views-scatter-{size}.png"))
    viewer.assert_clean()
