"""The bundled course (Site/) as a reader meets it: it builds under --strict, every chapter
of course.yml is there with at least one live trace and a caption, and in Chromium every
page opens from disk, every viewer renders, steps forward once, goes to its last step and
shows each of its views, with no console error and no request leaving the site.

Writes screenshots to Tests/Browser/output/. With UNROLLED_README_SCREENSHOT=1 it also
refreshes the README's screenshot, docs/images/course-page.png (then commit it)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from browsing import file_url, open_page
from site_visits import visit_course_pages

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
README_SCREENSHOT = ROOT / "docs" / "images" / "course-page.png"


def chapters() -> list[str]:
    """The `chapters:` list of Site/course.yml, in order (a tiny reader: `  - path` lines)."""
    text = (ROOT / "Site" / "course.yml").read_text(encoding="utf-8")
    block = text.split("chapters:", 1)[1]
    return re.findall(r"^\s+-\s+(\S+)\s*$", block, re.MULTILINE)


@pytest.fixture
def course_site(bundled_course) -> Path:
    return bundled_course


def test_every_chapter_is_there_in_order_with_a_captioned_trace(course_site):
    listed = chapters()
    # Every note is a chapter, listed in the order of the files' numbers.
    assert listed == sorted(f"notes/{p.name}" for p in (ROOT / "Site" / "notes").glob("*.md")), listed
    for source in listed:
        page = course_site / source.replace(".md", ".html")
        assert page.is_file(), f"{source} did not become {page}"
        html = page.read_text(encoding="utf-8")
        assert "<unrolled-trace " in html, f"{source}: no live trace"
        assert re.search(r"<figcaption>(?!<a )", html), f"{source}: no trace has a caption"
    index = (course_site / "index.html").read_text(encoding="utf-8")
    assert '<section class="introduction">' in index, "Site/index.md (the introduction) is missing"
    positions = [index.find(f'href="{s.replace(".md", ".html")}"') for s in listed]
    assert all(p >= 0 for p in positions) and positions == sorted(positions), "the index lists the chapters out of order"


def test_every_page_opens_and_every_trace_steps_without_errors(browser_context, course_site):
    """Every other page of the site from disk (the rest in test_course_pages.py, which another
    worker runs at the same time): links, sidebar, KaTeX and console checked, each chapter's
    viewers stepped and each of their views opened, in the same visit."""
    visit_course_pages(browser_context, course_site, half=0)


def test_screenshot_of_a_chapter(browser_context, course_site):
    """The LSTM chapter at its first trace, moved a few steps in: the README's picture."""
    lstm = next((course_site / "notes").glob("*lstm*.html"))
    browser_context.set_default_timeout(15000)
    page, visit = open_page(browser_context, file_url(lstm))
    viewer = page.locator("unrolled-trace").first
    viewer.evaluate("el => el.ready")
    viewer.evaluate("el => el.goTo(4)")
    viewer.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -120)")
    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "course-page.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20000
    assert visit.problems() == []
    if os.environ.get("UNROLLED_README_SCREENSHOT"):
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, README_SCREENSHOT)
