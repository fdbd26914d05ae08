"""`unrolled embed` in a real browser: the single HTML file opens from disk with every
request staying inside the file (data: URLs only), the viewer renders the trace and steps
through it, and the equation is set by KaTeX with its own fonts, offline. Also the same file
inside an <iframe> of another page, opened at a step by its deep link."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from browsing import file_url, open_page

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = Path(__file__).resolve().parent / "output"


def unrolled_bin() -> Path:
    env = os.environ.get("UNROLLED_BIN")
    return Path(env) if env else ROOT / ".build" / "debug" / "unrolled"


def embed(tmp_path: Path, *arguments: str) -> Path:
    binary = unrolled_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    output = tmp_path / "embedded.html"
    result = subprocess.run([str(binary), "embed", *arguments, "--output", str(output)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return output


def test_an_embedded_trace_works_offline_from_disk(browser_context, tmp_path):
    page_file = embed(tmp_path, "lstm", "--steps", "2", "--title", "An LSTM, two steps")
    # Nothing beside the file: move it where it is alone.
    alone = tmp_path / "alone"
    alone.mkdir()
    moved = alone / "lstm.html"
    page_file.rename(moved)
    page, visit = open_page(browser_context, file_url(moved), wait_for="unrolled-trace")
    page.evaluate("document.querySelector('unrolled-trace').ready")
    assert visit.problems() == []
    outside = [u for u in visit.requests if not u.startswith(("data:", file_url(moved)))]
    assert outside == [], f"the embedded page requested {outside}"

    viewer = page.locator("unrolled-trace")
    trace = json.loads(subprocess.run([str(unrolled_bin()), "trace", "lstm", "--steps", "2"], capture_output=True,
                                      text=True, check=True).stdout)
    assert viewer.evaluate("el => el.model.stepCount") == len(trace["steps"])
    # KaTeX rendered the equation of the current step with its inlined fonts.
    assert page.locator("unrolled-trace .katex").count() > 0
    assert page.evaluate("document.fonts.check('16px KaTeX_Main')")
    assert page.locator(".unrolled-fallback").is_hidden()
    assert "An LSTM, two steps" in viewer.inner_text()

    viewer.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert viewer.evaluate("el => el.step") == 3
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "embed-lstm.png"))
    assert visit.problems() == []


def test_an_embedded_trace_in_an_iframe_opens_at_its_deep_link(browser_context, tmp_path):
    page_file = embed(tmp_path, "neuron")
    trace = json.loads(subprocess.run([str(unrolled_bin()), "trace", "neuron"], capture_output=True,
                                      text=True, check=True).stdout)
    host = tmp_path / "slides.html"
    host.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Slides</title>"
        "<link rel='icon' href='data:,'></head><body>"
        f"<iframe src='{page_file.name}#neuron:5' width='1000' height='700' title='A neuron'></iframe>"
        "</body></html>", encoding="utf-8")
    page, visit = open_page(browser_context, file_url(host))
    frame = page.frame_locator("iframe")
    viewer = frame.locator("unrolled-trace")
    viewer.wait_for(state="attached")
    viewer.evaluate("el => el.ready")
    assert viewer.evaluate("el => el.step") == 5
    assert viewer.evaluate("el => el.model.stepCount") == len(trace["steps"])
    assert visit.problems() == []


def test_embeds_sharing_assets_fit_their_iframes_and_open_as_asked(browser_context, tmp_path):
    """Two embeds with one --assets folder, one compact on the LSTM cell view, in iframes of a host
    page with the documented snippet: each iframe takes its page's height, the compact one shows no
    outline and opens on its view, and nothing is requested outside the folder."""
    binary = unrolled_bin()
    if not binary.exists():
        pytest.skip(f"{binary} is not built (make test builds it)")
    for arguments in (["gru", "--steps", "2"], ["lstm", "--steps", "2", "--compact", "--view", "lstm-cell"]):
        subprocess.run([str(binary), "embed", *arguments, "--assets", "shared"], cwd=tmp_path, check=True, capture_output=True)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    snippet = readme[readme.index("<script>\n  // Unrolled: fit each iframe"):]
    snippet = snippet[:snippet.index("</script>") + len("</script>")]
    host = tmp_path / "host.html"
    host.write_text('<!doctype html><html><body><h1>Slides</h1>\n'
                    '<iframe id="gru" src="gru.html" width="100%" height="150" title="GRU"></iframe>\n'
                    '<iframe id="lstm" src="lstm.html" width="100%" height="150" title="LSTM"></iframe>\n'
                    + snippet + '\n</body></html>\n', encoding="utf-8")
    page, visit = open_page(browser_context, file_url(host))
    for name in ("gru", "lstm"):
        frame = page.frame_locator(f"#{name}")
        frame.locator("unrolled-trace").evaluate("el => el.ready")
    # Each iframe grows from 150 px to its page's own height (file:// frames are cross-origin to
    # the host: each side is measured in its own document).
    for name in ("gru", "lstm"):
        inner = page.frame_locator(f"#{name}").locator("html").evaluate("el => el.getBoundingClientRect().height")
        assert inner > 300, f"{name}: the embedded page is only {inner} px tall"
        page.wait_for_function(f"h => Math.abs(document.getElementById('{name}').clientHeight - h) <= 1",
                               arg=inner, timeout=15000)
    lstm = page.frame_locator("#lstm").locator("unrolled-trace")
    assert lstm.locator(".ut-side").is_hidden()
    assert lstm.locator('.ut-tab[aria-selected="true"]').get_attribute("data-view") == "lstm-cell"
    gru = page.frame_locator("#gru").locator("unrolled-trace")
    assert gru.locator(".ut-side").is_visible()
    assert visit.problems() == []
    outside = [u for u in visit.requests if not u.startswith((file_url(tmp_path), "data:"))]
    assert outside == [], outside
