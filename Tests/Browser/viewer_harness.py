"""Writes a self-contained test page for the trace viewer into a folder: Debian's KaTeX,
the viewer's files from Templates/assets/viewer/ and one <unrolled-trace> element per
trace, with exactly the markup the site build writes (docs/viewer.md). Tests and the
benchmark open the page over file://.

Also finds the `unrolled` binary and makes traces with it."""

from __future__ import annotations

import contextlib
import fcntl
import html
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEWER_DIR = ROOT / "Templates" / "assets" / "viewer"
KATEX_DIR = Path("/usr/share/javascript/katex")
SAMPLES = Path("/tmp/samples")



def view_scripts(head: str) -> list[str]:
    """The special views' scripts, as the renderer lists them (Templates.viewScripts): every
    assets/viewer/views/*.js, sorted, that the head does not load by name (the support scripts)."""
    return [f"viewer/views/{p.name}" for p in sorted((VIEWER_DIR / "views").glob("*.js"))
            if f'assets/viewer/views/{p.name}"' not in head]


def head_assets(extension: str) -> list[str]:
    """The viewer's files a site page loads, in its order, as the page template names them
    (Templates/partials/head.mustache, its {{#viewScripts}} section filled from the views'
    folder as the renderer fills it): paths under assets/viewer/."""
    head = (ROOT / "Templates" / "partials" / "head.mustache").read_text(encoding="utf-8")
    head = re.sub(r"\{\{#viewScripts\}\}(.*?)\{\{/viewScripts\}\}",
                  lambda section: "".join(section[1].replace("{{.}}", name) for name in view_scripts(head)),
                  head, flags=re.S)
    return re.findall(r'assets/viewer/([\w/.-]+\.' + extension + ')"', head)


SCRIPTS = head_assets("js")
STYLES = head_assets("css")


@dataclass
class Figure:
    """One viewer on the page: the trace's JSON text, its id, and optional attributes."""

    trace_json: str
    trace_id: str
    title: str | None = None
    step: int | None = None
    caption: str = ""
    shared_script: str | None = None  # put the trace in <script id=…> outside, named by data-trace


def unrolled_binary() -> Path:
    """UNROLLED_BIN if set, else the debug build, else the prebuilt CLI."""
    for candidate in (os.environ.get("UNROLLED_BIN"), ROOT / ".build" / "debug" / "unrolled",
                      "/tmp/unrolled-bin/unrolled"):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError("no unrolled binary: set UNROLLED_BIN or run `swift build`")


@contextlib.contextmanager
def run_wide(tmp_path_factory, name: str):
    """A folder `name` shared by the whole test run, held under a lock while the block runs: with
    pytest-xdist, every worker's base folder is inside the run's, so the workers share what one made
    (the first to come makes it while the others wait, on a machine whose cores they share)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / name
    shared.mkdir(exist_ok=True)
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield shared


def make_trace(folder: Path, demo: str, *params: str, binary: Path | None = None) -> Path:
    """Runs `unrolled trace DEMO PARAMS… --output folder/DEMO.json`; returns the file."""
    out = folder / f"{demo}.json"
    subprocess.run([str(binary or unrolled_binary()), "trace", demo, *params, "--output", str(out)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


def sample_trace(demo: str, folder: Path) -> str:
    """The JSON text of a demo's trace: /tmp/samples when present, else made by the binary."""
    sample = SAMPLES / f"{demo}.json"
    if sample.is_file():
        return sample.read_text(encoding="utf-8")
    return make_trace(folder, demo).read_text(encoding="utf-8")


def script_json(text: str) -> str:
    """JSON safe inside <script>: "<" escaped as \\u003c, as the site build does."""
    return text.strip().replace("<", "\\u003c")


def figure_html(figure: Figure) -> str:
    try:
        trace = json.loads(figure.trace_json)
    except ValueError:
        trace = {}  # a broken trace, for the viewer's error message
    title = figure.title or trace.get("title", "")
    attrs = f' id="{html.escape(figure.trace_id)}" trace-id="{html.escape(figure.trace_id)}"'
    attrs += f' data-title="{html.escape(title)}" tabindex="0"'
    if figure.step is not None:
        attrs += f' step="{figure.step}"'
    data = f'    <script type="application/json" class="unrolled-trace-data">{script_json(figure.trace_json)}</script>\n'
    before = ""
    if figure.shared_script:
        attrs += f' data-trace="{html.escape(figure.shared_script)}"'
        before = f'<script type="application/json" id="{html.escape(figure.shared_script)}">{script_json(figure.trace_json)}</script>\n'
        data = ""
    config = ", ".join(f"{k} = {v}" for k, v in trace.get("config", {}).items())
    return (
        before
        + '<figure class="unrolled-figure">\n'
        f"  <unrolled-trace{attrs}>\n"
        f"{data}"
        f'    <div class="unrolled-fallback"><p><strong>{html.escape(title)}</strong></p>'
        f"<p>{html.escape(trace.get('model', ''))}: {html.escape(config)}</p></div>\n"
        "  </unrolled-trace>\n"
        f"  <figcaption>{figure.caption}</figcaption>\n"
        "</figure>\n"
    )


def link_or_copy(source: str, target: str) -> None:
    """A hard link to the file (nothing written: a test run writes some 300 pages, each with KaTeX's
    2.3 MB beside it, which pytest then deletes), or a copy where the two are on different file
    systems. The pages only read KaTeX."""
    try:
        os.link(os.path.realpath(source), target)
    except OSError:
        shutil.copy2(source, target)


def write_page(folder: Path, figures: list[Figure], name: str = "index.html", body_before: str = "") -> Path:
    """Writes folder/name with KaTeX and the viewer's assets beside it; returns the page's path."""
    folder.mkdir(parents=True, exist_ok=True)
    assets = folder / "assets"
    if not (assets / "katex").exists():
        shutil.copytree(KATEX_DIR, assets / "katex", symlinks=False, copy_function=link_or_copy)
    viewer = assets / "viewer"
    viewer.mkdir(parents=True, exist_ok=True)
    present = []
    for file in SCRIPTS + STYLES:
        if (VIEWER_DIR / file).is_file():
            (viewer / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(VIEWER_DIR / file, viewer / file)
            present.append(file)
    styles = "".join(f'<link rel="stylesheet" href="assets/viewer/{f}">\n' for f in STYLES if f in present)
    scripts = "".join(f'<script src="assets/viewer/{f}" defer></script>\n' for f in SCRIPTS if f in present)
    page = (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Unrolled viewer test page</title>\n"
        '<link rel="icon" href="data:,">\n'
        '<link rel="stylesheet" href="assets/katex/katex.min.css">\n'
        f"{styles}"
        '<script src="assets/katex/katex.min.js" defer></script>\n'
        f"{scripts}"
        # A page's own table rules, as a course site has them: the viewer must not inherit them.
        "<style>body { margin: 0 auto; padding: 1rem; max-width: 72rem; font: 16px/1.5 system-ui, sans-serif; }"
        " table { border-collapse: collapse; margin: 1rem 0; } th, td { border: 1px solid #999; padding: 0.3rem 0.6rem; }"
        " @media (prefers-color-scheme: dark) { body { background: #101216; color: #e4e6ea; } }</style>\n"
        "</head>\n<body>\n"
        f"{body_before}"
        + "".join(figure_html(f) for f in figures)
        + "</body>\n</html>\n"
    )
    path = folder / name
    path.write_text(page, encoding="utf-8")
    return path
