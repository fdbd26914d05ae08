"""The built course site in a real browser: every page from file:// and over http, no
console or page errors, no request leaving the machine, math rendered by KaTeX, every
internal link (sidebar, previous/next, table of contents) resolving to a file of the site,
and a screenshot of the first page.

Runs `unrolled build` into a temporary folder on a small course written here, and reads the
bundled course built once per session (conftest's `bundled_course`). Every page of the bundled
course from file:// is test_course.py's; here a few of its pages go over http."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browsing import file_url, open_page, serve
from site_visits import SIDEBAR, content_pages, visit_all

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


@pytest.fixture
def bundled_site(bundled_course) -> Path:
    return bundled_course


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


def test_bundled_course_over_http(browser_context, bundled_site, tmp_path):
    """The bundled course served over http: the index, the first and last chapter and a trace's
    own page (test_course.py opens every page from disk, stepping every viewer)."""
    chapters = sorted(content_pages(bundled_site))
    traces = sorted((bundled_site / "traces").glob("*.html"))
    pages = [bundled_site / "index.html", bundled_site / chapters[0], bundled_site / chapters[-1]] + traces[:1]
    with serve(bundled_site) as base:
        math = visit_all(browser_context, bundled_site, base,
                         lambda p: base + p.relative_to(bundled_site).as_posix(), pages=pages)
    assert sum(math.values()) > 0, f"no math rendered on the pages visited: {math}"
    screenshot(browser_context, bundled_site, "bundled-course-index.png", tmp_path)
    screenshot(browser_context, bundled_site, "bundled-course-first-note.png", tmp_path,
               first_note(browser_context, bundled_site))
