"""What the accessibility tests share (test_accessibility*.py): axe-core (from PyPI's
axe-playwright-python, which bundles it) run on a page of the bundled course with every viewer on
the first step of each phase, and WCAG 2.1 A and AA rules only. A module per half of the pages, so
that pytest-xdist runs the halves on two workers at once."""

from __future__ import annotations

from pathlib import Path

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}


def course_pages(site: Path) -> list[Path]:
    return sorted(site.glob("notes/*.html")) + [site / "index.html"]


def violations(context, site: Path, half: int) -> list[str]:
    """Every WCAG 2.1 AA violation axe finds on half `half` (0 or 1) of the course's pages, each
    with the viewers on a forward, then a backward, then an update step: "page phase rule target".
    A step panel is laid out by its step's op, its inputs and its output's rank; the backward and
    update panels are checked once per such kind in the run (the first viewer to show it), since
    the numbers in them only change which colours of the one scale their cells take, and the
    forward pass checks every viewer whole."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = context.new_page()
    found, seen = [], set()
    for path in course_pages(site)[half::2]:
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.math:not([data-tex])').length === 0")
        page.evaluate("Promise.all([...document.querySelectorAll('unrolled-trace')].map(v => v.ready))")
        viewers = page.locator("unrolled-trace").count()
        # KaTeX's drawing of the math goes from the page (why it is not checked: below). Excluding it
        # is not enough: axe flattens the whole document on every run, excluded parts too, and the
        # drawing is half a chapter's elements (axe took twice as long with it). Names the viewers
        # typeset later, on the other phases, are excluded.
        page.evaluate("() => document.querySelectorAll('.katex-html').forEach(e => e.remove())")
        for phase in ("forward", "backward", "update"):
            if phase != "forward" and not viewers:
                break
            if phase == "backward":
                # The prose was checked with the forward pass and no step changes it: it goes, so
                # that axe, which walks the whole document on every run, walks the viewers only.
                page.evaluate("""() => { for (const node of [...document.querySelectorAll('main article > *, .sidebar')])
                    if (!node.querySelector('unrolled-trace') && !node.matches('unrolled-trace')) node.remove(); }""")
            kinds = page.evaluate("""phase => [...document.querySelectorAll('unrolled-trace')].map(v => {
                const m = v.model, s = m && m.phaseStart(phase);
                if (!(s >= 0)) return null;
                v.goTo(s + 1);
                const step = m.steps[s];
                return [phase, step.op, step.inputs.length, m.tensors[step.output].shape.length].join(' ');
              })""", phase)
            if phase != "forward":
                fresh = [i for i, kind in enumerate(kinds) if kind is not None and kind not in seen]
                seen.update(kinds[i] for i in fresh)
                if not fresh:
                    continue
                page.evaluate("""fresh => document.querySelectorAll('unrolled-trace').forEach((v, i) => {
                    if (fresh.includes(i)) v.setAttribute('data-axe', ''); else v.removeAttribute('data-axe'); })""", fresh)
            # The whole page once; then only the viewers' step panels: all that the phase changes
            # (the outline and timeline only move their marks). KaTeX's drawing of the math
            # (`.katex-html`) is left out: it is aria-hidden (readers get the MathML beside it, which
            # is checked), its glyphs take the colour of the checked text around them, and it is
            # two thirds of a page's elements, which axe walks on every run.
            context = ({"exclude": [[".katex-html"]]} if phase == "forward"
                       else {"include": [["unrolled-trace[data-axe] .ut-step-panel"]], "exclude": [[".katex-html"]]})
            result = axe.run(page, context=context, options=WCAG_21_AA)
            for rule in result.response["violations"]:
                for node in rule["nodes"]:
                    found.append(f"{path.name} {phase} {rule['id']} {node['target']}: {node.get('failureSummary', '')[:160]}")
    page.close()
    return found
