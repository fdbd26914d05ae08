"""KaTeX expansion bombs (CVE-2024-28243 and a \\def that maxExpand cannot bound) in a page's
math and in a trace's TeX, on a site page, a trace's own page and an `unrolled embed` file: the
page must load and answer promptly, showing KaTeX's error rendering instead."""

from __future__ import annotations

import json
import string
import time
from pathlib import Path

from browsing import file_url
from hostile_payloads import run, trace, write

def edef_bomb(seed: str) -> str:
    r"""CVE-2024-28243 (GHSA-64fm-8hw2-v72w): \edef's expansions do not count towards maxExpand
    in KaTeX < 0.16.10, so 17 counted expansions make 2^16 copies of the seed. KaTeX's test of
    the fix has four \edef0{00}; with sixteen, Debian's 0.16.4 typesets it in about 13 s in
    Chromium (as HTML and MathML; a seventeenth overflows the stack at once)."""
    return rf"\edef0{{{seed}}}" + r"\edef0{00}" * 16 + "0"


def def_bomb(seed: str) -> str:
    r"""A \def whose delimited argument doubles at each expansion: each counts once (in every
    KaTeX), 16 of them hold 65,536 tokens, and the rest of maxExpand's 1000 loop on those:
    about 3 s."""
    return rf"\def\g#1#2;#3.{{#1#2;#3#3.}}\def\e;#1.{{\h#1.}}\def\h#1.{{\h#1.}}" + r"\g" * 16 + rf"\e;{seed}."


LOAD_SECONDS = 10      # the bombs' pages load in well under a second when KaTeX refuses them


def bomb_trace(folder: Path) -> Path:
    """A trace whose every equation and TeX name is a bomb, each a different one (the viewer
    typesets each TeX source once)."""
    bombs = trace(folder, "neuron")
    seeds = iter(string.ascii_letters)
    for k, item in enumerate(bombs["scopes"] + bombs["tensors"]):
        tex = (edef_bomb, def_bomb)[k % 2](next(seeds))
        item["equation" if "equation" in item else "tex"] = tex
    path = folder / "bombs.json"
    path.write_text(json.dumps(bombs), encoding="utf-8")
    return path


def test_katex_bombs_leave_the_page_responsive(browser_context, tmp_path):
    """The bombs in a page's math and in a trace's equations and TeX names: the chapter, the
    trace's own page and its `unrolled embed` file load in seconds, answer at once, step at
    once, and show KaTeX's error rendering where the bombs are. A \\rule keeps to maxSize."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    course = tmp_path / "course"
    write(course, {"notes/bombs.md": f"# Bombs\n\n$${edef_bomb('x')}$$\n\nInline: ${def_bomb('x')}$, "
                                     r"and a rule of 1000 em: $\rule{1000em}{1em}$." "\n\n"
                                     "```unrolled\nsrc: ../traces/bombs.json\nid: bombs\n```\n"})
    bomb_trace(course / "traces")
    run("build", str(course), "--output", str(course / "_site"))
    run("embed", str(course / "traces" / "bombs.json"), "--output", str(tmp_path / "bombs.html"))
    problems = []
    for name, path, bombs_in_math in (("the chapter", course / "_site" / "notes" / "bombs.html", 2),
                                      ("the trace's page", course / "_site" / "traces" / "bombs.html", 0),
                                      ("the embed file", tmp_path / "bombs.html", 0)):
        page = browser_context.new_page()
        try:
            page.goto(file_url(path), wait_until="load", timeout=LOAD_SECONDS * 1000)
        except PlaywrightTimeout:
            problems.append(f"{name}: not loaded after {LOAD_SECONDS} s (KaTeX still expanding)")
            page.close()
            continue
        started = time.monotonic()
        page.evaluate("0")
        if time.monotonic() - started > 1:
            problems.append(f"{name}: an evaluate took {time.monotonic() - started:.1f} s after load")
        errors = page.locator(".math .katex-error").all()
        if len(errors) != bombs_in_math or any("macro definitions are turned off" not in e.get_attribute("title")
                                               for e in errors):
            problems.append(f"{name}: {len(errors)} of its {bombs_in_math} bombs in math show KaTeX's error")
        if bombs_in_math:
            em = page.locator(".math .katex").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            rule = page.locator(".math .rule").evaluate("e => e.getBoundingClientRect().width")
            if rule > 30 * em + 1:
                problems.append(f"{name}: a \\rule of 1000 em is {rule / em:.0f} em wide (maxSize is 30)")
        viewer = page.locator("unrolled-trace")
        viewer.evaluate("el => el.ready")
        # Every step, ending on the first: each typesets its equation and its tensors' names.
        stepping = viewer.evaluate("""el => {
            const start = performance.now();
            for (let k = el.model.stepCount; k >= 1; k--) el.goTo(k);
            return (performance.now() - start) / 1000;
        }""")
        if stepping > 2:
            problems.append(f"{name}: stepping through the trace took {stepping:.1f} s")
        if viewer.locator(".ut-eq .katex-error").count() != 1 or viewer.locator(".ut-name .katex-error").count() < 2:
            problems.append(f"{name}: the viewer does not show KaTeX's error for the bombs in its TeX")
        page.close()
    assert problems == [], "\n".join(problems)
