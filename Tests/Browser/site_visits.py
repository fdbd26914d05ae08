"""Visiting a built course site in Chromium: every page (or a chosen few) opened, its links
resolved against the files of the site, its sidebar complete, no console error, no KaTeX error
and no request leaving the site. Shared by test_browser_site.py (small course; the bundled
course over http) and test_course.py (the bundled course from disk, viewers stepped)."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from browsing import file_url, open_page, select_all
from site_traces import decode_script, page_traces


def page_ids(path: Path) -> set[str]:
    return _page_ids(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=None)
def _page_ids(path: Path, _modified: int) -> set[str]:
    html = path.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"""\sid\s*=\s*["']([^"']+)["']""", html))


def trace_steps(path: Path) -> dict[str, int]:
    """The traces a page shows (`<unrolled-trace trace-id>`), with their number of steps, read from
    the data script each names (site_traces.py decodes it on its own). Every link to a step asks,
    so the answers are kept per file and modification time (a test that rebuilds a site asks anew)."""
    return {name: _script_steps(script, script.stat().st_mtime_ns) for name, script in page_traces(path).items()}


@functools.lru_cache(maxsize=None)
def _script_steps(script: Path, _modified: int) -> int:
    return len(decode_script(script.read_text(encoding="utf-8"))[1]["steps"])


def internal_links(page) -> list[str]:
    """Every link of the page, resolved by the browser (sidebar, prev/next, contents)."""
    return select_all(page, "a[href]", "as => as.map(a => a.href)")


def check_links(site: Path, page_path: Path, links: list[str], base: str) -> list[str]:
    """Links into the site must name an existing file (not a folder: file:// shows a
    listing, not index.html) and, with a #fragment, an id on the target page, or a step of a trace it
    shows (`#lstm-2:14`, how the build writes the notes' references to steps)."""
    broken = []
    for link in links:
        if not link.startswith(base):
            if link.startswith(("http://", "https://", "file://")):
                # Outside the site: only the course's own external references are allowed.
                if link.startswith(("file://", "http://127.0.0.1")):
                    broken.append(f"{link} (outside the site)")
            continue
        parts = urlsplit(link)
        relative = unquote(parts.path[len(urlsplit(base).path):])
        target = site / relative if relative else site
        if not target.is_file():
            broken.append(f"{link} (no file {target.relative_to(site) if target != site else '.'})")
            continue
        fragment = unquote(parts.fragment)
        step = re.fullmatch(r"([a-z0-9-]+):(\d+)", fragment)
        if step and target.suffix == ".html":
            steps = trace_steps(target).get(step.group(1))
            if steps is None or not 1 <= int(step.group(2)) <= steps:
                broken.append(f"{link} (no step {step.group(2)} of a trace {step.group(1)!r} in {target.relative_to(site)})")
        elif fragment and target.suffix == ".html" and fragment not in page_ids(target):
            broken.append(f"{link} (no id {fragment!r} in {target.relative_to(site)})")
    return [f"{page_path.relative_to(site)}: {b}" for b in broken]


SIDEBAR = "nav.sidebar a[href], nav[aria-label='Pages'] a[href]"


def content_pages(site: Path) -> set[str]:
    """The course's pages: every page but the index and the standalone trace pages."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")
            if p.relative_to(site).as_posix() != "index.html"
            and not p.relative_to(site).as_posix().startswith("traces/")}


def check_sidebar(site: Path, page_path: Path, page, base: str) -> list[str]:
    """Every page has the sidebar, and it links to every page of the course."""
    links = select_all(page, SIDEBAR, "as => as.map(a => a.href)")
    where = page_path.relative_to(site)
    if not links:
        return [f"{where}: no sidebar links ({SIDEBAR})"]
    prefix = urlsplit(base).path
    targets = {unquote(urlsplit(link).path)[len(prefix):] for link in links if link.startswith(base)}
    missing = sorted(content_pages(site) - targets)
    return [f"{where}: the sidebar does not link to {m}" for m in missing]


def visit_all(context, site: Path, base: str, url_of, pages: list[Path] | None = None, also=None) -> dict:
    """Opens every page (or `pages`); returns per-page math counts; fails on errors, KaTeX
    errors, requests leaving the site, broken links and incomplete sidebars. `also(where, page)`
    runs after those checks on each page and returns more problems (the bundled course steps
    its viewers there, in the same visit)."""
    problems, math, page = [], {}, None
    for path in pages if pages is not None else sorted(site.rglob("*.html")):
        where = path.relative_to(site).as_posix()
        # One page goes from one address to the next (a new one would cost a renderer each time).
        page, visit = open_page(context, url_of(path), page=page)
        errors = select_all(page, ".katex-error", "es => es.length")
        if errors:
            problems.append(f"{where}: {errors} KaTeX error(s)")
        math[where] = select_all(page, ".katex", "es => es.length")
        problems += check_links(site, path, internal_links(page), base)
        if not where.startswith("traces/"):
            # A trace's standalone page is made for an iframe: only the viewer, no sidebar.
            problems += check_sidebar(site, path, page, base)
        if also is not None:
            problems += [f"{where}: {p}" for p in also(where, page)]
        problems += [f"{where}: {p}" for p in visit.problems()]
        problems += [f"{where}: external request {u}" for u in visit.external_requests()]
    if page is not None:
        page.close()
    assert problems == [], "\n".join(problems)
    return math


# A trace's own page is one template filled with its trace's id and title, and its chapter already
# runs the same viewer on the same traces/<id>.js: every STANDALONE_SPREAD-th of them is opened in
# the browser (the template's behaviour), and every one has its references checked from its HTML.
STANDALONE_SPREAD = 6


def static_references(site: Path, path: Path) -> list[str]:
    """The `href`s and `src`s of a page that name no file of the site (data: and fragments aside)."""
    html = path.read_text(encoding="utf-8")
    missing = []
    for reference in re.findall(r"""\s(?:href|src)="([^"#]+)(?:#[^"]*)?\"""", html):
        if reference.startswith(("data:", "http://", "https://")):
            continue
        target = (path.parent / unquote(reference)).resolve()
        if not target.is_file() or site.resolve() not in target.parents:
            missing.append(f"{path.relative_to(site)}: {reference} names no file of the site")
    return missing


def visit_course_pages(context, site: Path, half: int) -> None:
    """Half of a course site's pages (every other one, by path: the two halves take about as
    long), each opened from disk and checked as `visit_all` does, and on each chapter every viewer
    stepped and each of its views opened (`step_every_viewer`); of the traces' own pages, a spread
    in the browser and all of them from their HTML (STANDALONE_SPREAD)."""
    every = sorted(site.rglob("*.html"))
    standalone = [p for p in every if p.parent.name == "traces"]
    pages = ([p for p in every if p not in standalone] + standalone[::STANDALONE_SPREAD])[half::2]
    traces = []

    def step_viewers(where, page):
        if where.startswith("traces/"):
            # A chapter's trace on its own page: the same viewer as on its chapter.
            page.locator("unrolled-trace").evaluate("el => el.ready")
            return []
        traces.append(page.locator("unrolled-trace").count())
        return step_every_viewer(page, site / where)

    visit_all(context, site, site.resolve().as_uri() + "/", file_url, pages=pages, also=step_viewers)
    assert pages and sum(traces) > 0
    unlinked = [problem for path in standalone[half::2] for problem in static_references(site, path)]
    assert unlinked == [], "\n".join(unlinked)


# A viewer at its last step, each of its tabs clicked in turn: the tabs whose panel then shows an
# error, and whether the static fallback is still shown.
LAST_STEP_EACH_TAB = """el => {
  el.goTo(el.model.stepCount);
  const failed = [];
  for (const tab of el.querySelectorAll("[role='tab']")) {
    tab.click();
    const panel = document.getElementById(tab.getAttribute('aria-controls'));
    if (!panel || !panel.checkVisibility() || panel.querySelector('.ut-error')) failed.push(tab.getAttribute('data-view'));
  }
  const fallback = el.querySelector('.unrolled-fallback');
  return {failed, fallback: !!fallback && fallback.checkVisibility()};
}"""


def step_every_viewer(page, path: Path) -> list[str]:
    """Steps each viewer of the page (the file `path`) once with its Next button, then to its end,
    and opens each of its views; returns what went wrong."""
    problems = []
    steps_of = trace_steps(path)
    # Handles, found once: a locator finds its element again for each action, walking the whole
    # chapter (tens of thousands of elements) each time.
    for viewer in page.query_selector_all("unrolled-trace"):
        viewer.scroll_into_view_if_needed()
        name, steps, before = viewer.evaluate("""el => el.ready.then(() => [el.getAttribute('trace-id'), el.model.stepCount,
                                                 el.querySelector('[aria-live]').textContent])""")
        if steps != steps_of.get(name):
            problems.append(f"{name}: the viewer has {steps} steps, the trace {steps_of.get(name)}")
        buttons = viewer.query_selector_all("button[data-act='next']")
        if len(buttons) != 1:
            problems.append(f"{name}: {len(buttons)} next buttons")
            continue
        buttons[0].click()
        step, after = viewer.evaluate("el => [el.step, el.querySelector('[aria-live]').textContent]")
        if step != min(2, steps):
            problems.append(f"{name}: the next button did not move to step 2")
        if after == before:
            problems.append(f"{name}: the live region did not announce the step")
        shown = viewer.evaluate(LAST_STEP_EACH_TAB)
        problems += [f"{name}: the {view} tab shows no panel, or an error" for view in shown["failed"]]
        if shown["fallback"]:
            problems.append(f"{name}: the static fallback is still shown")
    return problems
