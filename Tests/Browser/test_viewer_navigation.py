"""The trace viewer (<unrolled-trace>) in Debian's Chromium over file://: stepping with keys,
buttons and the timeline, the live region, deep links and the copy button, several viewers on
one page, and the special views as tabs over the viewer's state."""

from __future__ import annotations

from browsing import file_url, open_page
from viewer_harness import Figure, sample_trace, write_page
from viewer_page import first_step, go, load, lstm_text, no_problems, open_viewers, step_of, viewer, wait_ready  # noqa: F401


def test_keys_and_buttons_step_through_the_trace(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    n = len(trace["steps"])
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "lstm-1")])
    el = viewer(page, "lstm-1")
    assert step_of(page, "lstm-1") == 1
    assert el.locator(".unrolled-fallback").is_hidden()

    # Tab reaches the viewer, which shows a focus ring.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('trace-id')") == "lstm-1"
    assert el.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert step_of(page, "lstm-1") == 3
    page.keyboard.press("ArrowLeft")
    assert step_of(page, "lstm-1") == 2

    # Shift+→: the first step of the next run of steps with another (phase, scope).
    i = 1
    here = (trace["steps"][i]["phase"], trace["steps"][i]["scope"])
    expected = next(j for j in range(i + 1, n) if (trace["steps"][j]["phase"], trace["steps"][j]["scope"]) != here)
    page.keyboard.press("Shift+ArrowRight")
    assert step_of(page, "lstm-1") == expected + 1
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    assert step_of(page, "lstm-1") < expected + 1

    page.keyboard.press("End")
    assert step_of(page, "lstm-1") == n
    page.keyboard.press("Home")
    assert step_of(page, "lstm-1") == 1

    el.locator('button[data-act="next"]').click()
    assert step_of(page, "lstm-1") == 2
    el.locator('button[data-act="last"]').click()
    assert step_of(page, "lstm-1") == n
    assert el.locator('button[data-act="next"]').is_disabled()
    el.locator('button[data-act="prev"]').click()
    assert step_of(page, "lstm-1") == n - 1
    el.locator('button[data-act="first"]').click()
    assert step_of(page, "lstm-1") == 1
    for phase in ("backward", "update", "forward"):
        first = next(s["index"] for s in trace["steps"] if s["phase"] == phase)
        el.locator(f'button[data-phase="{phase}"]').click()
        assert step_of(page, "lstm-1") == first + 1, phase
        assert el.locator(".ut-step-panel .ut-badge").inner_text().lower() == phase

    # "from step k" on an operand goes to the step that computed it; "used in step j" on
    # the result goes to the first step that reads it.
    i = first_step(trace, "sigmoid")
    operand = trace["steps"][i]["inputs"][0]
    made = next(s["index"] for s in trace["steps"] if s["output"] == operand)
    used = next(s["index"] for s in trace["steps"] if trace["steps"][i]["output"] in s["inputs"])
    go(page, "lstm-1", i + 1)
    el.locator('.ut-card[data-slot="in0"] .ut-flow').click()
    assert step_of(page, "lstm-1") == made + 1
    go(page, "lstm-1", i + 1)
    el.locator('.ut-card[data-slot="out"] .ut-flow').click()
    assert step_of(page, "lstm-1") == used + 1

    # Space plays and pauses (the viewer itself has focus, not a button).
    el.focus()
    page.keyboard.press("Space")
    assert el.locator('button[data-act="play"]').get_attribute("aria-pressed") == "true"
    page.wait_for_function("document.querySelector('unrolled-trace').step > 1")
    page.keyboard.press("Space")
    assert el.locator('button[data-act="play"]').get_attribute("aria-pressed") == "false"

    # The scrubber seeks: a click near its right end goes near the end.
    box = el.locator(".ut-scrubber").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.999, box["y"] + box["height"] / 2)
    assert step_of(page, "lstm-1") >= n - 2
    page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
    assert step_of(page, "lstm-1") == 1
    no_problems(visit)


