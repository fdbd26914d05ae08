"""The Markdown extensions in Chromium (docs/site.md, "Markdown extensions"): a GitHub alert with
its icon and colour, a footnote reference that jumps to its note and back, a fenced Python block
coloured by Debian's highlight.js, and a tab-separated table, in light and dark, on a wide and a
narrow screen. Screenshots go to UNROLLED_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from browsing import file_url, open_page
from test_browser_site import require_build_command

HIGHLIGHT_JS = Path("/usr/share/javascript/highlight.js/highlight.min.js")

PAGE = """\
# Gates

> [!WARNING]
> The cell state is not squashed before the output gate[^squash].

> [!TIP]
> Step through the trace below.

Feature\tLSTM\tRNN
Memory\ta cell state $c_t$\tthe hidden state only
Gradients\tflow through $c_t$\tvanish over long spans

```python
def sigmoid(z: float) -> float:
    # squashes to (0, 1)
    return 1 / (1 + math.exp(-z))
```

```text
plain words, never coloured
```

[^squash]: The output gate multiplies $\\tanh(c_t)$.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    binary = require_build_command()
    if not HIGHLIGHT_JS.exists():
        pytest.fail("Debian's libjs-highlight.js is missing: run `bash scripts/setup` (make test does)")
    course = tmp_path_factory.mktemp("extensions-course")
    (course / "notes").mkdir()
    (course / "notes" / "gates.md").write_text(PAGE)
    output = tmp_path_factory.mktemp("extensions-site") / "site"
    result = subprocess.run([str(binary), "build", str(course), "--output", str(output), "--strict"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return output


def keep(screenshot: Path) -> None:
    folder = os.environ.get("UNROLLED_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(screenshot, Path(folder) / screenshot.name)


def colour(page, selector: str, prop: str = "color") -> str:
    return page.eval_on_selector(selector, f"e => getComputedStyle(e).{prop}")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_alerts_footnotes_code_and_tables_render(chromium, site, tmp_path, scheme, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    try:
        page, visit = open_page(context, file_url(site / "notes" / "gates.html"), wait_for="code.hljs")
        assert visit.problems() == [], visit.problems()
        assert visit.external_requests() == [], visit.external_requests()

        # The alerts: GitHub's classes, a title with its drawn icon, the kind's colour on bar and title.
        warning = page.locator(".markdown-alert-warning")
        assert warning.locator(".markdown-alert-title").inner_text() == "Warning"
        assert warning.locator("svg.markdown-alert-icon").bounding_box()["width"] == 16
        assert colour(page, ".markdown-alert-warning", "borderLeftColor") == colour(page, ".markdown-alert-warning .markdown-alert-title")
        assert colour(page, ".markdown-alert-warning .markdown-alert-title") != colour(page, ".markdown-alert-tip .markdown-alert-title")

        # The table: three columns, math typeset inside, the page not widened by it.
        assert page.locator("table th").all_inner_texts() == ["Feature", "LSTM", "RNN"]
        assert page.locator("table td .katex").count() == 2
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        # The code: coloured by highlight.js in this scheme's colours; plain text stays plain.
        keyword = page.locator("code.language-python .hljs-keyword").first
        assert keyword.inner_text() == "def"
        comment = page.locator("code.language-python .hljs-comment").first
        assert comment.inner_text() == "# squashes to (0, 1)"
        assert colour(page, "code.language-python .hljs-keyword") != colour(page, "code.language-python")
        expected = "rgb(215, 161, 242)" if scheme == "dark" else "rgb(138, 43, 160)"
        assert colour(page, "code.language-python .hljs-keyword") == expected
        assert page.locator("code.language-text span").count() == 0

        shot = tmp_path / f"extensions-{width}-{scheme}.png"
        page.screenshot(path=str(shot), full_page=True)
        keep(shot)

        # The footnote: its reference jumps to the note, whose link jumps back.
        page.locator("sup.footnote-ref a").click()
        page.wait_for_function("location.hash === '#fn-squash'")
        assert page.locator("#fn-squash").is_visible()
        assert page.locator("#fn-squash .katex").count() == 1
        page.locator("#fn-squash a.footnote-backref").click()
        page.wait_for_function("location.hash === '#fnref-squash'")
        assert visit.problems() == [], visit.problems()
    finally:
        context.close()


def test_pages_without_code_never_load_highlight_js(chromium, tmp_path):
    binary = require_build_command()
    course = tmp_path / "course"
    (course / "notes").mkdir(parents=True)
    (course / "notes" / "prose.md").write_text(textwrap.dedent("""\
        # Prose

        No code here, only `inline code`.
        """))
    output = tmp_path / "site"
    subprocess.run([str(binary), "build", str(course), "--output", str(output)], check=True, capture_output=True)
    context = chromium.new_context()
    try:
        page, visit = open_page(context, file_url(output / "notes" / "prose.html"))
        assert visit.problems() == [], visit.problems()
        assert not any("highlight" in url for url in visit.requests), visit.requests
    finally:
        context.close()


def test_without_highlight_js_code_is_plain_and_the_page_quiet(chromium, site, tmp_path):
    # A site built without libjs-highlight.js holds a stand-in script (Highlighting.standIn).
    plain = tmp_path / "site"
    shutil.copytree(site, plain)
    (plain / "assets" / "highlight" / "highlight.min.js").write_text("// stand-in: no highlight.js\n")
    context = chromium.new_context()
    try:
        page, visit = open_page(context, file_url(plain / "notes" / "gates.html"), wait_for=".markdown-alert")
        page.wait_for_timeout(300)
        assert visit.problems() == [], visit.problems()
        assert page.locator("code.language-python span").count() == 0
        assert "return 1 / (1 + math.exp(-z))" in page.locator("code.language-python").inner_text()
    finally:
        context.close()
