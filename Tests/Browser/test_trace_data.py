"""A site's trace data (`traces/<id>.js`, docs/trace-format.md "Compact layout") is the trace,
exactly: decoded in Python on its own (site_traces.py) it equals `unrolled trace`'s JSON for the
same demo, number for number (NaN and ±∞ included), and the viewer, from disk and over http,
reads the same numbers from it. The chapter and the trace's own page load one shared script."""

from __future__ import annotations

import contextlib
import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from browsing import file_url, open_page, serve
from site_traces import normalized, page_traces, site_trace
from test_browser_site import build, require_build_command

# Three demos: training snapshots in `history`, −∞ in a causal attention mask, and a plain one.
DIRECTIVES = {
    "mlp-train": ["mlp", "--train", "3"],
    "causal": ["self-attention", "--causal", "true"],
    "lstm": ["lstm", "--steps", "2"],
}


def directive(trace_id: str, arguments: list[str]) -> str:
    lines = [f"model: {arguments[0]}", f"id: {trace_id}"]
    lines += [f"{name[2:]}: {value}" for name, value in zip(arguments[1::2], arguments[2::2])]
    return "```unrolled\n" + "\n".join(lines) + "\n```\n"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    require_build_command()
    course = tmp_path_factory.mktemp("data-course")
    (course / "notes").mkdir()
    (course / "notes" / "01-data.md").write_text(
        "# Data\n\n" + "\n".join(directive(i, a) for i, a in DIRECTIVES.items()), encoding="utf-8")
    return build(course, tmp_path_factory.mktemp("data-out") / "_site")


def trace_json(arguments: list[str]) -> dict:
    binary = require_build_command()
    return json.loads(subprocess.run([str(binary), "trace", *arguments], capture_output=True, text=True, check=True).stdout)


@pytest.mark.parametrize("trace_id", list(DIRECTIVES))
def test_the_script_holds_the_trace_unrolled_trace_writes(site, trace_id):
    assert normalized(site_trace(site, trace_id)) == trace_json(DIRECTIVES[trace_id])


def test_the_chapter_and_the_trace_page_share_one_script_and_no_page_carries_data(site):
    chapter = site / "notes" / "01-data.html"
    assert page_traces(chapter) == {i: (site / "traces" / f"{i}.js").resolve() for i in DIRECTIVES}
    for trace_id in DIRECTIVES:
        assert page_traces(site / "traces" / f"{trace_id}.html") == {trace_id: (site / "traces" / f"{trace_id}.js").resolve()}
    for page in site.rglob("*.html"):
        assert "unrolled-trace-data" not in page.read_text(encoding="utf-8"), page
    assert not (site / ".cache").exists()


# What the viewer holds, with NaN and ±∞ written as JSON writes them.
VIEWER_NUMBERS = """el => JSON.stringify({tensors: el.model.trace.tensors.map(t => t.data),
    history: (el.model.trace.history || []).map(e => e.tensors || {})},
    (k, v) => typeof v === 'number' && !isFinite(v) ? (v !== v ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity') : v)"""


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_the_viewer_reads_every_number_of_the_script(browser_context, site, scheme):
    chapter = site / "notes" / "01-data.html"
    with serve(site) if scheme == "http" else contextlib.nullcontext() as base:
        url = file_url(chapter) if scheme == "file" else base + "notes/01-data.html"
        page, visit = open_page(browser_context, url, wait_for="unrolled-trace")
        for trace_id in DIRECTIVES:
            viewer = page.locator(f"unrolled-trace#{trace_id}")
            viewer.scroll_into_view_if_needed()
            viewer.evaluate("el => el.ready")
            expected = normalized(site_trace(site, trace_id))
            held = json.loads(viewer.evaluate(VIEWER_NUMBERS))
            assert held["tensors"] == [t["data"] for t in expected["tensors"]], trace_id
            assert held["history"] == [e.get("tensors") or {} for e in expected.get("history") or []], trace_id
            assert viewer.locator(".ut-error").count() == 0
        assert visit.problems() == []
        page.close()