def test_the_live_region_announces_each_step_in_words(browser_context, tmp_path, lstm_text):
    trace = load(lstm_text)
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "lstm-1")])
    live = viewer(page, "lstm-1").locator('[aria-live="polite"]')
    assert live.count() == 1
    k = first_step(trace, "matmul") + 1
    go(page, "lstm-1", k)
    text = live.inner_text()
    step = trace["steps"][k - 1]
    a, b = (trace["tensors"][i] for i in step["inputs"])
    assert text.startswith(f"step {k} of {len(trace['steps'])}, forward, "), text
    # Tensors are read as the plain text of their TeX: W_{f} is "W_f", [h_{0}; x_{1}] "[h_0; x_1]".
    assert a["tex"] == "W_{f}" and b["tex"] == "[h_{0}; x_{1}]", (a, b)
    assert f"matmul W_f ({a['shape'][0]}×{a['shape'][1]}) times [h_0; x_1]" in text, text
    # An output the engine named after its op (matmul_19) is read as the expression that made it.
    out = trace["tensors"][step["output"]]
    assert out["name"] == f"matmul_{out['id']}" and text.endswith(f"gives W_f [h_0; x_1] ({out['shape'][0]}×{out['shape'][1]})"), text
    h = next(s for s in trace["steps"] if trace["tensors"][s["output"]]["name"] == "h_1")
    go(page, "lstm-1", h["index"] + 1)
    assert "gives h_1" in live.inner_text(), live.inner_text()
    go(page, "lstm-1", k + 1)
    assert live.inner_text() != text
    assert live.inner_text().startswith(f"step {k + 1} of ")
    no_problems(visit)


def test_a_deep_link_opens_its_viewer_at_its_step_and_follows_the_reader(browser_context, tmp_path, lstm_text):
    cbow = sample_trace("cbow", tmp_path)
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "a-1"), Figure(cbow, "b-2")], "#b-2:7")
    assert step_of(page, "b-2") == 7
    assert step_of(page, "a-1") == 1
    assert viewer(page, "b-2").locator(".ut-step-panel .ut-step-n").inner_text() == "step 7"
    viewer(page, "b-2").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("location.hash === '#b-2:8'")
    viewer(page, "a-1").focus()
    page.keyboard.press("End")
    page.wait_for_function(f"location.hash === '#a-1:{len(load(lstm_text)['steps'])}'")
    assert step_of(page, "b-2") == 8
    # A malformed hash is ignored quietly.
    page.evaluate("location.hash = '#b-2%E0%A4%A:5'")
    assert step_of(page, "b-2") == 8
    # A hash change moves the named viewer only.
    page.evaluate("location.hash = '#b-2:3'")
    page.wait_for_function("document.querySelector('[trace-id=\"b-2\"]').step === 3")
    # The copy-link button does not throw on file:// (clipboard or its fallback).
    viewer(page, "b-2").locator('button[data-act="copy"]').click()
    page.wait_for_function("document.querySelector('[trace-id=\"b-2\"] .ut-copied').textContent.length > 0")
    status = viewer(page, "b-2").locator(".ut-copied").inner_text()
    assert status == "link copied" or status.endswith("#b-2:3"), status
    # Playing fast writes the hash at most every 250 ms, and the last step lands.
    viewer(page, "b-2").locator(".ut-speed-select").select_option("60")
    viewer(page, "b-2").focus()
    page.keyboard.press("Home")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelector('[trace-id=\"b-2\"]').step > 10")
    page.keyboard.press("Space")
    stopped = step_of(page, "b-2")
    page.wait_for_function(f"location.hash === '#b-2:{stopped}'")
    no_problems(visit)


def test_two_viewers_on_one_page_are_independent(browser_context, tmp_path, lstm_text):
    page, visit = open_viewers(browser_context, tmp_path, [Figure(lstm_text, "one", step=5), Figure(lstm_text, "two")])
    assert (step_of(page, "one"), step_of(page, "two")) == (5, 1)
    viewer(page, "two").locator('button[data-act="next"]').click()
    viewer(page, "two").locator('button[data-act="next"]').click()
    assert (step_of(page, "one"), step_of(page, "two")) == (5, 3)
    viewer(page, "one").focus()
    page.keyboard.press("ArrowLeft")
    assert (step_of(page, "one"), step_of(page, "two")) == (4, 3)
    lives = page.locator("unrolled-trace .ut-live").all_inner_texts()
    assert lives[0].startswith("step 4 ") and lives[1].startswith("step 3 ")
    no_problems(visit)


