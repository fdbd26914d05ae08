"""Issue 20, items 3 and 7, in Chromium on a desktop (1400×900) and a phone (390×844): the gradient
norm chart's axis fits the norms shown (a control fixes it across iterations); the cell diagram's t
is the outline's and its gradients are written with the trace's loss name; the attention picker
starts on the head the step is in; search shows TeX as text and opens results from the keyboard.
Expected values come from the trace JSON (numpy norms) and from the course's Markdown here."""

from __future__ import annotations

import math
import subprocess

import numpy as np
import pytest

from browsing import file_url, open_page
from views_support import OUTPUT, Viewer, declared, make_traces, values
from viewer_harness import unrolled_binary

VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}
BAR_HEIGHT = 150   # views/unrolled-drawing.js: BAR_LENGTH, a bar's full length in SVG units in both drawings


@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    import views_support
    views_support.SPECIAL["exploding"] = ("gradient-flow", "--network", "rnn", "--steps", "12", "--hidden", "8",
                                          "--weight-scale", "3", "--train", "6", "--lr", "0.1")
    return make_traces(tmp_path_factory, ["exploding", "lstm", "multi-head-attention"])


def open_view(browser_context, tmp_path, traces, key, view, size):
    """A page with the trace `key` at the viewport `size`, its tab `view` shown: (viewer, trace, panel)."""
    viewer = Viewer(browser_context, tmp_path, {key: traces[key]})
    viewer.page.set_viewport_size(VIEWPORTS[size])
    return viewer, viewer.traces[key], viewer.show(key, view)


