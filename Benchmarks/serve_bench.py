#!/usr/bin/env python3
"""The live preview's side of `make bench`: from saving a note to the reloaded page.

A copy of the bundled course (Site/) is served by the release `unrolled serve --port 0`; Debian's
Chromium opens a chapter; each edit changes a sentence of the note (no directive, no title: the
edit the preview renders one page for), and the time from the file's write (the clock just before
it) to the reloaded page's DOMContentLoaded (the navigation's timing, on the same clock) is one
sample. EDITS samples each on a light chapter and on the heaviest; the median against the 150 ms
target, p95 beside it, and the server's own rebuild time from what it prints.

Usage: python3 Benchmarks/serve_bench.py path/to/unrolled   (make bench passes the release build).
Timings depend on the machine, so this is a benchmark and not a test; the load average is printed.
"""
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Browser"))
from browsing import chromium_path  # noqa: E402
from serving import Server  # noqa: E402

EDITS = 10
TARGET_MS = 150
# A light chapter, and the heaviest of the bundled course (its page is the biggest file of the site).
CHAPTERS = ["notes/01-neuron.md", "notes/03-vanishing-gradients.md"]
REBUILT = re.compile(r"rebuilt .* in ([0-9.]+) s")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def edit_samples(page, server, course, chapter):
    """Milliseconds from each write of the note to its page's new DOMContentLoaded; the server's rebuild seconds."""
    note = course / chapter
    text = note.read_text(encoding="utf-8")
    # The first paragraph of prose: after the title, before anything else.
    anchor = next(line for line in text.splitlines() if line and line[0].isalpha())
    page.goto(f"{server.address}{chapter[:-3]}.html", wait_until="load")
    samples, rebuilds = [], []
    for edit in range(EDITS):
        seen = len(server.lines)
        with page.expect_event("domcontentloaded", timeout=120_000):
            start = time.time() * 1000
            note.write_text(text.replace(anchor, f"{anchor} (edit {edit})", 1), encoding="utf-8")
        loaded = page.evaluate("performance.timeOrigin + performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        samples.append(loaded - start)
        page.wait_for_load_state("load")
        rebuilds.append(float(server.wait_for(REBUILT, 60, after=seen).group(1)) * 1000)
    note.write_text(text, encoding="utf-8")
    return samples, rebuilds


def main():
    unrolled = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".build" / "release" / "unrolled")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="unrolled-serve-bench-") as temporary:
        course = Path(temporary) / "course"
        # With its trace cache (.unrolled-cache) when Site/ has one: only a first build computes the traces.
        shutil.copytree(ROOT / "Site", course, ignore=shutil.ignore_patterns("_site"))
        started = time.perf_counter()
        server = Server(unrolled, course)
        first = time.perf_counter() - started
        rows = {}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                                     args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
                page = browser.new_page()
                for chapter in CHAPTERS:
                    rows[chapter] = edit_samples(page, server, course, chapter)
                browser.close()
        finally:
            server.stop()
    print()
    print("Live preview (release `unrolled serve` on a copy of Site/, Chromium)")
    print()
    print(f"first build and serve: {first:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
          " (other work on the machine slows these numbers)")
    print(f"{'save to reloaded page (' + str(EDITS) + ' edits each)':<48}{'median':>9}{'p95':>9}{'target':>9}  "
          f"{'server rebuild (median)':>24}")
    for chapter, (samples, rebuilds) in rows.items():
        median, p95 = statistics.median(samples), percentile(samples, 95)
        verdict = "ok" if median <= TARGET_MS else "over"
        rebuild = f"{statistics.median(rebuilds):.0f} ms" if rebuilds else "?"
        print(f"{chapter:<48}{median:>7.0f}ms{p95:>7.0f}ms{TARGET_MS:>7.0f}ms  {verdict:<5}{rebuild:>18}")
    print("(from the clock read before the note is written to the new page's DOMContentLoaded: the watcher's"
          " quiet time, the rebuild, the reload event, the page's request and parse)")


if __name__ == "__main__":
    main()
