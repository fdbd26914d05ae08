#!/usr/bin/env python3
"""The viewer side of `make bench`, measured in Debian's Chromium:

- the time of a step change on a trace of 20,000+ steps (peephole-lstm, 200 time steps,
  H = 8): `el.goTo(k)` and a forced layout (getBoundingClientRect), timed in the page with
  performance.now(), and the time until the next frame has been painted
  (requestAnimationFrame, then a task after it); 200 random and 200 sequential steps each;
  median and p95 against the 16 ms target (one frame at 60 Hz);
- the main thread's CPU time per step change, from Chromium's trace (thread time, which other
  processes on a busy machine inflate far less than wall-clock time), split into script,
  style, layout and paint;
- the page weight of the LSTM page: the HTML and every file it loads (Site/_site/notes/06-lstm.html
  when the site is built, else a test page with the default lstm trace).

Not a test: timings depend on the machine (the load average is printed beside them).

Usage: python3 Benchmarks/viewer_bench.py path/to/unrolled   (make bench passes the release build)
"""
import json
import os
import pathlib
import statistics
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "Browser"))

from browsing import chromium_path, file_url  # noqa: E402
from viewer_harness import Figure, make_trace, write_page  # noqa: E402

TARGET_MS = 16.0
SAMPLES = 200

MEASURE = """async ({count, order}) => {
  const el = document.querySelector('unrolled-trace');
  const n = el.model.stepCount;
  let k = 1 + Math.floor(n / 3);
  const next = () => order === 'random' ? 1 + Math.floor(Math.random() * n) : (k = k % n + 1);
  for (let w = 0; w < 20; w++) { el.goTo(next()); el.getBoundingClientRect(); }
  const sync = [], frame = [];
  for (let s = 0; s < count; s++) {
    const target = next();
    const t0 = performance.now();
    el.goTo(target);
    el.getBoundingClientRect();
    sync.push(performance.now() - t0);
    const t1 = performance.now();
    el.goTo(target === 1 ? 2 : target - 1);
    await new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)));
    frame.push(performance.now() - t1);
  }
  return {sync, frame};
}"""


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def launch(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                      args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])


def step_times(browser, trace_path, work):
    page_path = write_page(work / "large", [Figure(trace_path.read_text(encoding="utf-8"), "large")])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    start = time.perf_counter()
    page.goto(file_url(page_path), wait_until="load", timeout=120000)
    page.evaluate("document.querySelector('unrolled-trace').ready")
    load_s = time.perf_counter() - start
    steps = page.evaluate("document.querySelector('unrolled-trace').model.stepCount")
    rows = {}
    for order in ("random", "sequential"):
        rows[order] = page.evaluate(MEASURE, {"count": SAMPLES, "order": order})
    dom = page.evaluate("document.querySelector('unrolled-trace').querySelectorAll('*').length")
    cpu = cpu_per_step(browser, page)
    context.close()
    if errors:
        raise SystemExit(f"page errors: {errors}")
    return steps, load_s, rows, dom, cpu


CPU_STEPS = 100
PAINT = {"Paint", "PrePaint", "Layerize", "Commit", "UpdateLayer", "RasterTask"}


def cpu_per_step(browser, page):
    """Main-thread CPU (ms) per step change: CPU_STEPS random steps, each in its own task, so
    the frames they cause are rendered in between and counted too. The same loop without a
    step change (goTo the current step) is subtracted: what remains is the step change's own."""
    totals = main_thread_cpu(browser, page, "el.goTo(1 + (k * 7919) % el.model.stepCount)")
    idle = main_thread_cpu(browser, page, "el.goTo(el.step)")
    per = {name: max(0.0, totals[name] - idle[name]) / CPU_STEPS for name in totals}
    per["script and other"] = max(0.0, per["task"] - per["style"] - per["layout"] - per["paint"])
    return per


