"""Until the site pipeline lands: a small static page that loads Debian's KaTeX with
classic scripts (what the site does: no CDN, works from file://) renders its math, from
file:// and over http, with no console errors and no request leaving the machine."""

from __future__ import annotations

import os
import shutil
import socket
import urllib.request
from pathlib import Path

import pytest

from browsing import KATEX_DIR, copy_katex, file_url, open_page, serve

PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>KaTeX from Debian's libjs-katex</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="katex/katex.min.css">
<script src="katex/katex.min.js"></script>
<script src="katex/contrib/auto-render.js"></script>
<style>body { font: 18px/1.5 sans-serif; margin: 2em; max-width: 40em; }</style>
</head>
<body>
<h1>Math check</h1>
<p id="inline">The square $x^2$, the sigmoid \(\sigma(z) = \frac{1}{1 + e^{-z}}\) and an unpaired dollar: $5.</p>
<p id="display">$$\frac{\partial L}{\partial W_f} = \sum_{t=1}^{T} \delta f_t \, [h_{t-1}; x_t]^\top$$</p>
<p id="direct"></p>
<script>
  renderMathInElement(document.body, {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "\\[", right: "\\]", display: true},
      {left: "$", right: "$", display: false},
      {left: "\\(", right: "\\)", display: false}
    ],
    throwOnError: false
  });
  katex.render("c_t = f_t \\odot c_{t-1} + i_t \\odot \\tilde{c}_t",
               document.getElementById("direct"), {throwOnError: true});
</script>
</body>
</html>
"""


@pytest.fixture
def katex_page(tmp_path: Path) -> Path:
    if not (KATEX_DIR / "katex.min.js").exists():
        pytest.fail("Debian's libjs-katex is missing: run `bash scripts/setup` (make test does)")
    site = tmp_path / "site"
    site.mkdir()
    copy_katex(site / "katex")
    (site / "index.html").write_text(PAGE, encoding="utf-8")
    return site


def check_math(page, visit, screenshot: Path):
    assert visit.problems() == [], visit.problems()
    assert visit.external_requests() == [], visit.external_requests()
    # $x^2$, \(\sigma…\), the display sum and the direct katex.render call.
    assert page.locator(".katex").count() == 4
    assert page.locator(".katex-display").count() == 1
    assert page.locator(".katex-error").count() == 0
    assert page.locator("#inline .katex .msupsub").count() >= 1  # x^2 has a superscript
    assert "$5" in page.locator("#inline").inner_text()  # an unpaired $ stays a dollar sign
    assert "$" not in page.locator("#display").inner_text()
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert any("KaTeX_Main" in family for family in loaded), loaded
    page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 1000
    keep = os.environ.get("UNROLLED_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(keep) / screenshot.name)


def test_katex_from_file_url(browser_context, katex_page, tmp_path):
    page, visit = open_page(browser_context, file_url(katex_page / "index.html"), wait_for=".katex")
    assert visit.url.startswith("file://")
    check_math(page, visit, tmp_path / "katex-file.png")


def test_katex_over_http(browser_context, katex_page, tmp_path):
    with serve(katex_page) as base:
        page, visit = open_page(browser_context, base + "index.html", wait_for=".katex")
        assert any(u.startswith(base + "katex/fonts/") for u in visit.requests), visit.requests
        check_math(page, visit, tmp_path / "katex-http.png")


def test_errors_are_caught(browser_context, tmp_path):
    """The recorder itself: a console error, an uncaught exception and a missing file are
    all reported (so a clean visit above means something)."""
    (tmp_path / "bad.html").write_text(
        '<!doctype html><title>bad</title><script src="missing.js"></script>'
        '<script>console.error("on purpose"); throw new Error("thrown on purpose");</script>',
        encoding="utf-8")
    for url_of in (lambda base: base + "bad.html", None):
        if url_of is None:
            page, visit = open_page(browser_context, file_url(tmp_path / "bad.html"))
        else:
            with serve(tmp_path) as base:
                page, visit = open_page(browser_context, url_of(base))
        assert any("on purpose" in m for m in visit.console_errors), visit.console_errors
        assert any("thrown on purpose" in m for m in visit.page_errors), visit.page_errors
        assert any("missing.js" in m for m in visit.failed_requests + visit.console_errors), visit
        page.close()


def test_server_uses_a_free_port_and_stops(tmp_path):
    (tmp_path / "a.txt").write_text("hello", encoding="utf-8")
    with serve(tmp_path) as base:
        assert base.startswith("http://127.0.0.1:")
        port = int(base.rsplit(":", 1)[1].rstrip("/"))
        with urllib.request.urlopen(base + "a.txt", timeout=5) as response:
            assert response.read() == b"hello"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
