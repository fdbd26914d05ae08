"""Helpers for the browser tests: Debian's Chromium, a static file server, page loads
that record console errors, page errors, failed requests and every URL requested."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

KATEX_DIR = Path("/usr/share/javascript/katex")


def chromium_path() -> str | None:
    """Debian's Chromium (scripts/setup installs it). UNROLLED_CHROMIUM overrides."""
    override = os.environ.get("UNROLLED_CHROMIUM")
    if override:
        return override
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path):
    """Serves `folder` over http on 127.0.0.1 at a free port the OS picks; yields the
    base URL (ending in '/'); stops the server on exit."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="browser-test-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def file_url(path: Path) -> str:
    return path.resolve().as_uri()


@dataclass
class Visit:
    """One page load: what the browser reported while it ran."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {m}" for m in self.failed_requests]
        )

    def external_requests(self) -> list[str]:
        """Requests that leave file:// and the local test server (a CDN, say)."""
        local = ("file://", "data:", "blob:", "about:", "http://127.0.0.1:")
        return [u for u in self.requests if not u.startswith(local)]


def open_page(context, url: str, wait_for: str | None = None, timeout_ms: int = 15000, page=None):
    """Opens `url` in a new page of `context`, or in `page` (a page open_page made, which then
    records into the new Visit: a new page costs a new renderer, 0.3 s and more); returns (page,
    Visit). The listeners stay attached, so errors raised later (after clicks, key presses) are
    recorded too."""
    visit = Visit(url)
    if page is None:
        page = context.new_page()
        visits = [visit]
        page.on("console", lambda m: visits[-1].console_errors.append(f"{m.text} ({m.location.get('url', '')})")
                if m.type == "error" else None)
        page.on("pageerror", lambda e: visits[-1].page_errors.append(str(e)))
        page.on("requestfailed", lambda r: visits[-1].failed_requests.append(f"{r.url}: {r.failure}"))
        page.on("request", lambda r: visits[-1].requests.append(r.url))
        page.unrolled_visits = visits
    else:
        page.unrolled_visits.append(visit)
    page.goto(url, wait_until="load", timeout=timeout_ms)
    if wait_for:
        page.wait_for_function("selector => document.querySelector(selector) !== null", arg=wait_for, timeout=timeout_ms)
    # Let fonts and late scripts settle (KaTeX fonts load after layout).
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, visit


def select_all(page, selector: str, function: str):
    """`function` (JavaScript) on the list of elements that match the CSS `selector`, as Playwright's
    eval_on_selector_all, but found by the browser's own querySelectorAll: Playwright's engine walks
    every element of the page on each call (its selectors pierce shadow roots, which these pages do
    not have), 50 ms and more on a page of many viewers."""
    return page.evaluate(f"selector => ({function})([...document.querySelectorAll(selector)])", selector)


def copy_katex(destination: Path) -> Path:
    """Copies Debian's KaTeX (following its symlinks: the fonts live elsewhere) into
    `destination`, as a site does."""
    shutil.copytree(KATEX_DIR, destination, symlinks=False)
    return destination