def main_thread_cpu(browser, page, change):
    page.evaluate("document.querySelector('unrolled-trace').goTo(1)")
    browser.start_tracing(page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline"])
    for k in range(CPU_STEPS):
        page.evaluate("(k) => { const el = document.querySelector('unrolled-trace');"
                      f" {change}; el.getBoundingClientRect(); }}", k + 1)
        page.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done, 0)))")
    data = json.loads(browser.stop_tracing())
    events = data["traceEvents"] if isinstance(data, dict) else data
    mains = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    busiest = {}
    for e in events:
        if e.get("ph") == "X" and (e["pid"], e["tid"]) in mains and "tdur" in e:
            busiest[(e["pid"], e["tid"])] = busiest.get((e["pid"], e["tid"]), 0) + e["tdur"]
    main = max(busiest, key=busiest.get)
    totals = {"task": 0.0, "style": 0.0, "layout": 0.0, "paint": 0.0}
    for e in events:
        if e.get("ph") != "X" or (e["pid"], e["tid"]) != main or "tdur" not in e:
            continue
        name, tdur = e["name"], e["tdur"] / 1000
        if name == "RunTask":
            totals["task"] += tdur
        elif name == "UpdateLayoutTree":
            totals["style"] += tdur
        elif name == "Layout":
            totals["layout"] += tdur
        elif name in PAINT:
            totals["paint"] += tdur
    return totals


def page_weight(browser, binary, work):
    """Bytes of the LSTM page and of every file:// resource it requests."""
    built = ROOT / "Site" / "_site" / "notes" / "06-lstm.html"
    if built.is_file():
        page_path, label = built, "Site/_site/notes/06-lstm.html"
    else:
        trace = make_trace(work, "lstm", binary=binary)
        page_path = write_page(work / "lstm-page", [Figure(trace.read_text(encoding="utf-8"), "lstm-1")])
        label = "test page, default lstm trace (site not built)"
    context = browser.new_context()
    page = context.new_page()
    urls = []
    page.on("request", lambda r: urls.append(r.url))
    page.goto(file_url(page_path), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    context.close()
    total, files, remote = 0, set(), []
    for url in urls:
        if url.startswith("file://"):
            path = pathlib.Path(urllib.parse.unquote(urllib.parse.urlparse(url).path))
            if path not in files and path.is_file():
                files.add(path)
                total += path.stat().st_size
        elif not url.startswith(("data:", "about:")):
            remote.append(url)
    return label, total, len(files), remote


def main():
    binary = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".build" / "release" / "unrolled")
    if not binary.is_file():
        raise SystemExit(f"no unrolled binary at {binary}")
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="unrolled-viewer-bench-") as temporary, sync_playwright() as playwright:
        work = pathlib.Path(temporary)
        trace = make_trace(work, "peephole-lstm", "--steps", "200", "--hidden", "8", binary=binary)
        trace_mb = trace.stat().st_size / 1e6
        browser = launch(playwright)
        try:
            steps, load_s, rows, dom, cpu = step_times(browser, trace, work)
            label, weight, files, remote = page_weight(browser, binary, work)
        finally:
            browser.close()

    print(f"viewer: peephole-lstm --steps 200 --hidden 8: {steps} steps, {trace_mb:.1f} MB of JSON;"
          f" page ready in {load_s:.2f} s; {dom} elements in the viewer")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work on the machine slows these numbers)")
    print()
    print(f"{'step change (' + str(SAMPLES) + ' each)':<44}{'median':>9}{'p95':>9}{'target':>9}  ")
    for order, data in rows.items():
        for kind, label_text in (("sync", "goTo + layout"), ("frame", "goTo to next paint (rAF)")):
            values = data[kind]
            median, p95 = statistics.median(values), percentile(values, 95)
            verdict = "ok" if median < TARGET_MS else "over"
            print(f"{order + ', ' + label_text:<44}{median:>7.1f}ms{p95:>7.1f}ms{TARGET_MS:>7.0f}ms  {verdict}")
    print("(to next paint includes waiting for the next frame: up to 16.7 ms at 60 Hz, about 8 on average)")
    print()
    print(f"main-thread CPU per step change ({CPU_STEPS} random steps, thread time from Chromium's trace,"
          " the same loop without a change subtracted):")
    print(f"  "
          f" {cpu['task']:.1f} ms = script and other {cpu['script and other']:.1f} + style {cpu['style']:.1f}"
          f" + layout {cpu['layout']:.1f} + paint {cpu['paint']:.1f}   target {TARGET_MS:.0f} ms:"
          f" {'ok' if cpu['task'] < TARGET_MS else 'over'}")
    print()
    print(f"page weight of the LSTM page ({label}): {weight / 1024:.0f} KiB in {files} files"
          + (f"; REMOTE requests: {remote}" if remote else "; no request leaves file://"))


if __name__ == "__main__":
    main()
