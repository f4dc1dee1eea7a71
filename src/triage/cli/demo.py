"""``triage demo``: the main job on generated data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from triage.cli._common import add_workers_option, positive_int, show_progress, whole_number
from triage.config import DEFAULT_SEED
from triage.errors import DataError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage demo``."""
    p = sub.add_parser(
        "demo",
        help="generate the Opel shop world, decode and judge every lead, print the summary",
        description=(
            "The main job on generated data: generate a world, decode each request, "
            "evaluate the agreed charter, and print target-lead counts by marketing, "
            "sales and the charter with their agreement."
        ),
    )
    p.add_argument(
        "--out", type=Path, default=Path("data/sample"), help="output folder (default data/sample)"
    )
    p.add_argument(
        "--seed", type=whole_number(0), default=DEFAULT_SEED, help="random seed (default 7)"
    )
    p.add_argument("--months", type=positive_int, default=6, help="months of leads (default 6)")
    p.add_argument(
        "--leads-per-month", type=positive_int, default=3000, help="leads per month (default 3000)"
    )
    p.add_argument(
        "--catalog-size", type=positive_int, default=20000, help="catalog SKUs (default 20000)"
    )
    add_workers_option(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise DataError(f"--out {args.out}: exists and is not a folder")
    from triage.demo import run_demo
    from triage.report import render_demo

    try:
        result = run_demo(
            args.out,
            seed=args.seed,
            months=args.months,
            leads_per_month=args.leads_per_month,
            catalog_size=args.catalog_size,
            workers=args.workers,
            progress=show_progress(args),
        )
    except PermissionError as exc:
        raise DataError(f"--out {args.out}: cannot write ({exc.strerror})") from None
    render_demo(result)
    return 0
