"""Tensor names in a real Chromium over file://, on a desktop and a phone: the LSTM step that
computes c_2 shows every name typeset by KaTeX from the trace's `tex` (docs/trace-format.md,
"Names"), in the step's cards, its provenance (with the element's index) and the outline, with
no TeX source and no counter (`mul_51`) in the visible text; tooltips and accessible names read
the TeX as plain text. The expected readings are written here by hand from the rule."""

from __future__ import annotations

import pytest

from views_support import OUTPUT, Viewer, by_name, make_traces, producer

VIEWPORTS = {"desktop": (1400, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def lstm(tmp_path_factory):
    return make_traces(tmp_path_factory, ["lstm"])["lstm"]


@pytest.fixture(params=list(VIEWPORTS))
def at_c2(request, chromium, tmp_path, lstm):
    """The viewer at the step computing c_2, in each viewport: (viewer, trace, step, viewport)."""
    width, height = VIEWPORTS[request.param]
    context = chromium.new_context(viewport={"width": width, "height": height})
    try:
        viewer = Viewer(context, tmp_path, {"l": lstm})
        trace = viewer.traces["l"]
        step = producer(trace, by_name(trace, "c_2")["id"])
        viewer.go("l", step)
        yield viewer, trace, step, request.param
        viewer.assert_clean()
    finally:
        context.close()


def visible_text(viewer: Viewer, selector: str) -> str:
    """What a reader sees of `selector`: KaTeX's HTML draws it; its hidden MathML copy is not shown."""
    return viewer.page.eval_on_selector(selector, "e => e.innerText")


def typeset(viewer: Viewer):
    """Waits for the names typeset after the frame (the outline's rows, provenance's labels)."""
    viewer.page.wait_for_function("!document.querySelector('#l .ut-tex-late')")


def accessible_names(viewer: Viewer, selector: str) -> list[str]:
    return viewer.page.eval_on_selector_all(selector, "es => es.map(e => e.getAttribute('aria-label'))")


def test_the_step_computing_c2_shows_its_operands_as_the_cell_state_equation_typeset(at_c2):
    viewer, trace, step, viewport = at_c2
    cards = "#l .ut-tensors .ut-card .ut-name .ut-tex"
    # c_2 = f_2 ⊙ c_1 + i_2 ⊙ c̃_2: the two products the engine named mul_51 and mul_52.
    assert accessible_names(viewer, cards) == ["f_2 ⊙ c_1", "i_2 ⊙ c̃_2", "c_2"]
    assert viewer.page.locator(f"{cards} .katex").count() == 3
    assert viewer.page.locator(f"{cards} .ut-tex-source").count() == 0
    operands = [trace["tensors"][i]["name"] for i in trace["steps"][step]["inputs"]]
    assert all(name.startswith("mul_") for name in operands), operands
    # Hovering a name tells an author the name references use.
    assert viewer.page.eval_on_selector_all(cards, "es => es.map(e => e.title)") == [
        f"f_2 ⊙ c_1 · in references: {operands[0]}", f"i_2 ⊙ c̃_2 · in references: {operands[1]}", "c_2"]
    shown = visible_text(viewer, "#l .ut-step-panel")
    assert "\\" not in shown and not any(name in shown for name in operands), shown
    # The matrices are named for screen readers by the same plain text.
    assert viewer.page.eval_on_selector_all("#l .ut-tensors table", "ts => ts.map(t => t.getAttribute('aria-label').split(',')[0])") \
        == ["f_2 ⊙ c_1", "i_2 ⊙ c̃_2", "c_2"]
    viewer.shot("l", f"names-c2-{viewport}")


def test_provenance_names_each_element_by_its_typeset_tensor_and_index(at_c2):
    viewer, trace, step, viewport = at_c2
    viewer.page.click("#l .ut-card[data-slot='out'] td[data-i='1']")
    typeset(viewer)
    prov = "#l .ut-prov"
    formula = accessible_names(viewer, f"{prov} .ut-formula .ut-tex")
    # Element 2 of the column c_2 is row 2: an expression's element is its value in parentheses.
    assert formula == ["c_2[2,1]", "(f_2 ⊙ c_1)[2,1]", "(i_2 ⊙ c̃_2)[2,1]"]
    assert accessible_names(viewer, f"{prov} h4 .ut-tex") == ["c_2[2,1]"]
    assert viewer.page.locator(f"{prov} .ut-formula .katex").count() == 3
    labels = viewer.page.eval_on_selector_all(f"{prov} .ut-num[data-kind='operand']", "ns => ns.map(n => n.title)")
    assert accessible_names(viewer, f"{prov} .ut-num-label .ut-tex") == ["(f_2 ⊙ c_1)[2,1]", "(i_2 ⊙ c̃_2)[2,1]"]
    assert viewer.page.locator(f"{prov} .ut-num-label .katex").count() == 2
    f, c = (by_name(trace, n)["data"][1] for n in ("f_2", "c_1"))
    assert labels[0] == f"(f_2 ⊙ c_1)[2,1] = {f * c!r}"
    shown = visible_text(viewer, prov)
    assert "\\" not in shown and "mul_" not in shown, shown
    viewer.page.locator(prov).screenshot(path=str(OUTPUT / f"views-names-provenance-{viewport}.png"))


def test_the_outline_typesets_each_result_one_line_high(at_c2):
    viewer, trace, step, _ = at_c2
    current = "#l .ut-row.ut-current .ut-row-out .ut-tex"
    typeset(viewer)
    assert accessible_names(viewer, current) == ["c_2"]
    assert viewer.page.locator(f"{current} .katex").count() == 1
    rows = viewer.page.eval_on_selector_all(
        "#l .ut-row .ut-row-out .ut-tex", "es => es.map(e => [e.getAttribute('aria-label'), e.getBoundingClientRect().height])")
    names = [name for name, _ in rows]
    assert "f_2 ⊙ c_1" in names and "i_2 ⊙ c̃_2" in names, names
    assert all(height <= 26 for _, height in rows), rows
    shown = visible_text(viewer, "#l .ut-outline")
    assert "\\" not in shown and "mul_" not in shown and "matmul_" not in shown, shown
    # A gradient in a row: its fraction written inline, ∂Q/∂c_2, so the row stays one line high.
    backward = next(s["index"] for s in trace["steps"] if trace["tensors"][s["output"]]["name"] == "dQ/dc_2")
    viewer.go("l", backward)
    typeset(viewer)
    assert accessible_names(viewer, current) == ["∂Q/∂c_2"]
    assert viewer.page.locator(f"{current} .mfrac").count() == 0


def test_tex_reads_as_plain_text(at_c2):
    """texText, each expected reading written by hand."""
    viewer, _, _, _ = at_c2
    cases = {
        "f_{2} \\odot c_{1} + i_{2} \\odot \\tilde{c}_{2}": "f_2 ⊙ c_1 + i_2 ⊙ c̃_2",
        "\\frac{\\partial Q}{\\partial (f_{2} \\odot c_{1})}": "∂Q/∂(f_2 ⊙ c_1)",
        "\\sigma(W_{f} [h_{1}; x_{2}] + b_{f})": "σ(W_f [h_1; x_2] + b_f)",
        "\\log\\operatorname{softmax}(u)": "log softmax(u)",
        "\\tfrac{1}{\\sqrt{2}}\\,Q K^{\\top}": "1/√2 Q Kᵀ",
        "(y - \\mathrm{target}_{1})^{2}": "(y − target_1)²",
        "Z_2^{\\mathrm{cross}}": "Z_2^cross",
        "W_{\\mathrm{in}}": "W_in",
        "x_{t-1}": "x_(t−1)",
        "\\frac{a + b}{c}": "(a + b)/c",
    }
    got = viewer.page.evaluate("cases => cases.map(t => Unrolled.viewerKit.texText(t))", list(cases))
    assert dict(zip(cases, got)) == cases
    slashed = viewer.page.evaluate("t => Unrolled.viewerKit.slashed(t)", "\\frac{\\partial Q}{\\partial (f_{2} \\odot c_{1})} \\odot c_{1}")
    assert slashed == "{\\partial{}Q/\\partial{}(f_{2} \\odot c_{1})} \\odot c_{1}"
    # TeX KaTeX refuses stays as it is, so KaTeX shows its error.
    assert viewer.page.evaluate("t => Unrolled.viewerKit.slashed(t)", "\\frac{a}") == "\\frac{a}"


def test_a_name_is_typeset_once_however_many_steps_show_it(at_c2):
    """Stepping back and forth over steps already shown calls KaTeX no more: names are cached per
    TeX. And a step change typesets the outline's rows after its frame, not in it."""
    viewer, trace, step, _ = at_c2
    calls = """(steps) => {
        const render = katex.renderToString;
        let count = 0;
        katex.renderToString = function () { count++; return render.apply(this, arguments); };
        const el = document.getElementById('l');
        for (let round = 0; round < 3; round++) for (const s of steps) el.goTo(s);
        katex.renderToString = render;
        return count;
    }"""
    steps = list(range(step - 5, step + 6))
    viewer.page.evaluate(calls, steps)
    typeset(viewer)
    assert viewer.page.evaluate(calls, steps) == 0
    last = len(trace["steps"])
    assert viewer.page.evaluate("""(last) => { document.getElementById('l').goTo(last);
        return document.querySelectorAll('#l .ut-row .ut-tex-late').length; }""", last) > 0
    typeset(viewer)
    assert viewer.page.locator("#l .ut-row .ut-tex .katex").count() > 0
