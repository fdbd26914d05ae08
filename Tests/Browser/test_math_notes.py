"""Math as lecture notes write it (#15: multi-line display math with `|`, lines inside `$$`
that look like Markdown blocks, pandoc's rule for a `$` that cannot close, `\\(…\\)`,
`\\[…\\]`, `$`…`$`, ```math fences, `\\begin{align}` blocks, and commands KaTeX lacks such as
`\\mbox` and `\\norm`, mapped by viewer-kit.js): a page built by `unrolled
build --strict` typesets every span with KaTeX, none in error, none left as raw text, in light
and dark, wide and narrow. Writes screenshots to Tests/Browser/output/math-notes-*.png."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from browsing import file_url, open_page
from viewer_harness import unrolled_binary

OUTPUT = Path(__file__).resolve().parent / "output"

NOTES = r"""# Math as notes write it

A norm over several lines:

$$
\|x - y\|_2 = \sqrt{\textstyle\sum_i |x_i - y_i|^2}
$$

with $p(a | b)$ and a leading minus sign:

$$
L = \log p(b | a)
- \log p(b)
+ \log p(a)
$$

The first dollar cannot close: $a + b $ is the sum and $c$ is not. Prices: $5 and $10.

\begin{align}
h_t &= \tanh(W_h h_{t-1} + W_x x_t) \\
- y_t &= W_y h_t
\end{align}

```math
\begin{array}{c|cc}
 & a & b \\ \hline
x & 1 & 2
\end{array}
```

GitHub's $`\sqrt{3}`$, MathJax's \(\sigma(z)\) and

\[
\sigma(z) = \frac{1}{1 + e^{-z}}
\]

Commands KaTeX lacks, mapped: $\mbox{loss} = \norm{y - t}^2 + \abs{b}$, $\mathds{1}[y = k]$,
$\textsc{ReLU}$ and

$$
Q = \tfrac12 \lVert e \rVert^2 \label{eq:q} \quad \text{see } \eqref{eq:q}
$$
"""


@pytest.fixture(scope="module")
def math_page(tmp_path_factory) -> Path:
    course = tmp_path_factory.mktemp("math-notes")
    (course / "notes").mkdir()
    (course / "notes" / "math.md").write_text(NOTES, encoding="utf-8")
    site = course / "_site"
    run = subprocess.run([str(unrolled_binary()), "build", str(course), "--output", str(site), "--strict"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return site / "notes" / "math.html"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", [(1400, 900), (390, 844)])
def test_every_span_is_typeset(chromium, math_page, scheme, width, height):
    context = chromium.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    try:
        page, visit = open_page(context, file_url(math_page), wait_for=".math .katex")
        spans = page.eval_on_selector_all(".math", "els => els.map(e => [e.tagName, !!e.querySelector('.katex')])")
        errors = page.eval_on_selector_all(".katex-error, .math-error", "els => els.map(e => e.title || e.textContent)")
        text = page.inner_text("article, main, body")
        OUTPUT.mkdir(exist_ok=True)
        page.screenshot(path=str(OUTPUT / f"math-notes-{scheme}-{width}.png"), full_page=True)
    finally:
        context.close()
    assert visit.problems() == []
    assert errors == []
    assert [tag for tag, typeset in spans if not typeset] == []
    assert [tag for tag, _ in spans].count("DIV") == 6 and [tag for tag, _ in spans].count("SPAN") == 7
    assert "$a + b $ is the sum" in text and "$5 and $10" in text
    assert "$$" not in text and "\\begin" not in text
