"""The residual view in a real Chromium over file://: the gradient norms per layer it draws, its
ratios and its table are the trace's history, each point goes to the step that makes the layer's
∂L/∂y_{k−1}, and the block lights the path the gradient takes at the current step — all read
from the trace JSON here."""

from __future__ import annotations

import numpy as np
import pytest

from views_support import Viewer, make_traces, values


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["residual"])


def roots(trace: dict) -> dict[str, int]:
    return {s["attributes"]["variant"]: s["id"] for s in trace["scopes"] if s["parent"] is None and s.get("kind") == "variant"}


def root_of(trace: dict, scope: int) -> int:
    while trace["scopes"][scope]["parent"] is not None:
        scope = trace["scopes"][scope]["parent"]
    return scope


def layer_of(trace: dict, scope: int | None) -> int | None:
    while scope is not None:
        if trace["scopes"][scope].get("kind") == "layer":
            return trace["scopes"][scope]["attributes"]["layer"]
        scope = trace["scopes"][scope]["parent"]
    return None


def tagged(trace: dict, **tags) -> dict:
    return next(t for t in trace["tensors"] if t.get("tags") == tags)


def steps_making_gradient_of(trace: dict, tensor_id: int, variant: str) -> list[dict]:
    """The steps of `variant` that make a gradient of the tensor, in order."""
    root = roots(trace)[variant]
    return [s for s in trace["steps"] if s["scope"] is not None and root_of(trace, s["scope"]) == root
            and trace["tensors"][s["output"]].get("of") == tensor_id]


def below(trace: dict, k: int, variant: str) -> dict:
    return tagged(trace, quantity="image") if k == 1 else tagged(trace, quantity="feature_map", layer=k - 1, variant=variant)


def residual_panel(browser_context, tmp_path, traces, scheme: str = "light"):
    """A page with the default residual trace, its Residual tab shown: (viewer, trace, panel)."""
    viewer = Viewer(browser_context, tmp_path, {"res": traces["residual"]}, scheme=scheme)
    return viewer, viewer.traces["res"], viewer.show("res", "residual")


def panel_state(viewer: Viewer) -> dict:
    return viewer.page.evaluate("""() => {
      const p = document.querySelector("#res .ut-panel[data-view='residual']");
      const lit = name => p.querySelector(`.uv-res-path[data-path='${name}']`).classList.contains('uv-lit');
      return {branch: lit('branch'), identity: lit('identity'),
              labels: [...p.querySelectorAll('.uv-res-pathnorm')].map(t => t.textContent),
              lit: [...p.querySelectorAll('.uv-res-point.uv-lit')].map(c => [c.dataset.variant, +c.dataset.layer])};
    }""")


def test_residual_view_draws_the_history_norms_ratios_and_table(browser_context, tmp_path, traces):
    viewer, trace, panel = residual_panel(browser_context, tmp_path, traces)
    assert "residual" in viewer.tabs("res")
    snapshots = trace["history"][0]["tensors"]
    layers = trace["config"]["layers"]
    for variant in ("plain", "residual"):
        key = next(s["key"] for s in trace["series"] if s.get("variant") == variant and s["quantity"] == "gradient_norm")
        norms = [float(x) for x in snapshots[key]["data"]]
        assert len(norms) == layers
        # The history holds the norms of the final gradients of the tagged feature maps (numpy here).
        for k in (1, layers):
            y = tagged(trace, quantity="feature_map", layer=k, variant=variant)
            final = steps_making_gradient_of(trace, y["id"], variant)[-1]
            assert np.linalg.norm(values(trace["tensors"][final["output"]])) == pytest.approx(norms[k - 1], rel=1e-12)
        drawn = panel.evaluate(f"""p => [...p.querySelectorAll(".uv-res-point[data-variant='{variant}']")]
                                   .map(c => [+c.dataset.layer, +c.dataset.norm])""")
        assert drawn == [[k, norms[k - 1]] for k in range(1, layers + 1)]
        ratio = float(panel.locator(f".uv-res-ratio[data-variant='{variant}']").get_attribute("data-ratio"))
        assert ratio == norms[-1] / norms[0]
        cells = panel.evaluate(f"""p => [...p.querySelectorAll(".uv-res-table td[data-variant='{variant}']")]
                                   .map(td => [+td.dataset.layer, td.getAttribute('title')])""")
        assert [(k, float(t)) for k, t in cells] == [(k, norms[k - 1]) for k in range(1, layers + 1)]
    # The lesson the defaults are chosen for: the plain stack's gradient vanishes going down, the residual one's does not.
    ratios = {v: float(panel.locator(f".uv-res-ratio[data-variant='{v}']").get_attribute("data-ratio")) for v in ("plain", "residual")}
    assert ratios["plain"] > 1e3 and ratios["residual"] < 1
    viewer.shot("res", "residual")
    viewer.assert_clean()


