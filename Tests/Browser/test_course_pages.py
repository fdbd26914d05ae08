"""The other half of the bundled course's pages (test_course.py visits the first): a module of
its own so that pytest-xdist runs the two halves on two workers at once."""

from __future__ import annotations

from site_visits import visit_course_pages


def test_the_other_pages_open_and_their_traces_step_without_errors(browser_context, bundled_course):
    visit_course_pages(browser_context, bundled_course, half=1)
