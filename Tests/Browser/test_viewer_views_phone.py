"""Issue 20, item 5: the special views on a phone (390×844) as a student opens them. The word2vec
pipeline draws its narrow layout there (each stage's strip wrapped onto lines of a few columns),
still showing the trace's values, and its wide one on a desktop (1400×900), in one page. Then every
view of the bundled course's traces, each opened once on a phone: neither the page nor the view's
panel scrolls sideways (a matrix, grid, graph or table may scroll in a box of its own), and no text is
drawn under 11 px: an SVG text's computed font size times its drawing's scale (rendered width over
the viewBox's), an HTML text's computed font size. KaTeX's own boxes are left out: its struts hold
invisible 2 px spaces. Values are read from the trace JSON here, never from the view."""

from __future__ import annotations

import math

import pytest

from views_support import VIEWPORTS, Viewer, by_name, final_gradient, make_traces, numbers_in, values

# What the panel shows: its widths, the page's, whether the drawings are narrow, and every text
# drawn under 11 px (with its size).
MEASURE = """panel => {
  const small = [];
  for (const figure of panel.querySelectorAll('svg')) {
    const box = figure.viewBox && figure.viewBox.baseVal, width = figure.getBoundingClientRect().width;
    const scale = box && box.width ? width / box.width : 1;
    for (const text of figure.querySelectorAll('text, tspan')) {
      if (!text.textContent.trim() || !text.getBoundingClientRect().width || text.closest('defs')) continue;
      const px = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (px < 11) small.push(text.textContent.trim().slice(0, 24) + ' ' + px.toFixed(2));
    }
  }
  const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.data.trim() || element.closest('svg, .katex') || !element.getBoundingClientRect().width) continue;
    const px = parseFloat(getComputedStyle(element).fontSize);
    if (px < 11) small.push(node.data.trim().slice(0, 24) + ' ' + px.toFixed(2));
  }
  return {client: panel.clientWidth, scroll: panel.scrollWidth, page: document.documentElement.scrollWidth,
          viewport: window.innerWidth, narrow: panel.querySelectorAll('svg.uv-narrow').length, small: small.slice(0, 8)};
}"""

@pytest.fixture(scope="module")
def traces(tmp_path_factory):
    return make_traces(tmp_path_factory, ["cbow", "skipgram-ns"])


def stages(viewer: Viewer, key: str) -> dict[str, dict]:
    """Per stage: its cells' exact values and shown texts, and its gradient band's values."""
    return {s["name"]: s for s in viewer.page.eval_on_selector_all(
        f"#{key} .uv-stage",
        """ss => ss.map(s => ({name: s.getAttribute('data-stage'),
                              values: [...s.querySelectorAll('.uv-w2vcell')].map(c => +c.getAttribute('data-value')),
                              texts: [...s.querySelectorAll('.uv-w2vcell text')].map(t => t.textContent),
                              gradients: [...s.querySelectorAll('.uv-w2vgrad')].map(c => c.getAttribute('data-value'))}))""")}


def assert_stages_show_the_trace(viewer: Viewer, key: str):
    """Every stage's cells hold its tensor's values (all of them: the vocabulary is under 24 words),
    their texts those values to three digits, and the bands the final gradients at the last backward step."""
    trace = viewer.traces[key]
    shown = stages(viewer, key)
    assert len(shown) >= 6, shown.keys()
    for name, stage in shown.items():
        expected = values(by_name(trace, name))
        assert stage["values"] == list(expected), name
        texts = [numbers_in(text)[0] for text in stage["texts"]]
        assert all(math.isclose(t, v, rel_tol=5e-3, abs_tol=5e-4) for t, v in zip(texts, expected)), (name, texts)
        if stage["gradients"]:
            gradient = values(final_gradient(trace, by_name(trace, name)["id"]))
            assert [float(g) for g in stage["gradients"]] == list(gradient), name


