"""What the accessibility tests share (test_accessibility*.py): axe-core (from PyPI's
axe-playwright-python, which bundles it) run on a page of the bundled course with every viewer on
the first step of each phase, and WCAG 2.1 A and AA rules only. A module per half of the pages, so
that pytest-xdist runs the halves on two workers at once."""

from __future__ import annotations

from pathlib import Path

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}

# The rules that judge colours: text against its background, a link against the text around it.
# They are three quarters of axe's time on a chapter, most of it in the viewers' cells. A viewer's
# colours come from its stylesheet and, in a step panel, from the one scale of the values
# (viewer-kit.js `colour`: every matrix reaches the scale's strongest colour at its largest value);
# the trace only decides which parts a viewer has. So the forward pass checks the colours of each
# look of a viewer once (its step panel's kind, its number of tabs, a history or not:
# `VIEWER_LOOKS`; the tabs are buttons of one style, and only the step's panel shows), and
# of everything else on every page (the prose and the page's own parts, whose colours the
# content sets: code, tables, alerts, exercises, raw HTML); every other rule checks every viewer.
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
WITHOUT_COLOURS = {**WCAG_21_AA, "rules": {rule: {"enabled": False} for rule in COLOUR_RULES}}
ONLY_COLOURS = {"runOnly": {"type": "rule", "values": COLOUR_RULES}, "resultTypes": ["violations"]}

# Each viewer sent to the first step of `phase`: [its step panel's kind, the look of the whole
# viewer], or null when the trace has no such phase.
VIEWER_LOOKS = """phase => [...document.querySelectorAll('unrolled-trace')].map(v => {
    const m = v.model, s = m && m.phaseStart(phase);
    if (!(s >= 0)) return null;
    v.goTo(s + 1);
    const step = m.steps[s];
    const nonFinite = v.querySelector('.ut-step-panel :is(.ut-nan, .ut-inf)') ? 'non-finite' : '';
    const panel = [phase, step.op, step.inputs.length, m.tensors[step.output].shape.length, nonFinite].join(' ');
    const tabs = v.querySelectorAll("[role='tab']").length + ' tabs';
    return [panel, [panel, tabs, m.history ? 'history' : ''].join(' ')];
  })"""

# Marks the viewers numbered in `marked` with data-axe, and takes it from the others.
MARK = """marked => document.querySelectorAll('unrolled-trace').forEach((v, i) => {
    if (marked.includes(i)) v.setAttribute('data-axe', ''); else v.removeAttribute('data-axe'); })"""


def course_pages(site: Path) -> list[Path]:
    return sorted(site.glob("notes/*.html")) + [site / "index.html"]


def fresh(kinds: list, seen: set) -> list[int]:
    """The viewers whose kind is not in `seen` (which takes them in)."""
    new = [i for i, kind in enumerate(kinds) if kind is not None and kind not in seen]
    seen.update(kinds[i] for i in new)
    return new


def violations(context, site: Path, half: int) -> list[str]:
    """Every WCAG 2.1 AA violation axe finds on half `half` (0 or 1) of the course's pages, each
    with the viewers on a forward, then a backward, then an update step: "page phase rule target".
    A step panel is laid out by its step's op, its inputs and its output's rank; the backward and
    update panels are checked once per such kind in the run (the first viewer to show it), since
    the numbers in them only change which colours of the one scale their cells take. The forward
    pass checks every viewer whole with every rule, but the colour rules once per look of a
    viewer (COLOUR_RULES says why)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = context.new_page()
    found, seen_panels, seen_looks = [], set(), set()

    def check(path: Path, phase: str, context: dict, options: dict):
        result = axe.run(page, context=context, options=options)
        for rule in result.response["violations"]:
            for node in rule["nodes"]:
                found.append(f"{path.name} {phase} {rule['id']} {node['target']}: {node.get('failureSummary', '')[:160]}")

    for path in course_pages(site)[half::2]:
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.math:not([data-tex])').length === 0")
        page.evaluate("Promise.all([...document.querySelectorAll('unrolled-trace')].map(v => v.ready))")
        viewers = page.locator("unrolled-trace").count()
        # KaTeX's drawing of the math goes from the page: it is aria-hidden (readers get the MathML
        # beside it, which is checked), its glyphs take the colour of the checked text around them,
        # and it is two thirds of a page's elements. Excluding it is not enough: axe flattens the
        # whole document on every run, excluded parts too (axe took twice as long with it). Names
        # the viewers typeset later, on the other phases, are excluded.
        page.evaluate("() => document.querySelectorAll('.katex-html').forEach(e => e.remove())")
        for phase in ("forward", "backward", "update"):
            if phase != "forward" and not viewers:
                break
            if phase == "backward":
                # The prose was checked with the forward pass and no step changes it: it goes, so
                # that axe, which walks the whole document on every run, walks the viewers only.
                page.evaluate("""() => { for (const node of [...document.querySelectorAll('main article > *, .sidebar')])
                    if (!node.querySelector('unrolled-trace') && !node.matches('unrolled-trace')) node.remove(); }""")
            kinds = page.evaluate(VIEWER_LOOKS, phase)
            if phase == "forward":
                check(path, phase, {"exclude": [[".katex-html"]]}, WITHOUT_COLOURS)
                # The colours of the page, and of the viewers whose look no viewer showed before.
                page.evaluate(MARK, [i for i in range(len(kinds)) if i not in fresh([k and k[1] for k in kinds], seen_looks)])
                check(path, phase, {"exclude": [[".katex-html"], ["unrolled-trace[data-axe]"]]}, ONLY_COLOURS)
                continue
            # Then only the viewers' step panels: all that the phase changes (the outline and
            # timeline only move their marks).
            new = fresh([k and k[0] for k in kinds], seen_panels)
            if not new:
                continue
            page.evaluate(MARK, new)
            check(path, phase, {"include": [["unrolled-trace[data-axe] .ut-step-panel"]], "exclude": [[".katex-html"]]},
                  WCAG_21_AA)
    page.close()
    return found
