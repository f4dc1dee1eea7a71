"""Charters, diffs and agreement for people: rich tables on a terminal, HTML for a browser."""

from __future__ import annotations

import datetime as dt
import math
import sys
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from triage.charter._diff import CharterComparison, CharterDiff
from triage.charter._model import Charter, describe_rule
from triage.charter._parse import Issue

__all__ = [
    "make_console",
    "render_agreement",
    "render_charter",
    "render_comparison",
    "render_diff",
    "render_diff_html",
]

_KIND_WORDS = {
    "same": "same",
    "changed": "changed",
    "only_a": "only in A",
    "only_b": "only in B",
}


def make_console(file: Any = None) -> Console:
    """A console on stdout; wide enough for the tables when output is not a terminal."""
    stream = file or sys.stdout
    is_tty = bool(getattr(stream, "isatty", lambda: False)())
    return Console(file=stream, width=None if is_tty else 160, soft_wrap=False, highlight=False)


def _fmt_num(value: Any, digits: int = 1) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_charter(
    charter: Charter,
    *,
    locale: str | None = None,
    issues: list[Issue] | None = None,
    console: Console | None = None,
) -> None:
    """Print a charter as a table: id, title, required, rule in words."""
    console = console or make_console()
    loc = locale or charter.locale
    bits = [f"department {charter.department}"]
    if charter.approved_by:
        bits.append("approved by " + ", ".join(charter.approved_by))
    if charter.effective_from:
        bits.append(f"effective from {charter.effective_from.isoformat()}")
    bits.append(f"duplicate window {charter.settings.duplicate_window_days} days")
    table = Table(title=f"Charter {charter.label} ({'; '.join(bits)})", show_lines=False)
    table.add_column("id", style="bold")
    table.add_column("title")
    table.add_column("required")
    table.add_column("rule")
    for crit in charter.criteria:
        rule = describe_rule(crit.rule, loc)
        if crit.if_missing != "empty":
            rule += f"  [if missing: {crit.if_missing}]"
        table.add_row(crit.id, crit.title_in(loc), "yes" if crit.required else "signal", rule)
    console.print(table)
    for issue in issues or []:
        console.print(f"{issue.severity}: {issue.where}: {issue.message}", markup=False)


def render_diff(
    diff: CharterDiff, *, console: Console | None = None, show_same: bool = True
) -> None:
    """Print the criterion-level diff of two charters."""
    console = console or make_console()
    a, b = diff.a, diff.b
    table = Table(title=f"A = {a.label} ({a.department})   B = {b.label} ({b.department})")
    table.add_column("id", style="bold")
    table.add_column("change")
    table.add_column("A")
    table.add_column("B")
    table.add_column("what differs")
    for change in diff.changes:
        if change.kind == "same" and not show_same:
            continue
        req = {True: " (required)", False: " (signal)", None: ""}
        table.add_row(
            change.id,
            _KIND_WORDS.get(change.kind, change.kind),
            (change.rule_a or "—") + req[change.required_a],
            (change.rule_b or "—") + req[change.required_b],
            "; ".join(change.details) if change.kind != "same" else "",
        )
    console.print(table)


