"""Exercises that check answers (#20 item 8, docs/site.md "Exercises that check answers") in
Debian's Chromium over file://, on a desktop and a phone viewport: a right answer, a wrong one
(its hint lists the step's inputs), input that is not a number, the worked answer (the viewer at
the step, its element's provenance shown, and a button after it back to the input), progress kept across a reload and cleared, the
keyboard alone, the page without JavaScript, and axe's WCAG 2.1 AA rules on the boxes.

The expected values are worked out by hand from the directive's numbers: x = (1, 2),
w = (0.5, 0.25), b = −0.5, t = 1, η = 0.5 give net = 0.5 + 0.5 − 0.5 = 0.5, y = σ(0.5),
e = y − t, ∂Q/∂net = e·y(1 − y), ∂Q/∂w₂ = ∂Q/∂net · x₂ and the new b = b − η·∂Q/∂net. Step
numbers are read from the trace the page's viewer loaded, never from the exercise's markup."""

from __future__ import annotations

import math
import os
import textwrap
from pathlib import Path

import pytest

from browsing import file_url, open_page
from test_browser_site import build
from viewer_page import OUTPUT, no_problems, wait_ready

NET = 0.5
Y = 1 / (1 + math.exp(-0.5))
DNET = (Y - 1) * Y * (1 - Y)
DW2 = DNET * 2
NEW_B = -0.5 - 0.5 * DNET

FIRST = r"""
    # Neuron

    ```unrolled
    model: neuron
    id: n
    lr: 0.5
    target: 1
    b: -0.5
    w: [0.5, 0.25]
    x: [1, 2]
    ```

    ## Exercises

    1. Compute the net input by hand. [$\mathrm{net}$ =](#n:net "answer ±0.001")
    2. Then the output. [$y$ =](#n:y "answer ±0.001")
    3. The gradient of the second weight. [$\partial Q/\partial w_2$ =](#n:dQ/dw[2] "answer ±1%")
    4. The bias after the update. [new $b$ =](#n:b@phase=update "answer")

    The end of the page.
    """

SECOND = """
    # Elsewhere

    1. The first page's output again. [y =](01-neuron.md#n:y "answer ±0.001")
    """

