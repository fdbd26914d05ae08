"""The inception view in a real Chromium over file://: the branches, their layers' shapes, the costs,
the totals, the ratio and the concatenation it shows are the trace's (read from the JSON here), and
a layer's button goes to that layer's first step."""

from __future__ import annotations

import pytest

from views_support import Viewer, make_traces
from viewer_harness import make_trace


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    made = make_traces(tmp_path_factory, ["inception"])
    folder = tmp_path_factory.mktemp("inception-naive")
    made["naive"] = make_trace(folder, "inception", "--mode", "naive", "--channels-in", "3", "--size", "4", "--c5", "3")
    return made


def declared_branches(trace: dict) -> dict[tuple[str, str], dict]:
    """(variant, branch) → the branch scope's attributes, its layer scopes and their first forward step."""
    scopes = trace["scopes"]
    out = {}
    for scope in scopes:
        if scope.get("kind") != "branch":
            continue
        variant = scopes[scope["parent"]]["attributes"]["variant"]
        layers = []
        for layer in scopes:
            if layer["parent"] == scope["id"] and layer.get("kind") == "layer":
                steps = [s for s in trace["steps"] if s["scope"] == layer["id"] and s["phase"] == "forward"]
                layers.append({"layer": layer["attributes"]["layer"], "first": steps[0]["index"], "steps": steps})
        out[(variant, scope["attributes"]["branch"])] = {**scope["attributes"], "layers": layers}
    return out


def shown(viewer: Viewer, key: str) -> dict:
    return viewer.page.evaluate(
        """key => {
          const panel = document.querySelector('#' + key + ' .ut-panel[data-view="inception"]');
          const num = (el, a) => Number(el.getAttribute(a));
          return {
            variants: [...panel.querySelectorAll('.uv-inc-variant')].map(v => ({
              variant: v.dataset.variant, parameters: num(v, 'data-parameters'), multiplications: num(v, 'data-multiplications'),
              total: v.querySelector('.uv-inc-total').textContent,
              branches: [...v.querySelectorAll('.uv-inc-branch')].map(b => ({
                branch: b.dataset.branch, parameters: num(b, 'data-parameters'), multiplications: num(b, 'data-multiplications'),
                cost: [...b.querySelectorAll('.uv-inc-cost dd')].map(d => d.textContent),
                layers: [...b.querySelectorAll('.uv-inc-layer')].map(l => ({
                  layer: num(l, 'data-layer'), step: num(l, 'data-step'),
                  shape: l.querySelector('.uv-inc-shape').textContent, op: l.querySelector('.uv-inc-op').textContent}))})),
              segments: [...v.querySelectorAll('.uv-inc-segment')].map(s => [s.dataset.branch, num(s, 'data-from'), num(s, 'data-to')])})),
            ratio: panel.querySelector('.uv-inc-ratio') && {
              multiplications: num(panel.querySelector('.uv-inc-ratio'), 'data-multiplications'),
              parameters: num(panel.querySelector('.uv-inc-ratio'), 'data-parameters')}};
        }""", key)


def chw(shape: list[int]) -> str:
    return "×".join(str(n) for n in shape[1:])


