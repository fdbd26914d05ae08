#!/usr/bin/env python3
"""The weight side of `make bench`: what a reader downloads and a deploy uploads.

Builds the bundled course (Site/) into a fresh temporary folder, with its trace cache in another
(so the course folder is left alone), then prints:
- the site's bytes on disk, every file counted by its size (target at most 8 MB), by part:
  pages, trace data (traces/*.js), assets, and whether any trace cache leaked into the site;
- the heaviest chapter: its HTML plus every trace script it loads, each gzip-compressed as a
  server sends it (target at most 1 MB), with the next four.

Usage: python3 Benchmarks/site_weight.py path/to/unrolled   (make bench passes the release build)
"""
import gzip
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
SITE_TARGET = 8_000_000
CHAPTER_TARGET = 1_000_000


def megabytes(n):
    return f"{n / 1e6:.2f} MB"


def part(path, site):
    relative = path.relative_to(site).as_posix()
    if relative.startswith("traces/") and relative.endswith(".js"):
        return "trace data"
    if relative.startswith("assets/"):
        return "assets"
    if relative.startswith("."):
        return "hidden (a cache?)"
    return "pages"


def chapter_weight(page):
    """gzip bytes of the chapter and of each trace script it names (data-src)."""
    html = page.read_bytes()
    total = len(gzip.compress(html))
    for src in re.findall(rb'data-src="([^"]+)"', html):
        total += len(gzip.compress((page.parent / src.decode()).read_bytes()))
    return total


def main(binary):
    with tempfile.TemporaryDirectory() as temporary:
        site = pathlib.Path(temporary) / "site"
        subprocess.run([binary, "build", str(ROOT / "Site"), "--output", str(site), "--cache",
                        str(ROOT / "Site" / ".unrolled-cache")], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        files = [p for p in site.rglob("*") if p.is_file()]
        total = sum(p.stat().st_size for p in files)
        parts = {}
        for p in files:
            parts[part(p, site)] = parts.get(part(p, site), 0) + p.stat().st_size
        print(f"bundled site on disk: {megabytes(total)} (target at most {megabytes(SITE_TARGET)}): "
              + ", ".join(f"{name} {megabytes(size)}" for name, size in sorted(parts.items(), key=lambda kv: -kv[1])))
        chapters = sorted(((chapter_weight(p), p.name) for p in (site / "notes").glob("*.html")), reverse=True)
        weight, name = chapters[0]
        print(f"heaviest chapter, gzip-compressed with its trace data: {name} {megabytes(weight)} "
              f"(target at most {megabytes(CHAPTER_TARGET)}); next: "
              + ", ".join(f"{n} {megabytes(w)}" for w, n in chapters[1:5]))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
