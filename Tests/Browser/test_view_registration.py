"""A viewer view is registered by adding its file: a script dropped into a copy of the templates'
assets/viewer/views/ (and named in no list) is loaded by the pages `unrolled build` writes and
inlined by `unrolled embed`, and its tab comes after the views the trace declares, whatever
its file name's place in the load order."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from browsing import file_url, open_page

ROOT = Path(__file__).resolve().parents[2]

# "aaa-" loads it before every bundled view: its tab must still follow the declared ones.
PROBE_FILE = "aaa-probe.js"
PROBE = """window.Unrolled = window.Unrolled || {};
(window.Unrolled.views = window.Unrolled.views || []).push({
  id: 'probe', title: 'Probe',
  applies: function () { return true; },
  create: function (panel) { panel.textContent = 'the probe view'; return {}; }
});
"""

COURSE_NOTE = """# A probe

```unrolled
model: lstm
steps: 2
id: probe-lstm
```
"""


def unrolled_bin() -> Path:
    env = os.environ.get("UNROLLED_BIN")
    binary = Path(env) if env else ROOT / ".build" / "debug" / "unrolled"
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    return binary


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    """A copy of the bundled templates with the probe view's file added, nothing else edited."""
    copy = tmp_path_factory.mktemp("templates") / "Templates"
    shutil.copytree(ROOT / "Templates", copy)
    (copy / "assets" / "viewer" / "views" / PROBE_FILE).write_text(PROBE, encoding="utf-8")
    return copy


def run(*arguments: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(unrolled_bin()), *arguments], capture_output=True, text=True, timeout=300,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, f"unrolled {arguments[0]} failed:\n{result.stderr}\n{result.stdout}"
    return result.stdout


def expected_tabs() -> list[str]:
    """The lstm demo's declared views in their order, then the views it does not declare in the
    order their files load: the probe (aaa-probe.js), then the graph every trace has."""
    declared = json.loads(run("trace", "lstm", "--steps", "2"))["views"]
    assert "lstm-cell" in declared
    return ["step", *declared, "probe", "graph"]


def tabs_of(context, page_file: Path) -> list[str]:
    page, visit = open_page(context, file_url(page_file), wait_for="unrolled-trace")
    page.evaluate("document.querySelector('unrolled-trace').ready.then(() => true)")
    assert visit.problems() == []
    viewer = page.locator("unrolled-trace")
    viewer.locator('.ut-tab[data-view="probe"]').click()
    assert viewer.locator('.ut-panel[data-view="probe"]').inner_text() == "the probe view"
    return viewer.evaluate("el => Array.from(el.querySelectorAll('.ut-tab'), b => b.getAttribute('data-view'))")


def test_a_view_file_is_loaded_by_a_built_page(browser_context, templates, tmp_path):
    course = tmp_path / "course"
    (course / "notes").mkdir(parents=True)
    (course / "course.yml").write_text("title: Probe course\n", encoding="utf-8")
    (course / "notes" / "01-probe.md").write_text(COURSE_NOTE, encoding="utf-8")
    site = tmp_path / "_site"
    run("build", str(course), "--templates", str(templates), "--output", str(site))
    page_file = site / "notes" / "01-probe.html"
    assert f'<script src="../assets/viewer/views/{PROBE_FILE}" defer></script>' in page_file.read_text(encoding="utf-8")
    assert (site / "assets" / "viewer" / "views" / PROBE_FILE).is_file()
    assert tabs_of(browser_context, page_file) == expected_tabs()


def test_a_view_file_is_inlined_by_embed(browser_context, templates, tmp_path):
    output = tmp_path / "embedded.html"
    run("embed", "lstm", "--steps", "2", "--output", str(output), env={"UNROLLED_TEMPLATES": str(templates)})
    assert "the probe view" in output.read_text(encoding="utf-8")
    assert tabs_of(browser_context, output) == expected_tabs()
