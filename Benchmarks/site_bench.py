#!/usr/bin/env python3
"""The renderer side of `make bench`: `unrolled build` beside Debian's `cmark-gfm` in the same run.

Two courses, each built into a fresh temporary folder:
- the bundled course (Site/), the fastest of 3 builds: target under 2 s;
- a generated 200-page course with no directives (so no trace is computed): the four course notes
  of ../shared/seeds cycled as pages when they are there, generated Markdown otherwise. Beside it,
  Debian's `cmark-gfm` renders the same 200 files in one call (all extensions on). The two run
  in turns, RUNS times, so that both see the same machine; each turn's ratio unrolled / cmark-gfm
  is printed side by side, then the ratio of the fastest runs (target at most 2×) and of their
  CPU times (user + system): `unrolled build` renders pages on every core, so on a machine busy
  with other work its wall time suffers more than single-threaded cmark-gfm's.

Usage: python3 Benchmarks/site_bench.py path/to/unrolled   (make bench passes the release build)
"""
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
PAGES = 200
RUNS = 3
RATIO_RUNS = 5


def timed(argv):
    """Wall and CPU (user + system) seconds of one run of `argv`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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


def main():
    unrolled = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".build" / "release" / "unrolled")
    cmark = shutil.which("cmark-gfm")
    with tempfile.TemporaryDirectory(prefix="unrolled-site-bench-") as temporary:
        work = pathlib.Path(temporary)
        counter = iter(range(10**6))

        def build(course):
            return lambda: [str(unrolled), "build", str(course), "--output", str(work / f"out-{next(counter)}")]

        bundled = fastest(build(ROOT / "Site"))
        course = work / "course"
        files, origin = generated_course(course)
        megabytes = sum(path.stat().st_size for path in files) / 1e6
        print(f"\nSite builds (release `unrolled build`, each into a fresh folder)\n")
        print(f"bundled course (Site/):  {bundled:.2f} s (fastest of {RUNS})   target < 2 s")
        if cmark is None:
            site = fastest(build(course))
            print(f"{PAGES} pages of {origin} ({megabytes:.1f} MB):  unrolled build {site:.2f} s")
            print("(cmark-gfm not installed: `make bench` installs Debian's cmark-gfm)")
            return
        extensions = [argument for name in ("footnotes", "table", "strikethrough", "autolink", "tagfilter", "tasklist") for argument in ("-e", name)]
        ours, theirs = [], []
        for _ in range(RATIO_RUNS):
            ours.append(timed(build(course)()))
            theirs.append(timed([cmark, "--unsafe", *extensions, *map(str, files)]))
        print(f"{PAGES} pages of {origin} ({megabytes:.1f} MB), {RATIO_RUNS} turns:")
        print("  unrolled build  " + "  ".join(f"{wall:5.2f}" for wall, _ in ours) + " s")
        print("  cmark-gfm       " + "  ".join(f"{wall:5.2f}" for wall, _ in theirs) + " s")
        print("  ratio           " + "  ".join(f"{a[0] / b[0]:5.2f}" for a, b in zip(ours, theirs)))
        best = min(wall for wall, _ in ours) / min(wall for wall, _ in theirs)
        cpu = min(used for _, used in ours) / min(used for _, used in theirs)
        print(f"  fastest / fastest: {best:.2f}×   target ≤ 2×   (CPU time: {cpu:.2f}×)")


if __name__ == "__main__":
    main()
