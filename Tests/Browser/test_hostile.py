"""Hostile input in a real browser (issue "Hostile input").

Script payloads go into everything a course's author, a trace file or a command line names:
note file names (`javascript:alert(1).md`, `x#y.md`, `Week 1: Intro.md`, `?`, `%`, spaces,
non-ASCII), course.yml and front matter, directive titles and captions, the text the word2vec
and RNN demos tokenize, and every string field of a trace (used by a directive's `src:` and by
`unrolled embed`). `unrolled build` makes the course; Chromium opens every page from file://,
steps every viewer, opens its views, searches, and clicks the sidebar, index, pager and
search-result links. A payload that runs calls `window.__pwned = <where it was put>` (or
`alert`): the tests fail on that, on a dialog, on a javascript: URL in a page, and on any
uncaught page error.

The author's own raw HTML in Markdown passes through (docs/site.md, "Raw HTML and safety"), so
payloads in Markdown stay where Markdown escapes them: code spans, and the tags that GFM's
tagfilter filters (`<script>`).

Also KaTeX expansion bombs (CVE-2024-28243 and a \\def that maxExpand cannot bound) in a page's
math and in a trace's TeX, on a site page, a trace's own page and an `unrolled embed` file: the
page must load and answer promptly, showing KaTeX's error rendering instead."""

from __future__ import annotations

import json
import string
import subprocess
import textwrap
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from browsing import file_url
from viewer_harness import Figure, unrolled_binary, write_page

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


# ---------------------------------------------------------------- tests

def test_hostile_pages_and_viewers_run_no_payload(browser_context, sites):
    """Every page opens; on the chapters every viewer steps through every view, and the search
    lists its results: no payload runs, nothing throws, and the payloads show as text."""
    wire = Tripwire(browser_context)
    viewers = 0
    page = browser_context.new_page()
    for path in pages(sites[0]) + pages(sites[1]):
        page.goto(file_url(path), wait_until="domcontentloaded")
        if path.parent.name == "traces":
            # A chapter's trace on its own page: the viewer the chapter exercises.
            page.locator("unrolled-trace").evaluate("el => el.ready")
        else:
            viewers += exercise_viewers(page)
            assert search(page, "hostile").count() > 0, f"{path}: the search finds no page"
        # The URLs the scripts made: the search's results, and links KaTeX would make of \href
        # and \url if it trusted them (test_hostile_file_names_are_links_to_their_pages checks
        # the build's own).
        scripted = page.eval_on_selector_all(
            ":is(unrolled-trace, .math, #search-results) :is([href], [src])", "els => els.map(e => e.href || e.src)")
        assert [u for u in scripted if u.lower().startswith("javascript:")] == [], path
        assert page.evaluate(INJECTED) == [], f"{path}: markup from a payload"
    assert wire.events == [], "\n".join(wire.events)
    assert viewers == 5

    # Escaped, not dropped: the payloads read as text where they were put.
    page.goto(file_url(sites[0] / "index.html"))
    assert page.locator("h1").inner_text() == TEXTS["course.yml title"]
    assert page.locator(".author").inner_text() == TEXTS["course.yml author"]
    page.goto(file_url(sites[0] / "notes" / "front.html"))
    assert page.locator("h1").inner_text() == TEXTS["front matter title"]
    assert page.locator(".summary").inner_text() == TEXTS["front matter summary"]
    page.goto(file_url(sites[0] / "notes" / "directives.html"))
    assert page.locator("unrolled-trace .ut-title").first.inner_text() == TEXTS["a directive title"]
    assert TEXTS["a caption code span"] in page.locator("figcaption code").first.inner_text()
    page.close()


def local_file(url: str) -> Path | None:
    """The file a file:// URL names (its query and fragment are not part of it), or None."""
    parts = urlsplit(url)
    return Path(unquote(parts.path)) if parts.scheme == "file" else None


