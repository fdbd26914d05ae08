"""References in a built course (#14, docs/site.md "Referring to steps and values") in Debian's
Chromium over file://: clicking one goes to its step and brings the viewer into view, also when
the address already holds its hash; one to another page opens that page at its step; a trace's
own page in an <iframe> goes to its step without scrolling the page around the frame; and the
numbers the build wrote into the prose are the viewer's own formatting of the trace's values.

Every expected step number and value is read here from the trace JSON in the page, never typed:
the test knows only what each reference names (a tensor, a phase)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from browsing import file_url, open_page
from test_browser_site import build
from viewer_page import OUTPUT, no_problems, step_of, wait_ready

FILLER = "\n\n".join(
    f"Paragraph {i} of filler, so that the page is several screens tall and a reference far below the "
    "viewer has to bring it back into view. It says nothing about the trace." for i in range(1, 25))

# The values the prose quotes: data-ref → (the tensor the reference names, its element as a flat
# index or None for the whole tensor, the format: None for the viewer's own, or Python's spec).
VALUES = {
    "dy": ("dQ/dy", None, None),         # a 1×1 tensor: its one value
    "dw1": ("dQ/dw", 0, None),           # about 1e-5: the viewer's exponent form
    "dw": ("dQ/dw", None, None),         # a whole vector
    "dw12": ("dQ/dw", 1, None),          # an empty link text: the element's value
    "dx2": ("dQ/dx", 1, ".4f"),
    "q": ("Q", 0, None),                 # a scalar
    "t": ("t", 0, None),                 # a constant, which no step makes
}

FIRST = f"""
    # First

    The neuron below takes a tiny first input, so that one gradient is written in the exponent form.

    {textwrap.indent(FILLER[:600], "    ").strip()}

    ```unrolled
    model: neuron
    id: n
    x: 0.0001, 2
    w: 0.5, 0.25
    b: -0.5
    target: 1
    lr: 0.5
    title: One neuron
    caption: The error signal is made at [step {{step}}](#:dQ/dy); the backward pass is [steps {{steps}}](#:@phase=backward).
    ```

    The forward pass is <span data-ref="forward">[steps {{steps}}](#:@phase=forward)</span>.

    {textwrap.indent(FILLER, "    ").strip()}

    ## Values

    The error signal appears at <span data-ref="step-dy">[step {{step}}](#:dQ/dy)</span>, worth
    <span data-ref="dy">[{{value}}](#:dQ/dy)</span>. The gradient of $w$ is
    <span data-ref="dw">[{{value}}](#:dQ/dw)</span>: its first element is
    <span data-ref="dw1">[{{value}}](#:dQ/dw[1])</span> and its second
    <span data-ref="dw12">[](#:dQ/dw[1,2])</span>. The gradient of $x_2$ is
    <span data-ref="dx2">[{{value:.4f}}](#:dQ/dx[2])</span>, the loss
    <span data-ref="q">[{{value}}](#:Q)</span> and the target <span data-ref="t">[{{value}}](#:t)</span>.
    Back to [the first heading](#first).

    {textwrap.indent(FILLER, "    ").strip()}
    """

SECOND = """
    # Second

    Back on the first page, <span data-ref="cross">[the error signal at step {step}](01-first.md#n:dQ/dy)</span>.
    """

# A page around a trace's own page: its frame starts below the first screen's top, so scrolling
# the viewer to the top of the parent would move the parent. The test sets the frame's src.
HOST = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Slides</title>
<link rel="icon" href="data:,"></head><body>
<p style="height: 700px">Above the frame.</p>
<iframe width="1000" height="600" title="One neuron"></iframe>
<p style="height: 1500px">Below the frame.</p>
</body></html>
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("reference-course")
    (course / "notes").mkdir()
    (course / "course.yml").write_text("title: References\n", encoding="utf-8")
    (course / "notes" / "01-first.md").write_text(textwrap.dedent(FIRST).lstrip(), encoding="utf-8")
    (course / "notes" / "02-second.md").write_text(textwrap.dedent(SECOND).lstrip(), encoding="utf-8")
    output = build(course, tmp_path_factory.mktemp("reference-out") / "_site")
    (output / "host.html").write_text(HOST, encoding="utf-8")
    return output


def open_first(context, site: Path, fragment: str = ""):
    page, visit = open_page(context, file_url(site / "notes" / "01-first.html") + fragment, wait_for="unrolled-trace .ut-root")
    wait_ready(page)
    return page, visit


def trace_in(page_or_frame) -> dict:
    """The trace as the page holds it (the JSON the viewer reads)."""
    return page_or_frame.locator("unrolled-trace").first.evaluate("el => el.model.trace")


def making(trace: dict, name: str) -> int:
    """The 1-based step whose output is the one tensor named `name`."""
    found = [s["index"] + 1 for s in trace["steps"] if trace["tensors"][s["output"]]["name"] == name]
    assert len(found) == 1, (name, found)
    return found[0]


def run(trace: dict, phase: str) -> tuple[int, int]:
    steps = [s["index"] + 1 for s in trace["steps"] if s["phase"] == phase]
    return steps[0], steps[-1]


def reference(page, key: str):
    return page.locator(f'[data-ref="{key}"] a')


def top_of_viewer(page) -> float:
    """Where the viewer's top is in its window, in CSS pixels, less its scroll-margin-top (0:
    scrolled to the top, leaving that margin above it)."""
    return page.locator('unrolled-trace[trace-id="n"]').evaluate(
        "el => el.getBoundingClientRect().top - parseFloat(getComputedStyle(el).scrollMarginTop)")


def scroll_to_bottom(page):
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert top_of_viewer(page) < -page.viewport_size["height"], "the viewer should be out of view"


def wait_for_step(page, k: int):
    page.wait_for_function(f"document.querySelector('unrolled-trace[trace-id=\"n\"]').step === {k}")


def next_frame(page_or_locator):
    """Waits until the frame after the next has begun (a deep link scrolls on the next one)."""
    page_or_locator.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))")


def in_view_at(page, k: int):
    wait_for_step(page, k)
    assert abs(top_of_viewer(page)) <= 1, top_of_viewer(page)


def test_the_build_wrote_each_reference_from_the_trace(browser_context, site):
    page, visit = open_first(browser_context, site)
    trace = trace_in(page)
    dy = making(trace, "dQ/dy")
    assert reference(page, "step-dy").inner_text() == f"step {dy}"
    assert reference(page, "step-dy").get_attribute("href") == f"#n:{dy}"
    first, last = run(trace, "forward")
    assert reference(page, "forward").inner_text() == f"steps {first}–{last}"
    first, last = run(trace, "backward")
    caption = page.locator("figcaption a[href^='#n:']").all()
    assert [(a.inner_text(), a.get_attribute("href")) for a in caption] == [
        (f"step {dy}", f"#n:{dy}"), (f"steps {first}–{last}", f"#n:{first}")]
    no_problems(visit)


def viewer_text(page, name: str, element: int | None, linked: int) -> str:
    """What the viewer's own formatting (Unrolled.viewKit.format) writes for the tensor `name`
    (the output of step `linked`, or an input that step reads): an element, or a whole vector
    (a tensor of one value, 1×1 or a scalar, as that value)."""
    return page.evaluate("""([name, element, linked]) => {
        const kit = Unrolled.viewKit, trace = document.querySelector('unrolled-trace').model.trace;
        const step = trace.steps[linked - 1];
        const made = trace.tensors[step.output];
        const tensor = made.name === name ? made : step.inputs.map(i => trace.tensors[i]).find(t => t.name === name);
        if (!tensor) return `step ${linked} neither makes nor reads ${name}`;
        const values = tensor.data.map(v => kit.format(kit.number(v)));
        if (element !== null) return values[element];
        return values.length === 1 ? values[0] : '[' + values.join(', ') + ']';
    }""", [name, element, linked])


def test_the_values_the_build_wrote_are_the_viewers_own_formatting(browser_context, site):
    """The build's Swift formatting of a value against the viewer's JavaScript `format` of the
    same number in the trace the page holds: a gradient, an element in the exponent form, a
    whole vector, an empty link text, a scalar, a constant; and `.4f` against Python's."""
    page, visit = open_first(browser_context, site)
    trace = trace_in(page)
    for key, (name, element, spec) in VALUES.items():
        link = reference(page, key)
        linked = int(link.get_attribute("href").rsplit(":", 1)[1])
        written = link.inner_text()
        if spec is None:
            assert written == viewer_text(page, name, element, linked), (key, written)
        else:
            value = trace["tensors"][trace["steps"][linked - 1]["output"]]["data"][element]
            assert written == format(value, spec).replace("-", "−"), (key, written, value)
    assert "e−" in reference(page, "dw1").inner_text(), "the exponent form was meant to be tested"
    no_problems(visit)


def test_clicking_a_reference_goes_to_its_step_even_when_the_address_holds_its_hash(browser_context, site):
    page, visit = open_first(browser_context, site)
    trace = trace_in(page)
    dy = making(trace, "dQ/dy")
    assert step_of(page, "n") == 1

    scroll_to_bottom(page)
    reference(page, "step-dy").click()
    in_view_at(page, dy)
    assert page.evaluate("location.hash") == f"#n:{dy}"
    # The viewer has the focus: the arrow keys go on from there, and the hash follows.
    assert page.evaluate("document.activeElement.getAttribute('trace-id')") == "n"
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"location.hash === '#n:{dy + 1}'")

    # Clicked again after stepping elsewhere: back to its step.
    scroll_to_bottom(page)
    reference(page, "step-dy").click()
    in_view_at(page, dy)

    # The address holds the reference's hash already (a script moved the viewer, which leaves
    # the hash alone): no hashchange fires, and the click still goes to the step.
    page.evaluate("document.querySelector('unrolled-trace').goTo(3)")
    page.wait_for_timeout(300)  # past the 250 ms between hash writes
    assert page.evaluate("location.hash") == f"#n:{dy}"
    scroll_to_bottom(page)
    reference(page, "dy").click()
    in_view_at(page, dy)

    # A reference in the caption, to the first step of a run.
    first, _ = run(trace, "backward")
    page.locator(f"figcaption a[href='#n:{first}']").click()
    in_view_at(page, first)

    # An ordinary anchor is the browser's: the heading comes into view, the viewer keeps its step.
    page.locator("a[href='#first']:not(.anchor)").click()
    page.wait_for_function("location.hash === '#first'")
    assert step_of(page, "n") == first
    assert -1 <= page.locator("h1#first").evaluate("h => h.getBoundingClientRect().top") < 100
    assert page.evaluate("document.activeElement.getAttribute('trace-id')") is None
    no_problems(visit)


def test_a_reference_to_another_page_opens_it_at_its_step(browser_context, site):
    page, visit = open_page(browser_context, file_url(site / "notes" / "02-second.html"))
    with page.expect_navigation():
        reference(page, "cross").click()
    page.wait_for_selector("unrolled-trace .ut-root", state="attached")
    wait_ready(page)
    dy = making(trace_in(page), "dQ/dy")
    assert page.url.endswith(f"01-first.html#n:{dy}")
    assert reference(page, "step-dy").inner_text() == f"step {dy}"
    next_frame(page)
    in_view_at(page, dy)
    no_problems(visit)


def test_a_deep_link_scrolls_a_page_to_its_viewer(browser_context, site):
    page, visit = open_first(browser_context, site, "#n:5")
    next_frame(page)
    in_view_at(page, 5)
    assert page.evaluate("scrollY") > 0, "the viewer is below the first screen's top: the page had to scroll"
    no_problems(visit)


def test_a_trace_page_in_an_iframe_goes_to_its_step_without_scrolling_the_page_around_it(browser_context, site):
    page, visit = open_page(browser_context, file_url(site / "host.html"))
    page.evaluate("window.scrollTo(0, 250)")
    before = page.evaluate("scrollY")
    assert before == 250
    first, _ = open_first(browser_context, site)
    dy = making(trace_in(first), "dQ/dy")
    first.close()
    page.evaluate(f"document.querySelector('iframe').src = 'traces/n.html#n:{dy}'")
    inside = page.frame_locator("iframe").locator("unrolled-trace")
    inside.wait_for(state="attached")
    inside.evaluate("el => el.ready")
    # The initial deep link reveals the viewer on the next frame.
    next_frame(inside)
    assert inside.evaluate("el => el.step") == dy
    assert page.evaluate("scrollY") == before
    # The frame's own document did scroll to its viewer.
    assert abs(top_of_viewer(page.frame_locator("iframe"))) <= 1
    no_problems(visit)


@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_screenshot_after_clicking_a_reference(chromium, site, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height})
    try:
        page, visit = open_first(context, site)
        dy = making(trace_in(page), "dQ/dy")
        scroll_to_bottom(page)
        reference(page, "dy").click()
        in_view_at(page, dy)
        OUTPUT.mkdir(exist_ok=True)
        shot = OUTPUT / f"reference-click-{width}.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20000
        no_problems(visit)
    finally:
        context.close()
