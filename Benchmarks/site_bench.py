#!/usr/bin/env python3
"""The renderer side of `make bench`: `unrolled build` beside Debian's `cmark-gfm` in the same run.

Two courses, each built into a fresh temporary folder (the fastest of 3 builds):
- the bundled course (Site/): target under 2 s;
- a generated 200-page course with no directives (so no trace is computed): the four course notes
  of ../shared/seeds cycled as pages when they are there, generated Markdown otherwise. Beside it,
  Debian's `cmark-gfm` renders the same 200 files in one call (all extensions on), and the ratio
  unrolled / cmark-gfm is printed: target at most 2×.

Usage: python3 Benchmarks/site_bench.py path/to/unrolled   (make bench passes the release build)
"""
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
PAGES = 200
RUNS = 3


def fastest(command):
    """The best wall time of RUNS runs of `command` (a function returning the argv to run)."""
    best = float("inf")
    for _ in range(RUNS):
        argv = command()
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


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
        site = fastest(build(course))
        print(f"\nSite builds (release `unrolled build`, fastest of {RUNS}, each into a fresh folder)\n")
        print(f"bundled course (Site/):  {bundled:.2f} s   target < 2 s")
        print(f"{PAGES} pages of {origin} ({megabytes:.1f} MB):  unrolled build {site:.2f} s", end="")
        if cmark is None:
            print("\n(cmark-gfm not installed: `make bench` installs Debian's cmark-gfm)")
            return
        extensions = [argument for name in ("footnotes", "table", "strikethrough", "autolink", "tagfilter", "tasklist") for argument in ("-e", name)]
        reference = fastest(lambda: [cmark, "--unsafe", *extensions, *map(str, files)])
        print(f", cmark-gfm {reference:.2f} s, ratio {site / reference:.2f}×   target ≤ 2×")


if __name__ == "__main__":
    main()
