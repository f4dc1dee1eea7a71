"""HTML pages: the charter diff (Jinja2 templates, every value escaped)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from triage.charter import CharterComparison, CharterDiff
from triage.report.terminal import format_number

__all__ = ["render_diff_html"]

_KIND_WORDS = {
    "same": "same",
    "changed": "changed",
    "only_a": "only in A",
    "only_b": "only in B",
}


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja environment of triage's templates: autoescape on for every template."""
    env = Environment(
        loader=PackageLoader("triage.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    )
    env.filters["num"] = format_number
    return env


def render_diff_html(result: CharterDiff | CharterComparison) -> str:
    """A self-contained HTML page of a diff (and its numbers on leads); every value is escaped."""
    comp = result if isinstance(result, CharterComparison) else None
    diff = comp.diff if comp is not None else result
    assert isinstance(diff, CharterDiff)
    context: dict[str, Any] = {
        "a": diff.a,
        "b": diff.b,
        "changes": diff.changes,
        "kind_words": _KIND_WORDS,
        "comp": comp,
        "generated": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }
    if comp is not None:
        context["confusion"] = {
            "columns": [str(c) for c in comp.confusion.columns],
            "rows": [(str(i), [int(v) for v in r]) for i, r in comp.confusion.iterrows()],
        }
        context["pass_rates"] = comp.pass_rates.to_dict(orient="records")
        context["splitters"] = comp.splitters.to_dict(orient="records")
        context["example_columns"] = [str(c) for c in comp.examples.columns]
        context["examples"] = [
            ["" if pd.isna(v) else str(v) for v in row]
            for row in comp.examples.itertuples(index=False)
        ]
    return str(environment().get_template("charter_diff.html").render(**context))
