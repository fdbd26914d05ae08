"""The built course site in a real browser: every page from file:// and over http, no
console or page errors, no request leaving the machine, math rendered by KaTeX, every
internal link (sidebar, previous/next, table of contents) resolving to a file of the site,
and a screenshot of the first page.

Runs `unrolled build` into a temporary folder: once on a small course written here, once
on the bundled course in Site/. Skips (saying why) until `unrolled build` exists."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browsing import file_url, open_page, serve

ROOT = Path(__file__).resolve().parents[2]


def unrolled_bin() -> Path:
    env = os.environ.get("UNROLLED_BIN")
    return Path(env) if env else ROOT / ".build" / "debug" / "unrolled"


def require_build_command() -> Path:
    binary = unrolled_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    listing = subprocess.run([str(binary), "--help"], capture_output=True, text=True).stdout
    if not re.search(r"^\s+build\s", listing, re.MULTILINE):
        pytest.skip("`unrolled build` (the site pipeline) has not landed yet")
    return binary


def build(course: Path, output: Path) -> Path:
    binary = require_build_command()
    result = subprocess.run([str(binary), "build", str(course), "--output", str(output)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"unrolled build failed:\n{result.stderr}\n{result.stdout}"
    pages = sorted(output.rglob("*.html"))
    assert pages, f"no pages in {output}"
    return output


SMALL_COURSE = {
    "course.yml": "title: A small course\n",
    "notes/01-neuron.md": r"""
        # The neuron

        A neuron computes $y = \sigma(w^\top x + b)$ where \(\sigma(z) = 1/(1 + e^{-z})\).

        $$\frac{\partial Q}{\partial w} = e \, \sigma'(a) \, x$$

        ## Next

        Continue with [the layer](02-layer.md) or jump to [its update](02-layer.md#one-update).
        """,
    "notes/02-layer.md": r"""
        # A layer

        Inline in a sentence: $W_{ij}$ and $x_j^2$. Prices are not math: it costs $5 and $10.

        | symbol | meaning |
        |---|---|
        | $W \in \mathbb{R}^{m \times n}$ | weights |
        | $b$ | bias |

        ## One update

        $$W \leftarrow W - \eta \, \frac{\partial Q}{\partial W}$$

        Back to [the neuron](01-neuron.md).
        """,
}


@pytest.fixture(scope="module")
def small_site(tmp_path_factory) -> Path:
    require_build_command()
    course = tmp_path_factory.mktemp("small-course")
    for name, text in SMALL_COURSE.items():
        path = course / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return build(course, tmp_path_factory.mktemp("small-out") / "_site")


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory) -> Path:
    require_build_command()
    course = ROOT / "Site"
    if not any(course.rglob("*.md")):
        pytest.skip("the bundled course (Site/*.md) is not there yet")
    return build(course, tmp_path_factory.mktemp("bundled-out") / "_site")


def page_ids(path: Path) -> set[str]:
    html = path.read_text(encoding="utf-8", errors="replace")
    return set(re.findall(r"""\sid\s*=\s*["']([^"']+)["']""", html))


def trace_steps(path: Path) -> dict[str, int]:
    """The traces a page shows (`<unrolled-trace trace-id>`), with their number of steps, read from
    the JSON each carries."""
    html = path.read_text(encoding="utf-8", errors="replace")
    found = re.finditer(r'<unrolled-trace [^>]*trace-id="([^"]+)".*?<script type="application/json" '
                        r'class="unrolled-trace-data">(.*?)</script>', html, re.S)
    return {m.group(1): len(json.loads(m.group(2))["steps"]) for m in found}


def internal_links(page) -> list[str]:
    """Every link of the page, resolved by the browser (sidebar, prev/next, contents)."""
    return page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)")


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
    links = page.eval_on_selector_all(SIDEBAR, "as => as.map(a => a.href)")
    where = page_path.relative_to(site)
    if not links:
        return [f"{where}: no sidebar links ({SIDEBAR})"]
    prefix = urlsplit(base).path
    targets = {unquote(urlsplit(link).path)[len(prefix):] for link in links if link.startswith(base)}
    missing = sorted(content_pages(site) - targets)
    return [f"{where}: the sidebar does not link to {m}" for m in missing]


def visit_all(context, site: Path, base: str, url_of) -> dict:
    """Opens every page; returns per-page math counts; fails on errors and broken links."""
    problems, math = [], {}
    for path in sorted(site.rglob("*.html")):
        page, visit = open_page(context, url_of(path))
        problems += [f"{path.relative_to(site)}: {p}" for p in visit.problems()]
        problems += [f"{path.relative_to(site)}: external request {u}" for u in visit.external_requests()]
        errors = page.locator(".katex-error").count()
        if errors:
            problems.append(f"{path.relative_to(site)}: {errors} KaTeX error(s)")
        math[path.relative_to(site).as_posix()] = page.locator(".katex").count()
        problems += check_links(site, path, internal_links(page), base)
        if not path.relative_to(site).as_posix().startswith("traces/"):
            # A trace's standalone page is made for an iframe: only the viewer, no sidebar.
            problems += check_sidebar(site, path, page, base)
        page.close()
    assert problems == [], "\n".join(problems)
    return math


def first_page(site: Path) -> Path:
    index = site / "index.html"
    return index if index.exists() else sorted(site.rglob("*.html"))[0]


def first_note(context, site: Path) -> Path:
    """The first chapter the index's sidebar lists (not the index itself)."""
    page, _ = open_page(context, file_url(first_page(site)))
    links = page.eval_on_selector_all(SIDEBAR, "as => as.map(a => a.href)")
    page.close()
    pages = content_pages(site)
    root = site.resolve()
    chapters = [Path(unquote(urlsplit(link).path)) for link in links if link.startswith("file://")]
    chapters = [p for p in chapters if p.is_relative_to(root) and p.relative_to(root).as_posix() in pages]
    assert chapters, f"the first page's sidebar links to no chapter: {links}"
    return chapters[0]


def screenshot(context, site: Path, name: str, tmp_path: Path, path: Path | None = None) -> Path:
    page, visit = open_page(context, file_url(path or first_page(site)))
    shot = tmp_path / name
    page.screenshot(path=str(shot), full_page=path is not None)
    page.close()
    assert shot.stat().st_size > 5000
    keep = os.environ.get("UNROLLED_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / name)
    return shot


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_small_course(browser_context, small_site, scheme, tmp_path):
    if scheme == "file":
        base = small_site.resolve().as_uri() + "/"
        math = visit_all(browser_context, small_site, base, file_url)
    else:
        with serve(small_site) as base:
            math = visit_all(browser_context, small_site, base,
                             lambda p: base + p.relative_to(small_site).as_posix())
    pages = {k: v for k, v in math.items() if "neuron" in k or "layer" in k}
    assert pages, f"no page for the notes among {sorted(math)}"
    # Every math span of both notes rendered: 3 in the neuron, 5 in the layer.
    for name, count in pages.items():
        expected = 3 if "neuron" in name else 5
        assert count >= expected, f"{name}: {count} KaTeX spans, expected {expected}"
    if scheme == "file":
        layer = next(p for p in small_site.rglob("*.html") if "layer" in p.name)
        page, _ = open_page(browser_context, file_url(layer))
        text = page.locator("body").inner_text()
        assert "$5 and $10" in text, "prices became math (or vanished)"
        assert "Back to" in text and "weights" in text
        page.close()
        screenshot(browser_context, small_site, "small-course-index.png", tmp_path)
        screenshot(browser_context, small_site, "small-course-first-note.png", tmp_path,
                   first_note(browser_context, small_site))


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_bundled_course(browser_context, bundled_site, scheme, tmp_path):
    if scheme == "file":
        base = bundled_site.resolve().as_uri() + "/"
        math = visit_all(browser_context, bundled_site, base, file_url)
    else:
        with serve(bundled_site) as base:
            math = visit_all(browser_context, bundled_site, base,
                             lambda p: base + p.relative_to(bundled_site).as_posix())
    assert sum(math.values()) > 0, f"no math rendered on any page: {math}"
    if scheme == "file":
        screenshot(browser_context, bundled_site, "bundled-course-index.png", tmp_path)
        screenshot(browser_context, bundled_site, "bundled-course-first-note.png", tmp_path,
                   first_note(browser_context, bundled_site))
