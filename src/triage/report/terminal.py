"""Tables for a terminal (rich): charters, diffs, agreement, decoded requests, the demo.

Renderers take the library's results and print them; they compute nothing
that is not already in the result.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console
from rich.table import Table

from triage.charter import Charter, CharterComparison, CharterDiff, Issue, describe_rule
from triage.schema import CANDIDATES, CHARTER_VERDICT, DECODED_SKU, DECODED_STATUS, crit_column

if TYPE_CHECKING:
    from triage.demo import DemoResult

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
    "render_evaluation",
    "render_training",
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


def format_number(value: Any, digits: int = 1) -> str:
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
    summary.add_row("percent agreement", format_number(100 * k.percent_agreement) + " %")
    summary.add_row(
        "Cohen's kappa (95 % CI)",
        f"{format_number(k.kappa, 3)} ({format_number(k.low, 3)} .. {format_number(k.high, 3)})",
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
            format_number(rate.pass_a),
            format_number(rate.empty_a),
            format_number(rate.pass_b),
            format_number(rate.empty_b),
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
            ex.add_row(*(format_number(v) if not pd.isna(v) else "" for v in example))
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
                low, high = row["kappa_low"], row["kappa_high"]
                cells.append(f"{format_number(low, 2)} .. {format_number(high, 2)}")
            elif col == "kappa":
                cells.append(format_number(row[col], 3))
            elif isinstance(row[col], int):
                cells.append(f"{row[col]:,}")
            else:
                cells.append(format_number(row[col]))
        out.add_row(*cells, end_section=(i == 0 and len(table) > 1))
    console.print(out)


def render_criteria_summary(
    judged: pd.DataFrame,
    charter: Charter,
    *,
    locale: str | None = None,
    console: Console | None = None,
) -> None:
    """Per criterion of ``charter``: pass, fail and empty shares over the judged leads."""
    console = console or make_console()
    n = len(judged)
    target = int((judged[CHARTER_VERDICT] == "target").sum())
    table = Table(
        title=f"{charter.label} on {n:,} leads: {target:,} target "
        f"({100 * target / max(n, 1):.1f} %)"
    )
    for col in ("id", "title", "required", "pass %", "fail %", "empty"):
        table.add_column(col, justify="right" if col in ("pass %", "fail %", "empty") else "left")
    loc = locale or charter.locale
    for crit in charter.criteria:
        values = judged[crit_column(crit.id)]
        passed, failed, empty = (
            int(values.eq(True).sum()),
            int(values.eq(False).sum()),
            int(values.isna().sum()),
        )
        table.add_row(
            crit.id,
            crit.title_in(loc),
            "yes" if crit.required else "signal",
            f"{100 * passed / max(n, 1):.1f}",
            f"{100 * failed / max(n, 1):.1f}",
            f"{empty:,}",
        )
    console.print(table)


_SLOTS = ("make", "model", "generation", "part_type", "side", "axle", "year", "engine")


def render_decoded(text: str, row: dict[str, Any], *, console: Console | None = None) -> None:
    """One decoded request: its slots, the item and the candidates with their evidence.

    ``row`` is one row of the decoder's output (``decoded_*`` keys), with
    ``decoded_candidates`` as a list.
    """
    console = console or make_console()
    console.print(f"[bold]request:[/bold] {text!r}")
    console.print(
        f"[bold]status:[/bold] {row['decoded_status']}   "
        f"[bold]score:[/bold] {row['decoded_score']:.0f}/100"
    )
    slots = Table(show_header=True, header_style="bold")
    for col in _SLOTS:
        slots.add_column(col)
    slots.add_row(*(str(row[f"decoded_{c}"]) or "-" for c in _SLOTS))
    console.print(slots)
    if row[DECODED_SKU]:
        console.print(f"[bold]item:[/bold] {row['decoded_sku']}  {row['decoded_name']}")
    candidates = row[CANDIDATES]
    if candidates:
        table = Table(title="candidates", show_header=True, header_style="bold")
        for col in ("#", "sku", "name", "score", "evidence"):
            table.add_column(col)
        for i, c in enumerate(candidates, 1):
            ev = "; ".join(
                f"{e['words']}→{e['slot']}={e['value']}"
                + ("" if e.get("agrees") is not False else " ✗")
                for e in c["evidence"]
            )
            table.add_row(str(i), c["sku"], c["name"], f"{c['score']:.1f}", ev)
        console.print(table)


def render_demo(result: DemoResult, *, console: Console | None = None) -> None:
    """Print the demo summary: the world, the decoder, agreement, the judge, the audit."""
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=150)  # logs and CI: do not squeeze tables into 80 columns
    leads = result.leads
    console.rule("[bold]triage demo: the Opel spare-parts shop")
    console.print(
        f"{len(leads):,} leads over {leads['created_at'].str[:7].nunique()} months, "
        f"catalog of {result.catalog_size:,} SKUs, written to {result.out_dir}/"
    )
    status = leads[DECODED_STATUS].value_counts()
    dec = Table(title="What the decoder made of the requests", header_style="bold")
    for col, justify in (("status", "left"), ("leads", "right"), ("share", "right")):
        dec.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, count in status.items():
        dec.add_row(str(name), f"{int(count):,}", f"{100 * count / len(leads):.1f}%")
    console.print(dec)
    render_agreement(result.by_month, console=console)
    if result.training is not None:
        render_training(result.training, console=console)
    if result.responsibility_accuracy is not None:
        acc = Table(title="Responsibility against the ground truth", header_style="bold")
        for col in ("true class", "leads", "accuracy", "needs_review"):
            acc.add_column(col, justify="left" if col == "true class" else "right")
        for row in result.responsibility_accuracy.to_dict(orient="records"):
            acc.add_row(
                str(row["class"]),
                f"{row['leads']:,}",
                f"{row['accuracy']:.3f}",
                f"{row['needs_review']:.3f}",
            )
        console.print(acc)
    audit = result.audit
    if audit:
        console.rule(f"[bold]The answer for {audit['month']}")
        console.print(f"[bold]{audit['headline']['en']}[/bold]")
        console.print(audit["headline"]["ru"])
        t = audit["targets"]
        console.print(
            f"Target leads in {audit['month']}: marketing {t['marketing']:,}, sales "
            f"{t['sales']:,}, the agreed charter {t['charter']:,}, the judge {t['model']:,}; "
            f"{result.disputes:,} disputed leads have a card."
        )
    console.print(
        "[dim]timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items()) + "[/dim]"
    )
    for name, path in result.paths.items():
        if name in ("judged", "model", "audit", "audit_csv", "disputes"):
            console.print(f"{name:>10}: {path}")


_METRICS = (
    ("leads", "leads", "{:,}"),
    ("roc_auc", "ROC AUC", "{:.3f}"),
    ("pr_auc", "PR AUC", "{:.3f}"),
    ("brier", "Brier", "{:.3f}"),
    ("log_loss", "log loss", "{:.3f}"),
    ("f1", "F1", "{:.3f}"),
    ("accuracy", "accuracy", "{:.3f}"),
    ("lift_top_decile", "lift top 10%", "{:.2f}"),
)


def render_evaluation(table: pd.DataFrame, *, title: str, console: Console | None = None) -> None:
    """An evaluation table: one row per predictor (the judge and the baselines)."""
    console = console or make_console()
    out = Table(title=title)
    out.add_column("predictor")
    for _, header, _ in _METRICS:
        out.add_column(header, justify="right")
    out.add_column("confusion (tn fp fn tp)", justify="right")
    for row in table.to_dict(orient="records"):
        cells = []
        for key, _, fmt in _METRICS:
            value = row[key]
            cells.append("—" if value is None or value != value else fmt.format(value))
        confusion = f"{row['tn']:,} {row['fp']:,} {row['fn']:,} {row['tp']:,}"
        out.add_row(str(row["predictor"]), *cells, confusion)
    console.print(out)


def render_training(result: Any, *, out: Any = None, console: Console | None = None) -> None:
    """What ``triage train`` learnt from, which estimator won, and how it compares."""
    console = console or make_console()
    c = result.counts
    console.print(
        f"[bold]Training data:[/bold] {c['leads']:,} leads: {c['agreed']:,} agreed by both "
        f"departments, {c['adjudicated']:,} adjudicated by the owner, {c['not_agreed']:,} without "
        f"an agreed verdict (scored, never trained on). Labelled: {c['target']:,} target, "
        f"{c['non_target']:,} non-target."
    )
    console.print(f"[bold]Split:[/bold] {result.split.how}.")
    losses = ", ".join(f"{k} {v:.4f}" for k, v in sorted(result.choice.oof_log_loss.items()))
    console.print(
        f"[bold]Estimator:[/bold] {result.choice.name} (out-of-fold log loss: {losses}; "
        f"better by {result.choice.margin:.4f}), sigmoid-calibrated; threshold "
        f"{result.judge.threshold:.3f} maximises Youden's J (TPR - FPR) out of fold."
    )
    for note in result.notes:
        console.print(f"[dim]note: {note}[/dim]")
    render_evaluation(
        result.evaluation,
        title="Held-out test: against the agreed verdicts (departments' verdicts agree there "
        "by definition)",
        console=console,
    )
    if result.truth_evaluation is not None:
        render_evaluation(
            result.truth_evaluation,
            title="Every lead of the test period, agreed or disputed: against the ground truth",
            console=console,
        )
    console.print(_verdict_sentence(result))
    if out is not None:
        console.print(f"[dim]model written to {out}/[/dim]")


def _verdict_sentence(result: Any) -> str:
    """Whether the judge beats the charter alone, in one sentence, from the numbers."""
    table = result.truth_evaluation if result.truth_evaluation is not None else result.evaluation
    rows = {r["predictor"]: r for r in table.to_dict(orient="records")}
    judge, charter = rows.get("judge (model)"), rows.get("agreed charter alone")
    if judge is None or charter is None:
        return "No charter baseline: the judge stands alone."
    against = "the ground truth" if result.truth_evaluation is not None else "the agreed verdicts"
    if judge["accuracy"] >= charter["accuracy"]:
        return (
            f"Against {against} the judge is right on {judge['accuracy']:.1%} of leads, the "
            f"charter alone on {charter['accuracy']:.1%}."
        )
    return (
        f"Against {against} the judge ({judge['accuracy']:.1%}) does NOT beat the charter alone "
        f"({charter['accuracy']:.1%}): it learns what both departments agree on, including their "
        "shared mistakes, while the charter is the decree; settle disputes (adjudications) to "
        "teach it otherwise."
    )
