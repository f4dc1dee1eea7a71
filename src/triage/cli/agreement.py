"""``triage agreement``: target leads by marketing, sales and the agreed charter, with kappa."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from triage.cli._common import (
    add_leads_options,
    add_workers_option,
    build_scorer,
    input_paths,
    load_leads_from,
    output_path,
    quarantine_path,
    show_progress,
)
from triage.errors import UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage agreement``."""
    p = sub.add_parser(
        "agreement",
        help="target leads by marketing, sales and the agreed charter, with kappa",
        description=(
            "How many target leads marketing counted, how many sales counted, how many the "
            "agreed charter counts; percent agreement and Cohen's kappa (95 % CI) between the "
            "departments, overall and per group."
        ),
    )
    add_leads_options(p, required=True)
    p.add_argument(
        "--by",
        metavar="GROUP",
        help="channel, campaign, month, manager, region, or any other column",
    )
    p.add_argument(
        "--charter",
        metavar="FILE",
        help="the agreed charter (default: agreed.yaml of the settings' charters folder)",
    )
    p.add_argument("--no-charter", action="store_true", help="do not evaluate a charter")
    p.add_argument(
        "--out", metavar="FILE", help="also write the table (.csv, .xlsx, .parquet or .json)"
    )
    add_workers_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from triage.charter import agreement_table, load_charter
    from triage.config import get_settings
    from triage.io import write_table, write_text_atomic
    from triage.report import render_agreement

    if args.no_charter and args.charter:
        raise UsageError("--charter and --no-charter contradict each other; give one")
    charter_file = None if args.no_charter else (args.charter or get_settings().agreed_charter)
    inputs = [*input_paths(args, "leads", "mapping", "catalog"), charter_file]
    out = output_path(args.out, (".csv", ".xlsx", ".parquet", ".pq", ".json"), inputs=inputs)
    quarantine_path(args, *inputs, out)
    charter = None if charter_file is None else load_charter(charter_file)
    leads = load_leads_from(args)
    if charter is not None:
        # The scorer checks the charter against the whole input before decoding.
        scorer = build_scorer(args, charter)
        leads = scorer.score_batch(leads, workers=args.workers, progress=show_progress(args)).leads
    table = agreement_table(leads, by=args.by)
    if charter is not None:
        table.attrs["charter"] = charter.label
    render_agreement(table)
    if out is not None:
        if out.suffix.lower() == ".json":
            write_text_atomic(table.to_json(orient="records", force_ascii=False, indent=2), out)
        else:
            write_table(table, out)
        print(f"wrote {out}", file=sys.stderr)
    return 0
