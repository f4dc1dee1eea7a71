"""``triage demo``: the main job on generated data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from triage.errors import DataError, UsageError


def register(sub: Any) -> None:
    """Register ``triage demo``."""
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
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--months", type=int, default=6, help="months of leads (default 6)")
    p.add_argument(
        "--leads-per-month", type=int, default=3000, help="leads per month (default 3000)"
    )
    p.add_argument("--catalog-size", type=int, default=20000, help="catalog SKUs (default 20000)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    for name in ("months", "leads_per_month", "catalog_size"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be a positive integer")
    if args.out.exists() and not args.out.is_dir():
        raise DataError(f"--out {args.out}: exists and is not a folder")
    from triage.demo import render_demo, run_demo

    try:
        result = run_demo(
            args.out,
            seed=args.seed,
            months=args.months,
            leads_per_month=args.leads_per_month,
            catalog_size=args.catalog_size,
        )
    except PermissionError as exc:
        raise DataError(f"--out {args.out}: cannot write ({exc.strerror})") from None
    render_demo(result)
    return 0
