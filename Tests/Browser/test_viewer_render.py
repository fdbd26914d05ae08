"""The trace viewer at scale and on any page, in Debian's Chromium over file://: every demo's
trace renders offline with no error, shared trace data, a trace without steps and a broken
trace, a 24,000-step trace with a small DOM, large tensors paged, and screenshots in light,
dark and narrow layouts written to Tests/Browser/output/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from browsing import file_url, open_page
from viewer_harness import Figure, SAMPLES, make_trace, sample_trace, unrolled_binary, write_page
from viewer_page import (go, load, lstm_text, no_problems, num, open_viewers, same, shot, step_of,  # noqa: F401
                         synthetic_trace, values, viewer, wait_ready)


def test_every_sample_trace_renders_without_errors_and_offline(browser_context, tmp_path):
    figures = [Figure(path.read_text(encoding="utf-8"), path.stem) for path in sorted(SAMPLES.glob("*.json"))]
    figures.append(Figure(synthetic_trace(), "synthetic"))
    page, visit = open_viewers(browser_context, tmp_path, figures)
    for figure in figures:
        el = viewer(page, figure.trace_id)
        n = page.evaluate(f"document.querySelector('[trace-id=\"{figure.trace_id}\"]').model.stepCount")
        for k in (n // 2, n):
            go(page, figure.trace_id, k)
        # Every view tab is shown once, at a middle step.
        tabs = el.locator(".ut-tab")
        for t in range(tabs.count()):
            tabs.nth(t).click()
        if tabs.count():
            tabs.nth(0).click()
    assert page.locator(".ut-error").count() == 0
    no_problems(visit)


def test_shared_trace_data_a_trace_without_steps_and_a_broken_trace(browser_context, tmp_path, lstm_text):
    """data-trace names a script elsewhere on the page; a history-only trace (no steps) shows
    its header and views; a trace that is not one says so inside its element, and nothing
    else on the page breaks."""
    history_only = make_trace(tmp_path, "gradient-flow", "--record", "history", binary=unrolled_binary())
    figures = [Figure(lstm_text, "shared", shared_script="lstm-data", step=3),
               Figure(history_only.read_text(encoding="utf-8"), "history"),
               Figure('{"format": "something-else"}', "broken"),
               Figure(lstm_text, "after")]
    page, visit = open_viewers(browser_context, tmp_path, figures)
    assert step_of(page, "shared") == 3
    assert page.evaluate("document.querySelector('[trace-id=\"shared\"]').model.stepCount") == len(load(lstm_text)["steps"])
    assert step_of(page, "history") == 0
    history = viewer(page, "history")
    # No steps to show: the controls give way to the views, the loss curve first.
    assert history.locator(".ut-controls").is_hidden()
    assert history.locator('.ut-tab[aria-selected="true"]').inner_text() == "Training"
    assert "loss in iteration 1" in history.locator(".ut-head").inner_text()
    assert "records no steps" in history.locator(".ut-step-panel").text_content()
    for t in range(history.locator(".ut-tab").count()):
        history.locator(".ut-tab").nth(t).click()
    history.focus()
    page.keyboard.press("ArrowRight")
    assert step_of(page, "history") == 0
    error = viewer(page, "broken").locator(".ut-error")
    assert "not an Unrolled trace" in error.inner_text()
    assert viewer(page, "broken").locator(".unrolled-fallback").is_visible()
    viewer(page, "after").locator('button[data-act="next"]').click()
    assert step_of(page, "after") == 2
    no_problems(visit)



# --------------------------------------------------------------------------- large traces

@pytest.fixture(scope="module")
def large_trace(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("large")
    return make_trace(folder, "peephole-lstm", "--steps", "200", "--hidden", "8", binary=unrolled_binary())


def test_a_trace_of_20000_steps_keeps_the_dom_small_and_responds(browser_context, tmp_path, large_trace):
    text = large_trace.read_text(encoding="utf-8")
    n = len(json.loads(text)["steps"])
    assert n >= 20000, n
    page_path = write_page(tmp_path, [Figure(text, "big")])
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root", timeout_ms=60000)
    wait_ready(page)
    el = viewer(page, "big")
    for k in (1, n // 2, 15000, n):
        go(page, "big", k)
        assert step_of(page, "big") == k
        current = el.locator(".ut-row.ut-current")
        assert current.count() == 1 and current.is_visible()
        rows = el.locator(".ut-row").count()
        assert rows < 80, rows
        assert el.locator("td").count() <= 3 * 144 + 10
        assert page.evaluate("document.querySelector('[trace-id=\"big\"]').querySelectorAll('*').length") < 2500
    el.focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowRight")
    assert step_of(page, "big") == 2
    # Collapse all: one row per top-level scope, the current step's scope highlighted.
    go(page, "big", 15000)
    el.locator('button[data-fold="collapse"]').click()
    current = el.locator(".ut-row.ut-current")
    assert current.count() == 1 and "ut-k1" in current.get_attribute("class")
    first, last = (int(x) for x in current.locator(".ut-row-range").inner_text().split("–"))
    assert first <= 15000 <= last
    el.locator('button[data-fold="expand"]').click()
    assert el.locator(".ut-row.ut-current .ut-row-n").inner_text() == "15000"
    # Scrolling the outline replaces the rows instead of adding them.
    el.locator(".ut-outline").evaluate("o => { o.scrollTop = o.scrollHeight / 2; o.dispatchEvent(new Event('scroll')); }")
    assert el.locator(".ut-row").count() < 80
    no_problems(visit)


def test_a_step_change_leaves_the_outline_rows_on_screen_untouched(browser_context, tmp_path, large_trace):
    """Stepping inside the outline's view moves the highlight and nothing else; a step that
    scrolls the outline keeps the element (and typeset name) of every row still on screen and
    builds only the rows coming into view, in row order in the DOM."""
    page_path = write_page(tmp_path, [Figure(large_trace.read_text(encoding="utf-8"), "big")])
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root", timeout_ms=60000)
    wait_ready(page)
    go(page, "big", 15000)
    # The rows' names are typeset after the frame that shows them: watch once that is done.
    page.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))")
    page.evaluate("""() => {
      const rows = document.querySelector('[trace-id="big"] .ut-outline-rows');
      window.outlineMutations = [];
      new MutationObserver(list => list.forEach(r => window.outlineMutations.push(
        r.type === 'attributes' ? r.attributeName : r.type === 'childList' && r.target === rows ? 'rows' : 'inside'
      ))).observe(rows, { childList: true, subtree: true, attributes: true, characterData: true });
      rows.querySelectorAll('.ut-row').forEach(row => { row.seen = true; });
    }""")
    go(page, "big", 15001)
    mutations = page.evaluate("window.outlineMutations.splice(0)")
    # The old row loses its highlight, the new one gets it: a class and aria-current each.
    assert sorted(mutations) == ["aria-current", "aria-current", "class", "class"], mutations
    # Step on until the current row leaves the view and the outline scrolls.
    for k in range(15002, 15100):
        go(page, "big", k)
        if "rows" in page.evaluate("window.outlineMutations"):
            break
    kept = page.evaluate("""() => {
      const rows = [...document.querySelectorAll('[trace-id="big"] .ut-row')];
      return { order: rows.map(r => Number(r.dataset.row)), kept: rows.filter(r => r.seen).map(r => Number(r.dataset.node)),
               fresh: rows.filter(r => !r.seen).length };
    }""")
    assert kept["order"] == sorted(kept["order"])
    # The outline scrolled (rows came and went), and the rows that stayed kept their elements.
    assert kept["fresh"] > 0 and kept["kept"], kept
    assert page.locator('[trace-id="big"] .ut-row.ut-current .ut-row-n').inner_text() == str(k)
    no_problems(visit)


def test_a_large_tensor_shows_a_window_that_pages(browser_context, tmp_path):
    text = sample_trace("gradient-flow", tmp_path)
    trace = load(text)
    i = next(s["index"] for s in trace["steps"]
             if len(trace["tensors"][s["output"]]["shape"]) == 2 and trace["tensors"][s["output"]]["shape"][0] > 12
             and trace["tensors"][s["output"]]["shape"][1] > 12)
    rows, cols = trace["tensors"][trace["steps"][i]["output"]]["shape"]
    page, visit = open_viewers(browser_context, tmp_path, [Figure(text, "w")])
    go(page, "w", i + 1)
    card = viewer(page, "w").locator('.ut-card[data-slot="out"]')
    assert card.locator("td").count() == 144
    assert f"rows 1–12 of {rows}" in card.locator(".ut-pager").inner_text()
    card.locator('button[data-page="down"]').click()
    card = viewer(page, "w").locator('.ut-card[data-slot="out"]')
    assert f"rows 13–24 of {rows}" in card.locator(".ut-pager").inner_text()
    first = int(card.locator("td").first.get_attribute("data-i"))
    assert first == 12 * cols
    want = values(trace, trace["steps"][i]["output"]).reshape(-1)
    assert same(num(card.locator("td").first.get_attribute("title")), want[first])
    no_problems(visit)


# --------------------------------------------------------------------------- screenshots

@pytest.mark.parametrize("scheme,width,demo,step", [
    ("light", 1280, "lstm", 180),
    ("dark", 1280, "lstm", 180),
    ("light", 360, "attention", 9),
    ("dark", 360, "cbow", 5),
    ("light", 1280, "transformer-encoder", 40),
])
def test_screenshots(chromium, tmp_path, scheme, width, demo, step):
    context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, reduced_motion="reduce")
    try:
        text = sample_trace(demo, tmp_path)
        page, visit = open_viewers(context, tmp_path, [Figure(text, demo, step=step)])
        el = viewer(page, demo)
        # Nothing sticks out of a narrow screen: the page does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        assert el.evaluate("e => e.getBoundingClientRect().right") <= width
        shot(page, f"viewer-{demo}-{scheme}-{width}.png")
        no_problems(visit)
    finally:
        context.close()
