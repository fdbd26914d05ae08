"""What the hostile-input tests share (test_hostile.py, test_katex_bombs.py): payloads that
report where they were put when they run, a tripwire that records any that do, the hostile
courses built with `unrolled build`, and a walk through every viewer of a page."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from viewer_harness import unrolled_binary

# ---------------------------------------------------------------- payloads

PLACES: dict[int, str] = {}   # the number a payload sets window.__pwned to → where it was put
TEXTS: dict[str, str] = {}    # where a payload was put → the payload


def mark(place: str) -> int:
    PLACES[len(PLACES) + 1] = place
    return len(PLACES)


def payload(place: str) -> str:
    """Script in each context a string may land in: element content, a double- or single-quoted
    attribute, a URL, a Mustache template, an inline <script>."""
    n = mark(place)
    TEXTS[place] = (f'<img src=x onerror=window.__pwned={n}> "><script>window.__pwned={n}</script> '
                    f"'><svg onload=window.__pwned={n}> javascript:window.__pwned={n} {{{{{{x}}}}}} "
                    f"</script><script>window.__pwned={n}</script>")
    return TEXTS[place]


def tex_payload(place: str) -> str:
    """TeX whose links and images KaTeX must refuse (trust: false), with HTML inside \\text."""
    n = mark(place)
    return (rf"\href{{javascript:window.__pwned={n}}}{{x}} \url{{javascript:window.__pwned={n}}}"
            rf"\includegraphics[height=1em]{{x onerror=window.__pwned={n}}}"
            rf"\text{{<img src=x onerror=window.__pwned={n}>}}")


def yaml(text: str) -> str:
    """A YAML scalar holding `text` exactly (JSON strings are YAML)."""
    return json.dumps(text, ensure_ascii=False)


# Note file names: a scheme, a fragment, a query, a colon, a %, spaces, non-ASCII, markup.
FILE_NAMES = ["javascript:alert(1)", "x#y", "Week 1: Intro", "what?", "100% sure", "two  spaces",
              "Ünïcödé 日本語", f'"><img src=x onerror=window.__pwned={mark("a file name")}> {{{{{{x}}}}}}']

RECORDER = """
Object.defineProperty(window, '__pwned', {
  get() { return undefined; },
  set(value) { window.__unrolledPwned(String(value)); }
});
"""


class Tripwire:
    """What a payload could do anywhere in the browser context, recorded as it happens (also on a
    page that is navigated away from): window.__pwned set, a dialog, an uncaught page error."""

    def __init__(self, context):
        self.events: list[str] = []
        context.expose_binding("__unrolledPwned", self._pwned)
        context.add_init_script(RECORDER)
        context.on("dialog", self._dialog)
        context.on("weberror", lambda e: self.events.append(f"page error on {where(e.page)}: {e.error}"))

    def _pwned(self, source, value):
        self.events.append(f"payload from {PLACES.get(int(value), value)} ran on {where(source['page'])}")

    def _dialog(self, dialog):
        self.events.append(f"dialog {dialog.message!r} on {where(dialog.page)}")
        dialog.dismiss()


# Markup a payload would have added, whether or not its script has run yet: elements with an
# inline handler (no page of Unrolled has one) and scripts that mention window.__pwned.
INJECTED = """() => [...document.querySelectorAll('[onerror], [onload]')].concat(
    [...document.scripts].filter(s => s.type !== 'application/json' && s.text.includes('__pwned')))
    .map(e => e.outerHTML.slice(0, 100))"""


def where(page) -> str:
    """The page's file and its folder: enough to tell the pages of the test sites apart."""
    return "/".join(Path(unquote(urlsplit(page.url).path)).parts[-2:]) if page else "?"


# ---------------------------------------------------------------- the courses

