"""Browser fixtures: Playwright (PyPI) driving Debian's Chromium through executable_path.
`playwright install` is never needed: scripts/setup installs the Debian chromium package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browsing import chromium_path  # noqa: E402
from viewer_harness import run_wide  # noqa: E402


# The modules that take longest, first. `make test` runs pytest-xdist with --dist loadscope, which
# hands whole modules to its two workers in the order they were collected (pytest_configure below):
# Tests/Python, then these in file-name order, so long modules collected late ran on one worker
# while the other sat idle. Longest first (measured with --durations) keeps both busy to the end. A module missing
# from the list only runs in its usual place.
LONGEST_FIRST = [
    # One of the bundled course's modules first (its worker builds the course), beside one that
    # does not need the course (the other worker would only wait for the build).
    "test_accessibility.py", "test_traces.py", "test_hostile.py", "test_phone.py", "test_accessibility_pages.py",
    "test_course.py", "test_viewer_views_training.py", "test_course_pages.py", "test_browser_site.py",
    "test_viewer_render.py", "test_viewer_views.py", "test_exercises.py", "test_viewer_views_renaming.py",
    "test_viewer_views_small.py", "test_file_names.py", "test_viewer_views_convolution.py",
    "test_viewer_views_history_more.py", "test_viewer_names.py",
]


def pytest_configure(config):
    # pytest-xdist 3.6 and later hand loadscope's modules out by their number of tests, most first,
    # unless told not to: the one-test modules that take longest went last, and one worker ran
    # them alone at the end. LONGEST_FIRST's order instead (this runs in the controller, which
    # loads the conftest of each folder pytest is given).
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items):
    rank = {name: place for place, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).name, len(rank)))  # stable: the rest keep their order


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Python package playwright is missing: run `bash scripts/setup` (make test does)")
    executable = chromium_path()
    if executable is None:
        pytest.fail("Debian's chromium is missing: run `bash scripts/setup` (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            # Root in a container has no user namespaces for Chromium's sandbox.
            args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_context(chromium):
    """A fresh context (cookies, storage, viewport) per test."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def bundled_course(tmp_path_factory) -> Path:
    """The bundled course (Site/) built once for the run with --strict, into a temporary folder:
    test_course.py and test_browser_site.py read the same build. Under pytest-xdist the workers
    share it: the first to ask builds it while holding a lock, the others wait and read it (one
    build of 50 traces instead of one per worker, on a machine whose cores the workers share)."""
    root = Path(__file__).resolve().parents[2]
    env = os.environ.get("UNROLLED_BIN")
    binary = Path(env) if env else root / ".build" / "debug" / "unrolled"
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    with run_wide(tmp_path_factory, "bundled-course") as shared:
        output, report = shared / "_site", shared / "build.stderr"
        if not report.exists():
            result = subprocess.run([str(binary), "build", str(root / "Site"), "--output", str(output), "--strict"],
                                    capture_output=True, text=True, timeout=1800)
            report.write_text(f"{result.returncode}\n{result.stderr}", encoding="utf-8")
    code, stderr = report.read_text(encoding="utf-8").split("\n", 1)
    assert code == "0", f"the bundled course does not build under --strict:\n{stderr}"
    assert "0 warnings" in stderr.splitlines()[-1], stderr
    return output
