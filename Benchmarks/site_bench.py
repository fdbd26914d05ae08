#!/usr/bin/env python3
"""The renderer side of `make bench`: `unrolled build` beside Debian's `cmark-gfm` in the same run,
each number printed as "measured vs target" (issues #19 and #21).

- The bundled course (Site/) built into a fresh folder with a fresh trace cache (every trace
  computed), the fastest of 3: no target, for reference.
- The rebuild with nothing changed: the bundled course built again into the same folder with the
  same cache, the fastest of RUNS: target at most 0.2 s.
- A generated 200-page course with no directives (so no trace is computed): the four course notes
  of ../shared/seeds cycled as pages when they are there, generated Markdown otherwise. Beside it,
  Debian's `cmark-gfm` renders the same 200 files in one call (all extensions on). The two run
  in turns, RATIO_RUNS times, so that both see the same machine; each turn's ratio unrolled /
  cmark-gfm is printed side by side, then the ratio of the fastest runs (target at most 1.5×) and
  of their CPU times (user + system): `unrolled build` renders pages on every core, so on a
  machine busy with other work its wall time suffers more than single-threaded cmark-gfm's.
  Then the same on one core (both processes pinned to it, Node's KaTeX check included): target
  at most 2× (issue #21).

Both builds check their math with KaTeX under Node when Node is installed, as a user's build does.

Usage: python3 Benchmarks/site_bench.py path/to/unrolled   (make bench passes the release build)
"""
import os
import pathlib
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
PAGES = 200
RUNS = 3
RATIO_RUNS = 5
# Issue #19's targets.
REBUILD_TARGET = 0.2  # seconds, the bundled course rebuilt with nothing changed
RATIO_TARGET = 1.5  # unrolled build / cmark-gfm on the 200 pages, fastest runs
ONE_CORE_TARGET = 2.0  # the same on one core (issue #21)


def one_core():
    """Keeps a child on one core (the first this process may use): issue #21's one-core ratio."""
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def timed(argv, pinned=False):
    """Wall and CPU (user + system) seconds of one run of `argv`; `pinned`: on one core."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=one_core if pinned else None)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def fastest(command):
    """The best wall time of RUNS runs of `command` (a function returning the argv to run)."""
    return min(timed(command())[0] for _ in range(RUNS))


def generated_course(folder):
    """200 pages under folder/notes: the seed notes cycled, or generated Markdown."""
    notes = folder / "notes"
    notes.mkdir(parents=True)
    sources = sorted(SEEDS.glob("0*.txt")) if SEEDS.is_dir() else []
    texts = [path.read_text(encoding="utf-8") for path in sources]
    if not texts:
        paragraph = "Some *text* with `code`, a [link](#top) and math $x_i^2$.\n\n"
        texts = ["# Generated\n\n" + "## Section\n\n" + paragraph * 200 + "| a | b |\n|---|---|\n| 1 | 2 |\n"]
    files = []
    for index in range(PAGES):
        page = notes / f"{index + 1:03d}-page.md"
        page.write_text(f"---\ntitle: Page {index + 1}\n---\n\n" + texts[index % len(texts)], encoding="utf-8")
        files.append(page)
    return files, "the seed notes" if sources else "generated Markdown"


def verdict(measured, target):
    """Whether a measurement meets its target (at most the target)."""
    return "met" if measured <= target else "not met"


def main():
    unrolled = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".build" / "release" / "unrolled")
    cmark = shutil.which("cmark-gfm")
    with tempfile.TemporaryDirectory(prefix="unrolled-site-bench-") as temporary:
        work = pathlib.Path(temporary)
        counter = iter(range(10**6))

        def build(course, output=None, cache=None):
            def argv():
                number = next(counter)
                return [str(unrolled), "build", str(course), "--output", str(output or work / f"out-{number}"),
                        "--cache", str(cache or work / f"cache-{number}")]
            return argv

        fresh = fastest(build(ROOT / "Site"))
        # The first build fills the site and the cache; the rebuilds change nothing.
        subprocess.run(build(ROOT / "Site", work / "site", work / "site-cache")(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rebuild = fastest(build(ROOT / "Site", work / "site", work / "site-cache"))
        course = work / "course"
        files, origin = generated_course(course)
        megabytes = sum(path.stat().st_size for path in files) / 1e6
        print(f"\nSite builds (release `unrolled build`)\n")
        print(f"bundled course (Site/), fresh folder and cache:  {fresh:.2f} s (fastest of {RUNS})")
        print(f"bundled course rebuilt, nothing changed:  {rebuild:.2f} s vs target ≤ {REBUILD_TARGET} s "
              f"(fastest of {RUNS}): {verdict(rebuild, REBUILD_TARGET)}")
        if cmark is None:
            site = fastest(build(course))
            print(f"{PAGES} pages of {origin} ({megabytes:.1f} MB):  unrolled build {site:.2f} s")
            print("(cmark-gfm not installed: `make bench` installs Debian's cmark-gfm)")
            return
        extensions = [argument for name in ("footnotes", "table", "strikethrough", "autolink", "tagfilter", "tasklist") for argument in ("-e", name)]
        for pinned, target in ((False, RATIO_TARGET), (True, ONE_CORE_TARGET)):
            ours, theirs = [], []
            for _ in range(RATIO_RUNS):
                ours.append(timed(build(course)(), pinned))
                theirs.append(timed([cmark, "--unsafe", *extensions, *map(str, files)], pinned))
            where = "on one core" if pinned else f"on {len(os.sched_getaffinity(0))} cores"
            print(f"{PAGES} pages of {origin} ({megabytes:.1f} MB), {where}, {RATIO_RUNS} turns:")
            print("  unrolled build  " + "  ".join(f"{wall:5.2f}" for wall, _ in ours) + " s")
            print("  cmark-gfm       " + "  ".join(f"{wall:5.2f}" for wall, _ in theirs) + " s")
            print("  ratio           " + "  ".join(f"{a[0] / b[0]:5.2f}" for a, b in zip(ours, theirs)))
            best = min(wall for wall, _ in ours) / min(wall for wall, _ in theirs)
            cpu = min(used for _, used in ours) / min(used for _, used in theirs)
            turns = statistics.median(a[0] / b[0] for a, b in zip(ours, theirs))
            print(f"  fastest / fastest: {best:.2f}× vs target ≤ {target}×: {verdict(best, target)}   (CPU time: {cpu:.2f}×;"
                  f" median of the turns' ratios {turns:.2f}×, less moved by one lucky run of either)")


if __name__ == "__main__":
    main()