def log_height(n: float, lo: float, hi: float) -> float:
    """A bar's height on the log scale from lo to hi (unrolled.js's scaleY, from its definition)."""
    return max(2, BAR_HEIGHT * (math.log10(n) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * 0.95 + BAR_HEIGHT * 0.05)


def bars(viewer: Viewer, key: str) -> dict[int, tuple[float, float]]:
    """Per t, the bar's norm and length: its height standing (a desktop), its width lying (a phone's narrow drawing)."""
    shown = viewer.page.eval_on_selector_all(
        f"#{key} .ut-panel[data-view='unrolled'] .uv-bar[data-norm]",
        "bs => bs.map(b => [+b.getAttribute('data-t'), +b.getAttribute('data-norm'),"
        " +b.getAttribute(b.closest('svg').classList.contains('uv-narrow') ? 'width' : 'height')])")
    return {t: (n, h) for t, n, h in shown}


@pytest.mark.parametrize("size", VIEWPORTS)
def test_gradient_norm_axis_fits_what_is_shown(browser_context, tmp_path, traces, size):
    viewer, trace, panel = open_view(browser_context, tmp_path, traces, "exploding", "unrolled", size)
    # The bars are h_1 … h_T (h_0's gradient is not drawn, so it does not set the scale).
    states = {t["id"] for t in trace["tensors"]
              if (t.get("tags") or {}).get("quantity") == "hidden_state" and t["tags"].get("t", 0) >= 1}
    traced = [float(np.linalg.norm(values(t))) for t in trace["tensors"] if t["role"] == "gradient" and t.get("of") in states]
    history = [[float(x) for x in e["tensors"]["grad_norm_h"]["data"]] for e in trace["history"]]
    everything = traced + [n for entry in history for n in entry]
    assert panel.locator("input[type=checkbox]").first.is_checked()   # log scale: the norms span decades
    assert panel.locator("svg.uv-narrow").count() == (size == "phone")
    # The traced iteration's last backward step: its own norms fill the axis.
    last_backward = max(s["index"] for s in trace["steps"] if s["phase"] == "backward")
    viewer.go("exploding", last_backward)
    lo, hi = min(n for n in traced if n > 0), max(traced)
    shown = bars(viewer, "exploding")
    assert len(shown) == 12
    for t, (n, h) in shown.items():
        assert h == pytest.approx(log_height(n, lo, hi), abs=1e-6), t
    # Fixed across iterations: every norm of the trace, a wider range than this iteration's.
    fixed = panel.locator(".uv-fixed-scale")
    fixed.check()
    glo, ghi = min(n for n in everything if n > 0), max(everything)
    assert (glo, ghi) != (lo, hi)
    for t, (n, h) in bars(viewer, "exploding").items():
        assert h == pytest.approx(log_height(n, glo, ghi), abs=1e-6), t
    fixed.uncheck()
    # A history entry shown by the slider fits that entry's norms.
    panel.locator("input[type=range]").fill("4")
    entry = history[3]
    for t, (n, h) in bars(viewer, "exploding").items():
        assert n == entry[t - 1]
        assert h == pytest.approx(log_height(n, min(x for x in entry if x > 0), max(entry)), abs=1e-6), t
    viewer.shot("exploding", f"gradient-norms-{size}")
    viewer.assert_clean()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_cell_diagram_says_the_outlines_t_and_the_loss_name(browser_context, tmp_path, traces, size):
    viewer, trace, panel = open_view(browser_context, tmp_path, traces, "lstm", "lstm-cell", size)
    loss = trace["tensors"][trace["loss"]]["name"]
    timed = [(step, t) for step in trace["steps"] if (t := declared(trace, step["scope"], "time_step", "t")) is not None]
    # Every step in one round trip: the view updates as goTo returns, and a call per step was most
    # of this test's time.
    shown = viewer.page.evaluate("""indices => { const v = document.getElementById('lstm');
        const panel = v.querySelector(".ut-panel[data-view='lstm-cell']");
        return indices.map(i => { v.goTo(i + 1); const captions = panel.querySelectorAll('.uv-caption');
            return [panel.querySelector('.uv-cellname').textContent, captions.length ? captions[captions.length - 1].textContent : '']; }); }""",
        [step["index"] for step, _ in timed])
    checked = 0
    for (step, t), (heading, note) in zip(timed, shown):
        assert f"t = {t} of 3" in heading, (step["index"], heading)
        if step["phase"] == "backward":
            assert f"∂{loss}/∂(its value)" in note and "∂L" not in note
        checked += 1
    assert checked > 100
    viewer.go("lstm", 143)
    viewer.shot("lstm", f"cell-t-{size}")
    viewer.assert_clean()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_attention_picker_starts_where_the_step_is(browser_context, tmp_path, traces, size):
    viewer, trace, panel = open_view(browser_context, tmp_path, traces, "multi-head-attention", "attention", size)
    select = panel.locator("select")
    heads = select.locator("option").all_text_contents()
    assert heads[0].startswith("head 1") and heads[1].startswith("head 2")
    # Before any head (the shared projections) head 1; in a head's scope, that head. Elsewhere
    # (the concatenation, the loss) the picker stays on the head last followed.
    seen_head = False
    for step in trace["steps"]:
        viewer.go("multi-head-attention", step["index"])
        head = declared(trace, step["scope"], "head", "head")
        seen_head = seen_head or head is not None
        if head is not None or not seen_head:
            assert heads[int(select.input_value())].startswith(f"head {head or 1}"), (step["index"], head)
        if step["index"] > 40:
            break
    viewer.go("multi-head-attention", 0)
    viewer.shot("multi-head-attention", f"attention-head-{size}")
    viewer.assert_clean()


NOTES = """---
title: Gradients
---

# Gradients

The norm of $\\partial Q/\\partial h_t$ shrinks, and $W_{\\text{in}}$ holds the rows.

## Exploding

An exploding norm of $\\frac{\\partial Q}{\\partial h_t}$ is clipped.
"""


@pytest.fixture(scope="module")
def math_site(tmp_path_factory):
    course = tmp_path_factory.mktemp("search") / "course"
    (course / "notes").mkdir(parents=True)
    (course / "course.yml").write_text("title: Search\nchapters:\n  - notes/01-gradients.md\n")
    (course / "notes" / "01-gradients.md").write_text(NOTES)
    built = subprocess.run([str(unrolled_binary()), "build", str(course)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    return course / "_site"


@pytest.mark.parametrize("size", VIEWPORTS)
def test_search_shows_tex_as_text_and_opens_results_from_the_keyboard(browser_context, math_site, size):
    page, visit = open_page(browser_context, file_url(math_site / "index.html"), wait_for="#search")
    page.set_viewport_size(VIEWPORTS[size])
    def reveal_search():
        # On a phone the search box is behind the Menu button (menu.js).
        if not page.locator("#search").is_visible():
            page.get_by_role("button", name="Menu").click()

    reveal_search()
    page.fill("#search", "norm")
    results = page.locator("#search-results li")
    assert results.count() >= 1
    snippet = results.first.locator("p").inner_text()
    assert "\\" not in snippet and "{" not in snippet, snippet
    assert "∂Q/∂hₜ" in snippet, snippet
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"search-tex-{size}.png"))
    # ↓ to the first result, ↓ to the next, ↑ back, Enter opens it.
    page.focus("#search")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.getAttribute('href')")
    assert first and first == results.first.locator("a").get_attribute("href")
    if results.count() > 1:
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.getAttribute('href')") != first
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url("**/01-gradients.html*")
    # From the box itself, Enter opens the first result.
    page.go_back()
    reveal_search()
    page.fill("#search", "exploding")
    page.focus("#search")
    page.keyboard.press("Enter")
    page.wait_for_url("**/01-gradients.html#exploding")
    assert visit.problems() == []