def test_a_point_goes_to_the_step_that_makes_the_layer_input_gradient_and_the_block_shows_the_paths(browser_context, tmp_path, traces):
    viewer, trace, _ = residual_panel(browser_context, tmp_path, traces)
    k = 3
    for variant in ("plain", "residual"):
        made = steps_making_gradient_of(trace, below(trace, k, variant)["id"], variant)
        in_layer = [s for s in made if layer_of(trace, s["scope"]) == k]
        target = in_layer[-1]
        viewer.page.click(f"#res .uv-res-point[data-variant='{variant}'][data-layer='{k}']")
        assert viewer.step0("res") == target["index"]
        state = panel_state(viewer)
        assert state["lit"] == [[variant, k]]
        if variant == "residual":
            # The backward add: ∂L/∂y_{k−1} = (through F_k) + (identity), both paths lit.
            assert target["op"] == "add" and target["phase"] == "backward"
            assert state["branch"] and state["identity"]
            identity, branch = in_layer[0], in_layer[1]
            # The identity copy is made from ∂L/∂y_k itself; the branch's by the transposed convolution.
            y_k = tagged(trace, quantity="feature_map", layer=k, variant=variant)
            assert trace["tensors"][identity["inputs"][0]].get("of") == y_k["id"]
            assert branch["op"] == "conv_transpose2d"
            norms = [np.linalg.norm(values(trace["tensors"][s["output"]])) for s in (branch, identity)]
            shown = [float(t.split("= ")[1].replace("−", "-")) for t in state["labels"]]
            assert shown == pytest.approx(norms, rel=5e-3)
            viewer.go("res", identity["index"])
            state = panel_state(viewer)
            assert state["identity"] and not state["branch"]
            viewer.go("res", branch["index"])
            state = panel_state(viewer)
            assert state["branch"] and not state["identity"]
        else:
            # No skip: ∂L/∂y_{k−1} is the transposed convolution alone, and the identity path stays dark.
            assert target["op"] == "conv_transpose2d" and len(in_layer) == 1
            assert state["branch"] and not state["identity"]
            assert state["labels"][1] == "no skip connection"
    # Keyboard: a focused point goes on Enter.
    point = viewer.page.locator("#res .uv-res-point[data-variant='residual'][data-layer='1']")
    point.focus()
    viewer.page.keyboard.press("Enter")
    assert viewer.step0("res") == int(point.get_attribute("data-step"))
    assert point.get_attribute("role") == "button" and "layer 1" in point.locator("title").text_content()
    viewer.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_residual_view_screenshots(browser_context, tmp_path, traces, scheme):
    viewer, trace, _ = residual_panel(browser_context, tmp_path, traces, scheme)
    add = steps_making_gradient_of(trace, below(trace, 4, "residual")["id"], "residual")[-1]
    viewer.go("res", add["index"])
    viewer.shot("res", f"residual-{scheme}")
    viewer.page.set_viewport_size({"width": 390, "height": 844})
    viewer.shot("res", f"residual-{scheme}-phone")
    viewer.assert_clean()