def test_inception_view_shows_the_declared_branches_costs_and_concatenation(browser_context, tmp_path, traces):
    viewer = Viewer(browser_context, tmp_path, {"inc": traces["inception"], "naive": traces["naive"]})
    trace = viewer.traces["inc"]
    assert "inception" in viewer.tabs("inc")
    viewer.show("inc", "inception")
    declared = declared_branches(trace)
    view = shown(viewer, "inc")
    assert [v["variant"] for v in view["variants"]] == ["naive", "reduced"]
    tensors = trace["tensors"]
    totals = {}
    for v in view["variants"]:
        assert [b["branch"] for b in v["branches"]] == ["1x1", "3x3", "5x5", "pool"]
        for b in v["branches"]:
            expected = declared[(v["variant"], b["branch"])]
            assert (b["parameters"], b["multiplications"]) == (expected["parameters"], expected["multiplications"])
            assert b["cost"] == [f"{expected['parameters']:,}", f"{expected['multiplications']:,}"]
            assert [(l["layer"], l["step"]) for l in b["layers"]] == [(l["layer"], l["first"]) for l in expected["layers"]]
            for shown_layer, layer in zip(b["layers"], expected["layers"]):
                first = layer["steps"][0]
                x, y = tensors[first["inputs"][0]]["shape"], tensors[first["output"]]["shape"]
                assert shown_layer["shape"] == f"{chw(x)} → {chw(y)}"
                if first["op"] == "conv2d":
                    w = tensors[first["inputs"][1]]["shape"]
                    assert shown_layer["op"].startswith(f"{w[2]}×{w[3]} convolution, {w[1]} → {w[0]} channel")
                else:
                    assert first["op"] == "max_pool2d" and shown_layer["op"] == "3×3 max-pool, stride 1, padding 1"
        params = sum(declared[(v["variant"], b)]["parameters"] for b in ("1x1", "3x3", "5x5", "pool"))
        mults = sum(declared[(v["variant"], b)]["multiplications"] for b in ("1x1", "3x3", "5x5", "pool"))
        assert (v["parameters"], v["multiplications"]) == (params, mults)
        assert f"{params:,} parameters, {mults:,} multiplications" in v["total"]
        totals[v["variant"]] = (params, mults)
        # The concatenation: the concat step's inputs in order, each from its branch's scope.
        concat = next(s for s in trace["steps"] if s["op"] == "concat" and s["phase"] == "forward"
                      and trace["scopes"][trace["scopes"][s["scope"]]["parent"]]["attributes"]["variant"] == v["variant"])
        widths = [tensors[i]["shape"][1] for i in concat["inputs"]]
        starts = [1 + sum(widths[:k]) for k in range(len(widths))]
        assert v["segments"] == [[b, s, s + w - 1] for b, s, w in zip(["1x1", "3x3", "5x5", "pool"], starts, widths)]
        assert v["segments"][-1][2] == tensors[concat["output"]]["shape"][1]
    assert view["ratio"]["multiplications"] == pytest.approx(totals["naive"][1] / totals["reduced"][1], rel=1e-12)
    assert view["ratio"]["parameters"] == pytest.approx(totals["naive"][0] / totals["reduced"][0], rel=1e-12)
    bars = viewer.page.eval_on_selector_all(
        "#inc .uv-inc-bar", "gs => gs.map(g => [g.dataset.variant, g.dataset.branch, +g.dataset.multiplications, +g.querySelector('rect').getAttribute('width')])")
    assert [(v, b, n) for v, b, n, _ in bars] == [(v, b, declared[(v, b)]["multiplications"]) for v in ("naive", "reduced")
                                                  for b in ("1x1", "3x3", "5x5", "pool")]
    widest = max(bars, key=lambda bar: bar[2])
    for _, _, n, width in bars:   # one scale: lengths proportional to the counts
        assert width == pytest.approx(widest[3] * n / widest[2], abs=1e-6)
    viewer.shot("inc", "inception")

    # A layer's button goes to its first step, and lights that layer and its branch there.
    layer = declared[("reduced", "5x5")]["layers"][1]
    button = viewer.page.locator("#inc .uv-inc-variant[data-variant='reduced'] .uv-inc-branch[data-branch='5x5'] .uv-inc-layer[data-layer='2']")
    button.focus()
    viewer.page.keyboard.press("Enter")
    assert viewer.step0("inc") == layer["first"]
    assert "uv-lit" in button.get_attribute("class")
    lit = viewer.page.eval_on_selector_all("#inc .uv-inc-branch.uv-lit", "bs => bs.map(b => b.dataset.branch)")
    assert lit == ["5x5"]
    assert button.get_attribute("aria-label").startswith("Go to layer 2 of the 5×5 branch (reduced)")
    # During the backward pass through that layer the panel is in the backward colour.
    backward = next(s["index"] for s in trace["steps"] if s["phase"] == "backward" and s["scope"] == layer["steps"][0]["scope"])
    viewer.go("inc", backward)
    assert viewer.page.locator("#inc .ut-panel[data-view='inception'].uv-backward").count() == 1
    assert "uv-lit" in button.get_attribute("class")

    # One variant alone: no ratio, the pool branch passes the input's channels through.
    viewer.show("naive", "inception")
    naive = shown(viewer, "naive")
    assert [v["variant"] for v in naive["variants"]] == ["naive"] and naive["ratio"] is None
    pool = naive["variants"][0]["segments"][-1]
    assert pool[0] == "pool" and pool[2] - pool[1] + 1 == viewer.traces["naive"]["config"]["channels-in"]
    viewer.assert_clean()


@pytest.mark.parametrize("scheme,size", [("dark", (1400, 900)), ("light", (390, 844))])
def test_inception_view_screenshots(browser_context, tmp_path, traces, scheme, size):
    viewer = Viewer(browser_context, tmp_path, {"inc": traces["inception"]}, scheme=scheme)
    viewer.page.set_viewport_size({"width": size[0], "height": size[1]})
    viewer.show("inc", "inception")
    viewer.go("inc", 4)
    assert viewer.page.evaluate("document.documentElement.scrollWidth") <= size[0]
    viewer.shot("inc", f"inception-{scheme}-{size[0]}")
    viewer.assert_clean()