class Links:
    """Links that go wrong, each reported once with the pages it is on."""

    def __init__(self, site: Path):
        self.site = site
        self.found: dict[str, list[str]] = {}

    def check(self, url: str, on: str, kind: str = "a URL") -> bool:
        """Records what is wrong with `url` (as the browser resolved it) on the page `on`; True
        when it is fine: a file of the site, or another scheme (a data: icon)."""
        target = local_file(url)
        if url.lower().startswith("javascript:"):
            problem = f"{url} is a javascript: URL"
        elif target is not None and not (target.is_file() and self.site.resolve() in target.resolve().parents):
            problem = f"{self.relative(url)} names {self.relative(file_url(target))}, which the site does not have"
        else:
            return True
        self.found.setdefault(f"{kind}: {problem}", []).append(self.relative(on))
        return False

    def relative(self, url: str) -> str:
        return unquote(url).removeprefix(unquote(file_url(self.site)) + "/")

    def report(self) -> list[str]:
        return [f"{self.site.parent.name}: {problem} (on {len(on)} pages, e.g. {on[0]})"
                for problem, on in self.found.items()]


# Every URL of each page, resolved by the browser's own HTML and URL parsers (as a.href would
# be) without loading the pages and their scripts one by one.
RESOLVE_URLS = """pages => pages.flatMap(([page, html]) => {
    const doc = new DOMParser().parseFromString(html, 'text/html');
    return [...doc.querySelectorAll('[href], [src], [action], [formaction]')].flatMap(e =>
        ['href', 'src', 'action', 'formaction'].filter(name => e.hasAttribute(name))
            .map(name => [page, new URL(e.getAttribute(name), page).href]));
})"""


def click(page, link, links: Links, kind: str) -> bool:
    """Clicks `link` as a reader would; True when that opened a page of the site. A link that
    cannot be one is clicked only when it is javascript: (the tripwire records what runs)."""
    url = link.evaluate("a => a.href")
    if links.check(url, page.url, f"a {kind} link"):
        with page.expect_navigation(wait_until="domcontentloaded"):
            link.click()
        return True
    if url.lower().startswith("javascript:"):
        link.click()
    return False


def test_hostile_file_names_are_links_to_their_pages(browser_context, sites):
    """No URL on any page is javascript: or names a file the site does not have, and clicking
    sidebar, index, pager and search-result links runs nothing and opens their pages."""
    wire = Tripwire(browser_context)
    report: list[str] = []
    page = browser_context.new_page()
    for site in sites:
        links = Links(site)
        sources = [[file_url(path), path.read_text(encoding="utf-8")] for path in pages(site)]
        for on, url in page.evaluate(RESOLVE_URLS, sources):
            links.check(url, on)
        if (site / "notes").is_dir():
            # The sidebar is the same list on every page: click its k-th entry on the page the
            # click before reached; then walk the pager from the index to the last page.
            page.goto(file_url(site / "notes" / "front.html"), wait_until="domcontentloaded")
            for k in range(page.locator("nav.sidebar ol.pages a").count()):
                click(page, page.locator("nav.sidebar ol.pages a").nth(k), links, "sidebar")
            page.goto(file_url(site / "index.html"), wait_until="domcontentloaded")
            while page.locator("nav.pager a.next").count():
                if not click(page, page.locator("nav.pager a.next"), links, "pager"):
                    break
        else:
            # Pages beside index.html: the index's chapters and its search results are bare
            # file names.
            page.goto(file_url(site / "index.html"), wait_until="domcontentloaded")
            for k in range(page.locator("ol.chapters a").count()):
                if click(page, page.locator("ol.chapters a").nth(k), links, "chapter"):
                    page.go_back(wait_until="domcontentloaded")
            for k in range(search(page, "hostile").count()):
                if click(page, search(page, "hostile").nth(k), links, "search result"):
                    page.go_back(wait_until="domcontentloaded")
        report += links.report()
    page.close()
    assert report + wire.events == [], "\n".join(report + wire.events)