VIEWPORTS = {"desktop": {"width": 1400, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("exercise-course")
    (course / "notes").mkdir()
    (course / "course.yml").write_text("title: Exercises\n")
    (course / "notes" / "01-neuron.md").write_text(textwrap.dedent(FIRST))
    (course / "notes" / "02-elsewhere.md").write_text(textwrap.dedent(SECOND))
    return build(course, tmp_path_factory.mktemp("exercise-site") / "site")


@pytest.fixture(params=list(VIEWPORTS))
def context(request, chromium):
    context = chromium.new_context(viewport=VIEWPORTS[request.param])
    context.viewport_name = request.param
    try:
        yield context
    finally:
        context.close()


def open_exercises(context, site: Path, page_name: str = "01-neuron.html"):
    page, visit = open_page(context, file_url(site / "notes" / page_name), wait_for=".exercise-ready")
    wait_ready(page)
    return page, visit


def box(page, k: int):
    return page.locator(".exercise-ready").nth(k)


def answer(page, k: int, text: str, enter: bool = False):
    field = box(page, k).locator("input")
    field.fill(text)
    if enter:
        field.press("Enter")
    else:
        box(page, k).get_by_role("button", name="Check").click()
    return box(page, k)


def step_making(page, name: str) -> int:
    """The step (from 1) whose output is named `name`, read from the trace the viewer loaded."""
    return page.evaluate("""name => { const t = document.querySelector('unrolled-trace').model.trace;
        return t.steps.findIndex(s => t.tensors[s.output].name === name) + 1; }""", name)


def screenshot(page, name: str):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / name
    page.screenshot(path=str(path), full_page=False)
    folder = os.environ.get("UNROLLED_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(path.read_bytes())


def test_right_wrong_and_not_a_number(site, context):
    page, visit = open_exercises(context, site)
    assert page.locator(".exercise-ready").count() == 4
    net = answer(page, 0, "0,5", enter=True)  # a decimal comma, and Enter
    assert net.get_attribute("data-state") == "right"
    assert "Right" in net.locator(".exercise-result").inner_text() and "0.5" in net.locator(".exercise-result").inner_text()
    assert net.locator("input").get_attribute("aria-invalid") == "false"

    y = answer(page, 1, "0.7")
    assert y.get_attribute("data-state") == "wrong"
    assert "not within ±0.001" in y.locator(".exercise-result").inner_text()
    hint = y.locator(".exercise-hint")
    assert hint.is_visible()
    # The hint: the step that makes y, its op, and its input net with its value (0.5 by hand).
    text = hint.inner_text()
    assert f"Step {step_making(page, 'y')} makes" in text and "sigmoid" in text, text
    assert f"(1×1, step {step_making(page, 'net')}) = 0.5" in text, text
    assert y.get_by_role("button", name="Show the worked answer").is_visible()

    # The tolerance's edges: σ(0.5) ≈ 0.62246 is within ±0.001 of 0.6225 and not of 0.6235.
    assert answer(page, 1, f"{Y + 0.0009:.5f}").get_attribute("data-state") == "right"
    assert answer(page, 1, f"{Y + 0.0011:.5f}").get_attribute("data-state") == "wrong"
    # A real minus sign and a power of ten, within 1% of ∂Q/∂w₂.
    mantissa = f"{abs(DW2) * 10:.4f}"
    assert answer(page, 2, f"\u2212{mantissa}×10^-1").get_attribute("data-state") == "right"
    assert answer(page, 2, f"{DW2 * 1.02:.6f}").get_attribute("data-state") == "wrong"
    # Without a tolerance in the title: ±1%.
    assert answer(page, 3, f"{NEW_B * 1.009:.6f}").get_attribute("data-state") == "right"
    assert answer(page, 3, f"{NEW_B * 1.011:.6f}").get_attribute("data-state") == "wrong"

    bad = answer(page, 1, "abc", enter=True)
    assert bad.get_attribute("data-state") == "invalid"
    assert "“abc” is not a number" in bad.locator(".exercise-result").inner_text()
    assert bad.locator("input").get_attribute("aria-invalid") == "true"
    assert "Type a number first" in answer(page, 1, "  ").locator(".exercise-result").inner_text()
    # The verdict is announced: the result is a status region the input is described by.
    assert bad.locator(".exercise-result").get_attribute("role") == "status"
    assert bad.locator("input").get_attribute("aria-describedby") == bad.locator(".exercise-result").get_attribute("id")

    answer(page, 1, "0.7")
    box(page, 1).scroll_into_view_if_needed()
    screenshot(page, f"exercises-{context.viewport_name}.png")
    no_problems(visit)


# What a reader may type, and the number it reads as (None: "not a number").
TYPED = [
    ("-0.645", -0.645), ("\u22120.645", -0.645), ("+2", 2), (".5", 0.5), ("1e-3", 0.001), ("1.2E-3", 0.0012),
    ("1.2×10^-3", 0.0012), ("1.2x10^-3", 0.0012), ("1.2 * 10^(\u22123)", 0.0012), ("1.2·10⁻³", 0.0012),
    ("10^-3", 0.001), ("0,645", 0.645), ("- 0.5", -0.5), ("1 234.5", 1234.5),
    ("abc", None), ("1,000.5", None), ("1,2,3", None), ("1/3", None), ("0x10", None), ("Infinity", None),
    ("NaN", None), ("1e", None), ("", None), ("1.2×10-3", None),
]


def test_what_a_reader_may_type(site, chromium):
    # One page reads them all (a page each took a second apiece of make test).
    context = chromium.new_context()
    try:
        page, _ = open_exercises(context, site)
        read = page.evaluate("texts => texts.map(text => Unrolled.readNumber(text))", [typed for typed, _ in TYPED])
        wrong = [(typed, got, expected) for (typed, expected), got in zip(TYPED, read)
                 if (got is None) != (expected is None) or (expected is not None and got != pytest.approx(expected, rel=1e-15))]
        assert wrong == [], "typed, read, expected: " + repr(wrong)
    finally:
        context.close()


def test_the_worked_answer_opens_the_provenance(site, context):
    page, visit = open_exercises(context, site)
    y = answer(page, 1, "0.7")
    y.get_by_role("button", name="Show the worked answer").click()
    viewer = page.locator("unrolled-trace#n")
    page.wait_for_function("() => document.querySelector('unrolled-trace#n').state.step === %d" % (step_making(page, "y") - 1))
    assert page.evaluate("document.querySelector('unrolled-trace#n').state.selected") == 0
    assert viewer.locator(".ut-prov").is_visible()
    assert f"The trace's value is {Y!r}"[:40] in y.locator(".exercise-answer").inner_text()
    # The way back: a button right after the provenance, focused, named for where it goes.
    back = viewer.get_by_role("button", name="Back to the exercise")
    assert page.evaluate("""() => { const b = document.activeElement, prov = document.querySelector('#n .ut-prov');
        return b.classList.contains('exercise-back-button') && b.closest('unrolled-trace').id === 'n'
          && !!(prov.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING); }""")
    assert back.get_attribute("aria-describedby") == y.locator(".exercise-label").get_attribute("id")
    if context.viewport_name == "phone":
        assert back.bounding_box()["height"] >= 44
    back.scroll_into_view_if_needed()
    screenshot(page, f"exercises-worked-{context.viewport_name}.png")
    # The arrows still step the viewer from there; Enter goes back to the input, in view.
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.querySelector('unrolled-trace#n').state.step") == step_making(page, "y") - 2
    page.keyboard.press("Enter")
    field = y.locator("input")
    assert page.evaluate("document.activeElement.id") == field.get_attribute("id")
    assert in_view(page, field) and back.is_hidden()
    # Another exercise's worked answer, opened by a tap or click, leads back to its own input.
    dw2 = answer(page, 2, "1")
    dw2.get_by_role("button", name="Show the worked answer").click()
    page.wait_for_function("() => document.activeElement.classList.contains('exercise-back-button')")
    assert not in_view(page, dw2.locator("input"))
    back.click()
    assert page.evaluate("document.activeElement.id") == dw2.locator("input").get_attribute("id")
    assert in_view(page, dw2.locator("input"))
    assert viewer.locator(".exercise-back").count() == 1
    no_problems(visit)


def in_view(page, locator) -> bool:
    """Whether the element lies wholly inside the window."""
    box = locator.bounding_box()
    return box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_a_worked_answer_on_another_page_opens_that_page_at_the_step(site, context):
    page, visit = open_exercises(context, site, "02-elsewhere.html")
    answer(page, 0, "0.7").get_by_role("button", name="Show the worked answer").click()
    page.wait_for_url("**/01-neuron.html#n:*")
    wait_ready(page)
    assert page.url.endswith(f"#n:{step_making(page, 'y')}")
    no_problems(visit)


def test_progress_survives_a_reload_and_clears(site, context):
    page, visit = open_exercises(context, site)
    answer(page, 0, "0,5")
    answer(page, 2, "1")  # wrong: not kept
    progress = page.locator(".exercise-progress")
    assert "1 of 4 exercises on this page answered right" in progress.inner_text()
    page.reload()
    page.wait_for_selector(".exercise-ready")
    assert box(page, 0).locator("input").input_value() == "0,5"
    assert box(page, 0).get_attribute("data-state") == "right"
    assert box(page, 2).locator("input").input_value() == ""
    assert "1 of 4" in progress.inner_text()
    key = page.evaluate("'unrolled-exercises:' + location.pathname")
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k))", key) == {"n:net": "0,5"}
    # Another page of the course keeps its own.
    other, _ = open_exercises(context, site, "02-elsewhere.html")
    assert other.locator(".exercise-ready[data-state]").count() == 0
    page.get_by_role("button", name="Clear my answers").click()
    assert box(page, 0).locator("input").input_value() == ""
    assert "cleared" in progress.inner_text()
    page.reload()
    page.wait_for_selector(".exercise-ready")
    assert box(page, 0).get_attribute("data-state") is None
    assert "0 of 4" in page.locator(".exercise-progress").inner_text()
    no_problems(visit)


def test_the_keyboard_alone(site, context):
    page, visit = open_exercises(context, site)
    first = box(page, 0).locator("input")
    for _ in range(200):  # Tab from the top of the page to the first answer's box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('exercise-input')"):
            break
    assert page.evaluate("document.activeElement.id") == first.get_attribute("id")
    page.keyboard.type("0.9")
    page.keyboard.press("Enter")
    assert box(page, 0).get_attribute("data-state") == "wrong"
    page.keyboard.press("Tab")  # Check
    page.keyboard.press("Tab")  # Show the worked answer
    assert page.evaluate("document.activeElement.textContent") == "Show the worked answer"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('exercise-back-button')")
    assert page.evaluate("document.querySelector('unrolled-trace#n').state.step") == step_making(page, "net") - 1
    page.keyboard.press("Space")  # back to the answer's box
    assert page.evaluate("document.activeElement.id") == first.get_attribute("id")
    no_problems(visit)


def test_without_javascript_the_question_and_a_link_to_the_step_remain(site, chromium):
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(file_url(site / "notes" / "01-neuron.html"))
        links = page.locator("span.exercise > a")
        assert links.count() == 4
        assert "Compute the net input by hand." in page.locator("main article > ol > li").first.inner_text()
        assert links.first.get_attribute("title") is None
        href = links.first.get_attribute("href")
        assert href.startswith("#n:") and int(href[3:]) >= 1
    finally:
        context.close()


def test_targets_and_width_on_a_phone(site, chromium):
    context = chromium.new_context(viewport=VIEWPORTS["phone"])
    try:
        page, _ = open_exercises(context, site)
        answer(page, 1, "0.7")
        answer(page, 0, "0.5")
        heights = page.evaluate("""() => [...document.querySelectorAll(
            '.exercise-ready input, .exercise-ready button:not([hidden]), .exercise-progress button:not([hidden])')]
            .map(e => e.getBoundingClientRect().height)""")
        assert heights and min(heights) >= 44, heights
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    finally:
        context.close()


def test_axe_finds_nothing_in_the_boxes(site, context):
    from axe_playwright_python.sync_playwright import Axe

    from accessibility import WCAG_21_AA

    page, _ = open_exercises(context, site)
    page.wait_for_function("() => document.querySelectorAll('.math:not([data-tex])').length === 0")
    answer(page, 0, "0.5")
    answer(page, 1, "0.7")
    answer(page, 2, "abc")
    box(page, 1).get_by_role("button", name="Show the worked answer").click()
    page.wait_for_selector(".exercise-back-button")
    page.wait_for_function("() => document.querySelectorAll('.math:not([data-tex])').length === 0")
    result = Axe().run(page, context={"include": [[".exercise-ready"], [".exercise-progress"], [".exercise-back"]],
                                      "exclude": [[".katex-html"]]},
                       options=WCAG_21_AA)
    found = [f"{rule['id']} {node['target']}" for rule in result.response["violations"] for node in rule["nodes"]]
    assert found == [], found
