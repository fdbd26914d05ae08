"""`unrolled init` as an instructor meets it: the starter course it writes builds under --strict
without a warning, and in Chromium, from disk and over http, every page shows its math typeset by
KaTeX and its picture, every viewer steps, with no console error, no broken link and no request
leaving the site."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from browsing import file_url, serve
from site_visits import visit_all

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ["notes/01-neuron.html", "notes/02-your-own-equations.html"]


@pytest.fixture(scope="module")
def starter_site(tmp_path_factory) -> Path:
    """`unrolled init` into a new folder, then `unrolled build --strict` there: the site."""
    env = os.environ.get("UNROLLED_BIN")
    binary = Path(env) if env else ROOT / ".build" / "debug" / "unrolled"
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    course = tmp_path_factory.mktemp("init") / "my-course"
    made = subprocess.run([str(binary), "init", str(course)], capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    built = subprocess.run([str(binary), "build", str(course), "--strict"], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    assert " 0 warnings " in built.stderr.splitlines()[-1], built.stderr
    return course / "_site"


def check_chapter(where: str, page) -> list[str]:
    """On a chapter: display and inline math typeset, the picture loaded (first note), and each
    viewer stepped with its next button and sent to its last step."""
    if where not in CHAPTERS:
        return []
    problems = []
    if page.locator(".katex-display").count() == 0 or page.locator("p .katex").count() == 0:
        problems.append("the display and inline math are not both typeset by KaTeX")
    for image in page.locator("main img").all():
        if not image.evaluate("img => img.complete && img.naturalWidth > 0"):
            problems.append(f"the picture {image.get_attribute('src')} did not load")
    viewers = page.locator("unrolled-trace")
    if viewers.count() != 1:
        problems.append(f"{viewers.count()} viewers, the note has one directive")
    for viewer in viewers.all():
        viewer.scroll_into_view_if_needed()
        viewer.evaluate("el => el.ready")
        steps = viewer.evaluate("el => el.model.stepCount")
        live = viewer.locator("[aria-live]").first
        before = live.text_content()
        viewer.locator("button[data-act='next']").click()
        if viewer.evaluate("el => el.step") != 2 or live.text_content() == before:
            problems.append("the next button did not move the viewer to step 2")
        viewer.evaluate("el => el.goTo(el.model.stepCount)")
        if viewer.evaluate("el => el.step") != steps or steps < 20:
            problems.append(f"the viewer did not reach its last step ({steps} steps)")
    return problems


def test_the_starter_course_from_disk(browser_context, starter_site):
    math = visit_all(browser_context, starter_site, starter_site.resolve().as_uri() + "/", file_url, also=check_chapter)
    assert set(CHAPTERS) <= set(math), sorted(math)
    assert "traces/neuron.html" in math, "the first note's trace has no page of its own"
    assert (starter_site / "notes" / "images" / "neuron.svg").is_file()


def test_the_starter_course_over_http(browser_context, starter_site):
    with serve(starter_site) as base:
        visit_all(browser_context, starter_site, base, lambda p: base + p.relative_to(starter_site).as_posix(),
                  pages=[starter_site / "index.html"] + [starter_site / c for c in CHAPTERS], also=check_chapter)
