"""``triage synth``: generate the synthetic Opel shop world into a folder."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from triage.config import DEFAULT_SEED


def _whole(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def register(sub: Any) -> None:
    """Register ``triage synth`` on the subparsers ``sub``."""
    parser = sub.add_parser(
        "synth",
        help="generate a deterministic synthetic world: catalog, leads and ground truth",
        description=(
            "Write catalog.csv, leads.csv, truth.csv and world.json of a synthetic Opel "
            "spare-parts shop into --out.  The same seed gives byte-identical files."
        ),
    )
    parser.add_argument("--out", required=True, help="folder to write the files into")
    parser.add_argument("--months", type=_whole(1), default=6, help="months of leads (default 6)")
    parser.add_argument(
        "--leads-per-month",
        type=_whole(1),
        default=3000,
        help="leads created per month (default 3000)",
    )
    parser.add_argument(
        "--catalog-size",
        type=_whole(1),
        default=20000,
        help="number of catalog items (default 20000)",
    )
    parser.add_argument(
        "--seed", type=_whole(0), default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--start",
        default="2026-05-01",
        help="first day of the period, ISO date (default 2026-05-01)",
    )
    parser.set_defaults(func=handler)


def handler(args: argparse.Namespace) -> int:
    """Generate and write the world; print the paths and a one-line summary on stderr."""
    from triage.errors import UsageError
    from triage.synth import generate_world, write_world

    began = time.perf_counter()
    try:
        world = generate_world(
            months=args.months,
            leads_per_month=args.leads_per_month,
            catalog_size=args.catalog_size,
            seed=args.seed,
            start=args.start,
        )
    except UsageError as exc:
        # name the command-line option rather than the Python argument
        message = str(exc)
        for name in ("leads_per_month", "catalog_size", "months", "seed", "start"):
            message = (
                message.replace(name, "--" + name.replace("_", "-"), 1)
                if message.startswith(name)
                else message
            )
        raise UsageError(f"synth: {message}") from None
    paths = write_world(world, args.out)
    counts = world.summary()["counts"]
    for path in paths.values():
        print(path)
    print(
        f"synth: {counts['catalog_items']} items, {counts['leads']} leads "
        f"({counts['true_target']} truly target) in {time.perf_counter() - began:.1f}s",
        file=sys.stderr,
    )
    return 0
