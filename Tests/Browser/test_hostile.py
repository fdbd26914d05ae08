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

The KaTeX expansion bombs are in test_katex_bombs.py; what both share is in hostile_payloads.py."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote, urlsplit

from browsing import file_url
from hostile_payloads import (INJECTED, TEXTS, Tripwire, exercise_viewers, hostile_strings, pages,
                              payload, run, search, sites, trace)
from viewer_harness import Figure, write_page

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
