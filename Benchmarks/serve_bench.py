#!/usr/bin/env python3
"""The live preview's side of `make bench`: from saving a note to the updated page.

A copy of the bundled course (Site/) is served by the release `unrolled serve --port 0`; Debian's
Chromium opens a chapter; each edit changes the first sentence of the note's prose (no directive,
no title: the edit the preview renders one page for, and which the page takes in place, swapping
in its new <main>), and the time from the file's write (the clock just before it) to the moment
the page's <main> is replaced (a MutationObserver in the page, on the same clock) is one sample;
when the page reloads instead, the time until it shows the new text (polled). EDITS samples each
on a light chapter and on the heaviest; the median against the 150 ms target, p95 beside it, and
the server's own rebuild time from what it prints.

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


def shows(page, marker: str) -> bool:
    """Whether the page's text holds `marker` now (False while a reload replaces the document)."""
    try:
        return page.evaluate("m => !!document.body && document.body.textContent.includes(m)", marker)
    except Exception:  # the document went away mid-call: a reload under way
        return False


def edit_samples(page, server, course, chapter):
    """Milliseconds from each write of the note to its page showing the new text (refreshed in place,
    or reloaded); the server's rebuild seconds. The edit is to the first line of prose, as an
    instructor's is: not the front matter's title, which changes every page's sidebar."""
    note = course / chapter
    text = note.read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1] if text.startswith("---\n") else text
    anchor = next(line for line in body.splitlines() if line and line[0].isalpha())
    page.goto(f"{server.address}{chapter[:-3]}.html", wait_until="load")
    samples, rebuilds = [], []
    for edit in range(EDITS):
        seen = len(server.lines)
        marker = f"(edit {edit})"
        # The page notes when its <main> is replaced (a refresh in place) on its own clock, so the
        # polling below adds nothing to that time; a reload loses the note, and the poll's time counts.
        page.evaluate("""() => { window.__replaced = null; const layout = document.querySelector('main').parentNode;
            new MutationObserver(() => { window.__replaced = window.__replaced || performance.timeOrigin + performance.now(); })
              .observe(layout, { childList: true }); }""")
        start_epoch = time.time() * 1000
        start = time.perf_counter()
        note.write_text(text.replace(anchor, f"{anchor} {marker}", 1), encoding="utf-8")
        deadline = start + 120
        while not shows(page, marker):
            if time.perf_counter() > deadline:
                raise AssertionError(f"{chapter}: the page never showed {marker}")
            time.sleep(0.002)
        polled = (time.perf_counter() - start) * 1000
        replaced = page.evaluate("window.__replaced || null")
        samples.append(replaced - start_epoch if replaced else polled)
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
    print(f"{'save to updated page (' + str(EDITS) + ' edits each)':<48}{'median':>9}{'p95':>9}{'target':>9}  "
          f"{'server rebuild (median)':>24}")
    for chapter, (samples, rebuilds) in rows.items():
        median, p95 = statistics.median(samples), percentile(samples, 95)
        verdict = "ok" if median <= TARGET_MS else "over"
        rebuild = f"{statistics.median(rebuilds):.0f} ms" if rebuilds else "?"
        print(f"{chapter:<48}{median:>7.0f}ms{p95:>7.0f}ms{TARGET_MS:>7.0f}ms  {verdict:<5}{rebuild:>18}")
    print("(from the clock read before the note is written to the page showing the new text: the watcher's"
          " quiet time, the rebuild, the reload event, the page's refresh in place or its reload)")


if __name__ == "__main__":
    main()
