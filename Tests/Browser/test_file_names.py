"""Notes whose file names hold `:`, `#`, `?`, `%`, spaces or non-ASCII (issue #15, item 5) open in
Chromium, from disk and from a web server, and every link the build wrote to them (index,
sidebar, previous/next, a page's own link, a trace page's link back, a search result) opens
the page it names. Pages saved on Windows (`\\r\\n`, a byte-order mark) come out as their authors
meant, with their front matter's title."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from browsing import file_url, open_page, select_all, serve
from viewer_harness import unrolled_binary

NAMES = ["Week 1: Intro", "x#y", "what?", "100% sure", "Ünïcödé 日本語", "a" * 200]


def course_files() -> dict[str, bytes]:
    files = {f"notes/{name}.md": f"# Page {name[:20]}\n\nText of {name[:20]}.\n".encode() for name in NAMES}
    files["notes/Week 1: Intro.md"] = b"# Page Week 1\n\n```unrolled\nmodel: neuron\n```\n"
    files["notes/links.md"] = b"# Links\n\n[intro](<Week 1: Intro.md>) [hash](<x%23y.md>) [query](<what%3F.md>)\n"
    files["notes/windows.md"] = "\ufeff---\r\ntitle: Saved on Windows\r\n---\r\nText.\r\n".encode()
    return files


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("names")
    for path, data in course_files().items():
        (root / "course" / path).parent.mkdir(parents=True, exist_ok=True)
        (root / "course" / path).write_bytes(data)
    result = subprocess.run([str(unrolled_binary()), "build", str(root / "course"), "--output", str(root / "site"),
                             "--strict"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return root / "site"


def site_file(url: str, base: str, site: Path) -> Path:
    """The file of the site a URL of the page names (over file:// or http://)."""
    path = unquote(urlsplit(url).path)
    return Path(path) if base.startswith("file:") else site / path.removeprefix("/")


def check_links(context, base: str, site: Path) -> int:
    """Opens every page at `base` and follows each of its links to a page of the site: the
    browser reaches the file, and the page there shows its title. Returns how many it followed."""
    followed, fetched, page = 0, set(), None
    for page_path in sorted(site.rglob("*.html")):
        relative = page_path.relative_to(site).as_posix()
        page, visit = open_page(context, base + quote(relative) if base.startswith("http") else file_url(page_path), page=page)
        assert page.title(), relative
        hrefs = select_all(page, "a[href]", "as => as.map(a => a.href)")
        for href in hrefs:
            if not href.startswith(base.split("/")[0]) or urlsplit(href).path == urlsplit(page.url).path:
                continue
            target = site_file(href, base, site)
            assert target.is_file(), f"{relative}: {href} names {target}, which the site does not have"
            # Over http each address is asked for once: the sidebar repeats the same links on every page.
            response = page.context.request.get(href) if base.startswith("http") and href not in fetched else None
            assert response is None or response.ok, f"{relative}: {href} → {response.status}"
            fetched.add(href)
            followed += 1
        assert visit.page_errors == [], visit.page_errors
    page.close()
    return followed


def test_odd_file_names_open_and_their_links_work_from_disk_and_from_a_server(browser_context, site):
    followed = check_links(browser_context, file_url(site), site)
    with serve(site) as base:
        followed += check_links(browser_context, base, site)
        # A reader clicks through: index → the page named with a colon → next → previous.
        page, _ = open_page(browser_context, base + "index.html")
        page.get_by_role("link", name="Page Week 1").first.click()
        page.wait_for_load_state()
        assert unquote(page.url).endswith("/notes/Week 1: Intro.html")
        assert page.locator("h1").first.inner_text().endswith("Page Week 1")
        page.locator("unrolled-trace").evaluate("el => el.ready")
        page.close()
        page, _ = open_page(browser_context, base + "notes/links.html")
        for text, title in [("intro", "Page Week 1"), ("hash", "Page x#y"), ("query", "Page what?")]:
            page.get_by_role("link", name=text, exact=True).click()
            page.wait_for_load_state()
            assert page.title().startswith(title), (text, page.url)
            page.go_back()
        page.close()
    assert followed > 100


def test_a_page_saved_on_windows_has_its_front_matter_title(browser_context, site):
    page, visit = open_page(browser_context, file_url(site / "notes" / "windows.html"))
    assert page.title().startswith("Saved on Windows ·")
    assert page.locator("article hr").count() == 0
    assert page.locator("article").inner_text().strip().endswith("Text.")
    assert visit.problems() == []
