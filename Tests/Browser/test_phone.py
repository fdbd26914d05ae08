"""The bundled course on a 390×844 phone (issue #20, item 5): a page opens on its title, the
chapter list behind a Menu button; no page scrolls sideways; every control a finger taps is at
least 44 px high; punctuation after inline math stays on the math's line."""

from __future__ import annotations

import pytest

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# Every element of a page that sticks out past the right edge of the screen while no box that
# scrolls or clips holds it: what makes the whole page scroll sideways.
STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth, found = [];
  for (const element of document.body.querySelectorAll('*')) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 0.5) continue;
    let held = false;
    for (let up = element.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') { held = true; break; }
    }
    if (!held) found.push(element.tagName + '.' + (element.getAttribute('class') || '') + ' to ' + Math.round(box.right));
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, found: found.slice(0, 5)};
}"""

# Controls shown on the page (not links inside prose, which WCAG exempts) lower than 44 px.
SMALL_TARGETS = """() => {
  const small = [];
  const controls = document.querySelectorAll(
    'nav a, nav button, nav input, .pager a, .toc a, button, input, select, [role=tab]');
  for (const element of controls) {
    if (element.closest('unrolled-trace')) continue;  // the viewer's own controls: test_viewer_*.py
    const box = element.getBoundingClientRect();
    if (box.width === 0 || getComputedStyle(element).visibility === 'hidden') continue;
    if (box.height < 44) small.push((element.textContent || element.getAttribute('aria-label') || element.tagName).trim().slice(0, 40) + ' ' + Math.round(box.height));
  }
  return small;
}"""


@pytest.fixture
def phone(chromium):
    context = chromium.new_context(**PHONE)
    try:
        yield context.new_page()
    finally:
        context.close()


def pages(bundled_course):
    return sorted(bundled_course.glob("notes/*.html")) + [bundled_course / "index.html"]


def test_every_page_opens_on_its_title_and_scrolls_only_downwards(phone, bundled_course):
    for path in pages(bundled_course):
        phone.goto(path.as_uri())
        phone.wait_for_function("() => document.querySelectorAll('.math:not([data-tex])').length === 0")
        title = phone.locator("main h1").first.bounding_box()
        assert title is not None and title["y"] < 200, f"{path.name}: the title is {title} down the page"
        assert phone.locator("#site-menu").is_hidden(), path.name
        report = phone.evaluate(STICKING_OUT)
        assert report["scrollWidth"] <= report["width"], f"{path.name} scrolls sideways: {report}"


def test_the_menu_button_opens_and_closes_the_chapter_list(phone, bundled_course):
    phone.goto((bundled_course / "notes" / "06-lstm.html").as_uri())
    button = phone.get_by_role("button", name="Menu")
    assert button.get_attribute("aria-expanded") == "false"
    button.tap()
    assert button.get_attribute("aria-expanded") == "true"
    chapters = phone.locator("#site-menu ol.pages a")
    assert chapters.count() == len(list(bundled_course.glob("notes/*.html")))
    assert chapters.first.is_visible()
    current = phone.locator("#site-menu li.current a")
    assert current.inner_text() == "Long short-term memory"
    button.tap()
    assert phone.locator("#site-menu").is_hidden()
    # Escape from inside the list closes it and gives the focus back to the button, once the
    # search box has been cleared by the first one.
    button.tap()
    phone.locator("#search").fill("gate")
    phone.keyboard.press("Escape")
    assert phone.locator("#site-menu").is_visible() and phone.locator("#search").input_value() == ""
    phone.keyboard.press("Escape")
    assert phone.locator("#site-menu").is_hidden()
    assert phone.evaluate("document.activeElement.className") == "menu-button"


def test_controls_are_at_least_44_px_high(phone, bundled_course):
    for name in ("notes/06-lstm.html", "index.html"):
        phone.goto((bundled_course / name).as_uri())
        phone.get_by_role("button", name="Menu").tap()
        assert phone.evaluate(SMALL_TARGETS) == [], name


def test_punctuation_after_inline_math_shares_its_line(phone, bundled_course):
    phone.goto((bundled_course / "notes" / "06-lstm.html").as_uri())
    phone.wait_for_function("() => document.querySelectorAll('.math:not([data-tex])').length === 0")
    pairs = phone.evaluate("""() => [...document.querySelectorAll('.math-nowrap')].map(span => {
      const math = span.querySelector('.math').getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(span.lastChild);
      const mark = range.getBoundingClientRect();
      return {text: span.lastChild.data, sameLine: Math.abs(mark.bottom - math.bottom) < 12 && mark.left >= math.right - 1};
    })""")
    assert len(pairs) > 10, pairs
    assert all(pair["sameLine"] for pair in pairs), [pair for pair in pairs if not pair["sameLine"]]
    assert {pair["text"][0] for pair in pairs} <= set(".,;:!?)]}\u2019\u201d\u2026")
    # No punctuation after math was left outside its span.
    assert phone.evaluate("""() => [...document.querySelectorAll('.math.inline')].filter(math =>
      !math.parentElement.classList.contains('math-nowrap') && math.nextSibling && math.nextSibling.nodeType === 3
      && /^[.,;:!?]/.test(math.nextSibling.data)).length""") == 0


def test_the_desktop_keeps_its_sidebar_open_without_a_menu_button(browser_context, bundled_course):
    page = browser_context.new_page()
    page.goto((bundled_course / "notes" / "06-lstm.html").as_uri())
    assert page.locator(".menu-button").is_hidden()
    assert page.locator("#site-menu ol.pages").is_visible()