def render_comparison(comp: CharterComparison, *, console: Console | None = None) -> None:
    """Print a diff with its numbers on leads."""
    console = console or make_console()
    render_diff(comp.diff, console=console)
    a, b = comp.diff.a.name, comp.diff.b.name
    k = comp.kappa
    summary = Table(title=f"On {comp.n_leads:,} leads")
    for col in ("", "value"):
        summary.add_column(col)
    summary.add_row(f"target leads by {a}", f"{comp.target_a:,}")
    summary.add_row(f"target leads by {b}", f"{comp.target_b:,}")
    summary.add_row("percent agreement", _fmt_num(100 * k.percent_agreement) + " %")
    summary.add_row(
        "Cohen's kappa (95 % CI)",
        f"{_fmt_num(k.kappa, 3)} ({_fmt_num(k.low, 3)} .. {_fmt_num(k.high, 3)})",
    )
    console.print(summary)
    conf = Table(title="Confusion matrix (rows A, columns B)")
    conf.add_column("")
    for col in comp.confusion.columns:
        conf.add_column(str(col), justify="right")
    for idx, counts in comp.confusion.iterrows():
        conf.add_row(str(idx), *(f"{int(v):,}" for v in counts))
    console.print(conf)
    rates = Table(title="Pass rate per criterion, % of leads (empty = could not be evaluated)")
    for col in ("id", "title", f"{a} %", f"{a} empty", f"{b} %", f"{b} empty"):
        rates.add_column(col, justify="right" if "%" in col or "empty" in col else "left")
    for rate in comp.pass_rates.itertuples(index=False):
        rates.add_row(
            str(rate.id),
            str(rate.title),
            _fmt_num(rate.pass_a),
            _fmt_num(rate.empty_a),
            _fmt_num(rate.pass_b),
            _fmt_num(rate.empty_b),
        )
    console.print(rates)
    if len(comp.splitters):
        split = Table(title="What splits the leads they disagree on")
        for col in ("fails in", "criterion", "leads"):
            split.add_column(col)
        for spl in comp.splitters.itertuples(index=False):
            split.add_row(str(spl.fails_in), str(spl.criterion), f"{spl.leads:,}")
        console.print(split)
    if len(comp.examples):
        ex = Table(title="Example leads they disagree on", show_lines=True)
        for col in comp.examples.columns:
            ex.add_column(str(col), overflow="fold")
        for example in comp.examples.itertuples(index=False):
            ex.add_row(*(_fmt_num(v) if not pd.isna(v) else "" for v in example))
        console.print(ex)


_AGREEMENT_HEADERS = {
    "group": "group",
    "leads": "leads",
    "marketing_target": "marketing",
    "sales_target": "sales",
    "charter_target": "charter",
    "both_verdicts": "judged by both",
    "percent_agreement": "agree %",
    "kappa": "kappa",
    "kappa_ci": "95 % CI",
    "marketing_vs_charter": "marketing = charter %",
    "sales_vs_charter": "sales = charter %",
}


def render_agreement(
    table: pd.DataFrame, *, console: Console | None = None, title: str | None = None
) -> None:
    """Print the result of :func:`agreement_table`."""
    console = console or make_console()
    by = table.attrs.get("by")
    charter = table.attrs.get("charter")
    heading = title or (
        "Target leads counted by marketing, by sales"
        + (f" and by the charter {charter}" if charter else "")
        + "; agreement and Cohen's kappa between marketing and sales"
        + (f"; by {by}" if by else "")
    )
    out = Table(title=heading)
    cols = [c for c in _AGREEMENT_HEADERS if c in table.columns or c == "kappa_ci"]
    for col in cols:
        out.add_column(_AGREEMENT_HEADERS[col], justify="left" if col == "group" else "right")
    for i, row in enumerate(table.to_dict(orient="records")):
        cells = []
        for col in cols:
            if col == "kappa_ci":
                cells.append(f"{_fmt_num(row['kappa_low'], 2)} .. {_fmt_num(row['kappa_high'], 2)}")
            elif col == "kappa":
                cells.append(_fmt_num(row[col], 3))
            elif isinstance(row[col], int):
                cells.append(f"{row[col]:,}")
            else:
                cells.append(_fmt_num(row[col]))
        out.add_row(*cells, end_section=(i == 0 and len(table) > 1))
    console.print(out)


def _template() -> Any:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from triage.config import PACKAGE_DIR

    env = Environment(
        loader=FileSystemLoader(str(PACKAGE_DIR / "templates")),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
    )
    env.filters["num"] = _fmt_num
    return env.get_template("charter_diff.html")


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
    return str(_template().render(**context))
