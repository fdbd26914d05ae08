"""The bundled course (Site/) as a reader meets it: it builds under --strict, every chapter
of course.yml is there with at least one live trace and a caption, and in Chromium every
page opens from disk, every viewer renders, steps forward once, goes to its last step and
shows each of its views, with no console error and no request leaving the site.

Writes screenshots to Tests/Browser/output/. With UNROLLED_README_SCREENSHOT=1 it also
refreshes the README's screenshot, docs/images/course-page.png (then commit it)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from browsing import file_url, open_page

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"
README_SCREENSHOT = ROOT / "docs" / "images" / "course-page.png"


def unrolled_bin() -> Path:
    env = os.environ.get("UNROLLED_BIN")
    return Path(env) if env else ROOT / ".build" / "debug" / "unrolled"


def chapters() -> list[str]:
    """The `chapters:` list of Site/course.yml, in order (a tiny reader: `  - path` lines)."""
    text = (ROOT / "Site" / "course.yml").read_text(encoding="utf-8")
    block = text.split("chapters:", 1)[1]
    return re.findall(r"^\s+-\s+(\S+)\s*$", block, re.MULTILINE)


@pytest.fixture(scope="module")
def course_site(tmp_path_factory) -> Path:
    binary = unrolled_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    output = tmp_path_factory.mktemp("course") / "_site"
    result = subprocess.run([str(binary), "build", str(ROOT / "Site"), "--output", str(output), "--strict"],
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, f"the bundled course does not build under --strict:\n{result.stderr}"
    assert "0 warnings" in result.stderr.splitlines()[-1], result.stderr
    return output


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


def step_every_viewer(page) -> list[str]:
    """Steps each viewer of the page once, then to its end, and opens each of its views;
    returns what went wrong."""
    problems = []
    count = page.locator("unrolled-trace").count()
    for i in range(count):
        viewer = page.locator("unrolled-trace").nth(i)
        viewer.scroll_into_view_if_needed()
        viewer.evaluate("el => el.ready")
        name = viewer.get_attribute("trace-id")
        data = json.loads(viewer.locator("script.unrolled-trace-data").text_content())
        steps = viewer.evaluate("el => el.model.stepCount")
        if steps != len(data["steps"]):
            problems.append(f"{name}: the viewer has {steps} steps, the trace {len(data['steps'])}")
        live = viewer.locator("[aria-live]").first
        before = live.text_content()
        viewer.locator("button[data-act='next']").click()
        if viewer.evaluate("el => el.step") != min(2, steps):
            problems.append(f"{name}: the next button did not move to step 2")
        if live.text_content() == before:
            problems.append(f"{name}: the live region did not announce the step")
        viewer.evaluate("el => el.goTo(el.model.stepCount)")
        tabs = viewer.locator("[role='tab']")
        for k in range(tabs.count()):
            tabs.nth(k).click()
        if viewer.locator(".unrolled-fallback").is_visible():
            problems.append(f"{name}: the static fallback is still shown")
    return problems


def test_every_page_opens_and_every_trace_steps_without_errors(browser_context, course_site):
    problems = []
    traces = 0
    for path in sorted(course_site.rglob("*.html")):
        where = path.relative_to(course_site).as_posix()
        page, visit = open_page(browser_context, file_url(path))
        if where.startswith("traces/"):
            # A chapter's trace on its own page: the same viewer, stepped on the chapter already.
            page.locator("unrolled-trace").evaluate("el => el.ready")
        else:
            traces += page.locator("unrolled-trace").count()
            problems += [f"{where}: {p}" for p in step_every_viewer(page)]
        problems += [f"{where}: {p}" for p in visit.problems()]
        problems += [f"{where}: external request {u}" for u in visit.external_requests()]
        if page.locator(".katex-error").count():
            problems.append(f"{where}: KaTeX error")
        page.close()
    assert traces > 0
    assert problems == [], "\n".join(problems)


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
