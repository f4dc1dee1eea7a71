"""``triage audit``, ``triage disputes`` and ``triage adjudicate``: the monthly workflow."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from triage.cli._common import (
    LANGS,
    add_workers_option,
    existing_file,
    require_file,
    show_progress,
)
from triage.errors import DataError, UsageError

__all__ = ["register", "run_adjudicate", "run_audit", "run_disputes"]


def register(sub: Any) -> None:
    """Add ``triage audit``, ``triage disputes`` and ``triage adjudicate``."""
    audit = sub.add_parser(
        "audit",
        help="the monthly audit page: whose misses cost more, counts, trend, disputes",
        description=(
            "Score every lead with a trained judge, attribute responsibility, and write "
            "audit-YYYY-MM.html (self-contained), the month's per-lead results (.parquet and "
            ".csv) and one card per disputed lead (disputes/)."
        ),
    )
    audit.add_argument("--leads", required=True, type=Path, help="lead export (every month)")
    audit.add_argument("--model", required=True, type=Path, help="model folder (triage train)")
    audit.add_argument("--month", help="YYYY-MM (default: the latest month in the file)")
    audit.add_argument("--schema", type=Path, help="lead schema (default: the model's)")
    audit.add_argument("--catalog", type=Path, help="catalog (default: the model's copy)")
    audit.add_argument("--lang", choices=LANGS, default="en", help="page language (default en)")
    audit.add_argument("--out", required=True, type=Path, help="folder for the reports")
    audit.add_argument(
        "--no-cards", dest="cards", action="store_false", help="do not write the dispute cards"
    )
    audit.add_argument("--ledger", type=Path, help="ledger file (default: the settings')")
    add_workers_option(audit)
    audit.set_defaults(run=run_audit)

    disputes = sub.add_parser(
        "disputes",
        help="one HTML card per disputed lead of a scored file, and an index",
        description=(
            "A lead is disputed when marketing, sales, the charter and the judge do not all "
            "agree.  Each card: the lead with contacts masked, the request, the decoded item with "
            "its evidence, the charter checklist, p_target and the reasons, the verdicts, the "
            "suggested responsibility and what would have to change, by who controls it."
        ),
    )
    disputes.add_argument("--scored", required=True, type=Path, help="output of score/audit")
    disputes.add_argument("--out", required=True, type=Path, help="folder for the cards")
    disputes.add_argument("--model", type=Path, help="model folder (for the criterion titles)")
    disputes.add_argument("--lang", choices=LANGS, default="ru", help="card language (default ru)")
    disputes.set_defaults(run=run_disputes)

    adjudicate = sub.add_parser(
        "adjudicate",
        help="record the owner's verdict on a lead (or many, from a CSV) in the ledger",
        description=(
            "Append the owner's verdict to the ledger (an embedded SQLite file): the latest "
            "verdict per lead wins, the history is kept.  `triage train` learns from them."
        ),
    )
    adjudicate.add_argument("lead_id", nargs="?", help="the lead settled")
    adjudicate.add_argument("--verdict", choices=("target", "non_target"))
    adjudicate.add_argument("--by", required=True, help="who decided")
    adjudicate.add_argument("--note", default="", help="why, in a sentence")
    adjudicate.add_argument(
        "--from", dest="source", type=Path, help="CSV: lead_id, verdict[, note]"
    )
    adjudicate.add_argument("--ledger", type=Path, help="ledger file (default: the settings')")
    adjudicate.add_argument(
        "--list", action="store_true", help="print the latest verdict per lead and stop"
    )
    adjudicate.set_defaults(run=run_adjudicate)


def _ledger_adjudications(path: Path | None) -> pd.DataFrame | None:
    from triage.config import get_settings
    from triage.ledger import Ledger

    target = path or get_settings().ledger_path
    if not Path(target).exists():
        return None
    with Ledger(target, create=False) as ledger:
        return ledger.adjudications()


def run_audit(args: argparse.Namespace) -> int:
    from triage.audit import build_audit
    from triage.io.leads import load_leads, load_schema
    from triage.io.tables import check_writable, write_table, write_text_atomic
    from triage.model import load_judge
    from triage.pipeline import Scorer
    from triage.report.audit import render_audit_html, write_dispute_cards

    if args.month is not None and not _is_month(args.month):
        raise UsageError(f"--month must look like 2026-10, got {args.month!r}")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a folder")
    check_writable(args.out / "audit.html", suffixes=(".html",))
    judge = load_judge(args.model)
    schema = load_schema(existing_file(args.schema, "schema")) if args.schema else judge.schema
    leads_path = existing_file(args.leads, "leads")
    leads = load_leads(leads_path, mapping=schema, strict=False)
    scorer = Scorer.build(
        catalog=require_file(args.catalog, "catalog"), judge=judge, responsibility=True
    )
    if scorer.charter is None:
        raise DataError(f"{args.model}: the judge has no charter; the audit needs one")
    scored = scorer.score_batch(leads, workers=args.workers, progress=show_progress(args)).leads
    adjudications = _ledger_adjudications(args.ledger)
    try:
        summary = build_audit(
            scored,
            month=args.month,
            adjudications=adjudications,
            charter_label=scorer.charter.label,
        )
    except ValueError as exc:
        raise DataError(f"{args.leads}: {exc}") from None
    month = summary["month"]
    from triage.audit import month_of

    this = scored[(month_of(scored) == month).to_numpy()]
    paths = {
        "page": write_text_atomic(
            render_audit_html(summary, locale=args.lang, cards="disputes" if args.cards else None),
            args.out / f"audit-{month}.html",
        ),
        "parquet": write_table(this, args.out / f"audit-{month}-leads.parquet"),
        "csv": write_table(this, args.out / f"audit-{month}-leads.csv"),
    }
    if args.cards:
        titles = {g: judge.spec.title(g, args.lang) for g in judge.spec.group_ids}
        cards = write_dispute_cards(
            this,
            args.out / "disputes",
            charter=scorer.charter,
            titles=titles,
            locale=args.lang,
            threshold=judge.threshold,
        )
        paths["cards"] = cards["index"]
    _record_run(args, leads_path, judge, scorer, summary)
    print(summary["headline"][args.lang])
    for name, path in paths.items():
        print(f"{name}: {path}", file=sys.stderr)
    return 0


def _record_run(
    args: argparse.Namespace, leads: Path, judge: Any, scorer: Any, summary: dict
) -> None:
    from triage.config import get_settings
    from triage.ledger import Ledger

    digest = hashlib.sha256(leads.read_bytes()).hexdigest()
    with Ledger(args.ledger or get_settings().ledger_path) as ledger:
        ledger.record_run(
            "audit",
            model=str(args.model),
            charter=scorer.charter.label if scorer.charter else "",
            decoder=str(judge.card.get("versions", {}).get("triage", "")),
            input_sha256=digest,
            counts={
                "month": summary["month"],
                "leads": summary["leads"],
                **summary["responsibility"],
            },
        )


def _is_month(text: str) -> bool:
    import re

    return re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text) is not None


def run_disputes(args: argparse.Namespace) -> int:
    from triage.charter import load_charter
    from triage.io.tables import read_table
    from triage.model import load_judge
    from triage.report.audit import write_dispute_cards
    from triage.schema import restore_types

    scored = read_table(existing_file(args.scored, "scored leads"), what="scored leads")
    scored = restore_types(scored)
    missing = [c for c in ("charter_verdict", "charter_failed") if c not in scored.columns]
    if missing:
        raise DataError(
            f"{args.scored}: not a scored file (no {', '.join(missing)}); run triage score or audit"
        )
    charter = None
    titles: dict[str, str] = {}
    threshold = None
    if args.model is not None:
        judge = load_judge(args.model)
        charter = judge.charter
        threshold = judge.threshold
        titles = {g: judge.spec.title(g, args.lang) for g in judge.spec.group_ids}
    else:
        from triage.config import get_settings

        charter = load_charter(get_settings().agreed_charter)
    if "responsibility" not in scored.columns:
        from triage.verdict import assign_responsibility

        scored = scored.join(assign_responsibility(scored, charter=charter).frame)
    result = write_dispute_cards(
        scored, args.out, charter=charter, titles=titles, locale=args.lang, threshold=threshold
    )
    print(f"{result['count']:,} disputed leads -> {result['index']}", file=sys.stderr)
    return 0


def run_adjudicate(args: argparse.Namespace) -> int:
    from triage.ledger import open_ledger

    with open_ledger(args.ledger) as ledger:
        if args.list:
            print(ledger.adjudications().to_csv(index=False), end="")
            return 0
        if args.source is not None:
            if args.lead_id is not None or args.verdict is not None:
                raise UsageError("give either LEAD_ID --verdict, or --from FILE, not both")
            count = ledger.import_csv(existing_file(args.source, "adjudications"), by=args.by)
            print(f"recorded {count:,} adjudication(s) in {ledger.path}", file=sys.stderr)
            return 0
        if args.lead_id is None or args.verdict is None:
            raise UsageError("give LEAD_ID and --verdict target|non_target (or --from FILE)")
        ledger.adjudicate(args.lead_id, args.verdict, by=args.by, note=args.note)
        print(
            f"recorded: {args.lead_id} is {args.verdict} (by {args.by}) in {ledger.path}",
            file=sys.stderr,
        )
    return 0
