"""``triage charter check|evaluate|diff``: read, apply and compare target-lead charters."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from triage.cli._common import (
    LANGS,
    add_leads_options,
    add_workers_option,
    build_scorer,
    input_paths,
    load_leads_from,
    output_path,
    quarantine_path,
    show_progress,
    whole_number,
    will_decode,
)

__all__ = ["register", "run_check", "run_diff", "run_evaluate"]


def register(sub: Any) -> None:
    """Add ``triage charter`` with its actions check, evaluate and diff."""
    charter = sub.add_parser(
        "charter",
        help="check, evaluate and compare target-lead charters",
        description="Target-lead charters: the written criteria of a target lead, as YAML files.",
    )
    charter.set_defaults(help_parser=charter)
    actions = charter.add_subparsers(dest="charter_command", metavar="ACTION")

    check = actions.add_parser(
        "check",
        help="validate a charter and print its criteria in words",
        description="Validate a charter (optionally against a lead export) and print its criteria.",
    )
    check.add_argument("file", metavar="FILE", help="charter YAML")
    add_leads_options(check, required=False)
    check.add_argument(
        "--lang",
        choices=LANGS,
        help="language of titles and rules (default: the charter's locale)",
    )
    check.set_defaults(run=run_check)

    evaluate = actions.add_parser(
        "evaluate",
        help="evaluate a charter on every lead",
        description=(
            "Add crit_<id> (true/false/empty), charter_verdict and charter_failed to every lead; "
            "every row and input column is kept.  Charters that read decoded_* fields need "
            "--catalog (or leads that already carry them)."
        ),
    )
    evaluate.add_argument("file", metavar="FILE", help="charter YAML")
    add_leads_options(evaluate, required=True)
    evaluate.add_argument(
        "--out", required=True, metavar="OUT", help="output table (.csv, .xlsx or .parquet)"
    )
    evaluate.add_argument("--lang", choices=LANGS, help="language of the summary titles")
    add_workers_option(evaluate)
    evaluate.set_defaults(run=run_evaluate)

    diff = actions.add_parser(
        "diff",
        help="compare two charters, in words and on leads",
        description=(
            "Criterion-level diff of two charters; with --leads also target counts, the confusion "
            "matrix, percent agreement, Cohen's kappa, pass rates and example leads."
        ),
    )
    diff.add_argument("a", metavar="A.yaml")
    diff.add_argument("b", metavar="B.yaml")
    add_leads_options(diff, required=False)
    diff.add_argument("--out", metavar="FILE", help="also write the diff as .html or .json")
    diff.add_argument(
        "--examples",
        type=whole_number(0),
        default=10,
        metavar="N",
        help="disagreeing leads to show (default 10)",
    )
    diff.add_argument(
        "--lang", choices=LANGS, default="en", help="language of the rules in words (default en)"
    )
    add_workers_option(diff)
    diff.set_defaults(run=run_diff)


_LEADS_INPUTS = ("leads", "mapping", "catalog")


def run_check(args: argparse.Namespace) -> int:
    from triage.charter import load_charter, validate_charter
    from triage.report import render_charter

    quarantine_path(args, *input_paths(args, "file", *_LEADS_INPUTS))
    charter = load_charter(args.file)
    if args.leads:
        frame = load_leads_from(args)
        issues = validate_charter(charter, frame, can_decode=will_decode(args, frame))
    else:
        issues = validate_charter(charter)
    render_charter(charter, locale=args.lang)
    for issue in issues:
        print(f"{issue.severity}: {issue.where}: {issue.message}", file=sys.stderr)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        print(f"error: {args.file}: {len(errors)} problem(s) against {args.leads}", file=sys.stderr)
        return 1
    return 0


def run_evaluate(args: argparse.Namespace) -> int:
    from triage.charter import load_charter
    from triage.io import write_table
    from triage.report import render_criteria_summary

    inputs = input_paths(args, "file", *_LEADS_INPUTS)
    out = output_path(args.out, inputs=inputs)
    quarantine_path(args, *inputs, out)
    charter = load_charter(args.file)
    leads = load_leads_from(args)
    scorer = build_scorer(args, charter)  # checks the charter on the whole input first
    batch = scorer.score_batch(leads, workers=args.workers, progress=show_progress(args))
    write_table(batch.leads, out)  # type: ignore[arg-type]
    render_criteria_summary(batch.leads, charter, locale=args.lang)
    print(f"wrote {out} ({len(batch.leads):,} rows)", file=sys.stderr)
    return 0


def run_diff(args: argparse.Namespace) -> int:
    from triage.charter import check_fields, compare_on_leads, diff_charters, load_charter
    from triage.report import render_comparison, render_diff, render_diff_html

    inputs = input_paths(args, "a", "b", *_LEADS_INPUTS)
    out = output_path(args.out, (".html", ".htm", ".json"), inputs=inputs)
    quarantine_path(args, *inputs, out)
    a, b = load_charter(args.a), load_charter(args.b)
    result: Any
    if args.leads:
        leads = load_leads_from(args)
        for charter in (a, b):
            check_fields(leads, charter, can_decode=will_decode(args, leads))
        # Decode once (when a catalog is given); each charter derives its own fields.
        prepared = build_scorer(args, None).score_batch(
            leads, workers=args.workers, progress=show_progress(args)
        )
        result = compare_on_leads(
            prepared.leads,
            a,
            b,
            missing="error" if args.decode else "empty",
            examples=args.examples,
            locale=args.lang,
        )
        render_comparison(result)
    else:
        result = diff_charters(a, b, locale=args.lang)
        render_diff(result)
    if out is not None:
        _write_text(out, result, render_diff_html)
    return 0


def _write_text(out: Path, result: Any, render_html: Any) -> None:
    from triage.io import write_text_atomic

    if out.suffix.lower() == ".json":
        text = json.dumps(result.to_dict(), ensure_ascii=False, indent=2, default=str)
    else:
        text = render_html(result)
    write_text_atomic(text, out)
    print(f"wrote {out}", file=sys.stderr)
