"""The attention heatmap and the word2vec pipeline in a real Chromium over file://: the weights,
stages and gradients they show are the trace's."""

from __future__ import annotations

import numpy as np
import pytest

from views_support import Viewer, by_name, final_gradient, heat_cells, heat_labels, make_traces, producer, values


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["self-causal", "multi-head-attention", "self-incremental", "cbow", "skipgram-ns"])


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
