"""``triage synth``: generate the synthetic Opel shop world into a folder."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from triage.cli._common import (
    add_force_option,
    check_output_folder,
    iso_date,
    positive_int,
    whole_number,
)
from triage.config import DEFAULT_SEED

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage synth``."""
    parser = sub.add_parser(
        "synth",
        help="generate a deterministic synthetic world: catalog, leads and ground truth",
        description=(
            "Write catalog.csv, leads.csv, truth.csv and world.json of a synthetic Opel "
            "spare-parts shop into --out.  The same seed gives byte-identical files.  A folder "
            "already holding such files is refused unless --force is given."
        ),
    )
    parser.add_argument("--out", required=True, help="folder to write the files into")
    parser.add_argument(
        "--months", type=positive_int, default=6, help="months of leads (default 6)"
    )
    parser.add_argument(
        "--leads-per-month",
        type=positive_int,
        default=3000,
        help="leads created per month (default 3000)",
    )
    parser.add_argument(
        "--catalog-size",
        type=positive_int,
        default=20000,
        help="number of catalog items (default 20000)",
    )
    parser.add_argument(
        "--seed",
        type=whole_number(0),
        default=DEFAULT_SEED,
        help=f"random seed (default {DEFAULT_SEED})",
    )
    parser.add_argument(
        "--catalog-style",
        choices=("default", "pricelist"),
        default="default",
        help="the generator's structured catalog, or a 1C-style price list (article, name, "
        "price) with multi-fitment names; default: default",
    )
    parser.add_argument(
        "--start",
        type=iso_date,
        default="2026-05-01",
        help="first day of the period, ISO date (default 2026-05-01)",
    )
    add_force_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Generate and write the world; print the paths and a one-line summary on stderr."""
    from triage.synth import generate_world, write_world
    from triage.synth._world import WORLD_FILES

    check_output_folder(Path(args.out), WORLD_FILES, force=args.force)  # before the work
    began = time.perf_counter()
    world = generate_world(
        months=args.months,
        leads_per_month=args.leads_per_month,
        catalog_size=args.catalog_size,
        seed=args.seed,
        start=args.start,
        catalog_style=args.catalog_style,
    )
    paths = write_world(world, args.out, overwrite=args.force)
    counts = world.summary()["counts"]
    for path in paths.values():
        print(path)
    print(
        f"synth: {counts['catalog_items']} items, {counts['leads']} leads "
        f"({counts['true_target']} truly target) in {time.perf_counter() - began:.1f}s",
        file=sys.stderr,
    )
    return 0
