"""``triage demo``: the main job on generated data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from triage.cli._common import (
    add_force_option,
    add_workers_option,
    check_output_folder,
    positive_int,
    show_progress,
    whole_number,
)
from triage.config import DEFAULT_SEED, get_settings
from triage.errors import DataError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage demo``."""
    p = sub.add_parser(
        "demo",
        help="generate the Opel shop world, decode and judge every lead, print the summary",
        description=(
            "The main job on generated data: generate a world, decode each request, evaluate "
            "the agreed charter, train the judge on the earlier months' agreed leads, score "
            "the last month, write its audit page and the dispute cards, and print the answer."
        ),
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("data/sample"),
        help="output folder (default data/sample); one holding an earlier world needs --force",
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
    add_force_option(p)
    p.add_argument("--models", type=Path, default=None, help="model folder (default: models/demo)")
    p.add_argument("--reports", type=Path, default=None, help="report folder (default: reports)")
    p.add_argument("--lang", choices=("en", "ru"), default="en", help="audit page language")
    add_workers_option(p)
    p.set_defaults(run=run)


#: What the demo writes into its folder, besides the world's files.
JUDGED_FILE = "leads_judged.parquet"


def run(args: argparse.Namespace) -> int:
    from triage.synth._world import WORLD_FILES

    check_output_folder(args.out, (*WORLD_FILES, JUDGED_FILE), force=args.force)
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
            models_dir=args.models or get_settings().models_dir / "demo",
            reports_dir=args.reports or get_settings().reports_dir,
            locale=args.lang,
        )
    except PermissionError as exc:
        raise DataError(f"--out {args.out}: cannot write ({exc.strerror})") from None
    render_demo(result)
    return 0