def columns(panel) -> int:
    """The most cells side by side in one stage: the distinct x of its cells."""
    return panel.evaluate("""p => Math.max(...[...p.querySelectorAll('.uv-stage')].map(s =>
        new Set([...s.querySelectorAll('.uv-w2vcell rect')].map(r => r.getAttribute('x'))).size))""")


@pytest.mark.parametrize("key", ["cbow", "skipgram-ns"])
def test_the_word2vec_pipeline_wraps_on_a_phone_and_spreads_on_a_desktop(browser_context, tmp_path, traces, key):
    viewer = Viewer(browser_context, tmp_path, {key: traces[key]})
    trace = viewer.traces[key]
    viewer.page.set_viewport_size(VIEWPORTS["phone"])
    viewer.go(key, max(s["index"] for s in trace["steps"] if s["phase"] == "backward"))
    panel = viewer.show(key, "word2vec")
    phone = panel.evaluate(MEASURE)
    assert phone["narrow"] == 1 and phone["small"] == [], phone
    assert phone["scroll"] <= phone["client"] and phone["page"] <= phone["viewport"], phone
    # Wrapped: at most five columns of cells side by side, where the trace's widest stage has more.
    widest = max(min(24, t["shape"][-1]) for t in trace["tensors"] if t.get("shape") and "quantity" in t.get("tags", {})
                 and t["tags"]["quantity"] not in ("embedding", "output_embedding"))
    assert widest > 5 and columns(panel) <= 5, (widest, columns(panel))
    assert_stages_show_the_trace(viewer, key)
    viewer.shot(key, f"word2vec-{key}-phone")
    viewer.page.set_viewport_size(VIEWPORTS["desktop"])
    viewer.page.wait_for_function(f"() => !document.querySelector('#{key} .uv-word2vec svg.uv-narrow')")
    desktop = panel.evaluate(MEASURE)
    assert desktop["scroll"] <= desktop["client"], desktop
    assert columns(panel) == widest
    assert_stages_show_the_trace(viewer, key)
    viewer.shot(key, f"word2vec-{key}-desktop")
    viewer.assert_clean()


# One trace page of the bundled course per group of views; together they hold every view.
PAGES = {
    "toy-corpus": ["word2vec", "neighbours", "training", "graph"],
    "module": ["inception", "convolution"],
    "residual": ["residual", "convolution"],
    "batch": ["normalization"],
    "aug-none": ["feature-maps", "training"],
    "translator": ["attention"],
    "bilstm": ["lstm-cell", "unrolled"],
    "vanishing": ["unrolled"],
}


def test_every_view_of_the_course_fits_a_phone_and_reads(chromium, bundled_course):
    context = chromium.new_context(viewport=VIEWPORTS["phone"], is_mobile=True, has_touch=True)
    found = {}
    try:
        page = context.new_page()
        for trace_id, views in PAGES.items():
            page.goto((bundled_course / "traces" / f"{trace_id}.html").as_uri())
            page.wait_for_function("() => { const v = document.querySelector('unrolled-trace'); return v && v.model; }")
            # Half-way through the backward pass: gradients drawn, the forward values too.
            page.evaluate("""() => { const v = document.querySelector('unrolled-trace'), m = v.model;
                const back = m.phaseStart('backward'), update = m.phaseStart('update');
                if (back >= 0) v.goTo(Math.floor((back + (update >= 0 ? update : m.stepCount)) / 2) + 1); }""")
            for view in views:
                page.click(f"unrolled-trace .ut-tab[data-view='{view}']")
                panel = page.locator(f"unrolled-trace .ut-panel[data-view='{view}']")
                page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
                found[(trace_id, view)] = shown = panel.evaluate(MEASURE)
                assert shown["page"] <= shown["viewport"], (trace_id, view, shown)
                assert shown["scroll"] <= shown["client"], (trace_id, view, shown)
                assert shown["small"] == [], (trace_id, view, shown)
    finally:
        context.close()
    assert {view for _, view in found} >= {"word2vec", "neighbours", "training", "graph", "inception", "convolution",
                                           "residual", "normalization", "feature-maps", "attention", "lstm-cell", "unrolled"}