def test_an_embedded_hostile_trace_runs_no_payload(browser_context, tmp_path):
    """`unrolled embed` of a trace whose every string is hostile, with a hostile --title, and
    of a demo whose command-line text is: nothing runs, the title reads as text."""
    wire = Tripwire(browser_context)
    hostile = hostile_strings(trace(tmp_path, "cbow", "--train", "2"), "an embedded trace's every string", True)
    (tmp_path / "hostile.json").write_text(json.dumps(hostile), encoding="utf-8")
    embeds = {
        "file": ([str(tmp_path / "hostile.json")], payload("embed --title")),
        "demo": (["cbow", "--corpus", payload("embed cbow --corpus") + " the cat sat on the mat"],
                 payload("embed cbow --title")),
    }
    for name, (source, title) in embeds.items():
        run("embed", *source, "--title", title, "--output", str(tmp_path / f"{name}.html"))
        page = browser_context.new_page()
        page.goto(file_url(tmp_path / f"{name}.html"))
        assert exercise_viewers(page) == 1
        assert page.evaluate(INJECTED) == [], f"{name}: markup from a payload"
        assert page.title() == title
        assert page.locator(".ut-title").inner_text() == title
        page.close()
    assert wire.events == [], "\n".join(wire.events)


def test_the_viewer_escapes_a_trace_no_build_checked(browser_context, tmp_path):
    """The viewer element in someone else's page gets its trace unchecked: payloads even where
    the format allows only a few words (phase, role, op) or a number (version). A payload in a
    shape makes the trace one the viewer refuses: its error box shows, and runs nothing either."""
    wire = Tripwire(browser_context)
    hostile = hostile_strings(trace(tmp_path, "cbow", "--train", "2"), "an unchecked trace", True)
    phase, role, op = (payload(f"an unchecked trace: {field}") for field in ("phase", "role", "op"))
    version, shape = (payload(f"an unchecked trace: {field}") for field in ("version", "shape"))
    for step in hostile["steps"]:
        step["phase"] += phase
        step["op"] += op
    for tensor in hostile["tensors"]:
        tensor["role"] += role
        tensor["version"] = version
    bad_shapes = json.loads(json.dumps(hostile))
    for tensor in bad_shapes["tensors"]:
        tensor["shape"] = [f"{size}{shape}" for size in tensor["shape"]]
    page_file = write_page(tmp_path / "page", [Figure(json.dumps(hostile), "unchecked")])
    page = browser_context.new_page()
    page.goto(file_url(page_file))
    assert exercise_viewers(page) == 1
    assert page.evaluate(INJECTED) == [], "markup from a payload"
    page.close()
    refused_file = write_page(tmp_path / "refused", [Figure(json.dumps(bad_shapes), "shapes")])
    page = browser_context.new_page()
    page.goto(file_url(refused_file))
    page.locator("unrolled-trace .ut-error").wait_for()
    assert page.evaluate(INJECTED) == [], "markup from a payload"
    page.close()
    assert wire.events == [], "\n".join(wire.events)


# ---------------------------------------------------------------- KaTeX expansion bombs

def edef_bomb(seed: str) -> str:
    r"""CVE-2024-28243 (GHSA-64fm-8hw2-v72w): \edef's expansions do not count towards maxExpand
    in KaTeX < 0.16.10, so 17 counted expansions make 2^16 copies of the seed. KaTeX's test of
    the fix has four \edef0{00}; with sixteen, Debian's 0.16.4 typesets it in about 13 s in
    Chromium (as HTML and MathML; a seventeenth overflows the stack at once)."""
    return rf"\edef0{{{seed}}}" + r"\edef0{00}" * 16 + "0"


def def_bomb(seed: str) -> str:
    r"""A \def whose delimited argument doubles at each expansion: each counts once (in every
    KaTeX), 16 of them hold 65,536 tokens, and the rest of maxExpand's 1000 loop on those:
    about 3 s."""
    return rf"\def\g#1#2;#3.{{#1#2;#3#3.}}\def\e;#1.{{\h#1.}}\def\h#1.{{\h#1.}}" + r"\g" * 16 + rf"\e;{seed}."