PROBE_VIEWS = """<script>
window.Unrolled = window.Unrolled || {};
window.probe = {created: 0, updates: [], api: null};
(Unrolled.views = Unrolled.views || []).push({
  id: 'probe', title: 'Probe',
  applies(model) { return model.trace.model === 'lstm'; },
  create(host, model, api) {
    probe.created++; probe.api = Object.keys(api).sort(); probe.reducedMotion = api.reducedMotion;
    host.innerHTML = '<p class="probe">probe</p>';
    return { update(i) { probe.updates.push(i); host.firstChild.textContent = 'at ' + i; }, destroy() {} };
  }
});
Unrolled.views.push({
  id: 'broken', title: 'Broken',
  applies() { return true; },
  create() { return { update() { throw new Error('view bug'); } }; }
});
Unrolled.views.push({ id: 'never', title: 'Never', applies() { return false; }, create() { throw new Error('not called'); } });
</script>
"""


def test_views_are_tabs_created_when_shown_and_updated_only_while_visible(chromium, tmp_path, lstm_text):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    try:
        check_views(context, tmp_path, lstm_text)
    finally:
        context.close()


def check_views(browser_context, tmp_path, lstm_text):
    page_path = write_page(tmp_path, [Figure(lstm_text, "v")], body_before=PROBE_VIEWS)
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root")
    wait_ready(page)
    el = viewer(page, "v")
    tabs = [t.get_attribute("data-view") for t in el.locator(".ut-tab").all()]
    assert tabs[0] == "step" and "probe" in tabs and "broken" in tabs and "never" not in tabs
    assert page.evaluate("probe.created") == 0
    go(page, "v", 5)
    el.locator('.ut-tab[data-view="probe"]').click()
    assert page.evaluate("probe.created") == 1
    assert page.evaluate("probe.updates") == [4]
    assert page.evaluate("probe.api") == ["colour", "format", "goTo", "reducedMotion", "state", "tex"]
    assert page.evaluate("probe.reducedMotion") is True  # the context prefers reduced motion
    assert el.locator('.ut-panel[data-view="probe"]').is_visible()
    assert el.locator('.ut-panel[data-view="step"]').is_hidden()
    go(page, "v", 9)
    assert page.evaluate("probe.updates") == [4, 8]
    el.locator('.ut-tab[data-view="step"]').click()
    go(page, "v", 12)
    assert page.evaluate("probe.updates") == [4, 8]
    # A view that throws shows its error in its own panel; stepping goes on.
    el.locator('.ut-tab[data-view="broken"]').click()
    assert "view bug" in el.locator('.ut-panel[data-view="broken"]').inner_text()
    el.locator('button[data-act="next"]').click()
    assert step_of(page, "v") == 13
    el.locator('.ut-tab[data-view="probe"]').click()
    assert page.evaluate("probe.updates") == [4, 8, 12]
    assert page.evaluate("probe.created") == 1
    assert visit.page_errors == [] and visit.external_requests() == []


STATE_PROBE = """<script>
window.Unrolled = window.Unrolled || {};
window.seen = [];
(Unrolled.views = Unrolled.views || []).push({
  id: 'state-probe', title: 'State',
  applies() { return true; },
  create(host, model, api) {
    api.state.subscribe((changed, how, s) => seen.push(
      Object.keys(changed).sort().join('+') + ' step=' + s.step + ' tab=' + s.tab + (how.reader ? ' reader' : '')));
    return { update() {}, destroy() {} };
  }
});
</script>
"""


def test_every_part_and_view_shares_one_state_and_hears_each_change_once(browser_context, tmp_path, lstm_text):
    """A view's api.state is the viewer's state: it hears the tab, each step change (marked when
    the reader asked for it, which is what the URL follows), the speed and playback, in order."""
    page_path = write_page(tmp_path, [Figure(lstm_text, "s")], body_before=STATE_PROBE)
    page, visit = open_page(browser_context, file_url(page_path), wait_for="unrolled-trace .ut-root")
    wait_ready(page)
    el = viewer(page, "s")
    probe_tab = el.locator('.ut-tab[data-view="state-probe"]')
    tab = probe_tab.get_attribute("data-tab")  # after the trace's declared views: it lists no probe
    probe_tab.click()
    el.locator(".ut-speed-select").select_option("1")  # no step while the keys play and pause
    go(page, "s", 4)
    el.locator('[data-act="next"]').click()
    el.locator('[data-act="next"]').click()
    el.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Space")
    assert page.evaluate("seen") == [
        f"speed step=0 tab={tab}",
        f"selected+step step=3 tab={tab}",
        f"selected+step step=4 tab={tab} reader",
        f"selected+step step=5 tab={tab} reader",
        f"playing step=5 tab={tab}",
        f"playing step=5 tab={tab}",
    ]
    assert step_of(page, "s") == 6
    no_problems(visit)
