"""`unrolled serve` in Chromium: a page served, its note edited, the page reloads with the new
text where the reader was; an error shows over the page with its file:line while the last good
page stays; the fix reloads the page without it. Also what the server answers to paths outside the
site, unknown paths and file types, and that Ctrl-C stops it. No timed assertions: each wait has
a generous timeout."""

from __future__ import annotations

import http.client
import subprocess
import urllib.parse
from pathlib import Path

import pytest

from serving import Server, unrolled_bin

ROOT = Path(__file__).resolve().parents[2]
WAIT_MS = 120_000

NOTE = """# Alpha

The first words, and $x^2$.

```unrolled
model: neuron
```

{filler}

The last words.
"""


@pytest.fixture
def server(tmp_path):
    binary = unrolled_bin(ROOT)
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    course = tmp_path / "course"
    (course / "notes" / "img").mkdir(parents=True)
    (course / "course.yml").write_text("title: Served\n", encoding="utf-8")
    # Long enough to scroll: the reload must keep the reader's place.
    filler = "\n\n".join(f"Paragraph {n} of the filler." for n in range(120))
    (course / "notes" / "01-alpha.md").write_text(NOTE.format(filler=filler), encoding="utf-8")
    (course / "notes" / "02-beta.md").write_text("# Beta\n\n![a dot](img/dot.svg)\n", encoding="utf-8")
    (course / "notes" / "img" / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><circle cx="2" cy="2" r="2"/></svg>', encoding="utf-8")
    (course / "secret.txt").write_text("SECRET-CONTENT-42", encoding="utf-8")
    running = Server(binary, course)
    try:
        yield running, course
    finally:
        running.stop()


def get(address: str, raw_path: str) -> tuple[int, str, bytes]:
    """A GET of `raw_path` sent as it is (no client-side folding of `..`)."""
    url = urllib.parse.urlsplit(address)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        connection.request("GET", raw_path)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def test_an_edit_reloads_the_page_and_an_error_shows_over_it(server, browser_context):
    running, course = server
    built = len(running.lines)
    note = course / "notes" / "01-alpha.md"
    page = browser_context.new_page()
    page.goto(running.address + "notes/01-alpha.html")
    page.wait_for_selector("text=The first words")
    page.evaluate("window.scrollTo(0, 1500)")
    page.evaluate("window.unrolledServeMark = 'before'")
    other = browser_context.new_page()
    other.goto(running.address + "notes/02-beta.html")
    other.wait_for_selector("text=Beta")
    other.evaluate("window.unrolledServeMark = 'before'")

    # Only the text changed: the page refreshes its <main> in place (the same document, the mark
    # kept), where the reader was, its math and viewer drawn again; the other page is left alone.
    note.write_text(note.read_text(encoding="utf-8").replace("The first words", "The edited words"), encoding="utf-8")
    page.wait_for_selector("text=The edited words", timeout=WAIT_MS)
    assert page.evaluate("window.unrolledServeMark") == "before"
    assert page.evaluate("window.scrollY") >= 1400
    page.locator("main .math .katex").first.wait_for(timeout=WAIT_MS)
    viewer = page.locator("unrolled-trace")
    viewer.evaluate("el => el.ready")
    viewer.evaluate("el => el.goTo(3)")
    assert viewer.evaluate("el => el.step") == 3
    running.wait_for(r"rebuilt notes/01-alpha\.html in .*\(notes/01-alpha\.md\)", 60, after=built)
    assert other.evaluate("window.unrolledServeMark") == "before"

    # A directive changed: its trace's data is new, so the page reloads (the mark goes), where the reader was.
    page.evaluate("window.scrollTo(0, 1500)")
    note.write_text(note.read_text(encoding="utf-8").replace("model: neuron\n", "model: neuron\nb: 0.25\n"), encoding="utf-8")
    page.wait_for_function("window.unrolledServeMark === undefined", timeout=WAIT_MS)
    page.wait_for_function("window.scrollY >= 1400", timeout=WAIT_MS)

    # The directive's model is on line 6 of the note: "# Alpha", "", text, "", fence, "model: …".
    note.write_text(note.read_text(encoding="utf-8").replace("model: neuron", "model: neuronn"), encoding="utf-8")
    overlay = page.locator("#unrolled-serve-errors")
    overlay.wait_for(state="visible", timeout=WAIT_MS)
    assert "notes/01-alpha.md:6:" in overlay.inner_text()
    assert "neuronn" in overlay.inner_text()
    # The terminal says so too, and the last good page is still served.
    running.wait_for(r"error: notes/01-alpha\.md:6:.*neuronn", 60, after=built)
    assert b"The edited words" in get(running.address, "/notes/01-alpha.html")[2]
    # An open page and a page opened now show the error at once.
    other.locator("#unrolled-serve-errors").wait_for(state="visible", timeout=WAIT_MS)
    other.goto(running.address + "notes/02-beta.html")
    other.locator("#unrolled-serve-errors").wait_for(state="visible", timeout=WAIT_MS)

    note.write_text(note.read_text(encoding="utf-8").replace("model: neuronn", "model: neuron")
                    .replace("The edited words", "The fixed words"), encoding="utf-8")
    page.wait_for_selector("text=The fixed words", timeout=WAIT_MS)
    assert page.locator("#unrolled-serve-errors").count() == 0
    other.locator("#unrolled-serve-errors").wait_for(state="detached", timeout=WAIT_MS)


def test_paths_outside_the_site_are_refused_and_files_have_their_types(server):
    running, course = server
    for raw in ["/../secret.txt", "/%2e%2e/secret.txt", "/notes/..%2f..%2fsecret.txt", "/notes/%2E%2E/%2E%2E/secret.txt"]:
        status, _, body = get(running.address, raw)
        assert status == 400, raw
        assert b"SECRET-CONTENT-42" not in body
    for raw in ["/secret.txt", "/notes/01-alpha.md", "/nowhere.html", "/%252e%252e/secret.txt"]:
        status, kind, body = get(running.address, raw)
        assert status == 404, raw
        assert kind.startswith("text/html")
        assert b"SECRET-CONTENT-42" not in body
    assert get(running.address, "/")[1] == "text/html; charset=utf-8"
    assert get(running.address, "/notes/img/dot.svg")[:2] == (200, "image/svg+xml")
    # A file that is not a page is revalidated: its ETag answered with 304 Not Modified.
    url = urllib.parse.urlsplit(running.address)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    connection.request("GET", "/assets/viewer/viewer.js")
    first = connection.getresponse()
    first.read()
    connection.request("GET", "/assets/viewer/viewer.js", headers={"If-None-Match": first.getheader("ETag")})
    assert connection.getresponse().status == 304
    connection.close()
    assert get(running.address, "/assets/viewer/viewer.js")[:2] == (200, "text/javascript; charset=utf-8")
    status, kind, _ = get(running.address, "/assets/site.css")
    assert (status, kind) == (200, "text/css; charset=utf-8")
    if Path("/usr/share/javascript/katex/fonts/KaTeX_Main-Regular.woff2").exists():
        assert get(running.address, "/assets/katex/fonts/KaTeX_Main-Regular.woff2")[:2] == (200, "font/woff2")
    # The reload script is in the pages served, never in a built site.
    assert b"/__unrolled/reload.js" in get(running.address, "/notes/02-beta.html")[2]


def test_a_built_site_holds_no_reload_script(server, tmp_path):
    running, course = server
    output = tmp_path / "built"
    subprocess.run([str(unrolled_bin(ROOT)), "build", str(course), "--output", str(output)], check=True,
                   capture_output=True, timeout=600)
    for html in output.rglob("*.html"):
        assert "__unrolled" not in html.read_text(encoding="utf-8"), html


def test_ctrl_c_stops_the_server(server):
    running, _ = server
    assert running.stop() == 0
    assert any(line.startswith("stopped") for line in running.lines), "".join(running.lines)
