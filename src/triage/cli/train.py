"""``triage train``: the judge, trained on leads both departments agreed on."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from triage.cli._common import (
    add_workers_option,
    existing_file,
    require_file,
    show_progress,
)
from triage.errors import DataError, UsageError

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add ``triage train``."""
    p = sub.add_parser(
        "train",
        help="train the judge on agreed leads and print its evaluation",
        description=(
            "Train a classifier on the leads whose verdict both departments agreed on (or the "
            "owner adjudicated), evaluate it on the most recent 20 %% beside the charter, each "
            "department's verdict and the majority class, and save it to --out."
        ),
    )
    p.add_argument("--leads", nargs="+", required=True, metavar="FILE", help="lead export(s)")
    p.add_argument("--schema", type=Path, help="lead schema (or column mapping) YAML")
    p.add_argument(
        "--charter",
        help="charter whose criteria are features (default: agreed; 'none': no charter)",
    )
    p.add_argument(
        "--catalog", type=Path, help="the shop's catalog, to decode requests (when leads need it)"
    )
    p.add_argument(
        "--adjudications", type=Path, help="CSV of the owner's verdicts: lead_id, verdict"
    )
    p.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="COLUMN",
        help="keep a column the leakage guard flags (repeatable)",
    )
    p.add_argument(
        "--ledger", type=Path, help="ledger of the owner's verdicts (default: the settings')"
    )
    p.add_argument("--no-ledger", dest="use_ledger", action="store_false", help="ignore the ledger")
    p.add_argument("--truth", type=Path, help="ground truth of a synthetic world (truth.csv)")
    p.add_argument("--out", required=True, type=Path, help="model folder, e.g. models/NAME")
    add_workers_option(p)
    p.set_defaults(run=run)


def _load(args: argparse.Namespace, schema: Any) -> pd.DataFrame:
    from triage.io.leads import load_leads

    frames = [load_leads(existing_file(path, "leads"), mapping=schema) for path in args.leads]
    leads = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    leads.attrs["source"] = ", ".join(args.leads)
    if "lead_id" in leads.columns and leads["lead_id"].duplicated().any():
        dup = leads.loc[leads["lead_id"].duplicated(), "lead_id"].iloc[0]
        raise DataError(f"{leads.attrs['source']}: lead_id {dup!r} appears more than once")
    return leads


def _charter(args: argparse.Namespace, leads: pd.DataFrame) -> Any:
    """The charter to evaluate, or None (``--charter none`` or no field of it in the leads)."""
    from triage.charter import load_charter, rule_fields
    from triage.config import get_settings
    from triage.features import derivable
    from triage.schema import DERIVED_COLUMNS

    if args.charter == "none":
        return None
    charter = load_charter(args.charter or get_settings().agreed_charter)
    columns = set(map(str, leads.columns))
    can_decode = args.catalog is not None and "request_text" in columns
    usable = [
        name
        for crit in charter.criteria
        for name in rule_fields(crit.rule)
        if name in columns
        or (name in DERIVED_COLUMNS and derivable(name, columns) is True)
        or (name.startswith("decoded_") and can_decode)
    ]
    if not usable:
        print(
            f"warning: {charter.label} reads no field these leads have; training without charter "
            "criteria (give --charter none to say so, or map the columns in the schema)",
            file=sys.stderr,
        )
        return None
    return charter


def run(args: argparse.Namespace) -> int:
    from triage.io.leads import LeadSchema, load_schema
    from triage.io.tables import read_table
    from triage.model import train_judge
    from triage.pipeline import Scorer

    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a folder")
    schema = (
        load_schema(existing_file(args.schema, "schema")) if args.schema else LeadSchema.synthetic()
    )
    leads = _load(args, schema if args.schema else None)
    charter = _charter(args, leads)
    scorer = Scorer.build(
        catalog=require_file(args.catalog, "catalog"),
        charter=charter,
        use_charter=charter is not None,
        missing="error",
    )
    judged = scorer.score_batch(leads, workers=args.workers, progress=show_progress(args)).leads
    adjudications = _adjudications(args)
    truth = read_table(existing_file(args.truth, "truth"), what="truth") if args.truth else None
    result = train_judge(
        judged,
        schema=schema,
        charter=charter,
        adjudications=adjudications,
        allow=tuple(args.allow),
        truth=truth,
    )
    for suspect in result.suspects:
        print(f"warning: leakage guard: {suspect.message()}", file=sys.stderr)
    catalog = None
    if args.catalog is not None and scorer.decoder is not None:
        from triage.decode import load_catalog

        catalog = load_catalog(args.catalog)
    _save(result, args.out, catalog)
    from triage.report import render_training

    render_training(result, out=args.out)
    return 0


def _adjudications(args: argparse.Namespace) -> pd.DataFrame | None:
    """The ledger's latest verdict per lead, then the file's (the file wins for a lead)."""
    from triage.cli.audit import _ledger_adjudications
    from triage.io.tables import read_table

    parts = []
    if args.use_ledger:
        ledger = _ledger_adjudications(args.ledger)
        if ledger is not None and len(ledger):
            parts.append(ledger[["lead_id", "verdict"]])
            print(f"ledger: {len(ledger):,} adjudicated lead(s)", file=sys.stderr)
    if args.adjudications is not None:
        frame = read_table(existing_file(args.adjudications, "adjudications"), what="adjudications")
        _check_adjudications(frame, args.adjudications)
        parts.append(frame[["lead_id", "verdict"]])
    if not parts:
        return None
    both = pd.concat(parts, ignore_index=True).astype({"lead_id": "string"})
    return both.drop_duplicates("lead_id", keep="last")


def _check_adjudications(frame: pd.DataFrame, path: Path) -> None:
    missing = [c for c in ("lead_id", "verdict") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: adjudications need columns lead_id and verdict; missing {missing}"
        )


def _save(result: Any, out: Path, catalog: pd.DataFrame | None) -> None:
    from triage.explain import explain, global_importance, write_plots
    from triage.io.tables import write_table

    judge = result.judge
    judge.save(out, catalog=catalog)
    write_table(result.evaluation, out / "evaluation.csv")
    if result.truth_evaluation is not None:
        write_table(result.truth_evaluation, out / "evaluation_truth.csv")
    sample = result.test.head(5000)
    ex = explain(judge.pipeline, judge.spec, judge.matrix(sample), background=judge.background)
    write_table(global_importance(ex, judge.spec), out / "importance.csv")
    write_plots(ex, judge.spec, sample, out, locale="en")