def run(*arguments: str) -> subprocess.CompletedProcess:
    try:
        binary = unrolled_binary()
    except FileNotFoundError as error:
        pytest.skip(str(error))
    result = subprocess.run([str(binary), *arguments], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"unrolled {' '.join(arguments)} failed:\n{result.stderr}"
    return result


def trace(folder: Path, demo: str, *parameters: str) -> dict:
    out = folder / f"{demo}.json"
    run("trace", demo, *parameters, "--output", str(out))
    return json.loads(out.read_text(encoding="utf-8"))


def hostile_strings(document: dict, tag: str, everything: bool) -> dict:
    """Payloads in a trace's strings: its title, scope equations, tensor TeX and labels, config
    keys and string values; with `everything`, also its model, scope and tensor names and the
    names of its history's snapshots. Without those the special views, which find their
    tensors by the model and the names, still apply, and show the hostile labels."""
    document["title"] = payload(f"{tag}: title")
    for scope in document["scopes"]:
        if everything:
            scope["name"] = payload(f"{tag}: a scope name")
        if scope["equation"] is not None:
            scope["equation"] += tex_payload(f"{tag}: an equation")
    for tensor in document["tensors"]:
        tensor["tex"] += tex_payload(f"{tag}: a tensor's TeX")
        if everything:
            tensor["name"] = payload(f"{tag}: a tensor name")
        if "labels" in tensor:
            tensor["labels"] = [None if axis is None else [payload(f"{tag}: a label") for _ in axis]
                                for axis in tensor["labels"]]
    for key, value in list(document["config"].items()):
        if isinstance(value, str):
            document["config"][key] = payload(f"{tag}: config {key}")
    document["config"][payload(f"{tag}: a config key")] = payload(f"{tag}: a config value")
    if everything:
        document["model"] = payload(f"{tag}: model")
        for entry in document.get("history", []):
            entry["tensors"] = {payload(f"{tag}: a history snapshot's name"): snapshot
                                for snapshot in entry.get("tensors", {}).values()}
    return document


def write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def hostile_course(course: Path, scratch: Path) -> None:
    """Writes the course: pages named by FILE_NAMES, a page with hostile front matter, one with
    a hostile heading, and one with directives (demos given hostile text, hostile traces)."""
    all_strings = hostile_strings(trace(scratch, "cbow", "--train", "2"), "a trace's every string", True)
    labels = hostile_strings(trace(scratch, "cbow", "--train", "2"), "a word2vec trace", False)
    attention = hostile_strings(trace(scratch, "multi-head-attention"), "an attention trace", False)
    caption = (f"`{payload('a caption code span')}` "
               f"\"><script>window.__pwned={mark('a caption <script>')}</script> "
               f"</script><script>window.__pwned={mark('a caption </script><script>')}</script> "
               f"javascript:window.__pwned={mark('caption text')} {{{{{{x}}}}}} $x^2$")
    files = {
        "course.yml": (f"title: {yaml(payload('course.yml title'))}\n"
                       f"author: {yaml(payload('course.yml author'))}\n"
                       f"description: {yaml(payload('course.yml description'))}\n"),
        "index.md": "The index of a hostile course.\n",
        "traces/all.json": json.dumps(all_strings),
        "traces/labels.json": json.dumps(labels),
        "traces/attention.json": json.dumps(attention),
        "notes/front.md": (f"---\ntitle: {yaml(payload('front matter title'))}\n"
                           f"summary: {yaml(payload('front matter summary'))}\n"
                           f"extra: {yaml(payload('an unknown front matter key'))}\n---\n\n"
                           "A hostile page with front matter.\n"),
        "notes/heading.md": f"# A heading `{payload('a heading code span')}`\n\nA hostile page.\n",
        "notes/directives.md": textwrap.dedent(f"""\
            # Directives

            A hostile page with traces.

            ```unrolled
            model: cbow
            corpus: {yaml(payload('a cbow corpus') + ' the cat sat on the mat')}
            train: 2
            title: {yaml(payload('a directive title'))}
            caption: {yaml(caption)}
            ```

            ```unrolled
            model: rnn
            text: {yaml('<b>"' + "'&{}")}
            ```

            ```unrolled
            src: ../traces/all.json
            ```

            ```unrolled
            src: ../traces/labels.json
            ```

            ```unrolled
            src: ../traces/attention.json
            ```
            """),
    }
    files.update({f"notes/{name}.md": f"A hostile page named {name}.\n" for name in FILE_NAMES})
    write(course, files)


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> list[Path]:
    """The hostile course built twice: with notes/ (pages one folder down) and without (pages
    beside index.html, so its links to them are bare file names)."""
    course = tmp_path_factory.mktemp("hostile-course")
    hostile_course(course, tmp_path_factory.mktemp("hostile-traces"))
    flat = tmp_path_factory.mktemp("hostile-flat")
    write(flat, {f"{name}.md": f"A hostile page named {name}.\n" for name in FILE_NAMES})
    built = []
    for folder in (course, flat):
        output = folder / "_site"
        run("build", str(folder), "--output", str(output))
        built.append(output)
    return built


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if not any(part.startswith(".") for part in p.parts))


# ---------------------------------------------------------------- exercising a page

def exercise_viewers(page) -> int:
    """Steps every viewer with the keys, a phase button and the step field, folds its outline,
    asks for a provenance, and walks each of its views through the trace: every string of the
    trace reaches the screen somewhere. Returns the number of viewers."""
    viewers = page.locator("unrolled-trace")
    for i in range(viewers.count()):
        viewer = viewers.nth(i)
        viewer.evaluate("el => el.ready")
        viewer.scroll_into_view_if_needed()
        viewer.focus()
        for key in ("ArrowRight", "ArrowLeft", "Shift+ArrowRight", "End", "Home"):
            page.keyboard.press(key)
        jumps = viewer.locator("button[data-act='phase']:not([disabled])")
        if jumps.count():
            jumps.last.click()
        field = viewer.locator(".ut-step-input")
        field.fill("2")
        field.dispatch_event("change")
        viewer.locator("[data-fold='collapse']").click()
        cells = viewer.locator(".ut-card[data-slot='out'] td[data-i]")
        if cells.count():
            cells.last.click()
        tabs = viewer.locator("[role='tab']")
        for k in range(tabs.count()):
            tabs.nth(k).click()
            # About 40 steps spread over the trace: each scope, and the last step.
            viewer.evaluate("""el => {
                const n = el.model.stepCount;
                for (let k = 1; k < n; k += Math.ceil(n / 40)) el.goTo(k);
                el.goTo(n);
            }""")
    return viewers.count()


def search(page, query: str):
    """Types into the search box; returns the result links."""
    page.fill("#search", query)
    return page.locator("#search-results a")
