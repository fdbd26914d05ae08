"""The viewer (<unrolled-trace>) on traces that slip past `unrolled build` and `unrolled
embed`, which check every trace they write (TraceCheck): a page may hold a trace from
anywhere. Whatever the trace holds, the element shows its error box with the static fallback,
the page raises no uncaught exception, and the other viewers on the page keep working."""

from __future__ import annotations

import copy
import json

import pytest

from browsing import file_url, open_page
from viewer_harness import Figure, sample_trace, write_page


@pytest.fixture(scope="module")
def neuron(tmp_path_factory) -> dict:
    return json.loads(sample_trace("neuron", tmp_path_factory.mktemp("neuron")))


def settled(page):
    """Waits (at most 15 s) until every viewer shows either itself or its error box: one that
    died of an uncaught exception shows neither, and would never resolve its `ready`."""
    page.wait_for_function("[...document.querySelectorAll('unrolled-trace')]"
                           ".every(e => e.querySelector('.ut-root, .ut-error'))", timeout=15000)


def broken(trace: dict, change) -> str:
    changed = copy.deepcopy(trace)
    change(changed)
    return json.dumps(changed)


def set_path(trace: dict, path: list, value):
    target = trace
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


# (trace id, what the error box must say, how to break the neuron trace)
CASES = [
    ("dangling-input", "step 1 reads tensor 999, which the trace does not have",
     lambda t: set_path(t, ["steps", 1, "inputs", 0], 999)),
    ("missing-tensors", "step 0 reads tensor", lambda t: t.pop("tensors")),
    ("scope-cycle", "the parents of scope 0 form a cycle",
     lambda t: (set_path(t, ["scopes", 0, "parent"], 1), set_path(t, ["scopes", 1, "parent"], 0))),
    ("short-data", "tensor 0 does not hold the 3 values of its shape 1×3",
     lambda t: t["tensors"][0]["data"].pop()),
    ("bad-shape", "tensor 2 has no valid shape", lambda t: set_path(t, ["tensors", 2, "shape"], "3x1")),
    ("steps-object", '"steps" is not an array', lambda t: set_path(t, ["steps"], {})),
    # Passes the model's checks, then breaks the header while it is drawn.
    ("null-history", "This trace cannot be shown", lambda t: set_path(t, ["history"], [None, None])),
]


def test_a_trace_that_slips_through_shows_the_error_box_not_an_exception(browser_context, tmp_path, neuron):
    good = json.dumps(neuron)
    figures = [Figure(good, "good-before")]
    figures += [Figure(broken(neuron, change), name, title=name) for name, _, change in CASES]
    figures += [Figure('{"format": "unrolled-trace", "version": 1, "steps": [', "malformed-json", title="malformed"),
                Figure(good, "good-after")]
    page_path = write_page(tmp_path, figures)
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root")
    settled(page)
    expected = [(name, message) for name, message, _ in CASES] + [("malformed-json", "JSON")]
    for name, message in expected:
        element = page.locator(f'unrolled-trace[trace-id="{name}"]')
        error = element.locator(".ut-error")
        assert error.count() == 1, name
        text = error.inner_text()
        assert text.startswith("This trace cannot be shown: "), (name, text)
        assert message in text, (name, text)
        assert element.locator(".ut-root").count() == 0, name
        assert element.locator(".unrolled-fallback").is_visible(), name
    for name in ("good-before", "good-after"):
        element = page.locator(f'unrolled-trace[trace-id="{name}"]')
        element.locator('button[data-act="next"]').click()
        assert page.evaluate(f"document.querySelector('[trace-id=\"{name}\"]').step") == 2
    assert visit.page_errors == [], visit.page_errors
    assert visit.console_errors == [], visit.console_errors


def test_a_step_that_cannot_be_drawn_replaces_the_viewer_by_its_error_box(browser_context, tmp_path, neuron):
    """A matmul recorded with one input passes the model's checks; drawing that step fails.
    Reaching it puts the error box in the viewer's place, and keys and the hash do nothing more."""
    trace = copy.deepcopy(neuron)
    matmul = next(s for s in trace["steps"] if s["op"] == "matmul" and s["index"] > 0)
    matmul["inputs"] = matmul["inputs"][:1]
    page_path = write_page(tmp_path, [Figure(json.dumps(trace), "late")])
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root")
    element = page.locator('unrolled-trace[trace-id="late"]')
    settled(page)
    assert element.locator(".ut-error").count() == 0
    page.evaluate(f"document.querySelector('[trace-id=\"late\"]').goTo({matmul['index'] + 1})")
    assert element.locator(".ut-error").count() == 1
    assert element.locator(".ut-error").inner_text().startswith("This trace cannot be shown: ")
    assert element.locator(".ut-root").count() == 0
    element.focus()
    page.keyboard.press("ArrowLeft")
    page.evaluate("location.hash = '#late:2'")
    page.set_viewport_size({"width": 700, "height": 600})
    assert element.locator(".ut-error").count() == 1
    assert visit.page_errors == [], visit.page_errors