LOAD_SECONDS = 10      # the bombs' pages load in well under a second when KaTeX refuses them


def bomb_trace(folder: Path) -> Path:
    """A trace whose every equation and TeX name is a bomb, each a different one (the viewer
    typesets each TeX source once)."""
    bombs = trace(folder, "neuron")
    seeds = iter(string.ascii_letters)
    for k, item in enumerate(bombs["scopes"] + bombs["tensors"]):
        tex = (edef_bomb, def_bomb)[k % 2](next(seeds))
        item["equation" if "equation" in item else "tex"] = tex
    path = folder / "bombs.json"
    path.write_text(json.dumps(bombs), encoding="utf-8")
    return path


def test_katex_bombs_leave_the_page_responsive(browser_context, tmp_path):
    """The bombs in a page's math and in a trace's equations and TeX names: the chapter, the
    trace's own page and its `unrolled embed` file load in seconds, answer at once, step at
    once, and show KaTeX's error rendering where the bombs are. A \\rule keeps to maxSize."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    course = tmp_path / "course"
    write(course, {"notes/bombs.md": f"# Bombs\n\n$${edef_bomb('x')}$$\n\nInline: ${def_bomb('x')}$, "
                                     r"and a rule of 1000 em: $\rule{1000em}{1em}$." "\n\n"
                                     "```unrolled\nsrc: ../traces/bombs.json\nid: bombs\n```\n"})
    bomb_trace(course / "traces")
    run("build", str(course), "--output", str(course / "_site"))
    run("embed", str(course / "traces" / "bombs.json"), "--output", str(tmp_path / "bombs.html"))
    problems = []
    for name, path, bombs_in_math in (("the chapter", course / "_site" / "notes" / "bombs.html", 2),
                                      ("the trace's page", course / "_site" / "traces" / "bombs.html", 0),
                                      ("the embed file", tmp_path / "bombs.html", 0)):
        page = browser_context.new_page()
        try:
            page.goto(file_url(path), wait_until="load", timeout=LOAD_SECONDS * 1000)
        except PlaywrightTimeout:
            problems.append(f"{name}: not loaded after {LOAD_SECONDS} s (KaTeX still expanding)")
            page.close()
            continue
        started = time.monotonic()
        page.evaluate("0")
        if time.monotonic() - started > 1:
            problems.append(f"{name}: an evaluate took {time.monotonic() - started:.1f} s after load")
        errors = page.locator(".math .katex-error").all()
        if len(errors) != bombs_in_math or any("macro definitions are turned off" not in e.get_attribute("title")
                                               for e in errors):
            problems.append(f"{name}: {len(errors)} of its {bombs_in_math} bombs in math show KaTeX's error")
        if bombs_in_math:
            em = page.locator(".math .katex").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
            rule = page.locator(".math .rule").evaluate("e => e.getBoundingClientRect().width")
            if rule > 30 * em + 1:
                problems.append(f"{name}: a \\rule of 1000 em is {rule / em:.0f} em wide (maxSize is 30)")
        viewer = page.locator("unrolled-trace")
        viewer.evaluate("el => el.ready")
        # Every step, ending on the first: each typesets its equation and its tensors' names.
        stepping = viewer.evaluate("""el => {
            const start = performance.now();
            for (let k = el.model.stepCount; k >= 1; k--) el.goTo(k);
            return (performance.now() - start) / 1000;
        }""")
        if stepping > 2:
            problems.append(f"{name}: stepping through the trace took {stepping:.1f} s")
        if viewer.locator(".ut-eq .katex-error").count() != 1 or viewer.locator(".ut-name .katex-error").count() < 2:
            problems.append(f"{name}: the viewer does not show KaTeX's error for the bombs in its TeX")
        page.close()
    assert problems == [], "\n".join(problems)
