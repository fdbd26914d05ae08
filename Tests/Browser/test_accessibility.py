"""axe-core on the first half of the bundled course's pages (accessibility.py says how); the other
half is test_accessibility_pages.py."""

from __future__ import annotations

from accessibility import violations


def test_the_first_half_of_the_pages_has_no_wcag_21_aa_violation(browser_context, bundled_course):
    found = violations(browser_context, bundled_course, half=0)
    assert found == [], "\n".join(found[:40])
