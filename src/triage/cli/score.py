"""``triage score``: every lead judged by a trained judge, chunk by chunk."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from triage.cli._common import (
    add_workers_option,
    existing_file,
    output_path,
    require_file,
    show_progress,
)
from triage.errors import UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage score``."""
    p = sub.add_parser(
        "score",
        help="score leads with a trained judge: p_target, verdict and reasons per lead",
        description=(
            "Every input row in order, plus the decoder's and the charter's columns, p_target, "
            "model_verdict, reasons (top-3, JSON) and reason_<criterion> (probability points). "
            "New leads need no verdict columns; when present they are carried through."
        ),
    )
    p.add_argument("--model", required=True, type=Path, help="model folder (triage train --out)")
    p.add_argument("--leads", required=True, type=Path, help="lead export (CSV, XLSX, Parquet)")
    p.add_argument("--schema", type=Path, help="lead schema (default: the one the model used)")
    p.add_argument(
        "--catalog", type=Path, help="catalog to decode against (default: the model's copy)"
    )
    p.add_argument("--out", required=True, type=Path, help="output .csv or .parquet")
    p.add_argument(
        "--chunk-size", type=int, default=20_000, metavar="N", help="rows per chunk (default 20000)"
    )
    p.add_argument(
        "--no-explain", dest="explain", action="store_false", help="skip the reasons (faster)"
    )
    p.add_argument(
        "--quarantine",
        type=Path,
        metavar="FILE",
        help="set rows that cannot be read aside here (.csv), with the reason, and go on",
    )
    add_workers_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from triage.io.leads import load_schema
    from triage.model import load_judge
    from triage.pipeline import Scorer, score_file

    if args.chunk_size < 1:
        raise UsageError("--chunk-size must be a positive integer")
    out = output_path(
        args.out, (".csv", ".parquet", ".pq"), inputs=[args.leads, args.schema, args.catalog]
    )
    aside = output_path(args.quarantine, (".csv",), inputs=[args.leads, out])
    leads = existing_file(args.leads, "leads")
    judge = load_judge(args.model)
    schema = load_schema(existing_file(args.schema, "schema")) if args.schema else judge.schema
    scorer = Scorer.build(
        catalog=require_file(args.catalog, "catalog"), judge=judge, explain=args.explain
    )
    result = score_file(
        scorer,
        leads,
        out,  # type: ignore[arg-type]
        schema=schema,
        chunk_size=args.chunk_size,
        workers=args.workers,
        progress=show_progress(args),
        quarantine=aside,
    )
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in result["timings"].items())
    print(
        f"{result['records']:,} leads read: {result['rows']:,} scored -> {result['path']}, "
        f"{result['quarantined']:,} set aside{f' -> {aside}' if result['quarantined'] else ''} "
        f"({timings})",
        file=sys.stderr,
    )
    return 0
