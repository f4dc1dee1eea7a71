"""Presentation: the library's results rendered for people.

One result, many renderers: :mod:`triage.report.terminal` prints rich tables,
:mod:`triage.report.html` writes pages from Jinja2 templates with autoescape
on.  Nothing below this package prints or formats for display.
"""

from __future__ import annotations

from triage.report.html import render_diff_html
from triage.report.terminal import (
    format_number,
    make_console,
    render_agreement,
    render_charter,
    render_comparison,
    render_criteria_summary,
    render_decoded,
    render_demo,
    render_diff,
    render_evaluation,
    render_training,
)

__all__ = [
    "format_number",
    "make_console",
    "render_agreement",
    "render_charter",
    "render_comparison",
    "render_criteria_summary",
    "render_decoded",
    "render_demo",
    "render_diff",
    "render_diff_html",
    "render_evaluation",
    "render_training",
]
