"""axe-core on the second half of the bundled course's pages (accessibility.py says how)."""

from __future__ import annotations

from accessibility import violations


def test_the_other_half_of_the_pages_has_no_wcag_21_aa_violation(browser_context, bundled_course):
    found = violations(browser_context, bundled_course, half=1)
    assert found == [], "\n".join(found[:40])
